"""Year suffixes: works of the same author(s) and year are told apart as 2017a, 2017b."""

from __future__ import annotations

import re
from dataclasses import replace

from .keys import fold
from .model import Entry

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def group_key(e: Entry) -> tuple[str, str]:
    """Works that share this key (creators and year) are told apart by a suffix."""
    who = "|".join(fold(n.surname) for n in e.creators) or fold(e.fields.get("shortauthor", e.key))
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


def with_suffixes(entries: list[Entry]) -> list[Entry]:
    """The entries, each with its year suffix: the one a `yearsuffix` field gives when every
    work of the group has one, otherwise a, b, c in order of title, as author-date styles
    sort them. Works alone in their author and year get none."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(entries):
        if e.year:
            groups.setdefault(group_key(e), []).append(i)
    suffix: dict[int, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        if all(entries[i].fields.get("yearsuffix") for i in group):
            for i in group:
                suffix[i] = entries[i].fields["yearsuffix"].strip().lower()
            continue
        ordered = sorted(group, key=lambda i: (fold(entries[i].title), entries[i].key))
        for n, i in enumerate(ordered):
            suffix[i] = _LETTERS[n] if n < len(_LETTERS) else str(n)
    return [replace(e, suffix=suffix[i]) if suffix.get(i, "") != e.suffix else e for i, e in enumerate(entries)]
