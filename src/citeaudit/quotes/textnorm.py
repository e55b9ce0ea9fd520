"""Words for comparing quotations with sources: case, accents, quote and dash forms,
ligatures, line-break hyphenation and British/American spelling folded away, each word
keeping its place in the original text."""

from __future__ import annotations

import functools
import re
import unicodedata

from ..normalize import fold as fold_typography

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_WORD_ASCII = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_LINEBREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.(?!\.))\s*")
_BRACKET_IN_WORD = re.compile(r"\[([^\W\d_]{1,3})\](?=[^\W\d_])|(?<=[^\W\d_])\[([^\W\d_]{1,3})\]")
_BRACKET_INSERT = re.compile(r"\s*\[[^\[\]]{0,60}\]")

# British spellings folded to American ones, so "criticise" and "labour" are not differences.
_SPELLING = [
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|er|ers|able)?$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ogue(s?)$"), r"og\1"),
]
_KEEP = frozenset("our hour hours four flour your yours pour tour tours rise rises wise noise raise praise promise premise "
                  "exercise exercised otherwise likewise advise advised surprise surprised devise devised revise revised "
                  "comprise comprised compromise compromised enterprise enterprises franchise merchandise arise arises "
                  "concise precise despise despised disguise disguised expertise paradise poise treatise chastise "
                  "well will all shall still till fill full call tell".split())


@functools.lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """A word's compare form: no case, no accents, straight apostrophe."""
    word = unicodedata.normalize("NFKD", fold_typography(word))
    return "".join(ch for ch in word if not unicodedata.combining(ch)).casefold().replace("'", "")


@functools.lru_cache(maxsize=65536)
def spelling_key(word: str) -> str:
    """A compare form that also folds British and American spelling."""
    if word in _KEEP or len(word) < 5:
        return word
    for pattern, repl in _SPELLING:
        new = pattern.sub(repl, word)
        if new != word:
            return new
    return word


def words(text: str, base: int = 0) -> list[tuple[str, int, int]]:
    """(compare form, start, end) of each word; offsets are into `text` plus `base`.

    A hyphen at a line break joins the two halves ("criti-\\ncize" is one word)."""
    joined = fold_typography_same_length(text)
    hyphenated = "-" in joined and _LINEBREAK_HYPHEN.search(joined) is not None
    if not hyphenated and joined.isascii():  # the common case, kept fast: no accents to fold
        return [(m.group().replace("'", ""), base + m.start(), base + m.end()) for m in _WORD_ASCII.finditer(joined.lower())]
    if hyphenated:
        joined = _LINEBREAK_HYPHEN.sub(lambda m: "\x00" * len(m.group()), joined)
    return [(norm(raw), base + start, base + end) for raw, start, end in _iter_words(joined)]


def fold_typography_same_length(text: str) -> str:
    """Curly apostrophes to straight ones, keeping every offset."""
    return text.replace("’", "'").replace("‘", "'")


def _iter_words(text: str):
    """Words of a text whose line-break hyphens are marked with NULs (dropped, offsets kept)."""
    for m in re.finditer(r"(?:[^\W_]|\x00)+(?:'(?:[^\W_]|\x00)+)*", text):
        raw = m.group()
        if raw.strip("\x00") == "":
            continue
        yield raw.replace("\x00", ""), m.start(), m.end()


def quotation_pieces(text: str) -> list[str]:
    """A quotation split at its ellipses, editorial insertions removed:
    "[T]he state […] is [blanc] a machine" -> ["The state", "is a machine"]."""
    text = _BRACKET_IN_WORD.sub(lambda m: m.group(1) or m.group(2), text)
    pieces = []
    for piece in _ELLIPSIS.split(text):
        piece = _BRACKET_INSERT.sub(" ", piece).strip()
        if _WORD.search(piece):
            pieces.append(piece)
    return pieces
