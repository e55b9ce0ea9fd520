"""Year suffixes: works of the same author(s) and year are told apart as 2017a, 2017b."""

from __future__ import annotations

from dataclasses import replace

from .keys import fold
from .model import Entry

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def with_suffixes(entries: list[Entry]) -> list[Entry]:
    """The entries, each with its year suffix: the one a `yearsuffix` field gives when every
    work of the group has one, otherwise a, b, c in order of title, as author-date styles
    sort them. Works alone in their author and year get none."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(entries):
        if not e.year:
            continue
        who = "|".join(fold(n.surname) for n in e.creators) or fold(e.fields.get("shortauthor", e.key))
        groups.setdefault((who, e.year), []).append(i)
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
