"""A plain reading of the report for a person at a terminal: per file, what resolved,
what did not and why, grouped by rule, each finding with file:line:column."""

from __future__ import annotations

from collections import Counter, defaultdict

from ..model import Document, Finding, Report

_ORDER = {"error": 0, "warning": 1, "info": 2}


def _status_line(doc: Document, checked: bool) -> str:
    items = [it for c in doc.citations for it in c.items]
    parts = [f"{len(doc.citations)} citations"]
    if checked and items:
        counts = Counter(it.status for it in items)
        parts.append(
            f"{len(items)} cited items: {counts['resolved']} resolved, {counts['ambiguous']} ambiguous, "
            f"{counts['unresolved']} unresolved"
        )
    parts.append(f"{len(doc.notes)} notes")
    parts.append(f"{len(doc.quotations)} quotations")
    return ", ".join(parts)


def _group(findings: list[Finding]) -> list[str]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    out = []
    for rule, group in sorted(by_rule.items(), key=lambda rg: (_ORDER.get(rg[1][0].severity, 3), rg[0])):
        out.append(f"  {rule} ({len(group)} {group[0].severity}{'s' if len(group) != 1 else ''})")
        for f in group:
            where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
            out.append(f"    {where}: {f.message}")
    return out


def render(report: Report) -> str:
    checked = report.bibliography is not None
    out: list[str] = []
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    for doc in report.documents:
        out.append(doc.path)
        out.append("  " + _status_line(doc, checked))
        for w in doc.warnings:
            out.append(f"  warning: {w}")
        out.extend(_group(by_path.pop(doc.path, [])))
        out.append("")
    for path in sorted(by_path):
        out.append(path)
        out.extend(_group(by_path[path]))
        out.append("")
    counts = Counter(f.severity for f in report.findings)
    citations = sum(len(d.citations) for d in report.documents)
    summary = f"{len(report.documents)} documents, {citations} citations"
    if checked:
        resolved = sum(1 for d in report.documents for c in d.citations for it in c.items if it.status == "resolved")
        items = sum(len(c.items) for d in report.documents for c in d.citations)
        summary += f" ({resolved} of {items} cited items resolved)"
    summary += f"; {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    out.append(summary)
    return "\n".join(out) + "\n"
