"""BibTeX out, written with pybtex: fields in a stable order, LaTeX-safe values, and a
round trip — reading the output gives the same data."""

from __future__ import annotations

import codecs
import re

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import BibliographyData
from pybtex.database import Entry as PybtexEntry
from pybtex.database import Person

from ..bibliography import Entry, fold
from ..bibliography.suffixes import against_title_order, group_key

ORDER = [
    "author", "editor", "translator", "bookauthor", "title", "subtitle", "origtitle", "shorttitle", "booktitle",
    "sorttitle", "journal", "journaltitle", "series", "volume", "number", "edition", "chapter", "pages", "publisher",
    "institution", "school", "organization", "address", "location", "howpublished", "type", "month", "year",
    "date", "origdate", "doi", "isbn", "issn", "url", "urldate", "language", "note", "shorthand", "shortauthor",
    "yearsuffix", "file",
]
_ESCAPED = re.compile(r"\\([&%])")


def latex_safe(value: str) -> str:
    """A field value that BibTeX and LaTeX read as the text it is: non-ASCII letters as
    LaTeX accents, LaTeX already in the value kept. & and % are left bare here because
    pybtex's writer escapes them (an escaped one would come out doubled)."""
    value = _ESCAPED.sub(r"\1", value)
    if value.isascii():
        return value
    out = []
    for ch in value:
        if ord(ch) < 128:
            out.append(ch)
            continue
        try:
            enc = codecs.encode(ch, "ulatex")
            enc = enc.decode("ascii") if isinstance(enc, bytes) else enc
        except Exception:  # a character LaTeX has no command for stays as it is (UTF-8)
            enc = ch
        # braces keep an accented letter one unit for BibTeX's sorting and case changes
        out.append("{" + enc + "}" if enc.startswith("\\") else enc)
    return "".join(out)


def _field_key(name: str) -> tuple[int, str]:
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


#: citeaudit's own control fields, not bibliographic data: left out of exports.
PRIVATE = {"yearsuffix"}
#: biblatex types BibTeX's standard styles do not define, as the nearest type they do.
_CLASSIC_TYPES = {"online": "misc", "patent": "misc", "report": "techreport", "thesis": "phdthesis",
                  "collection": "book", "mvbook": "book", "reference": "book"}
#: Types whose BibTeX standard styles refuse an editor beside an author.
_ONE_CREATOR = {"book", "inbook"}


def _letter_fields(entries: list[Entry], classic: bool) -> dict[str, dict[str, str]]:
    """Fields that make BibTeX or biber letter works of one author and year as the manuscripts
    do, where that is not the order of their titles (the order both would use):
    for BibTeX's author-year styles (natbib's plainnat, abbrvnat, unsrtnat) the letter in
    `year`, which they print as written; for biber a `sorttitle` that sorts the group by its
    letters at the place of its first title, so `extradate` follows them. Compiled and
    checked in tests/test_export.py."""
    forced = against_title_order(entries)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if e.key in forced:
            groups.setdefault(group_key(e), []).append(e)
    out: dict[str, dict[str, str]] = {}
    for group in groups.values():
        first = min(group, key=lambda e: (fold(e.title), e.key)).title
        for e in group:
            if classic:
                out[e.key] = {"year": f"{e.year}{e.suffix}"}
            else:
                out[e.key] = {"sorttitle": f"{first} {e.suffix}"}
    return out


def to_pybtex(entries: list[Entry], classic: bool = False) -> BibliographyData:
    """With `classic`, for BibTeX's standard styles: the editor of an authored book, which
    they cannot show, is written into `note` ("Edited by ...")."""
    data = BibliographyData()
    letters = _letter_fields(entries, classic)
    for e in entries:
        fields = []
        move_editor = classic and e.type in _ONE_CREATOR and e.authors and e.editors
        overrides = letters.get(e.key, {})
        raw_fields = dict(e.raw)
        if "year" in overrides and "date" in raw_fields and "year" not in raw_fields:
            raw_fields.pop("date")
        raw_fields.update(overrides)
        for name, raw in sorted(raw_fields.items(), key=lambda kv: _field_key(kv[0])):
            if name in ("author", "editor") or name in PRIVATE:
                continue
            if name == "note" and move_editor:
                continue
            fields.append((name, latex_safe(raw)))
        if move_editor:
            edited = "Edited by " + " and ".join(f"{n.given} {n.surname}".strip() for n in e.editors)
            note = e.raw.get("note")
            fields.append(("note", latex_safe(edited + (". " + note if note else ""))))
            fields.sort(key=lambda kv: _field_key(kv[0]))
        persons = {}
        for role in ("author", "editor"):
            if role == "editor" and move_editor:
                continue
            names = e.authors if role == "author" else e.editors
            if names:
                persons[role] = [
                    Person(latex_safe("{" + n.last + "}")) if n.literal else
                    Person(first=latex_safe(n.given), prelast=latex_safe(n.von), last=latex_safe(n.last), lineage=latex_safe(n.jr))
                    for n in names
                ]
        etype = _CLASSIC_TYPES.get(e.type, e.type) if classic else e.type
        data.add_entry(e.key, PybtexEntry(etype, fields=fields, persons=persons))
    return data


_MONTH = re.compile(r'^(\s+month = )"(January|February|March|April|May|June|July|August|September|October|November|December)",?$', re.M)


def render(entries: list[Entry], classic: bool = False) -> str:
    """The entries as a .bib file; months as the standard macros (jan, feb ...), which
    BibTeX and biber both read as months."""
    text = to_pybtex(entries, classic).to_string("bibtex")
    return _MONTH.sub(lambda m: f"{m.group(1)}{m.group(2)[:3].lower()}" + ("," if m.group(0).endswith(",") else ""), text)
