"""The bibliography's view of its records: entries with their names, parsed year and pages,
the file and line they stand on, and the problems met while reading them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..locators import field_first_page, field_pages, leading_year


@dataclass(frozen=True, slots=True)
class Name:
    """One person as the entry names them, decoded to Unicode."""

    given: str
    von: str
    last: str
    jr: str = ""
    literal: bool = False  # a body written whole in braces: {Conference of Socialist Economists}

    @property
    def surname(self) -> str:
        """The surname as cited: particles kept ("van der Linden")."""
        return f"{self.von} {self.last}".strip()

    def display(self) -> str:
        parts = [self.surname]
        if self.given:
            parts.append(self.given)
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of a bibliography, as read; never changed after reading."""

    key: str
    type: str
    fields: dict[str, str]  # decoded to Unicode, braces removed, lower-case field names
    raw: dict[str, str]  # as written in the file
    authors: tuple[Name, ...]
    editors: tuple[Name, ...]
    path: str
    line: int
    suffix: str = ""  # the year suffix ("a", "b") that tells apart works of one author and year
    persons: dict[str, tuple[Name, ...]] = field(default_factory=dict)  # translator, bookauthor, ...
    #: Where the entry was read: "bib" (a BibTeX file; `path` and `line` are the .bib's), "list"
    #: (the manuscript's own reference list), "note" (a full reference in a note) or "field"
    #: (the CSL-JSON a reference manager stored in a Word citation field); for these `path`
    #: and `line` are the manuscript's.
    origin: str = "bib"
    year: str | None = field(init=False, default=None)  # "1976", from `year` or else `date`
    original_year: str | None = field(init=False, default=None)  # from `origdate` or `origyear`
    pages: tuple[int, int] | None = field(init=False, default=None)  # first and last page, numeric fields only
    first_page: int = field(init=False, default=1)  # the first number `pages` gives, or 1

    def __post_init__(self) -> None:
        # what a field left out or empty gives is the default (no year, no pages, first page 1):
        # only the fields given are read (a large bibliography makes many entries)
        f = self.fields
        year = f.get("year")
        found = leading_year(year) if year else None
        if found is None:
            date = f.get("date")
            found = leading_year(date) if date else None
        if found is not None:
            object.__setattr__(self, "year", found)
        orig = f.get("origdate") or f.get("origyear")
        if orig:
            object.__setattr__(self, "original_year", leading_year(orig))
        pages = f.get("pages")
        if pages:
            object.__setattr__(self, "pages", field_pages(pages))
            object.__setattr__(self, "first_page", field_first_page(pages) or 1)

    @property
    def creators(self) -> tuple[Name, ...]:
        return self.authors or self.editors

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    def label(self) -> str:
        """ "Althusser 2017a" """
        who = self.fields.get("shortauthor") or (self.creators[0].surname if self.creators else self.key)
        if len(self.creators) == 2:
            who = f"{self.creators[0].surname} and {self.creators[1].surname}"
        elif len(self.creators) > 2:
            who = f"{self.creators[0].surname} et al."
        return f"{who} {self.year or 'n.d.'}{self.suffix}"


@dataclass(frozen=True, slots=True)
class BibProblem:
    """A place in a .bib file that could not be read, or was read with a caveat."""

    path: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Bibliography:
    entries: tuple[Entry, ...] = ()
    problems: tuple[BibProblem, ...] = ()
    _by_key: dict[str, Entry] = field(init=False, default_factory=dict, repr=False, compare=False)
    _by_first: dict[str, list[Entry]] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {e.key: e for e in self.entries})

    def by_key(self) -> dict[str, Entry]:
        return self._by_key

    def by_first_surname(self) -> dict[str, list[Entry]]:
        """The entries with creators, by the folded surname of the first (made when first
        asked for)."""
        if self._by_first is None:
            from .keys import fold

            out: dict[str, list[Entry]] = {}
            for e in self.entries:
                if e.creators:
                    out.setdefault(fold(e.creators[0].surname), []).append(e)
            object.__setattr__(self, "_by_first", out)
        return self._by_first

    def get(self, key: str | None) -> Entry | None:
        return self._by_key.get(key) if key is not None else None


from ..frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
