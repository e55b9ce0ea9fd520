"""BibTeX and biblatex entries as CSL-JSON items (schema: citation-style-language/schema
csl-data.json): types, names with particles and suffixes, dates with original dates,
translators, editors, containers, pages, identifiers."""

from __future__ import annotations

import re

from ..bibliography import Entry, Name, parse_names
from ..locators import hyphenated_pages

TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "collection": "book",
    "mvcollection": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "unpublished": "manuscript",
    "manual": "report",
    "booklet": "pamphlet",
    "online": "webpage",
    "www": "webpage",
    "misc": "document",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "reference": "book",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "review": "review",
    "letter": "personal_communication",
    "inreference": "entry",
    "legislation": "legislation",
    "legal": "legislation",
    "jurisdiction": "legal_case",
}
_GENRE = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")]
    )
    for m in names
}
# field -> CSL variable, copied as they are (after LaTeX decoding)
_SIMPLE = {
    "title": "title",
    "subtitle": None,
    "volume": "volume",
    "edition": "edition",
    "publisher": "publisher",
    "doi": "DOI",
    "isbn": "ISBN",
    "issn": "ISSN",
    "url": "URL",
    "note": "note",
    "abstract": "abstract",
    "language": "language",
    "shorttitle": "title-short",
    "origtitle": "original-title",
    "chapter": "chapter-number",
    "eventtitle": "event-title",
    "venue": "event-place",
    "version": "version",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "keywords": "keyword",
    "addendum": None,
    "pagetotal": "number-of-pages",
    "volumes": "number-of-volumes",
    "origpublisher": "original-publisher",
    "origlocation": "original-publisher-place",
    "pubstate": "status",
}


def csl_name(n: Name) -> dict[str, str]:
    if n.literal:
        return {"literal": n.last}
    out: dict[str, str] = {"family": n.last}
    if n.given:
        out["given"] = n.given
    if n.von:
        out["non-dropping-particle"] = n.von
    if n.jr:
        out["suffix"] = n.jr
    return out


def _names_from_field(raw: str) -> list[dict[str, str]]:
    return [csl_name(n) for n in parse_names(raw)]


def _date(value: str) -> dict | None:
    """ISO 8601 / EDTF-lite dates and ranges to CSL date-parts."""
    parts = []
    for piece in value.strip().split("/"):
        m = re.fullmatch(r"(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", piece.strip())
        if not m:
            return {"literal": value.strip()} if value.strip() else None
        parts.append([int(x) for x in m.groups() if x is not None])
    return {"date-parts": parts}


def _issued(e: Entry) -> dict | None:
    if e.fields.get("date"):
        return _date(e.fields["date"])
    year = e.fields.get("year", "").strip()
    if not year:
        return None
    m = re.fullmatch(r"(\d{4})(?:\s*(?:--?|–|/)\s*(\d{4}))?", year)
    if not m:
        return {"literal": year}
    parts = [[int(m.group(1))]]
    month = e.fields.get("month", "").strip().lower().rstrip(".")
    spelled = re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?", month)  # "July 30th"
    if spelled and spelled.group(1) in _MONTHS:
        parts[0] += [_MONTHS[spelled.group(1)], int(spelled.group(2))]
    elif month in _MONTHS:
        parts[0].append(_MONTHS[month])
    elif month.isdigit() and 1 <= int(month) <= 12:
        parts[0].append(int(month))
    day = e.fields.get("day", "").strip()
    if len(parts[0]) == 2 and day.isdigit() and 1 <= int(day) <= 31:
        parts[0].append(int(day))
    if m.group(2):
        parts.append([int(m.group(2))])
    return {"date-parts": parts}


def to_csl(e: Entry) -> dict:
    """One entry as a CSL-JSON item; `id` and `citation-key` are the BibTeX key."""
    f = e.fields
    item: dict = {"id": e.key, "type": TYPES.get(e.type, "document"), "citation-key": e.key}
    if e.authors:
        item["author"] = [csl_name(n) for n in e.authors]
    if e.editors:
        item["editor"] = [csl_name(n) for n in e.editors]
    for fld, var in (("translator", "translator"), ("bookauthor", "container-author"), ("origauthor", "original-author")):
        raw = e.raw.get(fld)
        if raw:
            item[var] = _names_from_field(raw)
    for fld, var in _SIMPLE.items():
        if var and f.get(fld):
            item[var] = f[fld]
    if f.get("subtitle") and "title" in item:
        item["title"] = f"{item['title']}: {f['subtitle']}"
    container = f.get("journal") or f.get("journaltitle") or f.get("booktitle") or f.get("maintitle")
    if container:
        sub = f.get("journalsubtitle") or (f.get("booksubtitle") if f.get("booktitle") else None)
        item["container-title"] = f"{container}: {sub}" if sub else container
    if f.get("shortjournal"):
        item["container-title-short"] = f["shortjournal"]
    if f.get("series"):
        item["collection-title"] = f["series"]
    if f.get("number"):
        if item["type"] in ("article-journal", "article-magazine", "article-newspaper", "periodical", "paper-conference"):
            item["issue"] = f["number"]
        elif item["type"] in ("report", "patent", "legislation"):
            item["number"] = f["number"]
        else:
            item["collection-number"] = f["number"]
    if f.get("issue") and "issue" not in item:
        item["issue"] = f["issue"]
    if f.get("pages"):
        item["page"] = hyphenated_pages(f["pages"])
    place = f.get("address") or f.get("location")
    if place:
        item["publisher-place"] = place
    publisher = f.get("publisher") or f.get("school") or f.get("institution") or f.get("organization")
    if publisher:
        item["publisher"] = publisher
    if e.type in _GENRE:
        item["genre"] = f.get("type") or _GENRE[e.type]
    elif f.get("type"):
        item["genre"] = f["type"]
    if f.get("eprinttype", "").lower() == "pubmed" and f.get("eprint"):
        item["PMID"] = f["eprint"]
    if f.get("howpublished") and "publisher" not in item:
        item["publisher"] = f["howpublished"]
    issued = _issued(e)
    if issued:
        item["issued"] = issued
    for fld, var in (("origdate", "original-date"), ("urldate", "accessed"), ("eventdate", "event-date")):
        if f.get(fld):
            date = _date(f[fld])
            if date:
                item[var] = date
    if f.get("origyear") and "original-date" not in item and f["origyear"].strip().isdigit():
        item["original-date"] = {"date-parts": [[int(f["origyear"].strip())]]}
    return item
