"""Years, pages and locators: the one grammar for them, in manuscripts and in .bib fields.

Extraction reads citations' years and locators with it, entries parse their `year` and
`pages` fields with it, and the rules and exports that check or write pages use the
same definitions, so "123-9", "pp. 60–66" and "xii" mean one thing everywhere.
"""

from __future__ import annotations

import re

#: A year as written in running text and citations: 1400–2099.
YEAR = r"(?:1[4-9]\d\d|20\d\d)"

#: A dash between two numbers of a range: hyphen(s), en dash, em dash, non-breaking hyphen.
DASH = r"(?:-+|–|—|‑)"

_LEADING_YEAR = re.compile(r"\d{4}")

#: "p. 12", "pp. 12–15", "ch. 3", "§ 4": the label of a locator.
LOC_LABEL = re.compile(
    r"^(?P<lab>pp\.?|p\.?|pages?|pg\.?|pgs\.?|at|col\.|cols\.|ch\.|chap\.|chapter|chs\.|§§?|sect?\.|"
    r"n\.|nn\.|note|notes|fn\.|para\.|paras\.|vol\.|vols\.|l\.|ll\.|fol\.|fols\.|f\.|ff\.|fig\.|figs\.|"
    r"table|tab\.|bk\.|book|pt\.|part|art\.|section|sections|line|lines|annex|appendix)\s*(?=[\dIVXLCivxlc])",
)
PAGE_RANGE = re.compile(r"(?P<a>\d+)(?:\s*[-–—‑]\s*(?P<b>\d+))?(?:\s*f{1,2}\.?)?")
#: Pages and ranges joined by commas or "and" in any of the languages cited in.
PAGE_LIST = re.compile(
    r"^(?:especially\s+)?(?:\d+(?:\s*[-–—‑]\s*\d+)?(?:\s*f{1,2}\.?)?)"
    r"(?:\s*(?:,|and|&|e|y|et|und)\s*\d+(?:\s*[-–—‑]\s*\d+)?(?:\s*f{1,2}\.?)?)*$"
)
ROMAN = re.compile(r"^[ivxlcdm]+(?:\s*(?:[-–,&]|and|e|y|et)\s*[ivxlcdm]+)*$", re.IGNORECASE)
#: Two numbers joined by a dash, anywhere in a locator: "60-66", "155–156".
NUMBER_RANGE = re.compile(r"(\d+)\s*[-–—‑]\s*(\d+)")
_VOL_PAGE = re.compile(r"^(?P<vol>\d{1,3})\s*:\s*(?P<pages>\d.*)$")

#: A `pages` field that reads as pages: "3--22", "xii", "e1002", "12, 15-18", "S1:4", "100+".
_PAGES_FIELD = re.compile(
    r"^\s*(?:[A-Za-z]?\d+[a-z]?|[ivxlcdm]+|\d+:\d+)(?:\s*(?:--?|–|—)\s*(?:[A-Za-z]?\d+[a-z]?|[ivxlcdm]+|\d+:\d+))?"
    r"(?:\s*,\s*(?:[A-Za-z]?\d+|[ivxlcdm]+)(?:\s*(?:--?|–|—)\s*(?:[A-Za-z]?\d+|[ivxlcdm]+))?)*\s*\+?\s*$",
    re.IGNORECASE,
)
_PAGES_NUMERIC = re.compile(rf"^\s*(\d+)\s*{DASH}\s*(\d+)\s*$|^\s*(\d+)\s*$")
_FIELD_DASH = re.compile(r"\s*(?:--?|–|—)\s*")


def leading_year(value: str) -> str | None:
    """The four-digit year a date or year field starts with: "1976", "2017-05-01" -> "2017"."""
    m = _LEADING_YEAR.match(value)
    return m.group() if m else None


def expand_range(a: str, b: str | None) -> tuple[int, int]:
    """Page range with abbreviated ends expanded: 123-9 -> (123, 129), 1234-56 -> (1234, 1256)."""
    first = int(a)
    if not b:
        return first, first
    if len(b) < len(a):
        b = a[: len(a) - len(b)] + b
    return first, int(b)


def parse_locator(text: str) -> tuple[str, tuple[int, int] | None, str | None] | None:
    """(locator as written, (first, last) page or None, volume or None), or None if not a locator."""
    loc = " ".join(text.split()).strip()
    loc = loc.rstrip(" .") if not loc.lower().endswith(("ff.", " f.")) else loc
    if not loc:
        return None
    volume = None
    body = loc
    vm = _VOL_PAGE.match(body)
    if vm:
        volume = vm.group("vol")
        body = vm.group("pages")
    lm = LOC_LABEL.match(body)
    label = ""
    if lm:
        label = lm.group("lab").lower().rstrip(".")
        body = body[lm.end() :]
    elif body.lower().startswith("especially "):
        body = body[len("especially ") :]
        lm2 = LOC_LABEL.match(body)
        if lm2:
            label = lm2.group("lab").lower().rstrip(".")
            body = body[lm2.end() :]
    body = body.strip()
    if PAGE_LIST.match(body):
        if label in ("", "p", "pp", "page", "pages", "pg", "pgs", "at", "f", "ff"):
            pages = [expand_range(m.group("a"), m.group("b")) for m in PAGE_RANGE.finditer(body)]
            lo = min(p[0] for p in pages)
            hi = max(p[1] for p in pages)
            return loc, (lo, hi), volume
        return loc, None, volume
    if ROMAN.match(body) and (label or len(body) <= 6):
        return loc, None, volume
    if len(body.split()) <= 5 and any(ch.isdigit() for ch in body):
        return loc, None, volume
    return None


def is_page_list(text: str) -> bool:
    """Page numbers in Arabic or Roman numerals, alone, ranged or listed: "12", "60–66, 70", "xii"."""
    text = text.strip()
    return bool(PAGE_LIST.match(text) or ROMAN.match(text))


def field_pages(value: str) -> tuple[int, int] | None:
    """First and last page of a `pages` field of plain numbers ("3--22", "154"), or None."""
    m = _PAGES_NUMERIC.match(value)
    if not m:
        return None
    if m.group(3):
        return int(m.group(3)), int(m.group(3))
    return expand_range(m.group(1), m.group(2))


def field_first_page(value: str) -> int | None:
    """The first number a `pages` field gives ("xii, 40-60" -> 40), or None."""
    m = re.search(r"\d+", value)
    return int(m.group()) if m else None


def split_field_pages(value: str) -> tuple[str, str | None]:
    """A `pages` field's start and end as written: "3--22" -> ("3", "22"), "xii" -> ("xii", None)."""
    parts = _FIELD_DASH.split(value, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def hyphenated_pages(value: str) -> str:
    """A `pages` field with every range dash as a single hyphen, as CSL-JSON writes it."""
    return _FIELD_DASH.sub("-", value)


def field_pages_problem(value: str) -> str | None:
    """Why a `pages` field cannot be right, or None."""
    if not _PAGES_FIELD.match(value):
        return f"pages “{value}” is not a page or page range"
    m = re.match(r"^\s*(\d+)\s*(?:--?|–|—)\s*(\d+)\s*$", value)
    if m and len(m.group(2)) >= len(m.group(1)) and int(m.group(2)) < int(m.group(1)):
        return f"pages “{value}” runs backwards"
    return None
