"""Note markers in the body ("socialist’.1", "p. 178)2", "[3]", "²") and their pairing with note texts."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹][⁰¹²³⁴⁵⁶⁷⁸⁹]*")
_SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_BRACKET = re.compile(r"\[(\d{1,3})\]")
_GLUED = re.compile(r"(?<=[.,;:!?)\]’”\"'])([1-9]\d{0,2})(?=[\s.,;:)\]]|$)")
_CLOSERS = set(")]’”\"'")
_PUNCT = set(".,;:!?")


@dataclass(frozen=True, slots=True)
class Marker:
    start: int  # offsets in the segment's normalised text
    end: int
    number: int
    style: str  # "bracket" | "glued" | "superscript"


def find_markers(text: str) -> list[Marker]:
    """Candidate note markers in one body segment, in order."""
    out: list[Marker] = []
    for m in _BRACKET.finditer(text):
        out.append(Marker(m.start(), m.end(), int(m.group(1)), "bracket"))
    for m in _SUPERSCRIPT.finditer(text):
        out.append(Marker(m.start(), m.end(), int(m.group().translate(_SUP_DIGITS)), "superscript"))
    for m in _GLUED.finditer(text):
        before = text[m.start() - 1]
        before2 = text[m.start() - 2] if m.start() >= 2 else " "
        if before in _PUNCT and not (before2.isalpha() or before2 in _CLOSERS):
            continue  # "3.5", ". 2"
        if before in _CLOSERS and before2.isspace():
            continue
        out.append(Marker(m.start(), m.end(), int(m.group(1)), "glued"))
    out.sort(key=lambda mk: mk.start)
    return out


def select_markers(candidates: list[Marker], note_numbers: list[int], note_styles: set[str]) -> list[Marker]:
    """Keep the candidates that read as a note sequence: 1, 2, 3 ... or the numbers of real notes.

    Bracketed markers are used with bracketed endnotes; glued digits and superscripts
    with footnotes and numbered endnotes.
    """
    wanted = {"bracket"} if note_styles == {"bracket"} else {"glued", "superscript"}
    if not note_styles:
        wanted = {"bracket", "glued", "superscript"}
    kept = _sequence(candidates, set(note_numbers), wanted)
    if not kept and note_numbers:  # the notes are "[1] ..." but the markers glued digits, or the reverse
        kept = _sequence(candidates, set(note_numbers), {"bracket", "glued", "superscript"})
    return kept


def _sequence(candidates: list[Marker], noted: set[int], wanted: set[str]) -> list[Marker]:
    """Markers of the wanted styles that run 1, 2, 3 … or skip to the number of a real note, so
    that a marker whose note is missing is kept when its neighbours' notes are missing too."""
    kept: list[Marker] = []
    last = 0
    for mk in candidates:
        if mk.style not in wanted:
            continue
        if mk.number == last + 1 or (mk.number in noted and mk.number > last):
            kept.append(mk)
            last = mk.number
    return kept
