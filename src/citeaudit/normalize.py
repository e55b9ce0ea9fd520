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
        self._text = text
        self._lower: str | None = None

    def join(self, head: str, tail: str) -> bool:
        """True when ``head-`` + ``tail`` at a line break is one word split by hyphenation:
        the document writes the joined word elsewhere, and never the hyphenated compound."""
        if self._lower is None:
            self._lower = self._text.lower()
        if _has_word(self._lower, f"{head}-{tail}".lower()):
            return False
        return _has_word(self._lower, (head + tail).lower())


def _has_word(text: str, word: str) -> bool:
    """True when ``word`` occurs in ``text`` as a whole word."""
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        if (pos == 0 or not text[pos - 1].isalpha()) and (end == len(text) or not text[end].isalpha()):
            return True
        pos = text.find(word, pos + 1)
    return False


def looks_ocr_damaged(text: str) -> bool:
    """True for texts with typewriter-scan OCR damage, judged on several independent signs."""
    return len(_OCR_SIGNS.findall(text)) >= 3


# What a line holds besides words and single spaces: runs of white space, odd spaces, soft hyphens.
_ODD_SPACE = re.compile(f"[{re.escape(_SPACES)}\n]{{2,}}|[{re.escape(_SPACES.replace(' ', ''))}\n]|[{re.escape(_DROP)}]+")


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
        if prev_end is not None and out:
            tail = out.tail(2)
            if len(tail) == 2 and tail[1] == "-" and tail[0].isalpha() and original[start].isalpha():
                # Otherwise the hyphen stays: a compound ("state-capitalist") or a URL.
                tail_m = _WORD.match(original, start, end)
                head = _trailing_word(out)
                if vocabulary is not None and vocabulary.join(head, (tail_m.group() if tail_m else "").split("-")[0]):
                    out.pop()
            else:
                out.add(" ", prev_end)
        pos = start
        for m in _ODD_SPACE.finditer(original, start, end):
            out.add_run(original[pos : m.start()], pos)
            if m.group()[0] not in _DROP and out.last() != " ":
                out.add(" ", m.start())
            pos = m.end()
        out.add_run(original[pos:end], pos)
        prev_end = end
    return out.build(prev_end if prev_end is not None else 0)


def _trailing_word(out: Builder) -> str:
    text = out.tail(80)[:-1]
    i = len(text) - 1
    while i >= 0 and text[i].isalpha():
        i -= 1
    return text[i + 1 :]


def substitute(mapped: Mapped, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Mapped:
    """re.sub on a Mapped string; each replacement character maps to the first original one it replaces."""
    text, omap = mapped.text, mapped.omap
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        pieces.append(text[pos : m.start()])
        offsets.extend(omap[pos : m.start()])
        rep = repl(m) if callable(repl) else repl
        last = max(0, m.end() - m.start() - 1)
        pieces.append(rep)
        offsets.extend(omap[m.start() + min(j, last)] for j in range(len(rep)))
        pos = m.end()
    if pos == 0:
        return mapped
    pieces.append(text[pos:])
    offsets.extend(omap[pos : len(text)])
    return Mapped("".join(pieces), offsets + [omap[len(text)]])


_SENTENCE_START = re.compile(r"[.!?]\s+([^\W\d_])")


def lost_capitals(text: str) -> bool:
    """PDF text whose fonts lost their capitals: most sentences start in lower case
    ("... farming system (alemu, 2016). one of the ...")."""
    starts = [m.group(1) for m in _SENTENCE_START.finditer(text[:200_000])]
    return len(starts) >= 20 and sum(ch.islower() for ch in starts) >= 0.4 * len(starts)


#: Where a name stands in a citation: after "(", "; ", "& " or "and " inside parentheses, and
#: before "et al." or a parenthesised year.
_NAME_SLOT = re.compile(
    r"(?:(?<=\()|(?<=;\s)|(?<=&\s)|(?<=\band\s))([a-z])"
    r"(?=[^\W\d_’'\-]*(?:[’'\-][^\W\d_]+)*(?:\s*(?:,|&|and|et\s+al\.?)\s*[^\W\d_’'\-]*){0,4}[,\s]+(?:\d{4}|\(\d{4}))"
    r"|\b([a-z])(?=[^\W\d_’'\-]*(?:[’'\-][^\W\d_]+)*\s+(?:et\s+al\.?,?\s+)?\(\d{4})"
)


def restore_capitals(mapped: Mapped) -> Mapped:
    """Capital letters back where a citation's names stand, in text that lost them, so that
    "(thomke & hippel, 2002)" reads as the citation it is."""
    return substitute(mapped, _NAME_SLOT, lambda m: m.group().upper())


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
