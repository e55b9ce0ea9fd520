"""CSL-JSON items as entries: what a reference manager (Zotero, Mendeley) stores in a Word
document's citation fields is the truth about the works cited there, .bib or not."""

from __future__ import annotations

from .model import Entry, Name

#: CSL type -> BibTeX type.
TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article", "article": "article",
    "book": "book", "chapter": "incollection", "paper-conference": "inproceedings", "thesis": "phdthesis",
    "report": "techreport", "webpage": "online", "post-weblog": "online", "manuscript": "unpublished",
    "entry-encyclopedia": "incollection", "entry-dictionary": "incollection", "review": "article",
}


def _name(n: dict) -> Name:
    if n.get("literal"):
        return Name("", "", str(n["literal"]), literal=True)
    von = " ".join(str(n[k]) for k in ("dropping-particle", "non-dropping-particle") if n.get(k))
    return Name(str(n.get("given", "")), von, str(n.get("family", "")), str(n.get("suffix", "")))


def _names_field(names: tuple[Name, ...]) -> str:
    out = []
    for n in names:
        if n.literal:
            out.append("{" + n.last + "}")
        else:
            out.append(", ".join(x for x in (n.surname, n.jr, n.given) if x))
    return " and ".join(out)


def _year(date) -> str:
    if not isinstance(date, dict):
        return ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return str(parts[0][0])
    for k in ("raw", "literal"):
        if date.get(k):
            return str(date[k])[:4]
    return ""


def entry_from_csl(key: str, item: dict, path: str, line: int = 0) -> Entry:
    """One CSL-JSON item as an Entry of origin "field" (`path`: the manuscript holding it)."""
    etype = TYPES.get(str(item.get("type", "")), "misc")
    authors = tuple(_name(n) for n in item.get("author", []) if isinstance(n, dict))
    editors = tuple(_name(n) for n in item.get("editor", []) if isinstance(n, dict))
    f: dict[str, str] = {}
    if item.get("title"):
        f["title"] = str(item["title"])
    container = item.get("container-title")
    if container:
        f["journal" if etype == "article" else "booktitle"] = str(container)
    for src, dst in (("volume", "volume"), ("issue", "number"), ("page", "pages"), ("publisher", "publisher"),
                     ("publisher-place", "address"), ("DOI", "doi"), ("URL", "url"), ("ISBN", "isbn"),
                     ("edition", "edition"), ("collection-title", "series")):
        if item.get(src):
            f[dst] = str(item[src]).replace("–", "--") if dst == "pages" else str(item[src])
    year = _year(item.get("issued"))
    if year:
        f["year"] = year
    orig = _year(item.get("original-date"))
    if orig:
        f["origdate"] = orig
    raw = dict(f)
    persons = {}
    if item.get("translator"):
        persons["translator"] = tuple(_name(n) for n in item["translator"] if isinstance(n, dict))
        raw["translator"] = _names_field(persons["translator"])
    if authors:
        raw["author"] = _names_field(authors)
    if editors:
        raw["editor"] = _names_field(editors)
    return Entry(key=key, type=etype, fields=f, raw=raw, authors=authors, editors=editors, path=path, line=line,
                 persons=persons, origin="field")
