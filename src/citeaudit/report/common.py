"""What every report format shares: counts, the exit-code threshold, finding order."""

from __future__ import annotations

import re
from collections import Counter

from ..model import RANK, SEVERITIES, Document, Finding, Report

#: The places elsewhere listed for a quotation ("also"), the first in the manuscripts' order;
#: the count says how many there are in all. A passage quoted in every one of a thousand
#: manuscripts would otherwise list a thousand places a thousand times.
ALSO_LIMIT = 10


def counts(report: Report) -> Counter:
    c = Counter(f.severity for f in report.findings)
    for level in SEVERITIES:
        c.setdefault(level, 0)
    return c


def failing(findings: list[Finding], fail_on: str) -> list[Finding]:
    """Findings at or above the --fail-on level."""
    if fail_on == "never":
        return []
    return [f for f in findings if RANK.get(f.severity, 0) >= RANK[fail_on]]


def statuses(report: Report, doc: Document) -> Counter:
    """How many of a document's cited items resolved, were ambiguous, did not resolve."""
    return Counter(r.status for _ci, _ii, _it, r in report.resolutions.items(doc))


def item_totals(report: Report) -> tuple[int, int]:
    """Cited items resolved, and cited items in all."""
    statuses = [r.status for d in report.documents for _ci, _ii, _it, r in report.resolutions.items(d)]
    return statuses.count("resolved"), len(statuses)


def paths_in_order(report: Report) -> list[str]:
    """Manuscripts first, in the order checked, then other files findings name (the .bib)."""
    order = [d.path for d in report.documents]
    for f in report.findings:
        if f.path not in order:
            order.append(f.path)
    return order


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text from a manuscript or a .bib made safe for a terminal or a log: control characters
    (an escape sequence, a carriage return that rewrites the line, bidirectional overrides)
    shown as escapes instead of acted on. Newlines and tabs stay."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
