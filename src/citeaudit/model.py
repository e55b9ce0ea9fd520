"""The model of a checked manuscript: citations, notes, quotations and findings, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import LineIndex, Span


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
    key: str | None = None
    status: str = "unresolved"


@dataclass(frozen=True, slots=True)
class Citation:
    span: Span
    text: str  # as written, white space collapsed
    kind: str  # parenthetical | narrative | ibid | title | numeric | key | note-reference
    items: tuple[CiteItem, ...]
    note: int | None = None  # number of the note the citation sits in
    antecedent: int | None = None  # for ibid./op. cit.: index of the citation it repeats


@dataclass(frozen=True, slots=True)
class Note:
    number: int
    marker: Span | None  # None: no marker found in the text
    body: Span | None  # None: no note text found
    text: str
    style: str  # zone | bracket | bullet | numbered | plain


@dataclass(frozen=True, slots=True)
class Quotation:
    span: Span
    text: str
    kind: str  # inline | block
    citation: int | None  # index into the document's citations
    note: int | None = None
    match: dict | None = None  # where the cited source's full text has it, and how it differs
    also: tuple = ()  # the same passage found in the manuscripts checked together


@dataclass(frozen=True, slots=True)
class QuoteMark:
    """A quotation mark left without its partner in its paragraph."""

    span: Span
    mark: str  # as read, after OCR repair: ‘ ’ “ ” " «  »
    opening: bool


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, at a place in a manuscript or a bibliography file."""

    rule: str
    severity: str
    path: str
    line: int | None
    column: int | None
    message: str
    fingerprint: str
    end_line: int | None = None  # where what it is about ends, for underlining and SARIF regions
    end_column: int | None = None  # inclusive


@dataclass(slots=True)
class Document:
    """Everything found in one manuscript, with offsets into its original text."""

    path: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    quotations: list[Quotation] = field(default_factory=list)
    unbalanced_quotes: list[QuoteMark] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # first and last line of each
    warnings: tuple[str, ...] = ()
    encoding: str = "utf-8"
    _lines: LineIndex | None = field(default=None, repr=False)

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines


@dataclass(slots=True)
class Report:
    documents: list[Document]
    findings: list[Finding] = field(default_factory=list)
    bibliography: object | None = None  # the Bibliography checked against, if any
    baselined: int = 0  # findings left out because a baseline already holds them
    suppressed: int = 0  # findings left out by suppression comments
