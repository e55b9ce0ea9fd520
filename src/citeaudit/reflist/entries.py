"""A manuscript's typed references as bibliography entries: the parsed fields of each entry of
its reference list (and of each full reference written in a note, as Chicago's notes style
gives one at first mention) become an `Entry` that citations resolve against, that the rules
check and that `export --from` writes out.

Keys are made as Better BibTeX makes them by default: the first author's surname, the year and
the first word of the title that is not an article or a preposition ("althusser2017philosophy"),
lower case, ASCII; a key already taken gets a, b, c after it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..bibliography.keys import fold
from ..bibliography.model import Entry, Name
from ..model import Document, ReferenceString
from ..text import Span
from .fields import ParsedReference, Person, parse_references

#: Title words a key skips, as Better BibTeX's `veryshorttitle` does (function words of the
#: languages the reference lists are written in).
_SKIP = frozenset(
    "a an the of on in at to for and or from with by as about into upon "
    "le la les l un une des du de d et en au aux sur pour par dans "
    "der die das den dem des ein eine einer eines und zur zum im am vom von mit über "
    "el los las lo uno una y del al con por para sobre "
    "il lo gli i un uno una e di da dei delle della nel nella per con su "
    "o os as um uma do da dos das no na nos nas com "
    .split()
)

#: ParsedReference.type → BibTeX entry type.
TYPES = {
    "article": "article", "book": "book", "chapter": "incollection", "conference": "inproceedings",
    "thesis": "phdthesis", "report": "techreport", "web": "online", "patent": "patent", "other": "misc",
}
_MASTERS = re.compile(r"\b(?:master|m\.?\s?a\.?|m\.?\s?sc?\.?|mestrado|maestr[ií]a|magister|diplom)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListedReference:
    """One typed reference: where it stands in the manuscript, as typed, as parsed, as an entry."""

    path: str
    span: Span
    line: int
    text: str
    parsed: ParsedReference
    entry: Entry


@dataclass(frozen=True, slots=True)
class ReferenceList:
    """A manuscript's own references: the entries of its reference list, or (where it has
    none) the full references of its notes."""

    path: str
    items: tuple[ListedReference, ...]
    origin: str  # "list" | "note"

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(i.entry for i in self.items)


def _name(p: Person) -> Name:
    if p.literal:
        return Name("", "", p.literal, literal=True)
    return Name(p.given, p.particle, p.family, p.suffix)


def _names_field(persons: Iterable[Person]) -> str:
    """Persons as a BibTeX name list: "Goshgarian, G. M. and {Conference of ...}"."""
    out = []
    for p in persons:
        if p.literal:
            out.append("{" + p.literal + "}")
            continue
        last = f"{p.particle} {p.family}".strip()
        out.append(", ".join(x for x in (last, p.suffix, p.given) if x) if p.given or p.suffix else last)
    return " and ".join(out)


def _title_word(title: str) -> str:
    for word in re.findall(r"[^\W_]+", title):
        if word.casefold() not in _SKIP and not word.isdigit():
            return fold(word)
    return ""


def _author_part(ref: ParsedReference) -> str:
    creators = ref.authors or ref.editors
    if not creators:
        return ""
    p = creators[0]
    if p.literal:
        if p.abbreviation:
            return fold(p.abbreviation)
        return "".join(fold(w) for w in p.literal.split() if w.casefold() not in _SKIP)[:24]
    return fold(p.particle + p.family)


def citekey(ref: ParsedReference, taken: set[str]) -> str:
    """authorYearTitleword, made unique against `taken` (which it joins)."""
    base = f"{_author_part(ref)}{ref.year or ''}{_title_word(ref.title)}" or "ref"
    key, n = base, 0
    while key in taken:
        key = base + _postfix(n)
        n += 1
    taken.add(key)
    return key


def _postfix(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n] if n < 26 else letters[n // 26 - 1] + letters[n % 26]


def fields_of(ref: ParsedReference) -> tuple[str, dict[str, str]]:
    """The BibTeX type and fields of a parsed reference (persons in BibTeX's name syntax)."""
    etype = TYPES.get(ref.type, "misc")
    if etype == "phdthesis" and _MASTERS.search(ref.genre or ""):
        etype = "mastersthesis"
    f: dict[str, str] = {}
    if ref.translators:
        f["translator"] = _names_field(ref.translators)
    if ref.title:
        f["title"] = ref.title
    if ref.container:
        f[{"article": "journal", "online": "howpublished", "misc": "howpublished"}.get(etype, "booktitle")] = ref.container
    for src, dst in (("collection", "series"), ("volume", "volume"), ("issue", "number"), ("edition", "edition")):
        if getattr(ref, src):
            f[dst] = getattr(ref, src)
    if ref.pages:
        f["pages"] = re.sub(r"\s*[-–—]+\s*", "--", ref.pages)
    if ref.publisher:
        f[{"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}.get(etype, "publisher")] = ref.publisher
    if ref.place:
        f["address"] = ref.place
    if ref.genre and etype in ("phdthesis", "mastersthesis", "techreport", "misc"):
        f["type"] = ref.genre
    if ref.year:
        f["year"] = ref.year
    if ref.year_suffix:
        f["yearsuffix"] = ref.year_suffix
    if ref.date_status in ("forthcoming", "in press"):
        f["pubstate"] = ref.date_status.replace(" ", "")
    if ref.original_year:
        f["origdate"] = ref.original_year
    for name in ("doi", "url", "isbn"):
        if getattr(ref, name):
            f[name] = getattr(ref, name)
    creators = ref.authors or ref.editors
    if creators and creators[0].abbreviation:
        f["shortauthor"] = creators[0].abbreviation
    notes = [ref.note] if ref.note else []
    if ref.et_al:
        notes.append("the reference names only the first authors (et al.)")
    if notes:
        f["note"] = ". ".join(notes)
    return etype, f


def unsure_note(ref: ParsedReference) -> str:
    """What to tell the user of a reference the parser was unsure of ("" when it was sure)."""
    missing = [name for name, ok in (("author", bool(ref.authors or ref.editors)), ("title", bool(ref.title))) if not ok]
    parts = []
    if ref.uncertain:
        parts.append("unsure of " + ", ".join(ref.uncertain))
    if missing:
        parts.append("found no " + " or ".join(missing))
    return ("citeaudit parsed this from a typed reference and was " + "; ".join(parts)) if parts else ""


def to_entry(ref: ParsedReference, key: str, path: str, line: int, origin: str) -> Entry:
    etype, f = fields_of(ref)
    raw = dict(f)
    f["typed"] = ref.text  # the reference as typed: read by resolution (sigla), never exported
    authors = tuple(_name(p) for p in ref.authors)
    editors = tuple(_name(p) for p in ref.editors)
    if authors:
        raw["author"] = _names_field(ref.authors)
    if editors:
        raw["editor"] = _names_field(ref.editors)
    persons = {"translator": tuple(_name(p) for p in ref.translators)} if ref.translators else {}
    return Entry(key=key, type=etype, fields=f, raw=raw, authors=authors, editors=editors, path=path, line=line,
                 suffix=ref.year_suffix if ref.year else "", persons=persons, origin=origin)


def parse_list(doc: Document, taken: set[str] | None = None, notes: bool = True) -> ReferenceList | None:
    """The manuscript's reference list as entries; or, where it has no list, the full
    references of its notes; None where it has neither. An entry's year suffix is the one
    typed ("2017a"), never one made up: a list that leaves two works of an author and year
    without letters is reported, not corrected."""
    taken = set() if taken is None else taken
    strings: list[ReferenceString] = list(doc.references)
    origin = "list"
    read_in_notes: list = []
    if not strings and notes:
        found = [c for c in doc.citations if c.kind == "note-reference" and c.items]
        strings = [ReferenceString(c.span, c.text) for c in found]
        read_in_notes = [c.items[0] for c in found]
        origin = "note"
    if not strings:
        return None
    parsed = parse_references([s.text for s in strings])
    if read_in_notes:  # a note's reference runs "Given Surname, “Title”, in ..., May 2007": what the
        # note grammar read of it fills what the parser, trained on reference lists, left out
        parsed = [_filled(ref, item) for ref, item in zip(parsed, read_in_notes)]
    items = []
    for s, ref in zip(strings, parsed):
        e = to_entry(ref, citekey(ref, taken), doc.path, doc.lines.line(s.span.start), origin)
        items.append(ListedReference(doc.path, s.span, e.line, s.text, ref, e))
    return ReferenceList(doc.path, tuple(items), origin)


def _filled(ref: ParsedReference, item) -> ParsedReference:
    changes: dict = {}
    if not ref.year and item.year and item.year[:4].isdigit():
        changes["year"] = item.year[:4]
        changes["year_suffix"] = item.suffix
    if not ref.title and item.title:
        changes["title"] = item.title
    if not (ref.authors or ref.editors) and item.authors:
        changes["authors"] = tuple(Person(family=a) for a in item.authors if a != "et al.")
    return dataclasses.replace(ref, **changes) if changes else ref


def exported_entries(lst: ReferenceList) -> tuple[list[Entry], list[str]]:
    """The entries for `export --from`, each the parser was unsure of with a `note` saying
    so, and one line for the user about each such entry."""
    out: list[Entry] = []
    said: list[str] = []
    for item in lst.items:
        e = item.entry
        note = unsure_note(item.parsed)
        if note:
            fields = dict(e.fields)
            raw = dict(e.raw)
            fields["note"] = raw["note"] = f"{fields['note']}. {note}" if fields.get("note") else note
            e = Entry(key=e.key, type=e.type, fields=fields, raw=raw, authors=e.authors, editors=e.editors, path=e.path,
                      line=e.line, suffix=e.suffix, persons=e.persons, origin=e.origin)
            said.append(f"{item.path}:{item.line}: {e.key}: {note}: {_short(item.text)}")
        out.append(e)
    return out, said


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
