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
    if text.isascii():
        return _KEY.sub("", text.lower())
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


#: Words of a title the automaton holds; the rest of the title is compared where they are found
#: (a trie of whole titles would be most of the cost of a large bibliography).
_TITLE_HEAD = 3


class KnownNames:
    """The names and titles of a bibliography, found in texts in one pass each."""

    __slots__ = ("keys", "joined", "_automaton", "_empty", "_names", "_titles")

    def __init__(self, names: Iterable[str], titles: Iterable[str] = ()) -> None:
        automaton = ahocorasick.Automaton()
        keys: set[str] = set()
        joined: set[str] = set()
        words: dict[str, tuple[str, tuple[str, ...]]] = {}
        heads: dict[str, list[str]] = {}
        self._titles = tuple(dict.fromkeys(" ".join(t.split()) for t in titles))
        for title in self._titles:
            if len(title) >= 8 and " " in title:  # two words or more (spaces are single, inside)
                heads.setdefault(" ".join(title.lower().split()[:_TITLE_HEAD]), []).append(title)
        for head, full in heads.items():
            words[head] = ("title", tuple(sorted(full, key=len, reverse=True)))
        self._names = tuple(dict.fromkeys(" ".join(n.split()) for n in names))
        for name in self._names:
            low = name.lower()
            if len(name) < 2 or name == low:
                continue
            key = name_key(name)
            keys.add(key)
            if " " in name and _JOINERS.search(name):  # names are normalised: a space is the only whitespace
                joined.add(key)
            words[low] = ("name", (name,))  # a name wins over a title written the same
        for low, value in words.items():
            automaton.add_word(low, (len(low), *value))
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
        for end, (length, kind, values) in self._automaton.iter(low):
            start = end - length + 1
            if kind == "name" and not text[start].isupper() and values[0][:1].isupper():
                continue  # "young" is a word; "Young" may be a name
            if start > 0 and (low[start - 1].isalnum() or low[start - 1] in "’'-"):
                continue
            if kind == "title":  # the head matched: the longest whole title that follows
                value = next((t for t in values if low.startswith(t.lower(), start)), None)
                if value is None:
                    continue
                stop = start + len(value)
            else:
                value, stop = values[0], end + 1
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
        return (KnownNames, (self._names, self._titles))

    def parts(self) -> tuple:
        """What a cache keeps: the words and the automaton as built (pyahocorasick pickles
        it whole), so that loading is not building again (`from_parts`)."""
        return (self._names, self._titles, self._automaton, self._empty, self.keys, self.joined)

    @classmethod
    def from_parts(cls, parts: tuple) -> KnownNames:
        names, titles, automaton, empty, keys, joined = parts
        if not isinstance(automaton, ahocorasick.Automaton):
            raise TypeError("not an automaton")
        self = cls.__new__(cls)
        self._names, self._titles, self._automaton, self._empty = names, titles, automaton, empty
        self.keys, self.joined = keys, joined
        return self


def bibliography_names(entries: Iterable) -> tuple[list[str], list[str]]:
    """The names (every form each creator may be cited by, short author and editor names) and
    main titles of bibliography entries, in order, each once: what KnownNames is built from.
    (KnownNames keeps each name and title once anyway; they are left out here as soon as
    seen, which is most of a large bibliography's names.)"""
    names: dict[str, None] = {}
    titles: dict[str, None] = {}
    for e in entries:
        for people in (e.authors, e.editors):
            for n in people:
                if n.literal:
                    for form in iter_name_forms(n.surname, n.last, n.literal):
                        names[form] = None
                    continue
                surname = n.surname
                names[surname] = None
                if n.last != surname:
                    names[n.last] = None
        fields = e.fields
        if "shortauthor" in fields or "shorteditor" in fields:
            for field_name in ("shortauthor", "shorteditor"):
                if fields.get(field_name):
                    names[fields[field_name]] = None
        main = e.title.split(":")[0].split(". ")[0].strip()
        if main:
            titles[main] = None
        short = fields.get("shorttitle")
        if short:
            main = short.split(":")[0].split(". ")[0].strip()
            if main:
                titles[main] = None
    return list(names), list(titles)


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
