"""Words for comparing quotations with sources: case, accents, quote and dash forms,
ligatures, line-break hyphenation and British/American spelling folded away, each word
keeping its place in the original text."""

from __future__ import annotations

import functools
import re
import unicodedata

from breame.spelling import BRITISH_ENGLISH_SPELLINGS as _BRITISH

from ..normalize import fold as fold_typography

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_WORD_ASCII = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_LINEBREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W\d_])")
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\s?\.\s?\.(?!\.))\s*")
_BRACKET_IN_WORD = re.compile(r"\[([^\W\d_]{1,3})\](?=[^\W\d_])|(?<=[^\W\d_])\[([^\W\d_]{1,3})\]")
_BRACKET_INSERT = re.compile(r"\s*\[[^\[\]]{0,60}\]")

@functools.lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """A word's compare form: no case, no accents, straight apostrophe."""
    word = unicodedata.normalize("NFKD", fold_typography(word))
    return "".join(ch for ch in word if not unicodedata.combining(ch)).casefold().replace("'", "")


@functools.lru_cache(maxsize=65536)
def spelling_key(word: str) -> str:
    """A compare form that also folds British spelling to American, word by word from a
    VarCon-derived list (breame): "defence" and "defense", "grey" and "gray", "criticised"
    and "criticized" meet, and "filled" stays apart from "filed"."""
    return _BRITISH.get(word, word)


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
