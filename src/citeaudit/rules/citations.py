"""Rules about citations: resolution against the bibliography, locators, house style, ibid."""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from ..bibliography import fold
from ..locators import NUMBER_RANGE, YEAR, is_page_list
from ..model import Citation
from .registry import Context, Example, rule

_ALTHUSSER_2015 = """@article{althusser2015,
  author = {Althusser, Louis},
  title = {The Crisis of Marxism},
  journal = {Marxism Today},
  year = {2015},
  pages = {150--160},
}
"""
_ALTHUSSER_2017 = """@book{althusser2017a,
  author = {Althusser, Louis},
  title = {Philosophy for Non-Philosophers},
  publisher = {Bloomsbury},
  year = {2017},
  yearsuffix = {a},
}
@book{althusser2017b,
  author = {Althusser, Louis},
  title = {How to Be a Marxist in Philosophy},
  publisher = {Bloomsbury},
  year = {2017},
  yearsuffix = {b},
}
"""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@rule(
    "unresolved-citation",
    "error",
    "no bibliography entry matches the cited author(s) and year; the message suggests near misses "
    "(misspelt name, year off by one, missing or extra a/b suffix)",
    bad=Example("Marxism, as Althusser argues, is in crisis (Althuser, 2015, p. 154).\n", _ALTHUSSER_2015),
    good=Example("Marxism, as Althusser argues, is in crisis (Althusser, 2015, p. 154).\n", _ALTHUSSER_2015),
    needs_bibliography=True,
    per_document=True,
)
def unresolved_citation(ctx: Context):
    """Names are compared without accents or case, with or without particles ("Linden" finds
    "van der Linden"); a title-only citation is looked up by its title."""
    for doc in ctx.documents:
        for ci, ii, r in ctx.resolutions.looked_up(doc.path):
            if r.status == "unresolved":
                c = doc.citations[ci]
                yield ctx.at(doc, c.span, f"{c.text}#{ii}", _capital(r.reason))


@rule(
    "ambiguous-citation",
    "error",
    "more than one entry matches (e.g. 2017 cited, 2017a and 2017b exist)",
    bad=Example("Philosophy, he says, is a battlefield (Althusser 2017, p. 88).\n", _ALTHUSSER_2017),
    good=Example("Philosophy, he says, is a battlefield (Althusser 2017b, p. 88).\n", _ALTHUSSER_2017),
    needs_bibliography=True,
    per_document=True,
)
def ambiguous_citation(ctx: Context):
    """Works of one author and year are told apart by a suffix: the one a `yearsuffix`
    field gives, or else a, b, c in the order of their titles."""
    for doc in ctx.documents:
        for ci, ii, r in ctx.resolutions.looked_up(doc.path):
            if r.status == "ambiguous":
                c = doc.citations[ci]
                yield ctx.at(doc, c.span, f"{c.text}#{ii}", _capital(r.reason))


_ALTHUSSER_1977 = """@article{althusser1977,
  author = {Althusser, Louis},
  title = {The Crisis of Marxism},
  journal = {Marxism Today},
  volume = {22},
  year = {1977},
  pages = {3--22},
}
"""


@rule(
    "page-out-of-range",
    "error",
    "a cited page lies outside the entry's `pages` range (articles, chapters)",
    bad=Example("The crisis had come at last (Althusser 1977, p. 31).\n", _ALTHUSSER_1977),
    good=Example("The crisis had come at last (Althusser 1977, p. 11).\n", _ALTHUSSER_1977),
    needs_bibliography=True,
    per_document=True,
)
def page_out_of_range(ctx: Context):
    """Only entries that give their page range are checked: journal articles, chapters,
    papers in proceedings."""
    for doc in ctx.documents:
        for ci, ii, r in ctx.resolutions.looked_up(doc.path):
            e = ctx.bibliography.get(r.key) if r.status == "resolved" else None
            if e is None:
                continue
            item = doc.citations[ci].items[ii] if ii < len(doc.citations[ci].items) else None
            if item is None or item.pages is None:
                continue
            span = e.pages
            if span is None:
                continue
            first, last = item.pages
            if first < span[0] or last > span[1]:
                c = doc.citations[ci]
                yield ctx.at(
                    doc, c.span, f"{c.text}#{ii}",
                    f"{item.locator} lies outside the pages of {e.label()} ({span[0]}–{span[1]}, {e.path}:{e.line})",
                )


_LABELLED = re.compile(r"^(?P<lab>pp|p)(?P<dot>\.?)(?![a-z])\s*(?P<body>.+)$")


def locator_problem(locator: str) -> str | None:
    m = _LABELLED.match(locator)
    body = m.group("body") if m else locator
    for a, b in NUMBER_RANGE.findall(body):
        if len(b) >= len(a) and int(b) < int(a):
            return f"reversed page range “{a}–{b}”"
    if not m:
        return None
    label = m.group("lab")
    is_range = bool(NUMBER_RANGE.search(body)) or bool(re.search(r"\d\s*(?:,|and|&)\s*\d|ff?\.?$", body))
    if label == "p" and NUMBER_RANGE.search(body):
        return f"“{label}{m.group('dot')}” before a page range: write “pp.”"
    if label == "pp" and not is_range and re.fullmatch(r"\d+", body.strip()):
        return f"“{label}{m.group('dot')}” before a single page: write “p.”"
    if not is_page_list(body):
        return f"“{body.strip()}” is not a page number"
    return None


@rule(
    "malformed-locator",
    "warning",
    "a reversed range, \"p.\" before a range, \"pp.\" before one page, a non-numeric page where numbers are used",
    bad=Example("The letters say so (Marx 1983, p. 60-66), and so does the survey (Smith 2001, pp. 12).\n"),
    good=Example("The letters say so (Marx 1983, pp. 60-66), and so does the survey (Smith 2001, p. 12).\n"),
    per_document=True,
)
def malformed_locator(ctx: Context):
    """A locator is read as written: "p." names one page and "pp." a range or list; a range
    whose end is shorter than its start is abbreviated ("123-9" is 123–129), not reversed."""
    for doc in ctx.documents:
        for c in doc.citations:
            for ii, item in enumerate(c.items):
                if not item.locator:
                    continue
                problem = locator_problem(item.locator)
                if problem:
                    yield ctx.at(doc, c.span, f"{c.text}#{ii}", f"Locator “{item.locator}”: {problem}")


_AUTHOR_YEAR_SEP = re.compile(rf"[^\W\d_](,?)\s+(?:\[\d{{4}}\]\s*)?{YEAR}")
_LABEL_FORM = re.compile(r"^(pp|p)(\.?)(\s*)\d")
_ETAL_FORM = re.compile(r"\bet\.?\s*al\b\.?")


def _style_marks(c: Citation) -> dict[str, str]:
    """The house-style choices a citation makes, each as a short description."""
    marks: dict[str, str] = {}
    if c.kind == "parenthetical" and c.items and c.items[0].year and c.items[0].authors:
        m = _AUTHOR_YEAR_SEP.search(c.text)
        if m:
            marks["author-year separator"] = "a comma between author and year" if m.group(1) else "no comma between author and year"
    for item in c.items:
        if not item.locator:
            continue
        lm = _LABEL_FORM.match(item.locator)
        if lm:
            marks["page abbreviation"] = "“p./pp.” with a full stop" if lm.group(2) else "“p/pp” without a full stop"
            marks["space after p."] = "a space after “p.”" if lm.group(3) else "no space after “p.”"
        if NUMBER_RANGE.search(item.locator):
            dash = re.search(r"\d\s*([-–—‑])\s*\d", item.locator).group(1)
            marks["range dash"] = "an en dash in page ranges" if dash == "–" else "a hyphen in page ranges"
    em = _ETAL_FORM.search(c.text)
    if em:
        marks["et al."] = f"“{em.group()}”"
    return marks


_HOUSE = {
    ("author-year-comma", True): ("author-year separator", "a comma between author and year"),
    ("author-year-comma", False): ("author-year separator", "no comma between author and year"),
    ("page-abbreviation", "p."): ("page abbreviation", "“p./pp.” with a full stop"),
    ("page-abbreviation", "p"): ("page abbreviation", "“p/pp” without a full stop"),
    ("range-dash", "en dash"): ("range dash", "an en dash in page ranges"),
    ("range-dash", "hyphen"): ("range dash", "a hyphen in page ranges"),
}


@rule(
    "inconsistent-citation-style",
    "warning",
    "the document mixes forms that a house style keeps uniform: comma or none between author and year, "
    "\"p.\" / \"pp\" / \"pp.\", hyphen or en dash in ranges, \"et al.\" forms",
    bad=Example("The crisis is named (Althusser, 2015, p. 154). Philosophy is a battlefield (Althusser 2017a, p. 88).\n"
                "The crisis is also an opening (Althusser, 2015, pp 155-156).\n"),
    good=Example("The crisis is named (Althusser, 2015, p. 154). Philosophy is a battlefield (Althusser, 2017a, p. 88).\n"
                 "The crisis is also an opening (Althusser, 2015, pp. 155-156).\n"),
    per_document=True,
)
def inconsistent_citation_style(ctx: Context):
    """The house style set in the configuration ([tool.citeaudit.style]) is the rule;
    where it is silent, the form most citations of the document use (on a tie, the first
    used). Each citation written otherwise is reported."""
    house_style = dict(_HOUSE[(k, v)] for k, v in ctx.style.items() if (k, v) in _HOUSE)
    for doc in ctx.documents:
        marks = [(c, _style_marks(c)) for c in doc.citations]
        for dim, house in house_style.items():
            for c, m in marks:
                form = m.get(dim)
                if form and form != house:
                    yield ctx.at(doc, c.span, f"{dim}:{c.text}", f"{c.text} uses {form}; the house style is {house}")
        dimensions: dict[str, Counter] = {}
        first_seen: dict[str, dict[str, int]] = {}
        for i, (_c, m) in enumerate(marks):
            for dim, form in m.items():
                dimensions.setdefault(dim, Counter())[form] += 1
                first_seen.setdefault(dim, {}).setdefault(form, i)
        for dim, counts in dimensions.items():
            if len(counts) < 2 or dim in house_style:
                continue
            house = max(counts, key=lambda f: (counts[f], -first_seen[dim][f]))
            for c, m in marks:
                form = m.get(dim)
                if form and form != house:
                    yield ctx.at(
                        doc, c.span, f"{dim}:{c.text}",
                        f"{c.text} uses {form}; {counts[house]} other citations in this document use {house}",
                    )


@rule(
    "ibid-without-antecedent",
    "warning",
    "\"ibid.\" with no earlier citation in reach, or after a multi-work citation",
    bad=Example("The dictatorship is a concept (ibid., p. 4). The debate went on (Balibar 1977; Althusser 1978).\n"
                "It was about the state (ibid.).\n"),
    good=Example("The dictatorship is a concept (Balibar 1977, p. 123). It names a relation (ibid., p. 124).\n"),
    per_document=True,
)
def ibid_without_antecedent(ctx: Context):
    """"ibid." repeats the closest earlier citation, in the text or in a note; "op. cit."
    after a name repeats the last citation of that author."""
    for doc in ctx.documents:
        for c in doc.citations:
            if c.kind != "ibid":
                continue
            if c.antecedent is None:
                what = "op. cit." if c.items and c.items[0].authors else "ibid."
                yield ctx.at(doc, c.span, c.text, f"{c.text} has no earlier citation to repeat ({what})")
            elif len(doc.citations[c.antecedent].items) > 1:
                prev = doc.citations[c.antecedent]
                line = doc.lines.line(prev.span.start)
                yield ctx.at(
                    doc, c.span, c.text,
                    f"{c.text} follows a citation of several works, {prev.text} (line {line}): which one does it repeat?",
                )


def _title_keys(e) -> list[str]:
    """The forms a manuscript names a work by: its main title, its original title."""
    out = []
    for raw in (e.fields.get("title", ""), e.fields.get("origtitle", ""), e.fields.get("shorttitle", "")):
        main = raw.split(":")[0].strip()
        if len(main) >= 12 and len(main.split()) >= 3:
            out.append(fold(main))
    return out


def _named(window: str, e) -> bool:
    return _named_in(fold(window), _title_keys(e))


def _named_in(folded: str, keys: list[str]) -> bool:
    """`_named` with the window folded and the entry's title keys made: each once."""
    for key in keys:
        if key in folded or (len(folded) >= len(key) and fuzz.partial_ratio(key, folded) >= 92):
            return True
    return False


def _context(doc, c, ci) -> str:
    """The text a citation's reader has just read: its paragraph up to it, or, for the
    citation that closes a block quotation, the paragraph that introduces the quotation."""
    line = doc.lines.line(c.span.start)
    block = next((q for q in doc.quotations if q.kind == "block" and q.citation == ci), None)
    paragraphs = doc.paragraphs
    if block is not None:
        first = doc.lines.line(block.span.start)
        before = [p for p in paragraphs if p[1] < first]
        if not before:
            return ""
        lo, hi = before[-1]
        return doc.text[doc.lines.line_start(lo) : doc.lines.line_start(min(hi + 1, doc.lines.count))]
    here = [p for p in paragraphs if p[0] <= line <= p[1]]
    start = doc.lines.line_start(here[0][0]) if here else max(0, c.span.start - 400)
    return doc.text[start : c.span.start]


@rule(
    "citation-title-mismatch",
    "warning",
    "the text names one work by its title and the citation beside it resolves to another work of the same author",
    bad=Example("In the 1976 How to Be a Marxist in Philosophy he writes that philosophy is a battlefield "
                "(Althusser 2017a, p. 88).\n", _ALTHUSSER_2017),
    good=Example("In the 1976 How to Be a Marxist in Philosophy he writes that philosophy is a battlefield "
                 "(Althusser 2017b, p. 88).\n", _ALTHUSSER_2017),
    needs_bibliography=True,
    per_document=True,
)
def citation_title_mismatch(ctx: Context):
    """Titles of three words or more are looked for, without case or accents, in the
    citation's paragraph before it, or, for a block quotation, in the paragraph that
    introduces it. An ambiguous citation whose paragraph names one of its candidates is
    reported too, with that candidate as the likely one."""
    if ctx.bibliography is None:
        return
    entries = ctx.bibliography.by_key()
    title_keys: dict[str, list[str]] = {}

    def keys_of(e) -> list[str]:
        found = title_keys.get(e.key)
        if found is None:
            found = title_keys[e.key] = _title_keys(e)
        return found

    for doc in ctx.documents:
        for ci, c in enumerate(doc.citations):
            res = ctx.resolutions.citation(doc.path, ci)
            if not res or len(c.items) != 1 or c.kind not in ("parenthetical", "narrative"):
                continue
            r = res[0]
            window = None
            if r.status == "resolved" and r.key in entries:
                e = entries[r.key]
                window = fold(_context(doc, c, ci))
                if _named_in(window, keys_of(e)):
                    continue
                if not e.creators:
                    continue
                others = [o for o in ctx.bibliography.by_first_surname().get(fold(e.creators[0].surname), ())
                          if o.key != e.key]
                named = [o for o in others if _named_in(window, keys_of(o))]
                if len(named) == 1:
                    o = named[0]
                    yield ctx.at(doc, c.span, f"{c.text}:{o.key}",
                                 f"The text names {o.title} ({o.label()}), but {c.text} resolves to {e.label()} ({e.title})")
            elif r.status == "ambiguous":
                window = fold(_context(doc, c, ci))
                named = [entries[k] for k in r.candidates if k in entries and _named_in(window, keys_of(entries[k]))]
                if len(named) == 1:
                    o = named[0]
                    yield ctx.at(doc, c.span, f"{c.text}:{o.key}",
                                 f"{c.text} is ambiguous, and the text names {o.title}: probably {o.label()}")


@rule(
    "coauthor-mismatch",
    "warning",
    "a citation names co-authors the entry it resolves to does not list (or leaves out ones it does)",
    bad=Example("Tension sets the pace (Rieder and Salmon, 1994).\n",
                "@article{rieder1994, author = {Rieder, Conly L.}, title = {Motile kinetochores}, journal = {J Cell Biol},\n"
                "  year = 1994}\n"),
    good=Example("Tension sets the pace (Rieder and Salmon, 1994).\n",
                 "@article{rieder1994, author = {Rieder, Conly L. and Salmon, Edward D.}, title = {Motile kinetochores},\n"
                 "  journal = {J Cell Biol}, year = 1994}\n"),
    needs_bibliography=True,
    per_document=True,
)
def coauthor_mismatch(ctx: Context):
    """When the first author and the year point to one work only, the citation resolves to it
    even if the co-authors written differ from the entry's — a co-author left out of the
    entry, or a misspelt one in the text; this rule says which. Where several works share the
    first author and year, the co-authors decide between them instead ("Oates 1999" is the
    work Oates wrote alone, "Oates et al. 1999" the one with two co-authors)."""
    for doc in ctx.documents:
        for ci, ii, r in ctx.resolutions.looked_up(doc.path):
            if r.status == "resolved" and r.caveat:
                c = doc.citations[ci]
                yield ctx.at(doc, c.span, f"{c.text}#{ii}", f"{c.text} {r.caveat}")
