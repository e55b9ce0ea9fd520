"""Citation items to bibliography entries: surname(s) and year with its suffix, tolerant of
accents, case and particles, strict about what is genuinely ambiguous, with near misses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .bibliography import Bibliography, Entry, fold
from .model import CiteItem, Document, Resolution

_ORDINALS = {
    "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth", "6th": "sixth",
    "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth", "11th": "eleventh",
    "12th": "twelfth", "13th": "thirteenth", "14th": "fourteenth", "15th": "fifteenth",
    "16th": "sixteenth", "17th": "seventeenth", "18th": "eighteenth", "19th": "nineteenth",
    "20th": "twentieth", "21st": "twenty-first", "22nd": "twenty-second",
}


@dataclass(slots=True)
class Index:
    """Entries looked up by folded surname; all of a bibliography's lookups go through here."""

    bib: Bibliography
    by_name: dict[str, list[Entry]] = field(default_factory=dict)
    partial: dict[str, list[Entry]] = field(default_factory=dict)  # parts of many-word surnames
    names: list[str] = field(default_factory=list)
    where: str = "the bibliography"  # what the messages call it: "the reference list" for a typed one
    aliases: dict[str, str] = field(default_factory=dict)  # a reference manager's key -> the .bib's

    @classmethod
    def build(cls, bib: Bibliography, where: str = "the bibliography", aliases: dict[str, str] | None = None) -> "Index":
        index = cls(bib, where=where, aliases=dict(aliases or {}))
        by_name = index.by_name
        partial = index.partial
        for e in bib.entries:
            for name in _entry_names(e):
                found = by_name.get(name)
                if found is None:
                    by_name[name] = [e]
                else:
                    found.append(e)
            creators = e.creators
            if creators and not creators[0].literal and len(creators[0].surname.split()) > 1:  # else no parts
                for part in _partial_names(e):
                    partial.setdefault(part, []).append(e)
        index.names = sorted(by_name)
        return index

    def lookup(self, surname: str) -> list[Entry]:
        """Entries whose first creator is cited by this name: the name as a whole ("Moscoso
        del Prado Martín", "IPS" for "Instituto de Pesquisa Social [IPS]"), then without
        leading words that may be given names ("Charles Darwin", "Igor Mel’čuk"), then as a
        part of a many-word surname ("Martín", "Silva Filho")."""
        key = fold(surname)
        found = self.by_name.get(key)
        if found:
            return list(found)
        words = surname.split()
        for i in range(1, len(words)):
            found = self.by_name.get(fold(" ".join(words[i:])))
            if found:
                return list(found)
        return list(self.partial.get(key, []))


_ABBREVIATION = re.compile(r"\[([^\[\]]{2,20})\]|\(([A-Z][A-Za-z&]{1,15})\)")


def _entry_names(e: Entry) -> set[str]:
    names: set[str] = set()
    first = e.creators[:1]
    fields = e.fields
    if first and not first[0].literal and not ("shortauthor" in fields or "shorteditor" in fields or "shorthand" in fields):
        n = first[0]  # the usual case: the first creator's surname, with and without particles
        names = {fold(n.surname), fold(n.last)}
        names.discard("")
        return names
    for n in first:
        names.add(fold(n.surname))
        names.add(fold(n.last))
        if n.literal:  # a body: "Instituto de Pesquisa Social [IPS]" is cited as IPS, or whole without it;
            for m in _ABBREVIATION.finditer(n.last):  # "U.S. Census Bureau" as "Census Bureau"
                names.add(fold(m.group(1) or m.group(2)))
            names.add(fold(_ABBREVIATION.sub("", n.last)))
            names.add(fold(re.sub(r"^(?:[A-Z]\.){1,4}\s+", "", n.last)))
    for field_name in ("shortauthor", "shorteditor"):
        if e.fields.get(field_name):
            names.add(fold(e.fields[field_name]))
    if e.fields.get("shorthand"):
        names.add(fold(e.fields["shorthand"].split()[0]))
    names.discard("")
    return names


def _partial_names(e: Entry) -> set[str]:
    """The first creator's many-word surname by its parts: "Moscoso del Prado Martín" is also
    found as "Prado Martín", "Martín", "Moscoso"."""
    out: set[str] = set()
    for n in e.creators[:1]:
        out |= _name_keys(n) - {fold(n.surname), fold(n.last)}
    return out


def _norm_title(title: str) -> str:
    words = [_ORDINALS.get(w.lower(), w) for w in re.findall(r"[\w’'-]+", title)]
    return fold(" ".join(words))


def resolve_item(item: CiteItem, index: Index, fold_case: bool = False) -> Resolution:
    """`fold_case`: keys are found whatever their case (a LaTeX document, BibTeX's way)."""
    if item.key is not None:
        return _by_key(item.key, index, fold_case)
    if item.title and not item.authors:
        return _by_title(item, index)
    if not item.authors:
        return Resolution("unresolved", reason="no author to look up")
    first = item.authors[0]
    pool = index.lookup(first)
    if item.volume and pool:  # a siglum with its volume: "MECW 39"
        pool = [e for e in pool if _volume_matches(e, item.volume)] or pool
    if item.volume and not pool and first.isupper():  # a siglum no entry declares: its title's initials
        pool = [e for e in index.bib.entries if _siglum_of(e, first, item.volume)]
    if not pool:
        return Resolution("unresolved", reason=_no_author(item, index))
    if item.year is None:
        if len(pool) == 1:
            return Resolution("resolved", pool[0].key)
        return Resolution("ambiguous", candidates=tuple(e.key for e in pool), reason=_list(pool))
    same_year = [e for e in pool if _year_matches(e, item)]
    if not same_year:
        return Resolution("unresolved", reason=_wrong_year(item, pool, index.where))
    coauthored = by_coauthors(same_year, item.authors)
    if not coauthored:
        if len(same_year) == 1 and not item.suffix:  # one work of that first author and year: it, with a caveat
            e = same_year[0]
            listed = " and ".join(n.surname for n in e.creators) or e.key
            return Resolution("resolved", e.key, caveat=f"resolves to {e.label()} by its first author and year, but the "
                                                        f"entry lists {listed}")
        return Resolution("unresolved", reason=_wrong_coauthors(item, same_year))
    same_year = coauthored
    if item.title and len(same_year) > 1:  # a reference string names its title
        titled = [e for e in same_year if fuzz.token_set_ratio(_norm_title(item.title), _norm_title(e.title)) >= 80]
        same_year = titled or same_year
    if item.suffix:
        exact = [e for e in same_year if e.suffix == item.suffix]
        if len(exact) == 1:
            return Resolution("resolved", exact[0].key)
        if len(exact) > 1:  # two entries give themselves the same letter
            return Resolution("ambiguous", candidates=tuple(e.key for e in exact),
                              reason=f"{_cited(item)} could be {_list(exact)}: two entries have the letter {item.suffix}")
        if len(same_year) == 1 and not same_year[0].suffix:
            e = same_year[0]
            return Resolution(
                "unresolved",
                reason=f"{_cited(item)} has a suffix, but {e.label()} is the only such work (did you mean {e.label()}?)",
            )
        return Resolution("unresolved", reason=f"no {_cited(item)}; the entries are {_list(same_year)}")
    if len(same_year) == 1:
        return Resolution("resolved", same_year[0].key)
    return Resolution(
        "ambiguous",
        candidates=tuple(e.key for e in same_year),
        reason=f"{_cited(item)} could be {_list(same_year)}: add the suffix",
    )


_UNDATED = {"n.d.", "s.d.", "s/d", "o.j.", "sans date"}
_PENDING = ("forthcoming", "in press", "to appear", "in prep", "in preparation", "submitted", "accepted")


def _year_matches(e: Entry, item: CiteItem) -> bool:
    if item.year in _UNDATED:
        return e.year is None and not _pending(e)
    if item.year in _PENDING:
        return _pending(e) or (e.year is None and not e.fields.get("year"))
    return e.year == item.year


def _pending(e: Entry) -> bool:
    """An entry not yet published: "forthcoming" or "in press" as its year or pubstate."""
    said = f"{e.fields.get('year', '')} {e.fields.get('pubstate', '')} {e.fields.get('date', '')}".lower()
    return any(word in said for word in _PENDING)


_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][^\W\d_]*")


def _siglum_of(e: Entry, siglum: str, volume: str) -> bool:
    """ "MECW 39" for an entry of volume 39 of "Karl Marx, Frederick Engels: Collected Works":
    the siglum's letters are, in order, initials of the capitalised words of its container,
    series or title, or of the reference as typed (a typed reference list seldom declares its
    sigla as a .bib's shorthand does)."""
    if fold(e.fields.get("volume", "")) != fold(volume):
        return False
    for text in (e.fields.get("booktitle", ""), e.fields.get("series", ""), e.fields.get("journal", ""), e.title,
                 e.fields.get("typed", "")):  # a typed reference as a whole, where its parse missed the container
        initials = iter(w[0] for w in _CAPITALISED.findall(text))
        if text and all(any(ch == i for i in initials) for ch in siglum):
            return True
    return False


def _volume_matches(e: Entry, volume: str) -> bool:
    if e.fields.get("volume") == volume:
        return True
    shorthand = e.fields.get("shorthand", "")
    return shorthand.split()[-1:] == [volume]


def _name_keys(n) -> set[str]:
    """The forms a creator may be cited by: surname with particles, without, and for a
    many-word surname each word and each tail."""
    keys = {fold(n.surname), fold(n.last)}
    words = [w for w in n.surname.split() if w[:1].isupper()]
    if len(words) > 1 and not n.literal:
        keys.update(fold(" ".join(words[i:])) for i in range(len(words)))
        keys.update(fold(w) for w in words)
    keys.discard("")
    return keys


_UMLAUT = re.compile(r"(?<=[a-z])([aou])e")


def _forms(key: str) -> set[str]:
    """A folded name and its form without the German transliteration: "mueller" meets "muller"."""
    return {key, _UMLAUT.sub(r"\1", key)}


def _coauthors_match(e: Entry, authors: tuple[str, ...]) -> bool:
    listed = set().union(_entry_names(e), *(_name_keys(n) for n in e.creators))
    listed |= {f for key in listed for f in _forms(key)}
    return all(_forms(fold(a)) & listed or _forms(fold(a.split()[-1])) & listed for a in authors)


def by_coauthors(entries: list[Entry], authors: tuple[str, ...]) -> list[Entry]:
    """The entries a citation's list of authors can stand for, by what is written and by the
    "et al." conventions of author-date styles: "Oates" is Oates alone, not Oates, Eyler-Walker
    and Cohen; "Oates et al." three authors or more (two where none has three: some styles
    shorten two); "Baayen and Hendrix" exactly those two. Where no entry fits the convention,
    the entries that at least include every name written."""
    etal = authors[-1:] == ("et al.",)
    names = authors[:-1] if etal else authors
    including = [e for e in entries if _coauthors_match(e, names)]
    if etal:
        for least in (3, 2):
            fitting = [e for e in including if len(e.creators) >= least]
            if fitting:
                return fitting
        return including
    exact = [e for e in including if len(e.creators) == len(names)]
    return exact or including


def _cited(item: CiteItem) -> str:
    who = " and ".join(item.authors) if len(item.authors) <= 2 else f"{item.authors[0]} et al."
    if item.authors[-1:] == ("et al.",):
        who = f"{item.authors[0]} et al."
    return f"{who} {item.year or ''}{item.suffix}".strip()


def _list(entries: list[Entry]) -> str:
    return "; ".join(f"{e.label()} ({e.title})" if e.title else e.label() for e in entries)


def _no_author(item: CiteItem, index: Index) -> str:
    base = f"no entry in {index.where} for {_cited(item)}"
    matches = process.extract(fold(item.authors[0]), index.names, scorer=fuzz.ratio, limit=3, score_cutoff=75)
    guesses: list[Entry] = []
    for name, _score, _i in matches:
        for e in index.by_name[name]:
            if e not in guesses:
                guesses.append(e)
    if not guesses:
        return base
    best = sorted(guesses, key=lambda e: (e.year != item.year, e.label()))
    return f"{base} (did you mean {best[0].label()}?)"


def _wrong_year(item: CiteItem, pool: list[Entry], where: str) -> str:
    base = f"no entry in {where} for {_cited(item)}"
    years = sorted({e.label() for e in pool})
    if item.year and item.year.isdigit():
        near = [e for e in pool if e.year and e.year.isdigit() and abs(int(e.year) - int(item.year)) == 1]
        if near:
            return f"{base} (year off by one? {_list(near)})"
        orig = [e for e in pool if e.original_year == item.year]
        if orig:
            return f"{base} ({item.year} is the original date of {_list(orig)})"
    return f"{base}; {item.authors[0]} has {', '.join(years)}"


def _wrong_coauthors(item: CiteItem, pool: list[Entry]) -> str:
    names = [" and ".join(n.surname for n in e.creators) for e in pool]
    return f"no entry for {_cited(item)}: the entry of that year lists {'; '.join(names)}"


def _by_title(item: CiteItem, index: Index) -> Resolution:
    wanted = _norm_title(item.title or "")
    scored = []
    for e in index.bib.entries:
        for title in (e.title, e.fields.get("shorttitle", "")):
            if title:
                scored.append((fuzz.ratio(wanted, _norm_title(title)), e))
    scored.sort(key=lambda se: -se[0])
    unique: list[Entry] = []
    for score, e in scored:
        if score >= 85 and all(u.key != e.key for u in unique):
            unique.append(e)
    if len(unique) == 1:
        return Resolution("resolved", unique[0].key)
    if len(unique) > 1:
        return Resolution("ambiguous", candidates=tuple(e.key for e in unique), reason=_list(unique))
    hint = f" (did you mean {scored[0][1].title}?)" if scored and scored[0][0] >= 60 else ""
    return Resolution("unresolved", reason=f"no entry in {index.where} has the title {item.title!r}{hint}")


def _by_key(key: str, index: Index, fold_case: bool = False) -> Resolution:
    """A work a format marks by its key ([@key], \\cite{key}, a Zotero item): that entry, or
    the .bib entry a reference manager's item was matched to."""
    key = index.aliases.get(key, key)
    if index.bib.get(key) is not None:
        return Resolution("resolved", key)
    if fold_case:  # BibTeX finds a key whatever its case
        same = [k for k in index.bib.by_key() if k.casefold() == key.casefold()]
        if len(same) == 1:
            return Resolution("resolved", same[0])
    keys = list(index.bib.by_key())
    near = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=75) if keys else None
    folded = [k for k in keys if k.casefold() == key.casefold()]
    hint = f" (did you mean {folded[0]}? keys are case-sensitive)" if folded else f" (did you mean {near[0]}?)" if near else ""
    return Resolution("unresolved", reason=f"no entry with the key {key} in {index.where}{hint}")


def resolve_document(doc: Document, index: Index) -> tuple[tuple[Resolution, ...], ...]:
    """The resolution of every item of every citation, in order; ibid. takes its
    antecedent's resolution."""
    out: list[tuple[Resolution, ...]] = []
    for c in doc.citations:
        if c.kind == "ibid" and not (c.items and c.items[0].authors):
            target = out[c.antecedent] if c.antecedent is not None else ()
            if len(target) == 1:
                res: tuple[Resolution, ...] = (target[0],)
            else:
                res = (Resolution("unresolved", reason="ibid. has no single work to repeat"),)
        else:
            res = tuple(resolve_item(it, index, doc.format == "latex") for it in c.items)
        out.append(res)
    return tuple(out)
