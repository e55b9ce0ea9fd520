"""Reference strings written out in full, as notes and editorial introductions give them.

  See: Bruno Astarian, “Le mouvement des piqueteros”, in Echanges et Mouvement, May 2007, especially pages 37 and 52.
  Tronti's Operai e Capitale ("Workers and Capital"), Einaudi, Turin, 1966, pp. 234-252.
  the CSE pamphlet No.1: The Labour Process and Class Strategies, 1976, ISBN 85035 025 5.
"""

from __future__ import annotations

import re

from ..locators import YEAR, parse_locator
from ..model import CiteItem
from .citations import Found
from .names import surname

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.|Spring|Summer|Autumn|Fall|Winter)"
_LOC = r"(?:(?:especially|esp\.)\s+)?(?:pages?|pp?\.)\s*\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:,|and|&)\s*\d+(?:\s*[-–]\s*\d+)?)*"
_NAME = r"[A-Z][\w’'\-]+"
_QUOTED_TITLE = r"(?:“[^”]{2,200}”|\"[^\"]{2,200}\"|‘[^’]{2,200}’)"

# Given-name Surname, “Title”, in Container, [Month] Year[, pages ...]
_PERSON_TITLE = re.compile(
    rf"(?P<name>(?:{_NAME}\.?\s+){{1,3}}{_NAME}),\s+(?P<title>{_QUOTED_TITLE}),?\s+"
    rf"(?:in\s+(?P<container>[^,]{{2,120}}),\s+)?(?:{_MONTH}\s+)?(?P<year>{YEAR})"
    rf"(?:,\s*(?P<loc>{_LOC}))?"
)
# Surname's Title ("Translation"), Publisher, Place, Year[, pp. ...]
_POSSESSIVE = re.compile(
    rf"(?P<sur>{_NAME})['’]s\s+(?P<title>[A-Z][^,()“”\"]{{2,120}}?)\s*(?:\((?P<trans>[^()]{{2,120}})\))?,\s+"
    rf"(?P<publisher>[A-Z][\w&.\- ]{{1,60}}),\s+(?P<place>[A-Z][\w.\- ]{{1,40}}),\s+(?P<year>{YEAR})"
    rf"(?:,\s*(?P<loc>{_LOC}))?"
)
# ORG pamphlet|report No.1: Title, Year[, ISBN ...]
_CORPORATE = re.compile(
    rf"(?P<org>[A-Z][A-Z&]{{1,9}})\s+(?:pamphlet|report|bulletin|working paper|occasional paper|series)\s+"
    rf"(?:No\.?\s*\d+\s*:?\s*)?(?P<title>[A-Z][^,]{{2,150}}),\s+(?P<year>{YEAR})"
    rf"(?:,\s*(?P<loc>{_LOC}))?"
)


def find_references(text: str) -> list[Found]:
    """Full reference strings in one segment, as note-reference citations."""
    out: list[Found] = []
    for m in _PERSON_TITLE.finditer(text):
        name = surname(m.group("name").split())
        if name:
            out.append(_found(m, (name,), _strip_quotes(m.group("title"))))
    for m in _POSSESSIVE.finditer(text):
        name = surname([m.group("sur")])
        if name:
            out.append(_found(m, (name,), m.group("title").strip()))
    for m in _CORPORATE.finditer(text):
        out.append(_found(m, (m.group("org"),), m.group("title").strip()))
    out.sort(key=lambda f: (f.start, f.end))
    return out


def _strip_quotes(title: str) -> str:
    return title[1:-1].strip(" ,")


def _found(m: re.Match[str], authors: tuple[str, ...], title: str) -> Found:
    locator = pages = None
    if m.group("loc"):
        parsed = parse_locator(re.sub(r"^(?:especially|esp\.)\s+", "", m.group("loc")))
        if parsed:
            locator, pages, _vol = parsed
    item = CiteItem(authors=authors, year=m.group("year"), locator=locator, pages=pages, title=title)
    return Found(m.start(), m.end(), "note-reference", (item,))
