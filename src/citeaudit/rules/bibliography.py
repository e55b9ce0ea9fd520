"""Rules about the bibliography itself: parse errors, required and invalid fields,
duplicates, and entries no manuscript cites."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from rapidfuzz import fuzz

from ..bibliography import Entry, fold
from ..locators import field_pages_problem
from .registry import Context, Example, Issue, rule

_CITES_BALIBAR = "The dictatorship of the proletariat was dropped from the programme (Balibar 1977, p. 12).\n"

#: Required fields by entry type: BibTeX's standard styles, with biblatex's names for the
#: same data accepted ("date" for "year", "journaltitle" for "journal").
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "article": [("author",), ("title",), ("journal", "journaltitle"), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
    "inbook": [("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year", "date")],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year", "date")],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "conference": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "thesis": [("author",), ("title",), ("type",), ("institution", "school"), ("year", "date")],
    "techreport": [("author",), ("title",), ("institution",), ("year", "date")],
    "report": [("author",), ("title",), ("type",), ("institution",), ("year", "date")],
    "unpublished": [("author",), ("title",), ("note",)],
    "manual": [("title",)],
    "booklet": [("title",)],
    "online": [("author", "editor"), ("title",), ("url",), ("year", "date")],
    "collection": [("editor",), ("title",), ("year", "date")],
    "proceedings": [("title",), ("year", "date")],
}


def _at(e: Entry, subject: str, message: str) -> Issue:
    return Issue(e.path, e.line, 1, f"{_subject(e)}:{subject}", message)


def _subject(e: Entry) -> str:
    """What a finding about the entry is about: its key, or for a typed reference (whose key
    citeaudit made) its label, which survives edits to other references."""
    return e.key if e.origin == "bib" else f"{e.label()} {e.title}"


def named(e: Entry) -> str:
    """The entry as a message names it: its key, or a typed reference by author and year."""
    return e.key if e.origin == "bib" else f"the reference {e.label()}"


@rule(
    "bib-parse-error",
    "error",
    "the BibTeX file cannot be parsed at a place; the message names file and line",
    bad=Example("Labour-power is a commodity (Marx 1867, p. 270).\n",
                "@book{marx1867,\n  author = {Marx, Karl},\n  title = {Capital},\n  publisher = {Meissner},\n  year = 1867\n\n"
                "@book{marx1852,\n  author = {Marx, Karl},\n  title = {The Eighteenth Brumaire},\n  publisher = {Die Revolution},\n"
                "  year = 1852\n}\n"),
    good=Example("Labour-power is a commodity (Marx 1867, p. 270).\n",
                 "@book{marx1867,\n  author = {Marx, Karl},\n  title = {Capital},\n  publisher = {Meissner},\n  year = 1867\n}\n\n"
                 "@book{marx1852,\n  author = {Marx, Karl},\n  title = {The Eighteenth Brumaire},\n  publisher = {Die Revolution},\n"
                 "  year = 1852\n}\n"),
    needs_bibliography=True,
    per_bibliography=True,
)
def bib_parse_error(ctx: Context):
    """The rest of the file is still read: each entry that parses on its own is used."""
    for p in ctx.bibliography.problems:
        yield Issue(p.path, p.line, 1, p.message, p.message[:1].upper() + p.message[1:])


@rule(
    "missing-field",
    "warning",
    "an entry lacks a field its type requires (BibTeX/biblatex data model)",
    bad=Example(_CITES_BALIBAR, "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                "  year = 1977}\n"),
    good=Example(_CITES_BALIBAR, "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                 "  publisher = {NLB}, year = 1977}\n"),
    needs_bibliography=True,
    per_bibliography=True,
)
def missing_field(ctx: Context):
    """The required fields of BibTeX's standard styles for the entry's type, with biblatex's
    names for the same data accepted ("date" for "year", "journaltitle" for "journal")."""
    for e in ctx.bibliography.entries:
        if e.origin != "bib":
            continue  # a typed reference has no BibTeX type to satisfy: incomplete-reference
        for alternatives in REQUIRED.get(e.type, []):
            if not any(e.fields.get(f) or (f == "author" and e.authors) or (f == "editor" and e.editors) for f in alternatives):
                names = " or ".join(alternatives)
                yield _at(e, names, f"@{e.type}{{{e.key}}} has no {names}")


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/(?:\d{4}(?:-\d{2}(?:-\d{2})?)?)?)?$")
_MONTHS = {m.lower() for m in "jan feb mar apr may jun jul aug sep oct nov dec".split()} | {
    m.lower() for m in "January February March April May June July August September October November December".split()
}


def isbn_ok(raw: str) -> bool:
    digits = re.sub(r"[\s-]", "", raw).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits))
        return total % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(digits))
        return total % 10 == 0
    return False


def field_problem(name: str, value: str) -> str | None:
    value = value.strip()
    if name == "year":
        if not re.fullmatch(r"\d{4}", value):
            return f"year “{value}” is not a four-digit year"
        if not 1000 <= int(value) <= 2100:
            return f"year {value} cannot be right"
    elif name == "pages":
        return field_pages_problem(value)
    elif name == "doi":
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.IGNORECASE)
        if not _DOI.match(doi):
            return f"DOI “{value}” is not of the form 10.NNNN/suffix"
    elif name == "isbn":
        for part in re.split(r"\s*(?:,|;|\band\b)\s*", value):
            if part and not isbn_ok(part):
                return f"ISBN “{part}” fails its checksum or has the wrong length"
    elif name == "issn":
        digits = re.sub(r"[\s-]", "", value).upper()
        if not re.fullmatch(r"\d{7}[\dX]", digits) or sum(
            (8 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(digits)
        ) % 11:
            return f"ISSN “{value}” fails its checksum"
    elif name == "url":
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https", "ftp") or not parsed.netloc or " " in value:
            return f"URL “{value}” is not a web address"
    elif name in ("date", "origdate", "urldate", "eventdate"):
        if not _DATE.match(value):
            return f"{name} “{value}” is not an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD, or a range)"
    elif name == "month":
        if value.lower().rstrip(".") not in _MONTHS and not (value.isdigit() and 1 <= int(value) <= 12):
            return f"month “{value}” is not a month"
    return None


@rule(
    "invalid-field",
    "error",
    "a year, page range, DOI, ISBN (checksum), URL or date that cannot be right",
    bad=Example("The pamphlet set out a class strategy (CSE 1976, p. 3).\n",
                "@book{cse1976, author = {{Conference of Socialist Economists}}, title = {The Labour Process and Class Strategies},\n"
                "  publisher = {Stage 1}, year = {197}, isbn = {0-85035-025-4}}\n"),
    good=Example("The pamphlet set out a class strategy (Conference of Socialist Economists 1976, p. 3).\n",
                 "@book{cse1976, author = {{Conference of Socialist Economists}}, title = {The Labour Process and Class Strategies},\n"
                 "  publisher = {Stage 1}, year = {1976}, isbn = {0-85035-025-5}}\n"),
    needs_bibliography=True,
    per_bibliography=True,
)
def invalid_field(ctx: Context):
    """Checked offline: four-digit years between 1000 and 2100, page ranges that run
    forwards, DOIs of the form 10.NNNN/suffix, ISBN-10/13 and ISSN check digits, web
    addresses, ISO 8601 dates and month names."""
    for e in ctx.bibliography.entries:
        for name in ("year", "pages", "doi", "isbn", "issn", "url", "date", "origdate", "urldate", "eventdate", "month"):
            value = e.fields.get(name)
            if value:
                problem = field_problem(name, value)
                if problem:
                    yield _at(e, name, f"{named(e)}: {problem}")


def _identifiers(e: Entry) -> list[str]:
    out = []
    if e.fields.get("doi"):
        out.append("doi:" + re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", e.fields["doi"].strip().lower()))
    if e.fields.get("isbn"):
        digits = re.sub(r"[^\dX]", "", e.fields["isbn"].upper())
        if len(digits) == 10 and isbn_ok(digits):  # the same book by its ISBN-13
            core = "978" + digits[:9]
            check = (10 - sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(core)) % 10) % 10
            digits = core + str(check)
        out.append("isbn:" + digits)
    return out


@rule(
    "duplicate-entry",
    "warning",
    "two entries describe the same work (same DOI/ISBN, or near-identical author+title+year)",
    bad=Example(_CITES_BALIBAR,
                "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                "  publisher = {NLB}, year = 1977}\n"
                "@book{balibar77, author = {Balibar, Etienne}, title = {On the dictatorship of the proletariat},\n"
                "  publisher = {NLB}, year = 1977}\n"),
    good=Example(_CITES_BALIBAR,
                 "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                 "  publisher = {NLB}, year = 1977}\n"
                 "@book{balibar1976, author = {Balibar, Étienne}, title = {Sur la dictature du prolétariat},\n"
                 "  publisher = {Maspero}, year = 1976}\n"),
    needs_bibliography=True,
    per_bibliography=True,
)
def duplicate_entry(ctx: Context):
    """Titles are compared without case, accents or punctuation; the later entry is reported.
    The reference lists of several manuscripts are each checked on their own: two chapters
    may well list one work."""
    # Only entries of the same year and the same first creator's surname can be near-identical:
    # each entry is compared with the earlier ones of its (year, surname) group, in order, and
    # identifiers are looked up, so the cost grows with the number of entries, not its square.
    seen_ids: dict[tuple[str, str], Entry] = {}
    groups: dict[tuple[str | None, str], list[Entry]] = {}
    for e in ctx.bibliography.entries:
        scope = e.path if e.origin != "bib" else ""
        reason = None
        identifiers = _identifiers(e)
        for ident in identifiers:
            if (scope, ident) in seen_ids:
                reason = (seen_ids[scope, ident], f"the same {ident.split(':')[0].upper()}")
                break
        for ident in identifiers:
            seen_ids.setdefault((scope, ident), e)
        creators = e.creators
        if not creators:  # _same_creators needs a first creator on both sides
            if reason:
                other, why = reason
                yield _at(e, _subject(other), f"{named(e)} duplicates {named(other)} ({other.path}:{other.line}): {why}")
            continue
        group = groups.setdefault((e.year, fold(creators[0].last)), [])
        title = e.title
        if reason is None and title and group:
            folded = fold(title)
            for other in group:
                if (other.path == e.path or e.origin == "bib") and other.title and _near(fold(other.title), folded):
                    reason = (other, "near-identical author, title and year")
                    break
        group.append(e)
        if reason:
            other, why = reason
            yield _at(e, _subject(other), f"{named(e)} duplicates {named(other)} ({other.path}:{other.line}): {why}")


def _near(a: str, b: str) -> bool:
    """`_similar_titles` of two titles already folded (and not empty as written)."""
    la, lb = len(a), len(b)
    if abs(la - lb) * 20 > la + lb:  # fuzz.ratio is at most 100 * (1 - |la - lb| / (la + lb)): below 95
        return False
    return fuzz.ratio(a, b) >= 95


def _same_creators(a: Entry, b: Entry) -> bool:
    fa = [fold(n.last) for n in a.creators]
    fb = [fold(n.last) for n in b.creators]
    return bool(fa) and fa[:1] == fb[:1]


def _similar_titles(a: str, b: str) -> bool:
    return bool(a and b) and fuzz.ratio(fold(a), fold(b)) >= 95


@rule(
    "uncited-entry",
    "info",
    "a bibliography entry that no citation in the checked documents uses",
    bad=Example("Theory can be a poverty too (Althusser 1977, p. 5).\n",
                "@book{thompson1978, author = {Thompson, E. P.}, title = {The Poverty of Theory}, publisher = {Merlin}, year = 1978}\n"),
    good=Example("Theory can be a poverty too (Thompson 1978, p. 5).\n",
                 "@book{thompson1978, author = {Thompson, E. P.}, title = {The Poverty of Theory}, publisher = {Merlin}, year = 1978}\n"),
    needs_bibliography=True,
)
def uncited_entry(ctx: Context):
    """An entry counts as cited when a citation resolves to it, or names it among the
    candidates of an ambiguous citation, or a `\\nocite{}` (pandoc's `nocite:`) names it."""
    used: set[str] = set()
    for doc in ctx.documents:
        for _ci, _ii, r in ctx.resolutions.looked_up(doc.path):
            if r.key:
                used.add(r.key)
            used.update(r.candidates)
        used.update(doc.nocite)
    if "*" in used:  # \nocite{*}, nocite: "@*": every entry is meant to be listed
        return
    for e in ctx.bibliography.entries:
        if e.key not in used:
            what = f"{e.key} ({e.label()})" if e.origin == "bib" else f"The reference {e.label()}"
            yield _at(e, "uncited", f"{what} is not cited in the checked documents")
