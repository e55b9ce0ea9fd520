"""Suppressions written in the manuscript itself, each with a reason:

    % citeaudit: ignore unresolved-citation reason="forthcoming"          (plain text, LaTeX)
    <!-- citeaudit: ignore unattributed-quotation reason="a slogan" -->    (Markdown, HTML)

`ignore` covers the paragraph that follows the comment; `ignore-file` the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A suppression comment: a line of its own (multi-line, so that a whole text is scanned
#: for them line by line in one pass).
DIRECTIVE = re.compile(
    r"^[ \t]*(?:%|<!--|#|//)[ \t]*citeaudit:[ \t]*(?P<verb>ignore-file|ignore)\b(?P<rest>.*?)(?:-->)?[ \t]*$", re.M
)
_REASON = re.compile(r'\breason\s*=\s*"(?P<reason>[^"]*)"')


@dataclass(frozen=True, slots=True)
class Suppression:
    path: str
    line: int
    rules: tuple[str, ...]  # empty: every rule
    reason: str | None
    scope: tuple[int, int] | None  # lines covered; None: the whole file
    used: int = 0  # findings it left out, counted when the rules have run
    unknown: tuple[str, ...] = field(default=())


def is_directive(line: str) -> bool:
    return bool(DIRECTIVE.match(line))


def parse_suppressions(path: str, text: str, paragraphs: list[tuple[int, int]], known: set[str]) -> list[Suppression]:
    """Every suppression comment of a manuscript with the lines it covers.

    `paragraphs` are (first line, last line) of the manuscript's paragraphs and notes."""
    out = []
    if "citeaudit:" not in text:
        return out
    number, counted = 1, 0
    for m in DIRECTIVE.finditer(text):
        number += text.count("\n", counted, m.start())
        counted = m.start()
        rest = m.group("rest")
        rm = _REASON.search(rest)
        reason = rm.group("reason").strip() if rm else None
        names = tuple(n for n in re.split(r"[\s,]+", _REASON.sub("", rest)) if n)
        scope = None
        if m.group("verb") == "ignore":
            following = [p for p in paragraphs if p[0] > number]
            scope = min(following) if following else (number + 1, number + 1)
        unknown = tuple(n for n in names if n not in known)
        out.append(Suppression(path, number, tuple(n for n in names if n in known), reason, scope, unknown=unknown))
    return out


def covers(s: Suppression, rule: str, line: int | None) -> bool:
    if s.rules and rule not in s.rules:
        return False
    if s.scope is None:
        return True
    return line is not None and s.scope[0] <= line <= s.scope[1]
