"""The model of a check, as plain frozen data: what was read from each manuscript (its
citations, notes and quotations), what each later stage found (resolutions, quotation
matches), the findings, and the report that carries them all."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .levels import RANK, SEVERITIES, Severity  # noqa: F401 - the model's users find them here
from .text import LineIndex, Span

if TYPE_CHECKING:
    from .bibliography import Bibliography


@dataclass(frozen=True, slots=True)
class CiteItem:
    """One work cited inside a citation: "(Balibar 1977; Althusser 1978)" has two."""

    authors: tuple[str, ...]
    year: str | None  # "2015", "1977", "n.d."; None for title-only, sigla and plain ibid.
    suffix: str = ""  # "a" in "2017a"
    locator: str | None = None  # as written: "p. 154", "pp 155-156"
    pages: tuple[int, int] | None = None  # first and last page the locator names
    prefix: str | None = None  # "see", "cf."
    title: str | None = None  # title-only citations, reference strings
    volume: str | None = None  # "MECW 39"
    original_year: str | None = None  # "[1867] 1976"
    key: str | None = None  # the key a format marks the work by: [@key], \cite{key}, a Zotero item


@dataclass(frozen=True, slots=True)
class Citation:
    span: Span
    text: str  # as written, white space collapsed
    kind: str  # parenthetical | narrative | ibid | title | note-reference (CONTRACT.md lists them all)
    items: tuple[CiteItem, ...]
    note: int | None = None  # number of the note the citation sits in
    antecedent: int | None = None  # for ibid./op. cit.: index of the citation it repeats


@dataclass(frozen=True, slots=True)
class Note:
    number: int
    marker: Span | None  # None: no marker found in the text
    body: Span | None  # None: no note text found
    text: str
    style: str  # zone | bracket | bullet | numbered | plain | marker


@dataclass(frozen=True, slots=True)
class Quotation:
    span: Span
    text: str
    kind: str  # inline | block
    citation: int | None  # index into the document's citations
    note: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteMark:
    """A quotation mark left without its partner in its paragraph."""

    span: Span
    mark: str  # as read, after OCR repair: ‘ ’ “ ” " «  »
    opening: bool


@dataclass(frozen=True, slots=True)
class ReferenceString:
    """One entry of the manuscript's own reference list, as typed (lines joined)."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """Everything read from one manuscript, with offsets into its original text. Made once,
    by extraction, and never changed after."""

    path: str
    text: str
    citations: tuple[Citation, ...] = ()
    notes: tuple[Note, ...] = ()
    quotations: tuple[Quotation, ...] = ()
    unbalanced_quotes: tuple[QuoteMark, ...] = ()
    paragraphs: tuple[tuple[int, int], ...] = ()  # first and last line of each
    warnings: tuple[str, ...] = ()
    references: tuple[ReferenceString, ...] = ()  # the manuscript's own reference list
    format: str = "text"  # text | markdown | latex | docx | odt | pdf
    blocks: tuple = ()  # readers.Block of a structured format: where its parts, paragraphs and pages are
    nocite: tuple[str, ...] = ()  # keys listed as read without being cited (\nocite, nocite:), "*" for all
    embedded: tuple[tuple[str, dict], ...] = field(default=(), compare=False)  # (key, CSL-JSON) a reference manager stored
    lines: LineIndex = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def location(self, offset: int) -> dict[str, object]:
        """Where an offset is in the terms of the document's format, beside line and column
        (CONTRACT.md, "Locations in other input formats"): `part` and `paragraph` (with `note`)
        in a DOCX or ODT file, `page` and `page_line` in a PDF; nothing for other formats."""
        if self.format == "pdf":
            page = self.text.count("\f", 0, offset) + 1
            top = self.text.rfind("\f", 0, offset) + 1
            before = self.text[top:offset]
            line = sum(1 for ln in before.split("\n")[:-1] if ln.strip()) + 1
            return {"page": page, "page_line": line}
        if self.format not in ("docx", "odt") or not self.blocks:
            return {}
        starts = [b.start for b in self.blocks]
        k = bisect.bisect_right(starts, offset) - 1
        while k >= 0 and not (self.blocks[k].start <= offset <= self.blocks[k].end):
            k -= 1
        if k < 0:
            return {}
        b = self.blocks[k]
        out: dict[str, object] = {"part": b.part, "paragraph": b.paragraph}
        if b.note is not None:
            out["note"] = b.note
        return out

    def __post_init__(self) -> None:
        if self.lines is None:
            object.__setattr__(self, "lines", LineIndex(self.text))


@dataclass(frozen=True, slots=True)
class Resolution:
    """What became of one cited item: the entry it resolved to, or why it did not."""

    status: str = "unresolved"  # resolved | ambiguous | unresolved
    key: str | None = None
    candidates: tuple[str, ...] = ()  # ambiguous: the keys it could be
    reason: str = ""  # unresolved and ambiguous: why, with near misses
    caveat: str = ""  # resolved, but not everything written agrees with the entry (its co-authors)


#: The resolution of an item that was never looked up (no bibliography).
UNCHECKED = Resolution()


@dataclass(frozen=True, slots=True)
class Resolutions:
    """The resolution of every item of every citation, by manuscript path; the one place
    an item is joined with what it resolved to."""

    by_path: Mapping[str, tuple[tuple[Resolution, ...], ...]] = field(default_factory=dict)

    def of(self, path: str, citation: int, item: int) -> Resolution:
        per_citation = self.by_path.get(path, ())
        if citation < len(per_citation) and item < len(per_citation[citation]):
            return per_citation[citation][item]
        return UNCHECKED

    def citation(self, path: str, citation: int) -> tuple[Resolution, ...]:
        per_citation = self.by_path.get(path, ())
        return per_citation[citation] if citation < len(per_citation) else ()

    def items(self, doc: Document) -> Iterator[tuple[int, int, CiteItem, Resolution]]:
        """(citation index, item index, item, resolution) for every item of a document."""
        for ci, c in enumerate(doc.citations):
            for ii, item in enumerate(c.items):
                yield ci, ii, item, self.of(doc.path, ci, ii)

    def looked_up(self, path: str) -> Iterator[tuple[int, int, Resolution]]:
        """(citation index, item index, resolution) of every lookup made for a document;
        an ibid. is one lookup, whatever it repeats."""
        for ci, res in enumerate(self.by_path.get(path, ())):
            for ii, r in enumerate(res):
                yield ci, ii, r


@dataclass(frozen=True, slots=True)
class Difference:
    """A run of words where a quotation and its source differ."""

    quoted: str
    source: str


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """Where a quotation was found, how well, and how it differs."""

    source: str  # the entry key of the source text, or the path of a manuscript
    score: float  # 0-100
    kind: str  # exact | variant | translation
    page: int | None = None
    last_page: int | None = None
    line: int | None = None  # lines of the source file or manuscript the match spans
    end_line: int | None = None
    differences: tuple[Difference, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """The outcome of looking a quotation up in the source its citation names."""

    path: str  # the manuscript
    quotation: int
    citation: int
    item: int
    key: str
    match: QuoteMatch | None
    source_path: str
    elsewhere: QuoteMatch | None = None  # word for word in another source text at hand, not in the cited one


@dataclass(frozen=True, slots=True)
class CrossMatch:
    """A quotation found again, in another manuscript or elsewhere in its own: what
    `QuoteResults.also` gives for one quotation."""

    path: str
    quotation: int
    other: str  # path of the manuscript it was found in
    other_quotation: int | None  # the quotation there that holds it, if one does
    match: QuoteMatch


@dataclass(frozen=True, slots=True)
class Place:
    """A place of a manuscript where a quoted passage stands."""

    path: str
    quotation: int | None  # the quotation there that holds it, if one does
    match: QuoteMatch  # how well it matches the passage's wording there


@dataclass(frozen=True, slots=True)
class Passage:
    """One wording quoted in the manuscripts checked together, the quotations that have it, and
    every place of them where it stands (each quotation's own place among them). A passage
    quoted in N manuscripts is N quotations and about N places, not N x N pairs."""

    quotations: tuple[tuple[str, int], ...]  # (manuscript, quotation index), in order
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A source text that a quotation's citation calls for but that was not read, and why."""

    key: str  # the entry
    named: str  # the file as the entry or the sources folder names it
    reason: str
    bib_path: str  # where the entry stands
    line: int


@dataclass(frozen=True, slots=True)
class QuoteResults:
    """Quotations looked up in their sources and across the manuscripts checked together."""

    checks: tuple[SourceCheck, ...] = ()
    passages: tuple[Passage, ...] = ()
    unavailable: tuple[SourceProblem, ...] = ()
    _matches: dict = field(init=False, default_factory=dict, repr=False, compare=False)
    _passage: dict = field(init=False, default_factory=dict, repr=False, compare=False)
    _own: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        matches: dict[tuple[str, int], QuoteMatch] = {}
        for check in self.checks:
            found = check.elsewhere or check.match
            if found is not None:
                matches.setdefault((check.path, check.quotation), found)
        passage: dict[tuple[str, int], Passage] = {}
        own: dict[tuple[str, int], int] = {}  # places that are a quotation's own, by quotation
        for p in self.passages:
            for q in p.quotations:
                passage[q] = p
            for place in p.places:
                if place.quotation is not None and passage.get((place.path, place.quotation)) is p:
                    own[place.path, place.quotation] = own.get((place.path, place.quotation), 0) + 1
        object.__setattr__(self, "_matches", matches)
        object.__setattr__(self, "_passage", passage)
        object.__setattr__(self, "_own", own)

    def match(self, path: str, quotation: int) -> QuoteMatch | None:
        """Where the cited source has the quotation, if its text was at hand and has it."""
        return self._matches.get((path, quotation))

    def passage(self, path: str, quotation: int) -> Passage | None:
        """The passage a quotation's wording is, where it is long enough to be looked for."""
        return self._passage.get((path, quotation))

    def also(self, path: str, quotation: int, limit: int | None = None) -> tuple[CrossMatch, ...]:
        """The same passage elsewhere in the manuscripts checked together (the first `limit`
        places, in the order of the manuscripts)."""
        p = self._passage.get((path, quotation))
        if p is None or limit == 0:
            return ()
        out = []
        for place in p.places:
            if place.quotation == quotation and place.path == path:
                continue
            out.append(CrossMatch(path, quotation, place.path, place.quotation, place.match))
            if limit is not None and len(out) >= limit:
                break
        return tuple(out)

    def also_count(self, path: str, quotation: int) -> int:
        """How many places `also` has for a quotation, all of them."""
        p = self._passage.get((path, quotation))
        return 0 if p is None else len(p.places) - self._own.get((path, quotation), 0)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, at a place in a manuscript or a bibliography file."""

    rule: str
    severity: Severity
    path: str
    line: int | None
    column: int | None
    message: str
    fingerprint: str
    end_line: int | None = None  # where what it is about ends, for underlining and SARIF regions
    end_column: int | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class Report:
    """A whole check: the manuscripts as read, what every stage found, the findings."""

    documents: tuple[Document, ...]
    findings: tuple[Finding, ...] = ()
    bibliography: Bibliography | None = None  # the bibliography checked against, if any
    resolutions: Resolutions = field(default_factory=Resolutions)
    quotes: QuoteResults = field(default_factory=QuoteResults)
    baselined: int = 0  # findings left out because a baseline already holds them
    suppressed: int = 0  # findings left out by suppression comments
    lists: Mapping[str, Any] = field(default_factory=dict)  # reflist.entries.ReferenceList by manuscript path
    online: Any = None  # online.OnlineReport, where the registries were asked
    #: The key each manuscript's extraction is kept under in the cache, by path (where the
    #: run had a cache): the same key, the same `Document`.
    document_keys: Mapping[str, str] = field(default_factory=dict)

    def resolution(self, doc: Document, citation: int, item: int) -> Resolution:
        return self.resolutions.of(doc.path, citation, item)

    def cited_keys(self) -> set[str]:
        """Keys of the entries the manuscripts' citations resolved to."""
        return {r.key for d in self.documents for _ci, _ii, _it, r in self.resolutions.items(d) if r.key}


from .frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
