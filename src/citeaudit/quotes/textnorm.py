"""Words for comparing quotations with sources: case, accents, quote and dash forms,
ligatures, line-break hyphenation and British/American spelling folded away, each word
keeping its place in the original text."""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import accumulate

from breame.spelling import BRITISH_ENGLISH_SPELLINGS as _BRITISH

from ..normalize import fold as fold_typography

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
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
    parts = split_words(text)
    forms = list(map(FORMS.__getitem__, parts[1::2]))
    bounds = list(accumulate(map(len, parts), initial=base))
    return list(zip(forms, bounds[1::2], bounds[2::2]))


#: A word: letters and digits, with inner apostrophes ("don't", "rock'n'roll"). Possessive,
#: which changes no match here and saves the engine a third of its time; a capturing group,
#: so that re.split keeps the words, between the separators.
_SPLIT = re.compile(r"([^\W_]++(?:'[^\W_]++)*+)")
_SPLIT_JOINED = re.compile(r"((?:[^\W_]++|\x00++)++(?:'(?:[^\W_]++|\x00++)++)*+)")
_SPLIT_ASCII = re.compile(rb"([A-Za-z0-9]++(?:'[A-Za-z0-9]++)*+)")


def split_words(text: str) -> list[str] | list[bytes]:
    """The text cut into separators and words, alternately: [separator, word, separator,
    ..., word, separator], so that a word's offset is the sum of the lengths before it and
    none is worked out until it is needed. Words are as written, curly apostrophes made
    straight; the hyphen at a line break that joins two halves of a word is kept in the word
    as NULs (one per character it stood for), which its compare form drops. An ASCII text is
    cut as bytes (a byte is a character there, and a bytes pattern is twice as fast); FORMS
    takes either."""
    joined = fold_typography_same_length(text)
    hyphenated = "-" in joined and _LINEBREAK_HYPHEN.search(joined) is not None
    if hyphenated:
        joined = _LINEBREAK_HYPHEN.sub(lambda m: "\x00" * len(m.group()), joined)
    elif joined.isascii():  # NULs of the text itself separate words in ASCII text
        return _SPLIT_ASCII.split(joined.encode("ascii"))
    elif "\x00" not in joined:
        return _SPLIT.split(joined)
    parts = _SPLIT_JOINED.split(joined)
    if "\x00" in text:  # NULs of the text itself, alone, are no word
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            if parts[i].strip("\x00"):
                out += (parts[i], parts[i + 1])
            else:
                out[-1] += parts[i] + parts[i + 1]
        parts = out
    return parts


class _Forms(dict):
    """Word as written (from split_words, str or ASCII bytes) -> compare form, worked out
    once per process."""

    LIMIT = 1 << 20

    def __missing__(self, raw: str | bytes) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        if isinstance(raw, bytes):
            form = raw.decode("ascii").lower().replace("'", "")
        elif "\x00" in raw:
            form = norm(raw.replace("\x00", ""))
        elif raw.isascii():
            form = raw.lower().replace("'", "")
        else:
            form = norm(raw)
        self[raw] = form
        return form


#: FORMS[raw]: the compare form of a word of split_words.
FORMS = _Forms()


def fold_typography_same_length(text: str) -> str:
    """Curly apostrophes to straight ones, keeping every offset."""
    return text.replace("’", "'").replace("‘", "'")


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
