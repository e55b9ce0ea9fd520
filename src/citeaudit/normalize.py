"""Line joining, de-hyphenation, whitespace and OCR repairs on a copy that maps back to the original."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .text import Builder, Mapped

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SPACES = " \t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000\r\f\v"
_DROP = "\u00ad\u200b\u200c\u200d\ufeff"

# OCR in typewritten scans reads apostrophes and quotation marks as the digit one:
# "Negri1s", "Theses11 in", "bourgeolsie'1 with", "'1No".
_OCR_REPAIRS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[A-Za-z])'1(?=[\s.,;:!?)]|$)"), '"'),
    (re.compile(r"'1(?=[A-Za-z])"), '"'),
    (re.compile(r"(?<=[a-z])11(?=[\s.,;:!?)]|$)"), '"'),
    (re.compile(r"(?<=[A-Za-z])1(?=s\b)"), "'"),
    (re.compile(r"(?<=[a-z])1(?=\s)"), "'"),
)
_OCR_SIGNS = re.compile(r"[a-z]1s\b|[a-z]'1\b|'1[A-Za-z]|[a-z]11\s")


class Vocabulary:
    """The words of a whole document, used to tell line-break hyphenation from real compounds."""

    def __init__(self, text: str) -> None:
        self.plain: set[str] = set()
        self.hyphenated: set[str] = set()
        # Words that sit at a line end with a hyphen are not evidence of anything.
        for m in _WORD.finditer(text):
            if text.startswith("-\n", m.end()):
                continue
            word = m.group().lower()
            (self.hyphenated if "-" in word else self.plain).add(word)

    def join(self, head: str, tail: str) -> bool:
        """True when ``head-`` + ``tail`` at a line break is one word split by hyphenation."""
        joined = (head + tail).lower()
        compound = f"{head}-{tail}".lower()
        if compound in self.hyphenated:
            return False
        return joined in self.plain


def looks_ocr_damaged(text: str) -> bool:
    """True for texts with typewriter-scan OCR damage, judged on several independent signs."""
    return len(_OCR_SIGNS.findall(text)) >= 3


def join_lines(
    original: str,
    ranges: Iterable[tuple[int, int]],
    vocabulary: Vocabulary | None = None,
) -> Mapped:
    """Join original line ranges [start, end) into one normalised string.

    Runs of white space become one space, line breaks become a space, and a hyphen at a
    line end is dropped when the vocabulary shows the two halves form one word.
    """
    out = Builder()
    prev_end = None
    for start, end in ranges:
        # trim the line's own leading and trailing white space
        while start < end and (original[start] in _SPACES or original[start] in _DROP):
            start += 1
        while end > start and (original[end - 1] in _SPACES or original[end - 1] in _DROP):
            end -= 1
        if start >= end:
            continue
        if prev_end is not None and out.chars:
            if _hyphen_break(out) and original[start].isalpha():
                head = _trailing_word(out)
                tail_m = _WORD.match(original, start, end)
                tail = tail_m.group() if tail_m else ""
                # Otherwise the hyphen stays: a compound ("state-capitalist") or a URL.
                if vocabulary is not None and vocabulary.join(head, tail.split("-")[0]):
                    out.pop()
            else:
                out.add(" ", prev_end)
        for i in range(start, end):
            ch = original[i]
            if ch in _DROP:
                continue
            if ch in _SPACES or ch == "\n":
                if out.last() != " ":
                    out.add(" ", i)
                continue
            out.add(ch, i)
        prev_end = end
    return out.build(prev_end if prev_end is not None else 0)


def _hyphen_break(out: Builder) -> bool:
    return len(out.chars) >= 2 and out.chars[-1] == "-" and out.chars[-2].isalpha()


def _trailing_word(out: Builder) -> str:
    i = len(out.chars) - 2
    while i >= 0 and out.chars[i].isalpha():
        i -= 1
    return "".join(out.chars[i + 1 : -1])


def substitute(mapped: Mapped, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Mapped:
    """re.sub on a Mapped string; each replacement character maps to the first original one it replaces."""
    out = Builder()
    pos = 0
    text = mapped.text
    for m in pattern.finditer(text):
        for i in range(pos, m.start()):
            out.add(text[i], mapped.omap[i])
        rep = repl(m) if callable(repl) else repl
        for j, ch in enumerate(rep):
            src = m.start() + min(j, max(0, m.end() - m.start() - 1))
            out.add(ch, mapped.omap[src])
        pos = m.end()
    for i in range(pos, len(text)):
        out.add(text[i], mapped.omap[i])
    return out.build(mapped.omap[len(text)])


def repair_ocr(mapped: Mapped) -> Mapped:
    """Undo the typewriter OCR damage of apostrophes and quotation marks read as '1'."""
    for pattern, repl in _OCR_REPAIRS:
        mapped = substitute(mapped, pattern, repl)
    return mapped


_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u2026": "...",
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
        "\u017f": "s",
    }
)


def fold(text: str) -> str:
    """Typography folded for comparison: straight quotes, hyphen-minus, ligatures expanded."""
    return text.translate(_FOLD)
