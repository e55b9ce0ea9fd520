"""Names and titles the bibliography knows, for extraction to recognise in running text.

Built once per run from plain strings (extraction never sees the bibliography itself): every
form a creator may be cited by — "van der Linden" and "Linden", "Moscoso del Prado Martín",
"Instituto de Pesquisa Social [IPS]" and "IPS" — and the main titles of the works. One
Aho-Corasick automaton (pyahocorasick) finds all of them in a text in one pass, whatever
the size of the bibliography.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

_KEY = re.compile(r"\W+")
_JOINERS = re.compile(r"\s(?:e|y|i|et|und)\s")


def name_key(text: str) -> str:
    """Compare-key of a name as written: no accents, no case, no punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _KEY.sub("", text.casefold())


def _lower(text: str) -> str:
    """Lower case with every offset kept (a few characters lengthen when lowered)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


@dataclass(frozen=True, slots=True)
class Known:
    """A name or title found in a text: [start, end) and what it is."""

    start: int
    end: int
    kind: str  # name | title
    text: str  # as the bibliography writes it


class KnownNames:
    """The names and titles of a bibliography, found in texts in one pass each."""

    __slots__ = ("keys", "joined", "_automaton", "_empty")

    def __init__(self, names: Iterable[str], titles: Iterable[str] = ()) -> None:
        automaton = ahocorasick.Automaton()
        keys: set[str] = set()
        joined: set[str] = set()
        for name in names:
            name = " ".join(name.split())
            if len(name) < 2 or not any(ch.isupper() for ch in name):
                continue
            keys.add(name_key(name))
            if _JOINERS.search(name):
                joined.add(name_key(name))
            low = name.lower()
            previous = automaton.get(low, None)
            if previous is None or previous[0] == "title":
                automaton.add_word(low, ("name", name))
        for title in titles:
            title = " ".join(title.split())
            if len(title) < 8 or len(title.split()) < 2:
                continue
            low = title.lower()
            if automaton.get(low, None) is None:
                automaton.add_word(low, ("title", title))
        self._empty = len(automaton) == 0
        if not self._empty:
            automaton.make_automaton()
        self._automaton = automaton
        self.keys = frozenset(keys)
        self.joined = frozenset(joined)

    def knows(self, name: str) -> bool:
        return name_key(name) in self.keys

    def find(self, text: str) -> list[Known]:
        """Every known name or title standing as whole words in `text`, the longest where
        several overlap, in order."""
        if self._empty or not text:
            return []
        low = _lower(text)
        hits: list[tuple[int, int, str, str]] = []
        for end, (kind, value) in self._automaton.iter(low):
            start = end - len(value) + 1
            stop = end + 1
            if start > 0 and (low[start - 1].isalnum() or low[start - 1] in "’'-"):
                continue
            if stop < len(low) and low[stop].isalnum():
                continue
            hits.append((start, stop, kind, value))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[Known] = []
        reach = -1
        for start, stop, kind, value in hits:
            if start < reach:
                continue
            out.append(Known(start, stop, kind, value))
            reach = stop
        return out

    def __reduce__(self):  # picklable for worker processes: rebuilt from its words
        words = list(self._automaton.items()) if not self._empty else []
        return (_rebuild, ([v for _k, (kind, v) in words if kind == "name"], [v for _k, (kind, v) in words if kind == "title"]))


def _rebuild(names: list[str], titles: list[str]) -> KnownNames:
    return KnownNames(names, titles)


def iter_name_forms(surname: str, last: str, literal: bool) -> Iterator[str]:
    """The forms one creator may be cited by."""
    yield surname
    if last != surname:
        yield last
    if literal:
        bare = re.sub(r"\s*[\[(][^\])]{2,20}[\])]\s*", " ", surname).strip()
        if bare != surname:
            yield bare
        for m in re.finditer(r"[\[(]([A-Z][A-Za-z&]{1,15})[\])]", surname):
            yield m.group(1)
