"""Year suffixes: works of the same author(s) and year are told apart as 2017a, 2017b."""

from __future__ import annotations

import re
from dataclasses import replace

from .keys import fold
from .model import Entry

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def group_key(e: Entry) -> tuple[str, str]:
    """Works that share this key (creators and year) are told apart by a suffix."""
    who = "|".join([fold(n.surname) for n in e.creators]) or fold(e.fields.get("shortauthor", e.key))
    return who, e.year or ""


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def against_title_order(entries: list[Entry]) -> set[str]:
    """Keys of suffixed works whose letters do not follow the order of their titles (with or
    without a leading article), the order that BibTeX styles, biber and CSL styles letter
    them by: a `yearsuffix` field pinned them otherwise."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if e.suffix and e.year:
            groups.setdefault(group_key(e), []).append(e)
    out: set[str] = set()
    for group in groups.values():
        by_letter = sorted(group, key=lambda e: (len(e.suffix), e.suffix))
        for strip in (False, True):
            titled = sorted(group, key=lambda e: (fold(_ARTICLE.sub("", e.title) if strip else e.title), e.key))
            if [e.key for e in titled] != [e.key for e in by_letter]:
                out.update(e.key for e in group)
    return out


_LETTER_IN_YEAR = re.compile(r"\s*\d{4}([a-z])\s*")


def pinned(e: Entry) -> str:
    """The suffix the entry itself gives: a `yearsuffix` field, or a letter written after the
    year ("2014a"), as many .bib files and reference lists do."""
    if e.fields.get("yearsuffix"):
        return e.fields["yearsuffix"].strip().lower()
    m = _LETTER_IN_YEAR.fullmatch(e.fields.get("year", ""))
    return m.group(1) if m else ""


def with_suffixes(entries: list[Entry]) -> list[Entry]:
    """The entries, each with its year suffix: the one it pins itself (`yearsuffix`, or
    "2014a" in `year`), otherwise a, b, c in order of title among the works of the same
    author(s) and year, as author-date styles sort them, skipping letters already pinned.
    A work alone in its author and year gets none, unless it pins one."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(entries):
        if e.year:
            groups.setdefault(group_key(e), []).append(i)
    suffix: dict[int, str] = {}
    for group in groups.values():
        if len(group) == 1:  # alone in its author and year: only the suffix it pins itself
            i = group[0]
            own = pinned(entries[i])
            if own:
                suffix[i] = own
            continue
        fixed = {}
        for i in group:
            own = pinned(entries[i])
            if own:
                fixed[i] = own
        suffix.update(fixed)
        rest = [i for i in group if i not in fixed]
        if not rest:
            continue
        free = (c for c in _SUFFIXES if c not in fixed.values())
        for i in sorted(rest, key=lambda i: (fold(entries[i].title), entries[i].key)):
            suffix[i] = next(free)
    return [replace(e, suffix=suffix[i]) if suffix.get(i, "") != e.suffix else e for i, e in enumerate(entries)]


_SUFFIXES = (*_LETTERS, *(str(n) for n in range(26, 100)))
