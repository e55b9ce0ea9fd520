"""What every report format shares: counts, the exit-code threshold, finding order."""

from __future__ import annotations

from collections import Counter

from ..model import Finding, Report

RANK = {"info": 1, "warning": 2, "error": 3}


def counts(report: Report) -> Counter:
    c = Counter(f.severity for f in report.findings)
    for level in ("error", "warning", "info"):
        c.setdefault(level, 0)
    return c


def failing(findings: list[Finding], fail_on: str) -> list[Finding]:
    """Findings at or above the --fail-on level."""
    if fail_on == "never":
        return []
    return [f for f in findings if RANK.get(f.severity, 0) >= RANK[fail_on]]


def item_totals(report: Report) -> tuple[int, int]:
    items = [it for d in report.documents for c in d.citations for it in c.items]
    return sum(1 for it in items if it.status == "resolved"), len(items)


def paths_in_order(report: Report) -> list[str]:
    """Manuscripts first, in the order checked, then other files findings name (the .bib)."""
    order = [d.path for d in report.documents]
    for f in report.findings:
        if f.path not in order:
            order.append(f.path)
    return order
