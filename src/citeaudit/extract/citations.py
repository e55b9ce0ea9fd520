"""The author-date grammar: parenthetical and narrative citations, ibid./op. cit., sigla and locators.

Everything here works on one normalised segment (a paragraph or a note) and returns
normalised offsets; the caller maps them back to the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..locators import YEAR, parse_locator
from ..model import CiteItem
from ..text import Cover
from .names import is_initials, is_name_word, is_particle, parse_authors

_AFTER_ORIG = rf"(?:\s*\[{YEAR}(?:\s*[-–]\s*{YEAR})?\])?"
_ONE_YEAR = rf"(?:{YEAR}[a-z]?(?:\s*,\s*[a-z](?![\w.]))*{_AFTER_ORIG}|n\.\s?d\.|forthcoming|in press|in prep\.?|in preparation)"
_ORIG = rf"(?:\[(?P<orig>{YEAR})\]\s*|(?P<orig2>{YEAR})\s*/\s*(?={YEAR}))?"
_YEARS = rf"{_ORIG}(?P<years>{_ONE_YEAR}(?:\s*[,;]\s*{_ONE_YEAR}(?![\d\-–]))*)"
_YEAR_SPLIT = re.compile(
    rf"{YEAR}[a-z]?(?:\s*,\s*[a-z](?![\w.]))*(?:\s*\[(?P<after>{YEAR})[^\]]*\])?|n\.\s?d\.|forthcoming|in press|in prep\.?|in preparation"
)

_PREFIX = re.compile(
    r"^(?P<prefix>see\s+also|see,?\s+e\.\s?g\.,?|see|cf\.?,?|compare|e\.\s?g\.,?|also|contra|but\s+see|"
    r"quoted\s+in|cited\s+in|apud|reviewed\s+in|reviewed\s+by)\s+",
    re.IGNORECASE,
)
_SECONDARY = re.compile(r"^(?P<prefix>.+?\s(?:apud|cited\s+in|quoted\s+in|cit\.\s+in))\s+(?=\S)", re.IGNORECASE)
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
_AUTHOR_YEAR = re.compile(rf"^(?P<auth>[^\d()\[\]]+?)(?:,\s*|\s+){_YEARS}(?P<rest>.*)$")
_SIGLUM = re.compile(r"^(?P<sig>[A-Z][A-Z&]{1,7})\s+(?P<vol>\d{1,3})(?:\s*[,:]\s*(?P<loc>.+))?$")
_YEAR_ONLY = re.compile(rf"^\s*{_YEARS}(?P<rest>[^()]*)$")

@dataclass(frozen=True, slots=True)
class Found:
    """A citation found in a segment, with offsets into the segment's normalised text."""

    start: int
    end: int
    kind: str
    items: tuple[CiteItem, ...]


def _items_for_years(authors, years_text, orig, locator, prefix) -> list[CiteItem]:
    loc = pages = volume = None
    if locator:
        loc, pages, volume = locator
        loc = loc or None
    out = []
    for ym in _YEAR_SPLIT.finditer(years_text):
        token = ym.group()
        original = orig
        if token[:4].isdigit():
            year = token[:4]
            head = token.split("[")[0]
            suffixes = re.findall(r"[a-z]", head[4:]) or [""]
            original = ym.group("after") or orig  # "1988 [1975]": the year in brackets is the original
        else:
            year, suffixes = ("n.d." if token.startswith("n") else " ".join(token.rstrip(".").split())), [""]
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


def parse_item(text: str) -> tuple[str, list[CiteItem]] | None:
    """One item of a parenthetical citation: ("parenthetical"|"ibid", items) or None.

    A leading phrase ("see", "reviewed in", "cf., entre outros,", "Bailey cited in")
    is kept as the item's prefix."""
    s = " ".join(text.split()).strip().rstrip(",")
    if not s:
        return None
    prefix = None
    pm = _PREFIX.match(s) or _SECONDARY.match(s)
    if pm:
        prefix = " ".join(pm.group("prefix").split()).lower()
        s = s[pm.end() :]
    parsed = _parse_bare_item(s, prefix)
    words: list[str] = []
    rest = s
    while parsed is None and len(words) < 6:
        lm = _LOWER_WORD.match(rest)
        if not lm or lm.group("w").lower().rstrip(",:") not in _LEAD_WORDS and lm.group("w").lower() not in _LEAD_WORDS:
            break
        words.append(lm.group("w"))
        rest = rest[lm.end() :]
        pre = " ".join(([prefix] if prefix else []) + words)
        parsed = _parse_bare_item(rest, pre)
    return parsed


def _parse_bare_item(s: str, prefix: str | None) -> tuple[str, list[CiteItem]] | None:
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
        authors = parse_authors(om.group("auth"))
        loc = parse_locator(om.group("loc")) if om.group("loc") else None
        if authors and (not om.group("loc") or loc):
            return "ibid", [_ibid_item(authors, loc, prefix)]
        return None
    am = _AUTHOR_YEAR.match(s)
    if am:
        authors = parse_authors(am.group("auth"))
        if not authors:
            return None
        ok, locator = _after_year(am.group("rest"), comment_ok=True)
        if not ok:
            return None
        orig = am.group("orig") or am.group("orig2")
        return "parenthetical", _items_for_years(authors, am.group("years"), orig, locator, prefix)
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


def parse_parenthetical(content: str) -> tuple[str, list[CiteItem]] | None:
    """The items of "(A 1977; B 1978, p. 3)".

    Parts that are not citations ("Figure 1A; Smith 2010") are passed over; a part of
    bare years inherits the authors before it ("Cohen, 2010a; 2010b"); ABNT lists
    authors with semicolons before one year ("CLARK; HOLQUIST, 2008, p. 259")."""
    parts = [p for p in content.split(";") if p.strip()]
    kinds: list[str] = []
    items: list[CiteItem] = []
    pending: list[str] = []
    for part in parts:
        parsed = parse_item(part) or _split_commas(part)
        if parsed is None and items and items[-1].authors:
            parsed = _years_only(part, items[-1].authors)
        if parsed is None:
            authors = parse_authors(part.strip()) if len(part.split()) <= 4 else None
            if authors and "et al." not in authors:
                pending.extend(authors)
            else:
                pending = []
            continue
        if pending and parsed[0] == "parenthetical":
            parsed = parsed[0], [_with_authors(it, tuple(pending) + it.authors) for it in parsed[1]]
        pending = []
        kinds.append(parsed[0])
        items.extend(parsed[1])
    if not items:
        return None
    return ("ibid" if kinds == ["ibid"] else "parenthetical"), items


def _with_authors(item: CiteItem, authors: tuple[str, ...]) -> CiteItem:
    return CiteItem(
        authors=authors, year=item.year, suffix=item.suffix, locator=item.locator, pages=item.pages,
        prefix=item.prefix, title=item.title, volume=item.volume, original_year=item.original_year,
    )


def _years_only(part: str, authors: tuple[str, ...]) -> tuple[str, list[CiteItem]] | None:
    ym = _YEAR_ONLY.match(part.strip())
    if not ym:
        return None
    ok, locator = _after_year(ym.group("rest"))
    if not ok:
        return None
    orig = ym.group("orig") or ym.group("orig2")
    return "parenthetical", _items_for_years(authors, ym.group("years"), orig, locator, None)


def _split_commas(part: str) -> tuple[str, list[CiteItem]] | None:
    """ "(Balibar 1977, Althusser 1978)": works separated by commas instead of semicolons."""
    pieces = re.split(r"(?:(?<=\d\d\d\d)|(?<=\d\d\d\d[a-z]))\s*,\s*(?=[^\W\d_])", part)
    if len(pieces) < 2:
        return None
    items: list[CiteItem] = []
    for piece in pieces:
        parsed = parse_item(piece)
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


def find_citations(text: str) -> list[Found]:
    """Parenthetical and narrative author-date citations, sigla and ibid. in one segment."""
    found: list[Found] = []
    for start, end in find_parentheses(text):
        content = text[start + 1 : end - 1]
        if not content.strip() or len(content) > 400:
            continue
        parsed = parse_parenthetical(content)
        if parsed is not None:
            kind, items = parsed
            found.append(Found(start, end, kind, tuple(items)))
            continue
        narrative = _narrative(text, start, end, content)
        if narrative is not None:
            found.append(narrative)
    cover = Cover(len(text))
    for f in found:
        cover.add(f.start, f.end)
    found.extend(_bracketed(text, cover))
    found.extend(_bare(text, cover))
    found.extend(_bare_ibid(text, cover))
    found.sort(key=lambda f: (f.start, f.end))
    return found


_BRACKETS = re.compile(r"\[([^\[\]]{6,300})\]")


def _bracketed(text: str, cover: Cover) -> list[Found]:
    """Author-date citations in square brackets, as inside parentheses: "(DNA [Smith et al., 2006])"."""
    out = []
    for m in _BRACKETS.finditer(text):
        if not re.search(YEAR, m.group(1)) or cover.inside(m.start()):
            continue
        parsed = parse_parenthetical(m.group(1))
        if parsed is not None and parsed[0] == "parenthetical" and all(it.year for it in parsed[1]):
            out.append(Found(m.start(), m.end(), "parenthetical", tuple(parsed[1])))
            cover.add(m.start(), m.end())
    return out


_BARE_ETAL = re.compile(rf"\bet\s+al\b\.?(?:['’]s)?,?\s+(?P<years>{YEAR}[a-z]?)(?![\d\-–/])")
_BARE_SEE = re.compile(
    rf"\b(?:see|cf\.|e\.g\.,?)\s+(?P<name>[^\W\d_][\w’'\-]+),?\s+(?P<years>{YEAR}[a-z]?)(?![\d\-–/])"
)


def _bare(text: str, cover: Cover) -> list[Found]:
    """Author-date outside brackets: "as shown in Akiyoshi et al., 2010", "see Williams 2018"."""
    out: list[Found] = []
    for m in _BARE_ETAL.finditer(text):
        if cover.covers(m.start()):
            continue
        first = _names_before(text, m.start())
        if first is None:
            continue
        authors = parse_authors(text[first : m.start()].strip() + " et al.")
        if authors:
            out.append(Found(first, m.end(), "narrative", tuple(_items_for_years(authors, m.group("years"), None, None, None))))
            cover.add(first, m.end())
    for m in _BARE_SEE.finditer(text):
        if cover.covers(m.start("name")):
            continue
        authors = parse_authors(m.group("name"))
        if authors:
            out.append(
                Found(m.start("name"), m.end(), "narrative", tuple(_items_for_years(authors, m.group("years"), None, None, None)))
            )
            cover.add(m.start("name"), m.end())
    return out


def _narrative(text: str, start: int, end: int, content: str) -> Found | None:
    """ "Lo Iacono (2015)", "Smith and Jones (2010, p. 3)", "Smith et al.’s (2001)"."""
    ym = _YEAR_ONLY.match(content)
    if not ym:
        return None
    ok, locator = _after_year(ym.group("rest"), aside_ok=True)
    if not ok:
        return None
    names_start = _names_before(text, start)
    if names_start is None:
        return None
    author_text = text[names_start:start].strip()
    author_text = re.sub(r"['’]s?$", "", author_text).strip()
    authors = parse_authors(author_text)
    if not authors:
        return None
    orig = ym.group("orig") or ym.group("orig2")
    items = _items_for_years(authors, ym.group("years"), orig, locator, None)
    return Found(names_start, end, "narrative", tuple(items))


_TOKEN = re.compile(r"\S+")


def _names_before(text: str, paren: int) -> int | None:
    """Start of the author names that end right before a narrative citation's parenthesis."""
    window_start = max(0, paren - 160)
    tokens = [(m.start() + window_start, m.group()) for m in _TOKEN.finditer(text[window_start:paren])]
    if not tokens:
        return None
    if text[tokens[-1][0] + len(tokens[-1][1]) : paren].strip():
        return None
    i = len(tokens) - 1

    def bare(word: str) -> str:
        return re.sub(r"(?:['’]s|['’])$", "", word).rstrip(",")

    first = None
    # "et al." closes the list: Smith et al. (2010)
    if tokens[i][1] in ("al.", "al", "al.’s", "al.'s", "al.,") and i >= 1 and tokens[i - 1][1] == "et":
        i -= 2
    if i < 0 or not is_name_word(bare(tokens[i][1])) or tokens[i][1].endswith((",", ".")) and not is_initials(tokens[i][1]):
        return None
    while True:
        # the surname with its particles
        first = tokens[i][0]
        j = i - 1
        while j >= 0 and is_particle(tokens[j][1]):
            first = tokens[j][0]
            j -= 1
        while j >= 0 and is_initials(tokens[j][1]):
            first = tokens[j][0]
            j -= 1
        # another author joined by "and", "&" or a comma
        if j >= 1 and tokens[j][1] in ("and", "&") and is_name_word(tokens[j - 1][1].rstrip(",")):
            i = j - 1
            continue
        if j >= 0 and tokens[j][1].endswith(",") and is_name_word(tokens[j][1][:-1]) and _list_follows(tokens, j):
            i = j
            continue
        break
    return first


def _list_follows(tokens, j) -> bool:
    """A comma-joined name is part of the list only if an 'and'/'&' closes the list later."""
    return any(t in ("and", "&") for _p, t in tokens[j + 1 :])


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
