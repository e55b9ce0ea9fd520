"""Quotation marks paired into quotations, with scare quotes and apostrophes told apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A quotation has at least this many words; shorter quoted phrases are scare quotes.
MIN_WORDS = 5

_WORDS = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_OPEN_BEFORE = set(" \t([{—–-/\u00a0") | {"“", "‘", '"', "«", "'", "["}

_MARKS = re.compile("[‘’“”\"«»]")


@dataclass(frozen=True, slots=True)
class QuotePair:
    """A matched pair of quotation marks: offsets of the opening and closing marks."""

    open: int
    close: int  # offset of the closing mark itself

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


@dataclass(frozen=True, slots=True)
class QuoteScan:
    pairs: list[QuotePair]
    unbalanced: list[tuple[int, bool]]  # (offset, is an opening mark) of marks with no partner


def _marks_for(style: str) -> set[str]:
    if style == '"':
        return {'"', "“", "«"}
    if style == "«":
        return {"«", "“", "‘"}
    return {"‘", "“", '"', "«"}


def scan(text: str, style: str, citations: tuple[int, ...] = ()) -> QuoteScan:
    """Pair the quotation marks of one segment.

    ``style`` is the document's outer quotation mark (‘, “ or "). Curly closing single
    quotes double as apostrophes, so "workers’ movement" is read as an apostrophe
    unless no other mark could close the open quotation — and, where a citation follows
    (``citations``: where citations start), it stays an apostrophe: "‘the workers’ movement
    is dead (Smith 2001)" is a quotation left open before its citation, not the scare quote
    ‘the workers’.
    """
    openers = _marks_for(style)
    events: list[tuple[int, str, str]] = []  # (offset, "open"|"close"|"maybe", family)
    n = len(text)
    for m in _MARKS.finditer(text):
        i = m.start()
        ch = text[i]
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if ch in ("‘", "“", "«") and ch in openers:
            if prev in _OPEN_BEFORE or not prev.isalnum():
                events.append((i, "open", ch))
        elif ch == "”" and "“" in openers:
            events.append((i, "close", "“"))
        elif ch == "»" and "«" in openers:
            events.append((i, "close", "«"))
        elif ch == "’" and "‘" in openers:
            if prev.isalnum() and nxt.isalnum():
                continue  # apostrophe: Althusser’s, it’d
            if prev in " \t":
                continue
            if prev in "sS" and nxt == " ":
                events.append((i, "maybe", "‘"))  # workers’ movement, or the end of a quotation
            else:
                events.append((i, "close", "‘"))
        elif ch == '"' and '"' in openers:
            if (prev in _OPEN_BEFORE or i == 0) and not nxt.isspace():
                events.append((i, "open", '"'))
            elif not prev.isspace():
                events.append((i, "close", '"'))
    pairs: list[QuotePair] = []
    unbalanced: list[tuple[int, bool]] = []
    stack: list[tuple[int, str]] = []
    for k, (pos, role, family) in enumerate(events):
        if role == "open":
            if family == '"' and stack and stack[-1][1] == '"':
                # a straight quotation mark after an open one closes it
                start, _ = stack.pop()
                pairs.append(QuotePair(start, pos))
                continue
            stack.append((pos, family))
            continue
        depth = _find_open(stack, family)
        if role == "maybe":
            if depth is None or _later_closer(events, k, family):
                continue
            if (depth == 0 and _possessive(text, pos) and _cited_in_sentence(text, pos, citations)
                    and not _parenthesis_closes(text, stack[0][0], pos, citations)):
                continue  # a nested ‘scare quote’ closes; an outer quotation stays open to its citation
        if depth is None:
            if role == "close":
                unbalanced.append((pos, False))
            continue
        while len(stack) - 1 > depth:
            unbalanced.append((stack.pop()[0], True))
        start, _ = stack.pop()
        pairs.append(QuotePair(start, pos))
    unbalanced.extend((pos, True) for pos, _fam in stack)
    pairs.sort(key=lambda p: p.open)
    unbalanced.sort()
    return QuoteScan(pairs, unbalanced)


#: Words that follow a closing quotation mark but never a possessive: ‘in the interstices’ of.
_NOT_AFTER_POSSESSIVE = frozenset(
    "of in on at to for from with by into as and or but nor than that which who whom is are was were be been "
    "the a an this these those it its they he she we".split()
)


def _possessive(text: str, pos: int) -> bool:
    """ "workers’ movement": the mark is followed by a space and a lower-case word that a
    possessive can stand before (a noun or adjective, not "of" or "and")."""
    if text[pos + 1 : pos + 2] != " " or not text[pos + 2 : pos + 3].islower():
        return False
    m = re.match(r"[^\W\d_]+", text[pos + 2 : pos + 30])
    return not (m and m.group().casefold() in _NOT_AFTER_POSSESSIVE)


def _parenthesis_closes(text: str, opened: int, pos: int, citations: tuple[int, ...]) -> bool:
    """The quotation opened inside a parenthesis that closes before the citation: it ends
    within it."""
    later = [c for c in citations if c > pos]
    depth = text.count("(", 0, opened) - text.count(")", 0, opened)
    if depth <= 0 or not later:
        return False
    between = text[pos:min(later)]
    return between.count(")") > between.count("(")


_SENTENCE_END = re.compile(r"[.!?…][’”\"']?\s+[A-Z‘“\"(\[]")


def _cited_in_sentence(text: str, pos: int, citations: tuple[int, ...]) -> bool:
    """A citation follows in the same sentence."""
    later = [c for c in citations if c > pos]
    return bool(later) and not _SENTENCE_END.search(text, pos, min(later))


def _find_open(stack: list[tuple[int, str]], family: str) -> int | None:
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][1] == family:
            return depth
    return None


def _later_closer(events, k, family) -> bool:
    """True when a sure closing mark of the family comes before the next opening one."""
    for pos, role, fam in events[k + 1 :]:
        if fam != family:
            continue
        if role == "open":
            return False
        if role == "close":
            return True
    return False


def top_level(pairs: list[QuotePair]) -> list[QuotePair]:
    """Pairs not inside another pair."""
    out: list[QuotePair] = []
    for p in pairs:
        if out and out[-1].open < p.open and p.close < out[-1].close:
            continue
        out.append(p)
    return out


def word_count(text: str) -> int:
    return len(_WORDS.findall(text))


def is_quotation(text: str) -> bool:
    """Five words or more: a quotation of a source rather than a scare quote."""
    return word_count(text) >= MIN_WORDS
