"""The author-date grammar: parenthetical and narrative citations, ibid./op. cit., sigla and locators.

Everything here works on one normalised segment (a paragraph or a note) and returns
normalised offsets; the caller maps them back to the original text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..locators import YEAR, parse_locator
from ..model import CiteItem
from ..text import Cover
from .known import KnownNames
from .names import CONNECTORS, ELISION, is_initials, is_name_word, is_particle, parse_authors

#: Works not yet published, or without a date, in the languages cited in.
_UNDATED = (
    r"(?i:n\.\s?d\.|s\.\s?d\.|s/d|o\.\s?J\.|forthcoming|in\s+press|in\s+prep(?:aration|\.)?|to\s+appear|submitted|"
    r"sous\s+presse|à\s+paraître|im\s+Druck|in\s+Vorbereitung|en\s+prensa|no\s+prelo|in\s+stampa)"
)
_SUFFIXES = r"(?:\s*[,;]\s*[a-z](?![\w.’'-]))*"  # "1999a, b", "2013a; b"
#: A year range or open range: "1923–25", "1923-1925", "1975/76", "2006–" (an ongoing work).
_SPAN = rf"(?:\s*[-–—]\s*(?:{YEAR}|\d{{2}})(?![\d])|\s*/\s*\d{{2}}(?![\d])|\s*[-–—](?=\s*(?:[),;:\]]|$)))"
_AFTER_ORIG = rf"(?:\s*\[\s*{YEAR}(?:\s*[-–]\s*(?:{YEAR}|\d{{2}}))?\s*\])?"
_ONE_YEAR = rf"(?:{YEAR}{_SPAN}?[a-z]?{_SUFFIXES}{_AFTER_ORIG}|{_UNDATED})"
_ORIG = rf"(?:\[\s*(?P<orig>{YEAR})\s*\]\s*|(?P<orig2>{YEAR})\s*/\s*(?={YEAR}))?"
_ORIG_NO_GROUPS = rf"(?:\[\s*{YEAR}\s*\]\s*)?"
_YEARS = rf"{_ORIG}(?P<years>{_ONE_YEAR}(?:\s*[,;]\s*{_ONE_YEAR}(?![\d\-–]))*)"
_YEAR_SPLIT = re.compile(
    rf"(?P<year>{YEAR}){_SPAN}?(?P<suffixes>[a-z]?{_SUFFIXES})(?:\s*\[\s*(?P<after>{YEAR})[^\]]*\])?|(?P<undated>{_UNDATED})"
)

_PREFIX = re.compile(
    r"^(?P<prefix>see\s+also|see,?\s+e\.\s?g\.,?|see|cf\.?,?|compare|e\.\s?g\.,?|also|contra|but\s+see|"
    r"quoted\s+in|cited\s+in|apud|reviewed\s+in|reviewed\s+by)\s+",
    re.IGNORECASE,
)
_SECONDARY = re.compile(r"^(?P<prefix>.+?\s(?:apud|cited\s+in|quoted\s+in|cit\.\s+in))(?:\s+(?=\S)|(?=[A-Z]))", re.IGNORECASE)
_LOWER_WORD = re.compile(r"^(?P<w>[^\W\d_A-Z][^\s]*)\s+")
#: Words that may lead into a citation: "(reviewed in ...)", "(ex.: ...)", "(cf., entre outros, ...)".
_LEAD_WORDS = frozenset(
    """see also e.g. eg. e.g., cf. cf., cf compare reviewed in by for a an the review reviews recent and as ex. ex.:
    entre outros otros among others especially esp. notably including i.e. following after according to apud
    described discussed summarised summarized quoted cited example instance details more further contra but
    vgl. siehe voir ver véase veja ver: see: see, also, e.g.: from with on""".split()
)
_IBID = re.compile(r"^(?P<w>ibid\.?|ibidem|id\.)(?:\s*[,:]?\s*(?P<loc>.+))?$", re.IGNORECASE)
_OPCIT = re.compile(r"^(?P<auth>.+?),?\s+(?:op\.\s?cit\.?|loc\.\s?cit\.?)(?:\s*[,:]\s*(?P<loc>.+))?$", re.IGNORECASE)
#: A passage of a classical work before the year: "DIÓGENES LAERCIO, VI 77, 2010", "EPICTETO, III, 1993".
_WORK = r"(?P<work>[IVXLC]{1,6}\.?(?:\s*,?\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)?)"
_AUTHOR_YEAR = re.compile(
    rf"^(?P<auth>[^\d()\[\]]+?)(?:,\s*|\s+|(?<=[A-ZÀ-Þ]{{2}})\.\s+)(?:{_WORK}\s*[,.]?\s+)?{_YEARS}(?P<rest>.*)$"
)
_SIGLUM = re.compile(r"^(?!(?:[IVXLC]+)\s)(?P<sig>[A-Z][A-Z&]{1,7})\s+(?P<vol>\d{1,3})(?:\s*[,:]\s*(?P<loc>.+))?$")
_YEAR_ONLY = re.compile(rf"^\s*(?:{_WORK}\s*,\s*)?{_YEARS}(?P<rest>[^()]*)$")

@dataclass(frozen=True, slots=True)
class Found:
    """A citation found in a segment, with offsets into the segment's normalised text."""

    start: int
    end: int
    kind: str
    items: tuple[CiteItem, ...]


def _year_token(token: str) -> str:
    """ "n. d." -> "n.d.", "In press" -> "in press": undated and pending years as one word each."""
    words = " ".join(token.split()).lower()
    compact = words.replace(" ", "")
    if compact in ("n.d.", "s.d.", "s/d", "o.j."):
        return compact
    return words.rstrip(".")


def _items_for_years(authors, years_text, orig, locator, prefix) -> list[CiteItem]:
    loc = pages = volume = None
    if locator:
        loc, pages, volume = locator
        loc = loc or None
    out = []
    for ym in _YEAR_SPLIT.finditer(years_text):
        original = orig
        if ym.group("year"):
            year = ym.group("year")
            suffixes = re.findall(r"[a-z]", ym.group("suffixes")) or [""]
            original = ym.group("after") or orig  # "1988 [1975]": the year in brackets is the original
        else:
            year, suffixes = _year_token(ym.group("undated")), [""]
        for suffix in suffixes:
            out.append(
                CiteItem(
                    authors=authors,
                    year=year,
                    suffix=suffix,
                    locator=loc,
                    pages=pages,
                    prefix=prefix,
                    volume=volume,
                    original_year=original,
                )
            )
    return out


def parse_item(text: str, known: KnownNames | None = None) -> tuple[str, list[CiteItem]] | None:
    """One item of a parenthetical citation: ("parenthetical"|"ibid", items) or None.

    A leading phrase ("see", "reviewed in", "cf., entre outros,", "Bailey cited in",
    "a notable exception is") is kept as the item's prefix."""
    s = " ".join(text.split()).strip().rstrip(",")
    if not s:
        return None
    prefix = None
    pm = _PREFIX.match(s) or _SECONDARY.match(s)
    if pm:
        prefix = " ".join(pm.group("prefix").split()).lower()
        s = s[pm.end() :]
    parsed = _parse_bare_item(s, prefix, known)
    words: list[str] = []
    rest = s
    while parsed is None and len(words) < 6:
        lm = _LOWER_WORD.match(rest)
        if not lm or lm.group("w").lower().rstrip(",:") not in _LEAD_WORDS and lm.group("w").lower() not in _LEAD_WORDS:
            break
        words.append(lm.group("w"))
        rest = rest[lm.end() :]
        pre = " ".join(([prefix] if prefix else []) + words)
        parsed = _parse_bare_item(rest, pre, known)
    if parsed is None:
        parsed = _embedded(s, prefix, known)
    return parsed


#: The last word of a phrase that leads into a citation inside parentheses: "(see in
#: particular Sheehan 2013a; 2017)", "(cf. a.o. Haegeman 2006)". Any phrase will do before a
#: name the bibliography knows: "(N = 7,703 phrases from Labrousse 2018: 79)" — but "(shot
#: in Paris, 1968)" is no citation.
_CUES = frozenset(
    """see cf cf. compare e.g. eg i.e. citing cited quoted apud contra pace following according especially esp.
    notably particularly particular including include includes others alia a.o. instance example overview review
    reviews discussion details summary exception exceptions however also vgl. siehe voir ver véase veja selon según
    segundo secondo nach""".split()
)
def _embedded(s: str, prefix: str | None, known: KnownNames | None) -> tuple[str, list[CiteItem]] | None:
    """An author-date item at the end of a longer phrase: the names before the first year,
    what comes before them kept as the prefix. The phrase must lead into the names with a
    word that does (see, by, from, is …), or the name must be one the bibliography knows."""
    ym = _FIRST_YEAR.search(s)
    if not ym or ym.start() == 0:
        return None
    start = names_start(s, ym.start(), known)
    if start is None or start == 0:
        return None
    lead = s[:start].strip()
    last = lead.split()[-1].lower().strip(",:;") if lead else ""
    parsed = _parse_bare_item(s[start:], None, known)
    if parsed is None or parsed[0] != "parenthetical":
        return None
    if last not in _CUES and not (known is not None and known.knows(parsed[1][0].authors[0])):
        return None
    pre = " ".join(x for x in (prefix, lead) if x)
    return "parenthetical", [_with(it, prefix=pre) for it in parsed[1]]


_FIRST_YEAR = re.compile(rf"(?:,\s*|\s+)(?={_ORIG_NO_GROUPS}{YEAR}(?!\d))")


def _parse_bare_item(s: str, prefix: str | None, known: KnownNames | None = None) -> tuple[str, list[CiteItem]] | None:
    if not s:
        return None
    im = _IBID.match(s)
    if im:
        loc = parse_locator(im.group("loc")) if im.group("loc") else None
        if im.group("loc") and loc is None:
            return None
        return "ibid", [_ibid_item(None, loc, prefix)]
    om = _OPCIT.match(s)
    if om:
        authors = parse_authors(om.group("auth"), joined=_joined(known))
        loc = parse_locator(om.group("loc")) if om.group("loc") else None
        if authors and (not om.group("loc") or loc):
            return "ibid", [_ibid_item(authors, loc, prefix)]
        return None
    am = _AUTHOR_YEAR.match(s)
    if am:
        authors = parse_authors(am.group("auth"), joined=_joined(known))
        if not authors:
            return None
        ok, locator = _after_year(am.group("rest"), comment_ok=True)
        if not ok:
            return None
        orig = am.group("orig") or am.group("orig2")
        items = _items_for_years(authors, am.group("years"), orig, locator, prefix)
        if am.group("work"):
            items = [_with(it, volume=" ".join(am.group("work").split())) for it in items]
        return "parenthetical", items
    sm = _SIGLUM.match(s)
    if sm:
        locator = parse_locator(sm.group("loc")) if sm.group("loc") else None
        if sm.group("loc") and locator is None:
            return None
        loc, pages, _vol = locator if locator else (None, None, None)
        return "parenthetical", [
            CiteItem(authors=(sm.group("sig"),), year=None, locator=loc, pages=pages, prefix=prefix, volume=sm.group("vol"))
        ]
    return None


_COMMENT = re.compile(r"^(?:[a-z]|see\b|and\b)", re.IGNORECASE)


def _after_year(rest: str, comment_ok: bool = False, aside_ok: bool = False):
    """What follows the year of a citation: nothing, or a locator after "," or ":"; where
    `comment_ok`, a comment ("2014 on early Homo"); where `aside_ok`, an aside after ";"
    ("Gavazzi et al. (1996c; Paper I)"). Returns (acceptable, locator or None)."""
    rest = rest.strip()
    if not rest or (aside_ok and rest.startswith(";")):
        return True, None
    if rest[0] not in ",:":
        return comment_ok and (rest.rstrip(".") == "" or bool(_COMMENT.match(rest))), None
    body = rest[1:].strip()
    if not body:
        return comment_ok, None
    locator = _locator_with_comment(body)
    return locator is not None, locator


def _locator_with_comment(rest: str):
    """ "p. 243, emphasis added" -> the locator "p. 243"; a bare comment -> no locator."""
    loc = parse_locator(rest)
    if loc is not None:
        return loc
    for m in re.finditer(r"[,;]\s+|\s+(?=[a-z])", rest):
        head = rest[: m.start()]
        loc = parse_locator(head)
        if loc is not None:
            return loc
    if re.match(r"^[a-z]", rest):
        return ("", None, None)
    return None


def _ibid_item(authors, loc, prefix) -> CiteItem:
    locator, pages, volume = loc if loc else (None, None, None)
    return CiteItem(authors=authors or (), year=None, locator=locator, pages=pages, prefix=prefix, volume=volume)


def parse_parenthetical(content: str, known: KnownNames | None = None) -> tuple[str, list[CiteItem]] | None:
    """The items of "(A 1977; B 1978, p. 3)".

    Parts that are not citations ("Figure 1A; Smith 2010", "Austronesian; Woolford 2000")
    are passed over; a part of bare years, or of a year letter alone, belongs to the authors
    before it ("Cohen, 2010a; 2010b", "Sheehan 2013a; b"); ABNT lists authors in capitals
    with semicolons before one year ("CLARK; HOLQUIST, 2008, p. 259")."""
    parts = [p for p in content.split(";") if p.strip()]
    kinds: list[str] = []
    items: list[CiteItem] = []
    pending: list[str] = []
    for part in parts:
        parsed = _split_commas(part, known) or parse_item(part, known)
        if parsed is None and items and items[-1].authors:
            parsed = _years_only(part, items[-1])
        if parsed is None:
            authors = parse_authors(part.strip(), joined=_joined(known)) if len(part.split()) <= 4 else None
            if authors and "et al." not in authors and all(a.isupper() for a in authors):
                pending.extend(authors)
            else:
                pending = []
            continue
        if pending and parsed[0] == "parenthetical" and all(a.isupper() for it in parsed[1] for a in it.authors):
            parsed = parsed[0], [_with(it, authors=tuple(pending) + it.authors) for it in parsed[1]]
        pending = []
        kinds.append(parsed[0])
        items.extend(parsed[1])
    if not items:
        return None
    return ("ibid" if kinds == ["ibid"] else "parenthetical"), items


def _with(item: CiteItem, **changes) -> CiteItem:
    return dataclasses.replace(item, **changes)


def _joined(known: KnownNames | None) -> frozenset[str]:
    return known.joined if known is not None else frozenset()


_LETTER_ONLY = re.compile(r"^\s*([a-z])\s*(?P<rest>[,:].*)?$")


def _years_only(part: str, before: CiteItem) -> tuple[str, list[CiteItem]] | None:
    """A part of years only ("2004", "1999a: 72"), or a year letter alone ("b"), written for
    the authors of the item before it."""
    lm = _LETTER_ONLY.match(part)
    if lm and before.year and before.suffix:
        ok, locator = _after_year(lm.group("rest") or "")
        if not ok:
            return None
        loc, pages, volume = locator if locator else (None, None, None)
        return "parenthetical", [CiteItem(authors=before.authors, year=before.year, suffix=lm.group(1), locator=loc or None,
                                          pages=pages, volume=volume, original_year=before.original_year)]
    ym = _YEAR_ONLY.match(part.strip())
    if not ym:
        return None
    ok, locator = _after_year(ym.group("rest"))
    if not ok:
        return None
    orig = ym.group("orig") or ym.group("orig2")
    return "parenthetical", _items_for_years(before.authors, ym.group("years"), orig, locator, None)


_ITEM_JOIN = re.compile(r"(?:(?<=\d\d\d\d)|(?<=\d\d\d\d[a-z]))(?:\s*,\s*(?:and\s+|&\s*)?|\s+(?:and|&|et|e|y|und)\s+)(?=[^\W\d_])")


def _split_commas(part: str, known: KnownNames | None = None) -> tuple[str, list[CiteItem]] | None:
    """ "(Balibar 1977, Althusser 1978)", "(Haegeman 2006 and Haegeman & Ürögdi 2010)": works
    separated by commas or "and" instead of semicolons."""
    pieces = _ITEM_JOIN.split(part)
    if len(pieces) < 2:
        return None
    items: list[CiteItem] = []
    for piece in pieces:
        parsed = parse_item(piece, known)
        if parsed is None or parsed[0] != "parenthetical":
            return None
        items.extend(parsed[1])
    return "parenthetical", items


_PAREN = re.compile(r"[()]")


def find_parentheses(text: str) -> list[tuple[int, int]]:
    """(start, end) of every balanced parenthesis pair, end exclusive, in order of opening."""
    pairs = []
    stack: list[int] = []
    for m in _PAREN.finditer(text):
        i = m.start()
        if text[i] == "(":
            stack.append(i)
        elif stack:
            pairs.append((stack.pop(), i + 1))
    pairs.sort()
    return pairs


def find_citations(text: str, known: KnownNames | None = None) -> list[Found]:
    """Parenthetical and narrative author-date citations, sigla and ibid. in one segment;
    with the names and titles of a bibliography, also the citations they make recognisable
    outside parentheses ("as Brandt, 1975, argued", "Hartley's Principles of Syntax (1962)")."""
    hits = known.find(text) if known is not None else []
    ends = {h.end: h for h in hits if h.kind == "name"}
    titles = {h.end: h for h in hits if h.kind == "title"}
    found: list[Found] = []
    for start, end in find_parentheses(text):
        content = text[start + 1 : end - 1]
        if not content.strip() or len(content) > 400:
            continue
        if _CITING_BRACKET.search(content):  # "(e.g., proteins [Stewart et al., 2013] and DNA [...])"
            continue  # the brackets are the citations
        parsed = parse_parenthetical(content, known)
        if parsed is not None:
            kind, items = parsed
            found.append(Found(start, end, kind, tuple(items)))
            continue
        narrative = _titled(text, start, end, content, titles, ends) or _narrative(text, start, end, content, known, ends)
        if narrative is not None:
            found.append(narrative)
    cover = Cover(len(text))
    for f in found:
        cover.add(f.start, f.end)
    if _ANY_YEAR.search(text):  # every citation outside parentheses has its year
        found.extend(_bracketed(text, cover, known))
        found.extend(_bare(text, cover, known, ends))
        if hits:
            found.extend(_known_citations(text, cover, known, hits))
    found.extend(_bare_ibid(text, cover))
    found.sort(key=lambda f: (f.start, f.end))
    return found


_BRACKETS = re.compile(r"\[([^\[\]]{6,300})\]")
_ANY_YEAR = re.compile(rf"(?<!\d){YEAR}(?!\d)")
_CITING_BRACKET = re.compile(rf"\[[^\[\]]*[^\W\d_]{{2}}[^\[\]]*(?<!\d){YEAR}[^\[\]]*\]")


def _bracketed(text: str, cover: Cover, known: KnownNames | None = None) -> list[Found]:
    """Author-date citations in square brackets, as inside parentheses: "(DNA [Smith et al., 2006])",
    and narrative ones: "[Adapted from Etxepare (2003: 546)]" is found by its parenthesis."""
    out = []
    for m in _BRACKETS.finditer(text):
        if not re.search(YEAR, m.group(1)) or cover.inside(m.start()):
            continue
        parsed = parse_parenthetical(m.group(1), known)
        if parsed is not None and parsed[0] == "parenthetical" and all(it.year for it in parsed[1]):
            out.append(Found(m.start(), m.end(), "parenthetical", tuple(parsed[1])))
            cover.add(m.start(), m.end())
    return out


_BARE_ETAL = re.compile(rf"\bet\s+al\b\.?(?:['’]s)?,?\s+(?P<years>{YEAR}[a-z]?)(?![\d\-–/])")
#: Words after which an author and a year need no parentheses: "see Morrow, 1954: 260",
#: "cf. Altube 1929", "vgl. Weber 1922".
_STRONG_CUES = (
    r"see(?:\s+also)?|cf\.?|e\.\s?g\.,?|compare|citing|cited\s+in|quoted\s+in|apud|contra|pace|vgl\.|siehe|voir|"
    r"véase|veja|ver:?|cfr\.|conforme|segundo|según|selon"
)
_NAME = r"(?:[^\W\d_][\w’'\-]*\.?)"
_NAMES = rf"{_NAME}(?:\s+(?:{_NAME}|van|von|der|den|de|del|della|di|da|du|des|la|le|lo|i|e|y|dos|das))*"
_AUTHOR_LIST = rf"{_NAMES}(?:\s+et\s+al\.?|(?:\s*,\s*{_NAMES})*\s*(?:,\s*)?(?:and|&|et|e|y|und)\s+{_NAMES})?"
_BARE_YEARS = rf"{_ORIG}(?P<years>{_ONE_YEAR}(?:\s*[,;]\s*{_ONE_YEAR}(?![\d\-–]))*)"
_BARE_LOCATOR = r"(?P<loc>\s*[:,]\s*(?:pp?\.\s*|S\.\s*)?\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:,|and|&)\s*\d+(?:\s*[-–]\s*\d+)?)*(?:\s*ff?\.)?)?"
_BARE_CUED = re.compile(
    rf"\b(?:{_STRONG_CUES})\s+(?P<names>{_AUTHOR_LIST}),?\s+{_BARE_YEARS}{_BARE_LOCATOR}(?![\w\-–/])", re.IGNORECASE
)
#: ABNT writes authors in capitals, and a name in capitals followed by a comma and a year is a
#: citation wherever it stands: "Ver: CERAM, 1965, p. 193-194; e AUZEL, 1992, p. 75".
_CAPS = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’\-]{2,}"
_CAPS_NAMES = rf"{_CAPS}(?:\s+(?:{_CAPS}|DE|DA|DO|DOS|DAS|DEL|DI|VON|VAN|LE|LA))*"
_BARE_CAPS = re.compile(
    rf"(?<![\w(\[;])(?P<names>{_CAPS_NAMES}(?:\s*[;,/]\s*{_CAPS_NAMES})*|{_CAPS_NAMES}\s+et\s+al\.?),\s+{_BARE_YEARS}"
    rf"{_BARE_LOCATOR}(?![\w\-–/])"
)
#: A further author and year right after a citation: "see Makino 1970, Nakau 1973 and Josephs 1976".
_CHAINED = re.compile(rf"(?:\s*[,;]\s*(?:and\s+|&\s*)?|\s+(?:and|&|et|e|y|und)\s+)(?P<names>{_AUTHOR_LIST}),?\s+{_BARE_YEARS}"
                      rf"{_BARE_LOCATOR}(?![\w\-–/])")


def _bare_found(m: re.Match, known: KnownNames | None, names: str | None = None) -> Found | None:
    """The citation a match of the bare patterns (_BARE_CAPS, _BARE_CUED, _CHAINED) makes:
    its names (or `names` as cleaned by the caller), years, original year and locator."""
    authors = parse_authors(names or m.group("names"), whole=False, joined=_joined(known))
    if not authors:
        return None
    loc = m.group("loc")
    locator = parse_locator(re.sub(r"^\s*[:,]\s*", "", loc)) if loc else None
    years, orig = m.group("years"), m.group("orig") or m.group("orig2")
    return Found(m.start("names"), m.end(), "narrative", tuple(_items_for_years(authors, years, orig, locator, None)))


def _chain(text: str, f: Found, cover: Cover, known: KnownNames | None, out: list[Found]) -> None:
    """Further citations joined to a bare one: ", Nakau 1973 and Josephs 1976"."""
    pos = f.end
    while True:
        m = _CHAINED.match(text, pos)
        if not m or cover.covers(m.start("names")) or not is_name_word(m.group("names").split()[0]):
            return
        g = _bare_found(m, known)
        if g is None:
            return
        out.append(g)
        cover.add(g.start, g.end)
        pos = g.end


def _bare(text: str, cover: Cover, known: KnownNames | None = None, ends: dict | None = None) -> list[Found]:
    """Author-date outside brackets: "as shown in Akiyoshi et al., 2010", "see Williams 2018",
    "cf. Altube 1929; Azkue 1923–25 [1969]", "see Morrow, 1954: 260 and Ellis, 1954: 390"."""
    out: list[Found] = []
    for m in _BARE_ETAL.finditer(text):
        if cover.covers(m.start()):
            continue
        first = names_start(text, m.start(), known, ends)
        if first is None:
            continue
        authors = parse_authors(text[first : m.start()].strip() + " et al.", whole=False, joined=_joined(known))
        if authors:
            f = Found(first, m.end(), "narrative", tuple(_items_for_years(authors, m.group("years"), None, None, None)))
            out.append(f)
            cover.add(first, m.end())
    for m in _BARE_CAPS.finditer(text):
        if cover.covers(m.start("names")) or cover.covers(m.end() - 1):
            continue
        names = m.group("names")
        if len(names) < 4 and not (known is not None and known.knows(names)):
            continue  # "USA, 2001" is a place and a date unless the bibliography knows it
        f = _bare_found(m, known, names.replace(";", ","))
        if f is None:
            continue
        out.append(f)
        cover.add(f.start, f.end)
        _chain(text, f, cover, known, out)
    for m in _BARE_CUED.finditer(text):
        if cover.covers(m.start("names")) or not is_name_word(m.group("names").split()[0]):
            continue
        f = _bare_found(m, known)
        if f is None:
            continue
        out.append(f)
        cover.add(f.start, f.end)
        _chain(text, f, cover, known, out)
    return out


_AFTER_KNOWN = re.compile(
    rf"(?P<more>\s+et\s+al\.?|(?:\s*,\s*{_NAMES})*\s*(?:,\s*)?(?:and|&|et|e|y|und)\s+{_NAMES})?"
    rf"(?P<poss>['’]s?)?(?:\s*,\s*|\s+)(?:\({_YEARS.replace('?P<', '?P<p')}(?P<prest>[^()]*)\)|{_BARE_YEARS}{_BARE_LOCATOR}(?![\w\-–/]))"
)
_TITLE_WORD = r"(?:[A-Z\d][^\s()]*|of|the|and|in|on|a|an|for|to|de|la|le|les|des|du|di|del|della|und|der|die|das|y|e|et)"
_POSSESSIVE_TITLE = re.compile(
    rf"['’]s?\s+[*_“\"‘]?(?P<title>[A-Z\d][^\s()]*(?:\s+{_TITLE_WORD}){{0,12}}?)\s*(?:\((?P<pyears>{YEAR}[a-z]?)\)|,\s*(?P<years>{YEAR}[a-z]?))(?![\w\-–/])"
)
_AFTER_TITLE = re.compile(rf"[*_”\"’]?\s*(?:,\s*|\s+)\(?(?P<years>{YEAR}[a-z]?)\)?(?![\w\-–/])")


def _known_citations(text: str, cover: Cover, known: KnownNames, hits) -> list[Found]:
    """Citations the bibliography makes recognisable: a known name followed by its year
    ("as Brandt, 1975, argued", "from Labrousse 2018: 2296"), by a possessive and a title
    and its year ("Hartley's Principles of Syntax (1962)"); a known title followed by a
    year ("in her book Ordinary Acts, 1969"). The year is demanded: a name alone is not a
    citation."""
    out: list[Found] = []
    for h in hits:
        if cover.covers(h.start) or cover.covers(h.end - 1):
            continue
        if h.kind == "title":
            m = _AFTER_TITLE.match(text, h.end)
            if m:
                title = text[h.start : h.end]
                item = CiteItem(authors=(), year=m.group("years")[:4], suffix=m.group("years")[4:], title=title)
                out.append(Found(h.start, m.end(), "title", (item,)))
                cover.add(h.start, m.end())
            continue
        if not text[h.start].isupper() and not text[h.start : h.end].split()[0].lower() in ("van", "von", "de", "der", "del", "di", "la", "le", "da", "du", "des"):
            continue
        m = _AFTER_KNOWN.match(text, h.end)
        if m:
            names = text[h.start : m.start("poss") if m.group("poss") else (m.end("more") if m.group("more") else h.end)]
            authors = parse_authors(names, whole=True, joined=known.joined)
            if not authors:
                continue
            if m.group("pyears"):
                ok, locator = _after_year(m.group("prest"), aside_ok=True)
                if not ok:
                    continue
                items = _items_for_years(authors, m.group("pyears"), m.group("porig") or m.group("porig2"), locator, None)
            else:
                loc = m.group("loc")
                locator = parse_locator(re.sub(r"^\s*[:,]\s*", "", loc)) if loc else None
                items = _items_for_years(authors, m.group("years"), m.group("orig") or m.group("orig2"), locator, None)
            f = Found(h.start, m.end(), "narrative", tuple(items))
            out.append(f)
            cover.add(f.start, f.end)
            _chain(text, f, cover, known, out)
            continue
        m = _POSSESSIVE_TITLE.match(text, h.end)
        if m:
            year = m.group("pyears") or m.group("years")
            title = m.group("title").strip("*_”\"’ ")
            item = CiteItem(authors=(text[h.start : h.end],), year=year[:4], suffix=year[4:], title=title)
            out.append(Found(h.start, m.end(), "narrative", (item,)))
            cover.add(h.start, m.end())
    return out


_OWNER = re.compile(r"['’]s?\s*[*_“\"‘]?\s*$")


def _titled(text: str, start: int, end: int, content: str, titles: dict, ends: dict) -> Found | None:
    """A title the bibliography knows right before a year in parentheses: "The Selfish Gene
    (1976)", "Hartley's *Principles of Syntax* (1962)" (with its author)."""
    if not titles:
        return None
    stop = len(text[:start].rstrip(" *_”\"’"))
    h = titles.get(stop)
    ym = _YEAR_ONLY.match(content) if h is not None else None
    if ym is None:
        return None
    ok, locator = _after_year(ym.group("rest"), aside_ok=True)
    if not ok:
        return None
    first, authors = h.start, ()
    owner = _OWNER.search(text, max(0, h.start - 6), h.start)
    name = ends.get(owner.start()) if owner else None
    if name is not None:
        first, authors = name.start, (text[name.start : name.end],)
    items = [_with(it, authors=authors, title=text[h.start : h.end])
             for it in _items_for_years((), ym.group("years"), None, locator, None)]
    return Found(first, end, "narrative" if authors else "title", tuple(items))


#: An article before a capitalised phrase makes it a title, not an author: "The Selfish Gene (1976)".
_ARTICLES = frozenset("The A An Le La Les L’ Il Lo Gli I Der Die Das El Los Las O Os As Un Una Une".split())


def _narrative(text: str, start: int, end: int, content: str, known: KnownNames | None = None,
               ends: dict | None = None) -> Found | None:
    """ "Lo Iacono (2015)", "Smith and Jones (2010, p. 3)", "Smith et al.’s (2001)",
    "Kuroda’s (1975/76)", "Hengl e Gould (2002)", "the University of Wisconsin-Madison (2024)"."""
    ym = _YEAR_ONLY.match(content)
    if not ym:
        return None
    ok, locator = _after_year(ym.group("rest"), aside_ok=True)
    if not ok:
        return None
    names_at = names_start(text, start, known, ends)
    if names_at is None:
        return None
    author_text = text[names_at:start].strip()
    author_text = re.sub(r"['’]s?$", "", author_text).strip()
    whole = ends is not None and any(h.start == names_at for h in ends.values())
    authors = parse_authors(author_text, whole=whole, joined=_joined(known))
    if not authors:
        return None
    orig = ym.group("orig") or ym.group("orig2")
    items = _items_for_years(authors, ym.group("years"), orig, locator, None)
    if ym.group("work"):
        items = [_with(it, volume=" ".join(ym.group("work").split())) for it in items]
    before = text[max(0, names_at - 5) : names_at].split()
    if before and before[-1] in _ARTICLES and len(author_text.split()) >= 2:
        items = [_with(it, title=f"{before[-1]} {author_text}") for it in items]
    return Found(names_at, end, "narrative", tuple(items))


_TOKEN = re.compile(r"\S+")
#: Joining words of a body's name: "University of Wisconsin-Madison", "Università degli Studi di Padova".
_CORPORATE_JOIN = frozenset("of for de di del della degli delle des du für und and the".split())


def names_start(text: str, end: int, known: KnownNames | None = None, ends: dict | None = None) -> int | None:
    """Start of the author names that end right before `end` (a narrative citation's
    parenthesis, a year): surnames with particles and initials, joined by "and", "&", "et",
    "e", "y", "und" or commas; "et al."; an elided article dropped ("l’ICMJE"); a body's
    name ("University of Wisconsin-Madison"); a name the bibliography knows, whole."""
    window_start = max(0, end - 200)
    tokens = [(m.start() + window_start, m.group()) for m in _TOKEN.finditer(text[window_start:end])]
    if not tokens:
        return None
    if text[tokens[-1][0] + len(tokens[-1][1]) : end].strip():
        return None
    i = len(tokens) - 1

    def bare(word: str) -> str:
        return re.sub(r"(?:['’]s|['’])$", "", ELISION.sub("", word)).rstrip(",")

    def start_of(k: int) -> int:
        pos, word = tokens[k]
        m = ELISION.match(word)
        return pos + (m.end() if m else 0)

    # "et al." closes the list: Smith et al. (2010)
    if tokens[i][1] in ("al.", "al", "al.’s", "al.'s", "al.,") and i >= 1 and tokens[i - 1][1] == "et":
        i -= 2
    if i < 0 or not is_name_word(bare(tokens[i][1])) or tokens[i][1].endswith((",", ".")) and not is_initials(tokens[i][1]):
        return None
    if ends:  # a name the bibliography knows, ending here: all of it ("Moscoso del Prado Martín")
        stop = tokens[i][0] + len(bare(tokens[i][1])) + (len(tokens[i][1]) - len(ELISION.sub("", tokens[i][1])))
        h = ends.get(stop)
        if h is not None and h.start < tokens[i][0] + len(tokens[i][1]):
            k = i
            while k > 0 and tokens[k][0] > h.start:
                k -= 1
            i = k
            if tokens[i][0] <= h.start:
                first = h.start
                j = i - 1
                return _more_authors(tokens, j, first, known, ends)
    first = start_of(i)
    j = i - 1
    while j >= 0 and is_particle(tokens[j][1]) and tokens[j][1] not in CONNECTORS:
        first = tokens[j][0]
        j -= 1
    while j >= 0 and is_initials(tokens[j][1]):
        first = tokens[j][0]
        j -= 1
    # a body's name: capitalised words joined by "of", "di", "degli" …
    k = j
    body_first = None
    while k >= 1 and tokens[k][1].lower() in _CORPORATE_JOIN and is_name_word(bare(tokens[k - 1][1])) \
            and not tokens[k - 1][1].endswith((",", ".", ";", ":")):
        k -= 1
        while k >= 1 and is_name_word(bare(tokens[k - 1][1])) and not tokens[k - 1][1].endswith((",", ".", ";", ":")) \
                and tokens[k - 1][1] not in _ARTICLES:
            k -= 1
        body_first, j = start_of(k), k - 1
    if body_first is not None:
        return body_first
    return _more_authors(tokens, j, first, known, ends)


def _more_authors(tokens, j: int, first: int, known, ends) -> int:
    """Walk back over further authors joined to the list: "Balibar and", "Smith, Jones and"."""
    while True:
        if j >= 1 and tokens[j][1] in CONNECTORS and is_name_word(tokens[j - 1][1].rstrip(",")):
            i = j - 1
        elif j >= 0 and tokens[j][1].endswith(",") and is_name_word(tokens[j][1][:-1]) and _list_follows(tokens, j):
            i = j
        else:
            return first
        first = tokens[i][0]
        j = i - 1
        while j >= 0 and is_particle(tokens[j][1]):
            first = tokens[j][0]
            j -= 1
        while j >= 0 and is_initials(tokens[j][1]):
            first = tokens[j][0]
            j -= 1


def _list_follows(tokens, j) -> bool:
    """A comma-joined name is part of the list only if a joining word closes the list later."""
    return any(t in CONNECTORS for _p, t in tokens[j + 1 :])


_NOTE_IBID = re.compile(r"\b(?P<w>[Ii]bid(?:em)?\.?)(?:,?\s*(?P<loc>(?:pp?\.\s*)?\d+(?:\s*[-–]\s*\d+)?))?")


def _bare_ibid(text: str, cover: Cover) -> list[Found]:
    """ibid. outside parentheses, as notes write it: "Ibid., p. 45."."""
    out = []
    for m in _NOTE_IBID.finditer(text):
        if cover.covers(m.start()):
            continue
        loc = parse_locator(m.group("loc")) if m.group("loc") else None
        end = m.end()
        out.append(Found(m.start(), end, "ibid", (_ibid_item(None, loc, None),)))
    return out


_TITLE_SMALL = frozenset("a an and as at by de des du for from in into la le les of on or the to with".split())


def looks_like_title(content: str) -> bool:
    """ "The 18th Brumaire of Louis Bonaparte": mostly capitalised words, no year, not a name list."""
    words = content.split()
    if len(words) < 2 or len(words) > 20 or re.search(YEAR, content):
        return False
    if not words[0][0].isupper():
        return False
    significant = [w for w in words if w.lower() not in _TITLE_SMALL]
    capitalised = [w for w in significant if w[0].isupper() or w[0].isdigit()]
    return len(capitalised) >= 0.75 * len(significant) and len(significant) >= 2
