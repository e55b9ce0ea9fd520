"""RIS out, for reference managers (Zotero, EndNote, Mendeley)."""

from __future__ import annotations


from ..bibliography import Entry, Name
from ..locators import split_field_pages

TY = {
    "article": "JOUR", "book": "BOOK", "inbook": "CHAP", "incollection": "CHAP", "inproceedings": "CPAPER",
    "conference": "CPAPER", "proceedings": "CONF", "phdthesis": "THES", "mastersthesis": "THES", "thesis": "THES",
    "techreport": "RPRT", "report": "RPRT", "unpublished": "UNPB", "manual": "BOOK", "booklet": "PAMP",
    "online": "ELEC", "misc": "GEN", "collection": "EDBOOK",
}


def _name(n: Name) -> str:
    """ "Family, Given" for a person; a body ("{Conference of Socialist Economists}" in BibTeX)
    keeps its name whole with a trailing comma, the RIS convention (EndNote's, read by Zotero
    and Mendeley) for an author that is not a person."""
    if n.literal:
        return n.last + ","
    family = f"{n.von} {n.last}".strip()
    return ", ".join(p for p in (family, n.given, n.jr) if p)


def record(e: Entry) -> list[str]:
    f = e.fields
    lines = [f"TY  - {TY.get(e.type, 'GEN')}", f"ID  - {e.key}"]
    lines += [f"AU  - {_name(n)}" for n in e.authors]
    lines += [f"ED  - {_name(n)}" for n in e.editors]
    if f.get("translator"):
        lines += [f"A4  - {t.strip()}" for t in f["translator"].split(" and ")]
    for tag, names in (("TI", ("title",)), ("T2", ("journal", "journaltitle", "booktitle")), ("T3", ("series",)),
                       ("VL", ("volume",)), ("IS", ("number", "issue")), ("ET", ("edition",)),
                       ("PB", ("publisher", "school", "institution")), ("CY", ("address", "location")),
                       ("DO", ("doi",)), ("SN", ("isbn", "issn")), ("UR", ("url",)), ("LA", ("language",)),
                       ("N1", ("note",))):
        value = next((f[n] for n in names if f.get(n)), None)
        if value:
            lines.append(f"{tag}  - {value}")
    if e.year:
        lines.append(f"PY  - {e.year}")
    pages = f.get("pages")
    if pages:
        first, last = split_field_pages(pages)
        lines.append(f"SP  - {first}")
        if last is not None:
            lines.append(f"EP  - {last}")
    lines.append("ER  - ")
    return lines


def render(entries: list[Entry]) -> str:
    out: list[str] = []
    for e in entries:
        out += record(e) + [""]
    return "\n".join(out)
