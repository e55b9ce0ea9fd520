"""Each bibliography entry against its registry record: one `Verdict` per entry.

- An entry with a DOI is looked up in Crossref, then DataCite; a DOI neither holds is asked
  of Crossref's agency route, so a DOI of mEDRA, JaLC, ... is not called unknown.
- An entry with an ISBN (and no DOI) is looked up in Open Library. An ISBN whose checksum
  fails is not looked up: that is the offline rule invalid-field's finding.
- An entry with neither is searched for in Crossref (title, first author, year +-1); a DOI
  is proposed only when exactly one candidate fits title, first author, year and type.

The comparison is fuzzy where citations are: titles without case, accents, punctuation or
subtitles; the first author's family name folded; pages as ranges ("152-78" is 152-178);
the container with abbreviations ("J. Am. Chem. Soc."). A registry that is down, slow or
garbled gives "could-not-check", never "not-found".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..bibliography import Entry, Name
from .client import NOT_FOUND as LOOKUP_NOT_FOUND
from .client import OK as LOOKUP_OK
from .client import Client
from .config import OnlineConfig
from .registries import (
    Lookup,
    Notice,
    Record,
    crossref_agency,
    crossref_search,
    crossref_work,
    datacite_doi,
    doi_ok,
    isbn_candidates,
    isbn_ok,
    normalize_doi,
    openlibrary_isbn,
)

# -- verdict kinds, and the rule each one feeds --------------------------------------------

VERIFIED = "verified"
MISMATCH = "mismatch"
NOT_FOUND = "not-found"
POINTS_ELSEWHERE = "points-elsewhere"
RETRACTED = "retracted"
CORRECTED = "corrected"
COULD_NOT_CHECK = "could-not-check"
UNMATCHED = "unmatched"  # no DOI or ISBN, and the search found no single work that fits
SKIPPED = "skipped"  # nothing to look up: no identifier and no title, or a malformed one

KINDS = (VERIFIED, MISMATCH, NOT_FOUND, POINTS_ELSEWHERE, RETRACTED, CORRECTED, COULD_NOT_CHECK, UNMATCHED, SKIPPED)

#: The rules the verdicts feed, with their default severities.
RULES = {
    "metadata-mismatch": "warning",
    "unknown-identifier": "error",
    "identifier-points-elsewhere": "error",
    "retracted-work": "error",
    "registry-unavailable": "info",
}

REGISTRY_NAMES = {"crossref": "Crossref", "datacite": "DataCite", "openlibrary": "Open Library"}


@dataclass(frozen=True, slots=True)
class FieldMismatch:
    """One field where the entry and the registry disagree beyond the threshold."""

    field: str  # "title", "year", "author", "pages", "container"
    bib_field: str  # the .bib field it was read from: "year" or "date", "journal", "booktitle", "author", ...
    bib_value: str
    registry_value: str
    similarity: float | None = None  # 0..1 for fuzzy fields

    def describe(self, registry: str = "the registry") -> str:
        return f"{self.field}: the .bib has “{self.bib_value}”, {registry} has “{self.registry_value}”"


@dataclass(frozen=True, slots=True)
class FieldEdit:
    """A proposed change to one field of one entry: `old` None adds the field."""

    key: str
    field: str
    old: str | None  # as written in the file (raw)
    new: str  # plain text; enrich renders it as BibTeX
    reason: str
    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    """What one rule reports about one entry: the rule, its default severity, a subject
    that stays the same across runs (for fingerprints), and the message."""

    rule: str
    severity: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class Verdict:
    key: str
    path: str
    line: int
    kind: str  # one of KINDS
    identifier: str | None = None  # "doi:10.1016/...", "isbn:9780850350255"; None for a search
    registry: str | None = None  # the registry whose record was compared
    record: Record | None = None
    mismatches: tuple[FieldMismatch, ...] = ()
    notices: tuple[Notice, ...] = ()  # update notices that apply (retraction first)
    reason: str = ""  # one sentence: why this verdict
    proposals: tuple[FieldEdit, ...] = ()
    from_cache: bool = False
    candidates: tuple[Record, ...] = ()  # a search's candidates, best first

    @property
    def checked(self) -> bool:
        """The registry answered (whatever it said)."""
        return self.kind not in (COULD_NOT_CHECK, SKIPPED)

    @property
    def registry_name(self) -> str:
        return REGISTRY_NAMES.get(self.registry or "", "the registry")

    def hits(self) -> list[Hit]:
        """The findings this verdict gives, for the rules in RULES."""
        key, reg = self.key, self.registry_name
        ident = self._ident_text()
        out: list[Hit] = []
        if self.kind == NOT_FOUND:
            out.append(Hit("unknown-identifier", RULES["unknown-identifier"], f"{key}:{self.identifier}",
                           f"{key}: {self.reason}"))
        elif self.kind == POINTS_ELSEWHERE:
            out.append(Hit("identifier-points-elsewhere", RULES["identifier-points-elsewhere"], f"{key}:{self.identifier}",
                           f"{key}: {self.reason}"))
        elif self.kind == COULD_NOT_CHECK:
            out.append(Hit("registry-unavailable", RULES["registry-unavailable"], f"{key}:{self.identifier or 'search'}",
                           f"{key}: could not check {ident}: {self.reason}"))
        if self.kind in (RETRACTED, CORRECTED):
            notice = self.notices[0]
            what = "was retracted" if self.kind == RETRACTED else f"has a notice: {notice.label or notice.type}"
            out.append(Hit("retracted-work", RULES["retracted-work"] if self.kind == RETRACTED else "warning",
                           f"{key}:{notice.type}", f"{key}: {ident} {what} — {'; '.join(n.describe() for n in self.notices)}"))
        for m in self.mismatches:
            out.append(Hit("metadata-mismatch", RULES["metadata-mismatch"], f"{key}:{m.field}",
                           f"{key}: {m.describe(reg)} ({ident})"))
        return out

    def _ident_text(self) -> str:
        if self.identifier and self.identifier.startswith("doi:"):
            return "DOI " + self.identifier[4:]
        if self.identifier and self.identifier.startswith("isbn:"):
            return "ISBN " + self.identifier[5:]
        if self.record is not None and self.record.doi:
            return "DOI " + self.record.doi
        return "the entry"


# -- folding and similarity ----------------------------------------------------------------

_FOLD_CHARS = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe",
                             "Œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "&": " and "})
_STOP = frozenset("a an the of and for in on to de la le les des du der die das und el los y di del".split())
_NOTICE_PREFIX = re.compile(r"^\s*(?:retracted|withdrawn|retraction|removed)(?:\s+article)?\s*[:.\-–—]\s*", re.IGNORECASE)


def fold_words(text: str) -> list[str]:
    """Lower case, no accents, letters and digits only, as words."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_FOLD_CHARS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.findall(r"[0-9a-z]+", text)


def fold(text: str) -> str:
    return " ".join(fold_words(text))


def main_title(title: str) -> str:
    """The title before its subtitle: "Philosophy of the Encounter: Later Writings" -> "Philosophy of the Encounter"."""
    return re.split(r"\s*[:?!]\s+|\s+[—–]\s+|\s+-{1,2}\s+", title.strip(), maxsplit=1)[0]


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return fuzz.ratio(a, b) / 100.0


def title_similarity(bib_title: str, record: Record) -> float:
    """0..1: the best of the whole titles, the main titles (subtitles dropped), and the
    record's other titles; a "RETRACTED:" prefix on the record's title is ignored."""
    bib = fold(bib_title)
    bib_main = fold(main_title(bib_title))
    if not bib:
        return 0.0
    best = 0.0
    titles = [record.full_title, record.title, *record.other_titles]
    for t in titles:
        if not t:
            continue
        t = _NOTICE_PREFIX.sub("", t)
        best = max(best, _ratio(bib, fold(t)))
        if len(bib_main.split()) >= 2 or bib_main == bib:  # a one-word main title ("Introduction") says little
            best = max(best, _ratio(bib_main, fold(main_title(t))))
        if best >= 1.0:
            break
    return best


def _bib_first(entry: Entry) -> tuple[Name | None, str]:
    if entry.authors:
        return entry.authors[0], "author"
    if entry.editors:
        return entry.editors[0], "editor"
    return None, "author"


def _name_variants(name: Name) -> list[str]:
    out = [fold(name.last), fold(name.surname), fold(f"{name.von}{name.last}")]
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def name_matches(name: Name, registry_name: str, full: bool, threshold: float) -> bool:
    """Does the entry's person match a registry name: a family name, or (Open Library) a whole one?"""
    reg = fold(registry_name)
    if not reg:
        return False
    reg_words = reg.split()
    for variant in _name_variants(name):
        words = variant.split()
        if variant == reg or variant.replace(" ", "") == reg.replace(" ", ""):
            return True
        if full or name.literal:
            # "Althusser" in "Louis Althusser"; "Conference of Socialist Economists" whole
            n = len(words)
            if any(reg_words[i : i + n] == words for i in range(len(reg_words) - n + 1)):
                return True
            continue
        if _ratio(variant, reg) >= threshold:
            return True
        short, long_ = sorted((variant, reg), key=len)
        if len(short) >= 4 and short in long_.split():  # "García Márquez" and "Márquez"
            return True
    return False


def _pages(value: str) -> tuple[str, str | None] | None:
    """(first, last) of a page field; abbreviated ends expanded ("1234-56" -> 1256)."""
    value = (value or "").strip()
    if not value:
        return None
    segments = [s for s in re.split(r"\s*[,;]\s*", value) if s]
    first_seg = re.split(r"\s*(?:--?|–|—|‒)\s*", segments[0])
    last_seg = re.split(r"\s*(?:--?|–|—|‒)\s*", segments[-1])
    first = first_seg[0].strip().lower().rstrip("+")
    last = last_seg[-1].strip().lower().rstrip("+") if (len(last_seg) > 1 or len(segments) > 1) else None
    if last is not None and first.isdigit() and last.isdigit() and len(last) < len(first) and len(segments) == 1:
        last = first[: len(first) - len(last)] + last
    if last == first:
        last = None
    return first, last


def pages_agree(bib: str, registry: str) -> bool:
    a, b = _pages(bib), _pages(registry)
    if a is None or b is None:
        return True
    if a[0] != b[0]:
        return False
    return a[1] is None or b[1] is None or a[1] == b[1]


def format_pages(value: str) -> str:
    """Registry pages as BibTeX writes them: "152-178" -> "152--178"."""
    p = _pages(value)
    if p is None:
        return value
    return f"{p[0]}--{p[1]}" if p[1] else p[0]


def _abbreviates(short: str, full: str) -> bool:
    """ "J Am Chem Soc" abbreviates "Journal of the American Chemical Society" (ISO 4 style:
    each word a subsequence of the next full word, first letters equal); "PNAS" the initials."""
    a = [w for w in fold_words(short) if w not in _STOP]
    f = [w for w in fold_words(full) if w not in _STOP]
    if not a or not f:
        return False
    if len(a) == 1 and len(f) > 1 and a[0] == "".join(w[0] for w in f):
        return True
    if len(a) != len(f):
        return False
    for x, y in zip(a, f, strict=True):
        if x[0] != y[0]:
            return False
        it = iter(y)
        if not all(ch in it for ch in x):
            return False
    return True


def _no_article(folded: str) -> str:
    return re.sub(r"^the ", "", folded)


def container_similarity(bib: str, record: Record) -> float:
    best = 0.0
    for c in (record.container, *record.other_containers):
        if not c:
            continue
        if _abbreviates(bib, c) or _abbreviates(c, bib):
            return 1.0
        best = max(best, _ratio(_no_article(fold(bib)), _no_article(fold(c))), _ratio(fold(main_title(bib)), fold(main_title(c))))
    return best


# -- types -----------------------------------------------------------------------------------

_TYPES = {
    "article": {"journal-article", "article", "journalarticle", "article-journal"},
    "book": {"book", "monograph", "edited-book", "reference-book", "book-set", "book-series"},
    "inbook": {"book-chapter", "book-section", "book-part", "reference-entry", "other", "bookchapter", "chapter"},
    "incollection": {"book-chapter", "book-section", "book-part", "reference-entry", "other", "bookchapter", "chapter"},
    "inproceedings": {"proceedings-article", "conferencepaper", "paper-conference"},
    "conference": {"proceedings-article", "conferencepaper", "paper-conference"},
    "proceedings": {"proceedings", "proceedings-series"},
    "phdthesis": {"dissertation"},
    "mastersthesis": {"dissertation"},
    "thesis": {"dissertation"},
    "techreport": {"report", "report-component", "report-series"},
    "report": {"report", "report-component", "report-series"},
}
_CHAPTER_TYPES = {"book-chapter", "book-section", "book-part", "reference-entry", "proceedings-article"}


def type_fits(entry_type: str, record_type: str) -> bool:
    wanted = _TYPES.get(entry_type)
    return wanted is None or not record_type or record_type.lower() in wanted


# -- the comparison ----------------------------------------------------------------------------


def _container_field(entry: Entry) -> str | None:
    if entry.type == "article":
        return "journaltitle" if entry.fields.get("journaltitle") and not entry.fields.get("journal") else "journal"
    if entry.type in ("inbook", "incollection", "inproceedings", "conference", "inreference", "bookinbook"):
        return "booktitle"
    return None


@dataclass(frozen=True, slots=True)
class Comparison:
    title_similarity: float
    first_author: bool | None  # None: nothing to compare
    any_author: bool | None  # the entry's first person among the record's first five
    mismatches: tuple[FieldMismatch, ...]


def compare(entry: Entry, record: Record, config: OnlineConfig) -> Comparison:
    mismatches: list[FieldMismatch] = []
    # title
    sim = title_similarity(entry.title, record) if entry.title and (record.title or record.other_titles) else 1.0
    if entry.title and record.title and sim < config.title_threshold:
        mismatches.append(FieldMismatch("title", "title", entry.title, record.full_title, round(sim, 2)))
    # first author (editors where the entry has only editors)
    person, role = _bib_first(entry)
    names = record.editors if role == "editor" and record.editors else record.authors or record.editors
    first = any_ = None
    if person is not None and names:
        first = name_matches(person, names[0], record.names_are_full, config.author_threshold)
        any_ = first or any(name_matches(person, n, record.names_are_full, config.author_threshold) for n in names[1:5])
        if not first:
            mismatches.append(FieldMismatch("author", role, person.surname or person.last, names[0]))
    # year: any of the registry's publication dates (print, online, issued) will do
    year = entry.year
    if year and record.years and year not in record.years:
        bib_field = "year" if entry.fields.get("year") else "date"
        mismatches.append(FieldMismatch("year", bib_field, year, record.year or record.years[0]))
    # pages
    pages = entry.fields.get("pages")
    if pages and record.pages and not pages_agree(pages, record.pages):
        mismatches.append(FieldMismatch("pages", "pages", pages, record.pages))
    # container
    cfield = _container_field(entry)
    container = entry.fields.get(cfield) if cfield else None
    if container and record.container and record.type.lower() not in ("book", "monograph", "edited-book"):
        csim = container_similarity(container, record)
        if csim < config.container_threshold:
            mismatches.append(FieldMismatch("container", cfield, container, record.container, round(csim, 2)))
    return Comparison(sim, first, any_, tuple(mismatches))


def _latest_status(notices: Sequence[Notice]) -> tuple[str | None, tuple[Notice, ...]]:
    """RETRACTED, CORRECTED or None, and the notices that say so (the deciding one first).
    A reinstatement dated after the last retraction undoes it."""
    retractions = [n for n in notices if n.retraction]
    reinstated = [n for n in notices if n.reinstatement]
    if retractions:
        last_r = max(n.date or "" for n in retractions)
        if not any((n.date or "") > last_r for n in reinstated):
            others = [n for n in notices if n not in retractions]
            return RETRACTED, tuple(retractions + others)
    if notices:
        ordered = sorted(notices, key=lambda n: (not n.concern, not n.reinstatement, n.date or ""))
        return CORRECTED, tuple(ordered)
    return None, ()


_NOTICE_WORDS = re.compile(r"\b(retraction|retracted|erratum|errata|corrigendum|correction|expression of concern|withdrawal)\b",
                           re.IGNORECASE)


def _people(names: Sequence[str]) -> str:
    if not names:
        return "no author"
    return names[0] + (" et al." if len(names) > 2 else f" and {names[1]}" if len(names) == 2 else "")


# -- proposals -------------------------------------------------------------------------------


def propose(entry: Entry, record: Record, mismatches: Sequence[FieldMismatch], found_by: str) -> tuple[FieldEdit, ...]:
    """Fields to add or correct from a record the entry was matched to: DOI, pages, publisher,
    container, year. Titles and names are never rewritten."""
    reg = REGISTRY_NAMES.get(record.registry, record.registry)
    edits: dict[str, FieldEdit] = {}

    def add(name: str, new: str, reason: str) -> None:
        if new and name not in edits:
            edits[name] = FieldEdit(entry.key, name, entry.raw.get(name), new, reason, entry.path, entry.line)

    if record.doi and not entry.fields.get("doi") and record.registry in ("crossref", "datacite"):
        add("doi", record.doi, f"the DOI of the work {found_by}")
    for m in mismatches:
        if m.field == "year" and record.year:
            new = record.year
            if m.bib_field == "date":  # keep the month and day of a biblatex date: "2015-03" -> "2014-03"
                date = entry.fields.get("date", "")
                new = record.year + date[4:] if re.match(r"\d{4}(?:-\d\d){0,2}$", date) else record.year
            add(m.bib_field, new, f"{reg} gives the year {record.year}, the .bib {m.bib_value}")
        elif m.field == "pages":
            add("pages", format_pages(record.pages), f"{reg} gives the pages {record.pages}, the .bib {m.bib_value}")
        elif m.field == "container":
            what = "journal" if entry.type == "article" else "book"
            add(m.bib_field, record.container, f"{reg} names the {what} “{record.container}”")
    if record.pages and not entry.fields.get("pages") and entry.type in ("article", "inbook", "incollection", "inproceedings"):
        add("pages", format_pages(record.pages), f"the pages {reg} gives")
    cfield = _container_field(entry)
    missing_container = cfield and not entry.fields.get(cfield) and not entry.fields.get("journaltitle")
    if missing_container and record.container and (entry.type == "article" or record.type.lower() in _CHAPTER_TYPES):
        add(cfield, record.container, f"the {'journal' if entry.type == 'article' else 'book'} {reg} names")
    if record.publisher and not entry.fields.get("publisher") and entry.type not in ("article", "misc", "online", "unpublished"):
        add("publisher", record.publisher, f"the publisher {reg} names")
    if record.year and not entry.fields.get("year") and not entry.fields.get("date"):
        add("year", record.year, f"the year {reg} gives")
    return tuple(edits.values())


# -- the verifier ------------------------------------------------------------------------------


@dataclass(slots=True)
class OnlineReport:
    """A whole run: the verdicts, and what it cost."""

    verdicts: list[Verdict] = field(default_factory=list)
    requests: int = 0  # HTTP requests sent
    cache_hits: int = 0
    offline: bool = False
    cache_error: str | None = None
    hosts_down: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter:
        return Counter(v.kind for v in self.verdicts)

    def hits(self) -> list[tuple[Verdict, Hit]]:
        return [(v, h) for v in self.verdicts for h in v.hits()]

    def proposals(self) -> list[FieldEdit]:
        return [p for v in self.verdicts for p in v.proposals]

    def summary(self) -> str:
        """ "5 entries: 3 verified, 1 mismatch, 1 could not check; 7 requests, 2 answers from the cache" """
        counts = self.counts()
        parts = [f"{counts[k]} {k.replace('-', ' ')}" for k in KINDS if counts[k]]
        line = f"{len(self.verdicts)} entries" + (": " + ", ".join(parts) if parts else "")
        line += f"; {self.requests} request{'s' if self.requests != 1 else ''}"
        line += f", {self.cache_hits} answer{'s' if self.cache_hits != 1 else ''} from the cache"
        if self.offline:
            line += " (offline)"
        for host, why in self.hosts_down.items():
            line += f"; {host} taken as down: {why}"
        if self.cache_error:
            line += f"; {self.cache_error}"
        return line

    def text(self) -> str:
        """One line per entry that is not simply verified, then the summary."""
        lines = []
        for v in self.verdicts:
            if v.kind == VERIFIED and not v.proposals:
                continue
            lines.append(f"{v.path}:{v.line}: {v.key}: {v.kind}: {v.reason}")
            for m in v.mismatches:
                lines.append(f"    {m.describe(v.registry_name)}")
            for p in v.proposals:
                lines.append(f"    proposed {p.field} = {{{p.new}}} ({p.reason})")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


Progress = Callable[[int, int, str], None]


class Verifier:
    """Checks entries against the registries. Holds one Client (one Session, one cache)."""

    def __init__(self, config: OnlineConfig | None = None, client: Client | None = None) -> None:
        self.config = config or (client.config if client is not None else OnlineConfig.from_env())
        self.client = client or Client(self.config)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify_all(self, entries: Iterable[Entry], progress: Progress | None = None) -> OnlineReport:
        entries = list(entries)
        report = OnlineReport(offline=self.config.offline)
        sent, hits = self.client.requests_sent, self.client.cache_hits
        for i, entry in enumerate(entries, 1):
            report.verdicts.append(self.verify(entry))
            if progress is not None:
                progress(i, len(entries), entry.key)
        report.requests = self.client.requests_sent - sent
        report.cache_hits = self.client.cache_hits - hits
        report.cache_error = self.client.cache_error
        report.hosts_down = self.client.hosts_down
        return report

    def verify(self, entry: Entry) -> Verdict:
        try:
            return self._verify(entry)
        except Exception as exc:  # whatever goes wrong, the run goes on and says so
            return self._verdict(entry, COULD_NOT_CHECK, reason=f"internal error ({type(exc).__name__}: {exc})")

    # -- by identifier ---------------------------------------------------------------------

    def _verdict(self, entry: Entry, kind: str, **kw) -> Verdict:
        return Verdict(entry.key, entry.path, entry.line, kind, **kw)

    def _verify(self, entry: Entry) -> Verdict:
        raw_doi = entry.fields.get("doi", "").strip()
        if raw_doi:
            doi = normalize_doi(raw_doi)
            if not doi_ok(doi):
                return self._verdict(entry, SKIPPED, identifier=f"doi:{doi}",
                                     reason=f"DOI “{raw_doi}” is malformed (reported by invalid-field); not looked up")
            return self._by_doi(entry, doi)
        raw_isbn = entry.fields.get("isbn", "").strip()
        if raw_isbn:
            isbns = isbn_candidates(raw_isbn)
            good = [i for i in isbns if isbn_ok(i)]
            if not good:
                return self._verdict(entry, SKIPPED, identifier=f"isbn:{isbns[0] if isbns else raw_isbn}",
                                     reason=f"ISBN “{raw_isbn}” fails its checksum (reported by invalid-field); not looked up")
            return self._by_isbn(entry, good[0])
        if not entry.title:
            return self._verdict(entry, SKIPPED, reason="no DOI, no ISBN and no title: nothing to look up")
        if not self.config.search:
            return self._verdict(entry, SKIPPED, reason="no DOI or ISBN (the search is switched off)")
        return self._by_search(entry)

    def _by_doi(self, entry: Entry, doi: str) -> Verdict:
        ident = f"doi:{doi}"
        cr = crossref_work(self.client, doi)
        if cr.status == LOOKUP_OK:
            return self._judge(entry, cr, ident, "the DOI names")
        dc = datacite_doi(self.client, doi)
        if dc.status == LOOKUP_OK:
            return self._judge(entry, dc, ident, "the DOI names")
        cached = cr.from_cache and dc.from_cache
        if cr.status != LOOKUP_NOT_FOUND:
            return self._verdict(entry, COULD_NOT_CHECK, identifier=ident, registry="crossref",
                                 reason=f"Crossref: {cr.reason}"
                                 + ("" if dc.status == LOOKUP_NOT_FOUND else f"; DataCite: {dc.reason}"))
        if dc.status != LOOKUP_NOT_FOUND:
            return self._verdict(entry, COULD_NOT_CHECK, identifier=ident, registry="datacite",
                                 reason=f"Crossref does not hold DOI {doi}, and DataCite could not be asked: {dc.reason}")
        agency = crossref_agency(self.client, doi)
        if agency.status == LOOKUP_NOT_FOUND:
            return self._verdict(entry, NOT_FOUND, identifier=ident, registry="crossref",
                                 from_cache=cached and agency.from_cache,
                                 reason=f"DOI {doi} is not registered: Crossref and DataCite do not hold it, "
                                 "and no registration agency knows it")
        if agency.status == LOOKUP_OK:
            return self._verdict(entry, COULD_NOT_CHECK, identifier=ident, registry="crossref",
                                 reason=f"DOI {doi} is registered with {agency.agency}, whose records citeaudit does not read")
        return self._verdict(entry, COULD_NOT_CHECK, identifier=ident, registry="crossref",
                             reason=f"Crossref and DataCite do not hold DOI {doi}; "
                             f"whether another agency does could not be asked: {agency.reason}")

    def _by_isbn(self, entry: Entry, isbn: str) -> Verdict:
        ident = f"isbn:{isbn}"
        ol = openlibrary_isbn(self.client, isbn, with_authors=bool(entry.creators))
        if ol.status == LOOKUP_OK:
            return self._judge(entry, ol, ident, "the ISBN names")
        if ol.status == LOOKUP_NOT_FOUND:
            return self._verdict(entry, NOT_FOUND, identifier=ident, registry="openlibrary", from_cache=ol.from_cache,
                                 reason=f"Open Library has no book with ISBN {isbn}")
        return self._verdict(entry, COULD_NOT_CHECK, identifier=ident, registry="openlibrary",
                             reason=f"Open Library: {ol.reason}")

    # -- the judgement -----------------------------------------------------------------------

    def _judge(self, entry: Entry, lookup: Lookup, ident: str | None, found_by: str,
               candidates: tuple[Record, ...] = ()) -> Verdict:
        record = lookup.record
        assert record is not None
        reg = REGISTRY_NAMES[record.registry]
        cmp = compare(entry, record, self.config)
        common = dict(identifier=ident, registry=record.registry, record=record, from_cache=lookup.from_cache,
                      candidates=candidates)
        what = f"DOI {ident[4:]}" if ident and ident.startswith("doi:") else f"ISBN {ident[5:]}" if ident else "the work found"
        # the DOI of a notice (a retraction, an erratum) instead of the work's own
        if record.update_to and not _NOTICE_WORDS.search(entry.title or ""):
            target = record.update_to[0]
            proposal = ()
            if target.doi and entry.fields.get("doi"):
                proposal = (FieldEdit(entry.key, "doi", entry.raw.get("doi"), target.doi,
                                      f"the DOI of the work the {target.label or target.type} is about", entry.path, entry.line),)
            return self._verdict(entry, POINTS_ELSEWHERE, proposals=proposal, **common,
                                 reason=f"{what} is a {(target.label or target.type).lower()} notice"
                                 f"{' about ' + target.doi if target.doi else ''} (“{record.full_title}”), not the work itself")
        if cmp.title_similarity < self.config.elsewhere_threshold and not cmp.any_author and ident:
            names = record.authors or record.editors
            return self._verdict(entry, POINTS_ELSEWHERE, **common,
                                 reason=f"{what} is “{record.full_title}” by {_people(names)}"
                                 f"{' (' + record.year + ')' if record.year else ''} in {reg}, not “{entry.title}” by "
                                 f"{_people([n.surname for n in entry.creators])}")
        status, notices = _latest_status(record.updated_by)
        proposals = propose(entry, record, cmp.mismatches, found_by)
        if status == RETRACTED:
            kind, reason = RETRACTED, f"{reg} records a retraction: " + "; ".join(n.describe() for n in notices)
        elif status == CORRECTED:
            kind, reason = CORRECTED, f"{reg} records a notice: " + "; ".join(n.describe() for n in notices)
        elif cmp.mismatches:
            kind = MISMATCH
            reason = f"{reg}'s record differs in " + ", ".join(m.field for m in cmp.mismatches)
        else:
            kind, reason = VERIFIED, f"{reg}'s record agrees"
        if ident is None:
            reason = f"Crossref's search found one work that fits, DOI {record.doi}; " + reason
        return self._verdict(entry, kind, mismatches=cmp.mismatches, notices=notices, reason=reason,
                             proposals=proposals, **common)

    # -- the search ----------------------------------------------------------------------------

    def _by_search(self, entry: Entry) -> Verdict:
        person, _ = _bib_first(entry)
        author = (person.last if person and not person.literal else None) or None
        lookup = crossref_search(self.client, entry.title, author, entry.year, self.config.search_rows)
        if lookup.status != LOOKUP_OK:
            return self._verdict(entry, COULD_NOT_CHECK, registry="crossref", reason=f"Crossref's search: {lookup.reason}")
        scored = []
        for rec in lookup.records:
            cmp = compare(entry, rec, self.config)
            scored.append((cmp.title_similarity, rec, cmp))
        scored.sort(key=lambda t: -t[0])
        candidates = tuple(r for _, r, _ in scored)
        fitting: dict[str, Record] = {}
        for sim, rec, cmp in scored:
            if not rec.doi or sim < self.config.title_threshold or not type_fits(entry.type, rec.type):
                continue
            if person is not None and cmp.first_author is not True:
                continue
            if entry.year and rec.years and not any(abs(int(y) - int(entry.year)) <= 1 for y in rec.years):
                continue
            fitting.setdefault(rec.doi.lower(), rec)
        if len(fitting) == 1:
            winner = next(iter(fitting.values()))
            one = Lookup(LOOKUP_OK, "crossref", lookup.url, record=winner, from_cache=lookup.from_cache)
            return self._judge(entry, one, None, "Crossref's search found", candidates)
        if fitting:
            return self._verdict(entry, UNMATCHED, registry="crossref", from_cache=lookup.from_cache, candidates=candidates,
                                 reason=f"{len(fitting)} works in Crossref fit equally well "
                                 f"({', '.join(fitting)}): no DOI proposed")
        if scored:
            sim, best, _ = scored[0]
            return self._verdict(entry, UNMATCHED, registry="crossref", from_cache=lookup.from_cache, candidates=candidates,
                                 reason=f"no work in Crossref clearly fits (closest: “{best.full_title}”, "
                                 f"{_people(best.authors)}, {best.year or 'n.d.'}, title similarity {sim:.2f})")
        return self._verdict(entry, UNMATCHED, registry="crossref", from_cache=lookup.from_cache,
                             reason="Crossref's search found nothing")


def verify_entries(entries: Iterable[Entry], config: OnlineConfig | None = None, progress: Progress | None = None,
                   client: Client | None = None) -> OnlineReport:
    """Verify every entry and return the report; the client is closed unless one was given."""
    verifier = Verifier(config, client)
    try:
        return verifier.verify_all(entries, progress)
    finally:
        if client is None:
            verifier.close()
