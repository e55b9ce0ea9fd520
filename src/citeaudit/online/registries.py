"""The registries, each read into one `Record`.

Crossref   GET {crossref}/works/{doi}                      -> {"status", "message-type": "work", "message": {...}}
           GET {crossref}/works/{doi}/agency               -> {"message": {"DOI", "agency": {"id", "label"}}}
           GET {crossref}/works?query.bibliographic=...    -> {"message-type": "work-list", "message": {"items": [...]}}
DataCite   GET {datacite}/dois/{doi}                       -> {"data": {"id", "type": "dois", "attributes": {...}}}
Open Library GET {openlibrary}/isbn/{isbn}.json            -> an edition (302 to /books/OL...M.json)
           GET {openlibrary}/authors/OL...A.json           -> {"name": "Louis Althusser", ...}

Crossref's update notices: the original work lists the notices about it in `updated-by`
(Retraction Watch's data is carried there too, with `"source": "retraction-watch"` and its
`record-id`), a notice lists the works it updates in `update-to`; some publishers also
deposit `relation` entries. All three become `Notice`s.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .client import NOT_FOUND, OK, UNAVAILABLE, Client, Outcome

# -- identifiers ---------------------------------------------------------------------------

_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_doi(value: str) -> str:
    """ "https://doi.org/10.1000/XYZ" -> "10.1000/XYZ" (case kept; compare with .lower())."""
    return _DOI_PREFIX.sub("", value or "").strip()


def doi_ok(doi: str) -> bool:
    return bool(_DOI.match(doi))


def isbn_candidates(value: str) -> list[str]:
    """The ISBNs of an isbn field, digits only ("0-85035-025-5; 978..." -> two)."""
    parts = re.split(r"\s*(?:,|;|/|\band\b)\s*", value or "")
    return [re.sub(r"[^0-9Xx]", "", p).upper() for p in parts if re.sub(r"[^0-9Xx]", "", p)]


def isbn_ok(digits: str) -> bool:
    if re.fullmatch(r"\d{9}[\dX]", digits):
        return sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits)) % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", digits):
        return sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(digits)) % 10 == 0
    return False


def isbn13(digits: str) -> str:
    """The ISBN-13 of a valid ISBN-10 (ISBN-13s unchanged)."""
    if len(digits) != 10:
        return digits
    core = "978" + digits[:9]
    check = (10 - sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(core)) % 10) % 10
    return core + str(check)


# -- records -------------------------------------------------------------------------------

RETRACTION_TYPES = frozenset({"retraction", "partial_retraction", "withdrawal", "removal", "retration", "retracted"})
CONCERN_TYPES = frozenset({"expression_of_concern"})
REINSTATEMENT_TYPES = frozenset({"reinstatement"})


@dataclass(frozen=True, slots=True)
class Notice:
    """An update notice: a retraction, correction, expression of concern, ..."""

    type: str  # normalised: "retraction", "correction", "expression_of_concern", "erratum", ...
    label: str  # as the registry writes it: "Retraction"
    doi: str | None = None  # the notice's DOI (updated-by), or the updated work's (update-to)
    date: str | None = None  # "2010-02-06"
    source: str | None = None  # "publisher", "retraction-watch", "crossref-relation", ...
    record_id: str | None = None  # Retraction Watch's record id

    @property
    def retraction(self) -> bool:
        return self.type in RETRACTION_TYPES

    @property
    def concern(self) -> bool:
        return self.type in CONCERN_TYPES

    @property
    def reinstatement(self) -> bool:
        return self.type in REINSTATEMENT_TYPES

    def describe(self) -> str:
        """ "Retraction 10.1016/s0140-6736(10)60175-4 (2010-02-06, Retraction Watch record 4036)" """
        out = self.label or self.type.replace("_", " ").capitalize()
        if self.doi:
            out += f" {self.doi}"
        extra = []
        if self.date:
            extra.append(self.date)
        if self.source == "retraction-watch":
            extra.append("Retraction Watch" + (f" record {self.record_id}" if self.record_id else ""))
        elif self.source and self.source not in ("publisher", "crossref-relation"):
            extra.append(self.source)
        return out + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True, slots=True)
class Record:
    """One work as a registry describes it, in one shape for every registry."""

    registry: str  # "crossref", "datacite", "openlibrary"
    url: str  # where it was read
    title: str = ""
    subtitle: str = ""
    other_titles: tuple[str, ...] = ()  # original, short and translated titles
    year: str | None = None  # the year of publication ("issued")
    years: tuple[str, ...] = ()  # every publication year the registry gives (print, online, ...)
    authors: tuple[str, ...] = ()  # family names in order (Open Library: whole names)
    editors: tuple[str, ...] = ()
    container: str = ""  # journal, book of a chapter, proceedings
    other_containers: tuple[str, ...] = ()  # abbreviated and further container titles
    volume: str = ""
    issue: str = ""
    pages: str = ""  # "637-641"
    publisher: str = ""
    doi: str | None = None
    isbns: tuple[str, ...] = ()
    type: str = ""  # the registry's type: "journal-article", "book-chapter", "Dataset", "book"
    updated_by: tuple[Notice, ...] = ()  # notices about this work
    update_to: tuple[Notice, ...] = ()  # this record is itself a notice about these works
    score: float | None = None  # the search's relevance score
    names_are_full: bool = False  # authors are whole names ("Louis Althusser"), not family names

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle and self.title else self.title or self.subtitle


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer of one registry about one identifier or one search."""

    status: str  # ok | not-found | unavailable (client.OK, NOT_FOUND, UNAVAILABLE)
    registry: str
    url: str
    record: Record | None = None
    records: tuple[Record, ...] = ()  # a search's candidates
    reason: str = ""
    from_cache: bool = False
    agency: str | None = None  # the DOI registration agency, for a DOI neither registry holds


class ShapeError(ValueError):
    """A 200 whose JSON is not what the registry documents."""


def _lookup_failed(outcome: Outcome, registry: str) -> Lookup:
    return Lookup(outcome.status, registry, outcome.url, reason=outcome.reason, from_cache=outcome.from_cache)


def _garbled(client: Client, outcome: Outcome, registry: str, exc: Exception) -> Lookup:
    """A 200 whose JSON is not the registry's documented shape: could not check, and not kept."""
    client.forget(outcome.url)
    name = {"crossref": "Crossref", "datacite": "DataCite", "openlibrary": "Open Library"}[registry]
    return Lookup(UNAVAILABLE, registry, outcome.url, reason=f"unexpected answer from {name} ({exc})")


# -- text helpers --------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]{0,200}>")


def clean(value: Any) -> str:
    """Registry text as plain text: JATS/HTML tags and entities out, white space collapsed."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or ""
    text = html.unescape(_TAG.sub("", str(value)))
    return " ".join(text.split())


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    return tuple(t for t in (clean(v) for v in value) if t)


def _year_of(value: Any) -> str | None:
    """The year of a Crossref date ({"date-parts": [[1998, 2]]}) or of free text ("March 1976")."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] and parts[0][0]:
            try:
                return f"{int(parts[0][0]):04d}"
            except (TypeError, ValueError):
                return None
        return None
    if isinstance(value, int) and 0 < value < 10000:
        return f"{value:04d}"
    m = re.search(r"(?<!\d)(1[4-9]\d\d|20\d\d)(?!\d)", str(value or ""))
    return m.group(1) if m else None


def _date_of(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0] and parts[0][0]:
        try:
            return "-".join(f"{int(p):02d}" if i else f"{int(p):04d}" for i, p in enumerate(parts[0][:3]))
        except (TypeError, ValueError):
            return None
    when = value.get("date-time")
    return str(when)[:10] if when else None


def _type_key(value: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(value or "").strip().lower())


def _unique(values) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return tuple(out)


# -- Crossref ------------------------------------------------------------------------------


def _crossref_notices(items: Any) -> tuple[Notice, ...]:
    if not isinstance(items, list):
        return ()
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        record_id = item.get("record-id")
        out.append(Notice(
            type=_type_key(item.get("type") or "update"),
            label=clean(item.get("label")) or clean(item.get("type")).replace("_", " ").capitalize(),
            doi=clean(item.get("DOI")) or None,
            date=_date_of(item.get("updated")),
            source=clean(item.get("source")) or None,
            record_id=str(record_id) if record_id not in (None, "") else None,
        ))
    return tuple(out)


def _relation_notices(relation: Any) -> tuple[Notice, ...]:
    """`relation` entries that say a work was retracted or corrected (few publishers use them)."""
    if not isinstance(relation, dict):
        return ()
    out = []
    for name, items in relation.items():
        low = str(name).lower()
        if not low.startswith(("is-", "has-")) or not isinstance(items, list):
            continue
        if "retract" in low:
            kind = "retraction"
        elif "correct" in low or "errat" in low:
            kind = "correction"
        else:
            continue
        for item in items:
            if isinstance(item, dict):
                ident = clean(item.get("id"))
                out.append(Notice(kind, kind.capitalize(), ident or None, None, "crossref-relation"))
    return tuple(out)


def crossref_record(message: Any, url: str) -> Record:
    """A Crossref work ("message" of /works/{doi}, or one item of a search)."""
    if not isinstance(message, dict):
        raise ShapeError("the work is not a JSON object")
    titles = _strings(message.get("title"))
    containers = _strings(message.get("container-title"))
    dates = [message.get(k) for k in ("issued", "published-print", "published-online", "published")]
    years = _unique(_year_of(d) for d in dates if d)

    def family(people: Any) -> tuple[str, ...]:
        if not isinstance(people, list):
            return ()
        return tuple(n for n in (clean(p.get("family") or p.get("name")) for p in people if isinstance(p, dict)) if n)

    score = message.get("score")
    return Record(
        registry="crossref",
        url=url,
        title=titles[0] if titles else "",
        subtitle=(_strings(message.get("subtitle")) or ("",))[0],
        other_titles=_unique((*titles[1:], *_strings(message.get("original-title")), *_strings(message.get("short-title")))),
        year=years[0] if years else None,
        years=years,
        authors=family(message.get("author")),
        editors=family(message.get("editor")),
        container=containers[0] if containers else "",
        other_containers=_unique((*containers[1:], *_strings(message.get("short-container-title")))),
        volume=clean(message.get("volume")),
        issue=clean(message.get("issue")),
        pages=clean(message.get("page")) or clean(message.get("article-number")),
        publisher=clean(message.get("publisher")),
        doi=clean(message.get("DOI")) or None,
        isbns=_unique(re.sub(r"[^0-9X]", "", i.upper()) for i in _strings(message.get("ISBN"))),
        type=clean(message.get("type")),
        updated_by=_crossref_notices(message.get("updated-by")) + _relation_notices(message.get("relation")),
        update_to=_crossref_notices(message.get("update-to")),
        score=float(score) if isinstance(score, (int, float)) else None,
    )


def _crossref_message(data: Any, kind: str) -> Any:
    if not isinstance(data, dict) or "message" not in data:
        raise ShapeError("no 'message' in Crossref's answer")
    if data.get("message-type") not in (None, kind):
        raise ShapeError(f"Crossref answered a {data.get('message-type')!r}, not a {kind!r}")
    return data["message"]


def doi_path(doi: str) -> str:
    """A DOI as a URL path: lower case (DOIs ignore case, and one spelling is one cache key),
    everything but the slashes percent-encoded."""
    return quote(doi.lower(), safe="/")


def crossref_work(client: Client, doi: str) -> Lookup:
    outcome = client.get_json(f"{client.config.crossref_url}/works/{doi_path(doi)}")
    if not outcome.ok:
        return _lookup_failed(outcome, "crossref")
    try:
        record = crossref_record(_crossref_message(outcome.data, "work"), outcome.url)
    except (ShapeError, AttributeError, TypeError, KeyError, IndexError) as exc:
        return _garbled(client, outcome, "crossref", exc)
    return Lookup(OK, "crossref", outcome.url, record=record, from_cache=outcome.from_cache)


def crossref_agency(client: Client, doi: str) -> Lookup:
    """Which registration agency holds a DOI (Crossref, DataCite, mEDRA, JaLC, ...)."""
    outcome = client.get_json(f"{client.config.crossref_url}/works/{doi_path(doi)}/agency")
    if not outcome.ok:
        return _lookup_failed(outcome, "crossref")
    try:
        message = _crossref_message(outcome.data, "work-agency")
        agency = message["agency"]
        label = clean(agency.get("label") or agency.get("id"))
        ident = clean(agency.get("id")).lower()
    except (ShapeError, AttributeError, TypeError, KeyError) as exc:
        return _garbled(client, outcome, "crossref", exc)
    if not ident:
        return _garbled(client, outcome, "crossref", ShapeError("no agency named"))
    return Lookup(OK, "crossref", outcome.url, from_cache=outcome.from_cache, agency=label)


#: What Crossref returns for a search: enough to judge a candidate, not its references.
SEARCH_FIELDS = ("DOI,title,subtitle,author,editor,issued,published-print,published-online,published,"
                 "container-title,short-container-title,volume,issue,page,publisher,type,ISBN,score")


def crossref_search(client: Client, title: str, author: str | None, year: str | None, rows: int = 5) -> Lookup:
    params: dict[str, object] = {"query.bibliographic": title, "rows": rows, "select": SEARCH_FIELDS}
    if author:
        params["query.author"] = author
    if year and year.isdigit():
        y = int(year)
        params["filter"] = f"from-pub-date:{y - 1},until-pub-date:{y + 1}"
    outcome = client.get_json(f"{client.config.crossref_url}/works", params)
    if not outcome.ok:
        if outcome.not_found:  # a search is never "not found": a 404 here is a wrong base URL
            return Lookup(UNAVAILABLE, "crossref", outcome.url, reason="Crossref's search answered 404")
        return _lookup_failed(outcome, "crossref")
    try:
        message = _crossref_message(outcome.data, "work-list")
        items = message.get("items")
        if not isinstance(items, list):
            raise ShapeError("no list of items")
        records = tuple(crossref_record(item, outcome.url) for item in items if isinstance(item, dict))
    except (ShapeError, AttributeError, TypeError, KeyError) as exc:
        return _garbled(client, outcome, "crossref", exc)
    return Lookup(OK, "crossref", outcome.url, records=records, from_cache=outcome.from_cache)


# -- DataCite ------------------------------------------------------------------------------


def datacite_record(data: Any, url: str) -> Record:
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise ShapeError("no 'data' object in DataCite's answer")
    attrs = data["data"].get("attributes")
    if not isinstance(attrs, dict):
        raise ShapeError("no 'attributes' in DataCite's answer")
    main, subtitle, others = "", "", []
    for t in attrs.get("titles") or []:
        if not isinstance(t, dict):
            continue
        text, kind = clean(t.get("title")), str(t.get("titleType") or "")
        if not text:
            continue
        if not kind and not main:
            main = text
        elif kind == "Subtitle" and not subtitle:
            subtitle = text
        else:
            others.append(text)
    if not main and others:
        main = others.pop(0)

    def family(person: Any) -> str:
        if not isinstance(person, dict):
            return ""
        if person.get("familyName"):
            return clean(person["familyName"])
        name = clean(person.get("name"))
        if person.get("nameType") != "Organizational" and "," in name:
            return name.split(",", 1)[0].strip()
        return name

    creators = tuple(n for n in (family(c) for c in attrs.get("creators") or []) if n)
    editors = tuple(n for n in (family(c) for c in attrs.get("contributors") or []
                                if isinstance(c, dict) and c.get("contributorType") == "Editor") if n)
    years = _unique([_year_of(attrs.get("publicationYear"))] + [
        _year_of(d.get("date")) for d in attrs.get("dates") or [] if isinstance(d, dict) and d.get("dateType") == "Issued"
    ])
    container = attrs.get("container") if isinstance(attrs.get("container"), dict) else {}
    first, last = clean(container.get("firstPage")), clean(container.get("lastPage"))
    types = attrs.get("types") if isinstance(attrs.get("types"), dict) else {}
    isbns = []
    for ident in (attrs.get("identifiers") or []) + (attrs.get("relatedIdentifiers") or []):
        if (isinstance(ident, dict) and ident.get("relationType") in (None, "IsIdenticalTo")
                and str(ident.get("identifierType") or ident.get("relatedIdentifierType")).upper() == "ISBN"):
            isbns.append(re.sub(r"[^0-9X]", "", clean(ident.get("identifier") or ident.get("relatedIdentifier")).upper()))
    return Record(
        registry="datacite",
        url=url,
        title=main,
        subtitle=subtitle,
        other_titles=tuple(others),
        year=years[0] if years else None,
        years=years,
        authors=creators,
        editors=editors,
        container=clean(container.get("title")),
        volume=clean(container.get("volume")),
        issue=clean(container.get("issue")),
        pages=f"{first}-{last}" if first and last else first,
        publisher=clean(attrs.get("publisher")),
        doi=clean(attrs.get("doi") or data["data"].get("id")) or None,
        isbns=_unique(isbns),
        type=clean(types.get("resourceTypeGeneral") or types.get("citeproc")),
    )


def datacite_doi(client: Client, doi: str) -> Lookup:
    outcome = client.get_json(f"{client.config.datacite_url}/dois/{doi_path(doi)}")
    if not outcome.ok:
        return _lookup_failed(outcome, "datacite")
    try:
        record = datacite_record(outcome.data, outcome.url)
    except (ShapeError, AttributeError, TypeError, KeyError) as exc:
        return _garbled(client, outcome, "datacite", exc)
    return Lookup(OK, "datacite", outcome.url, record=record, from_cache=outcome.from_cache)


# -- Open Library --------------------------------------------------------------------------


def openlibrary_record(edition: Any, url: str, author_names: tuple[str, ...] = ()) -> Record:
    if not isinstance(edition, dict):
        raise ShapeError("the edition is not a JSON object")
    if not edition.get("title") and not edition.get("key"):
        raise ShapeError("no title and no key in Open Library's answer")
    year = _year_of(edition.get("publish_date"))
    isbns = [re.sub(r"[^0-9X]", "", str(i).upper()) for i in (edition.get("isbn_13") or []) + (edition.get("isbn_10") or [])]
    return Record(
        registry="openlibrary",
        url=url,
        title=clean(edition.get("title")),
        subtitle=clean(edition.get("subtitle")),
        other_titles=_strings(edition.get("full_title")),
        year=year,
        years=(year,) if year else (),
        authors=author_names,
        publisher=clean(edition.get("publishers")),
        isbns=_unique(isbns),
        type="book",
        names_are_full=True,
    )


def openlibrary_isbn(client: Client, isbn: str, with_authors: bool = True) -> Lookup:
    """An edition by its ISBN, with its authors' names (one more request each, at most three)."""
    base = client.config.openlibrary_url
    outcome = client.get_json(f"{base}/isbn/{quote(isbn)}.json")
    if not outcome.ok:
        return _lookup_failed(outcome, "openlibrary")
    edition = outcome.data
    names: list[str] = []
    if with_authors and isinstance(edition, dict):
        for ref in (edition.get("authors") or [])[:3]:
            key = ref.get("key") if isinstance(ref, dict) else None
            if not isinstance(key, str) or not re.fullmatch(r"/authors/OL\d+A", key):
                continue
            author = client.get_json(f"{base}{key}.json")
            if author.ok and isinstance(author.data, dict) and clean(author.data.get("name")):
                names.append(clean(author.data.get("name")))
            else:
                names = []  # an author we could not read: compare no author rather than the wrong one
                break
    try:
        record = openlibrary_record(edition, outcome.url, tuple(names))
    except (ShapeError, AttributeError, TypeError) as exc:
        return _garbled(client, outcome, "openlibrary", exc)
    return Lookup(OK, "openlibrary", outcome.url, record=record, from_cache=outcome.from_cache)


__all__ = [
    "NOT_FOUND", "OK", "UNAVAILABLE", "Lookup", "Notice", "Record", "ShapeError", "crossref_agency", "crossref_record",
    "crossref_search", "crossref_work", "datacite_doi", "datacite_record", "doi_ok", "isbn13", "isbn_candidates",
    "isbn_ok", "normalize_doi", "openlibrary_isbn", "openlibrary_record",
]
