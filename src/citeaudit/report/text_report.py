"""The report for a person at a terminal: per file, what resolved and what did not and
why, grouped by rule; each finding with file:line:column, the line of text with what it is
about underlined, in colour when the terminal shows colour."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..model import RANK, Document, Finding, Report
from .common import counts, item_totals, paths_in_order, printable, statuses

_COLOUR = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "dim": "\033[2m", "bold": "\033[1m", "mark": "\033[35m"}
_RESET = "\033[0m"


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, what: str, text: str) -> str:
        return f"{_COLOUR[what]}{text}{_RESET}" if self.colour else text


def _status_line(report: Report, doc: Document, checked: bool) -> str:
    parts = [f"{len(doc.citations)} citations"]
    c = statuses(report, doc)
    items = sum(c.values())
    if checked and items:
        parts.append(f"{items} cited items: {c['resolved']} resolved, {c['ambiguous']} ambiguous, {c['unresolved']} unresolved")
    parts.append(f"{len(doc.notes)} notes")
    parts.append(f"{len(doc.quotations)} quotations")
    return ", ".join(parts)


def _excerpt(lines: list[str] | None, f: Finding, paint: _Paint) -> list[str]:
    """The finding's line of text, with what it is about underlined."""
    if not lines or not f.line or f.line > len(lines):
        return []
    text = printable(lines[f.line - 1].rstrip("\r\n").replace("\t", " "))
    if not text.strip():
        return []
    start = (f.column or 1) - 1
    end = f.end_column if f.end_line == f.line and f.end_column else len(text)
    end = max(start + 1, min(end, len(text)))
    shown = text
    offset = 0
    if len(text) > 110:  # long lines (one paragraph per line): a window around the place
        offset = max(0, start - 40)
        shown = ("…" if offset else "") + text[offset : offset + 110] + ("…" if offset + 110 < len(text) else "")
        start = start - offset + (1 if offset else 0)
        end = min(end - offset + (1 if offset else 0), len(shown))
    gutter = f"{f.line:>6} | "
    under = " " * len(gutter[:-2]) + "| " + " " * start + "^" * max(1, end - start)
    return [paint("dim", gutter) + shown, paint("mark", under)]


def render(report: Report, colour: bool = False) -> str:
    paint = _Paint(colour)
    checked = report.bibliography is not None
    texts: dict[str, list[str]] = {d.path: d.text.split("\n") for d in report.documents}
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    docs = {d.path: d for d in report.documents}
    out: list[str] = []
    for path in paths_in_order(report):
        doc = docs.get(path)
        if doc is None and path not in by_path:
            continue
        out.append(paint("bold", printable(path)))
        if doc is not None:
            out.append("  " + _status_line(report, doc, checked))
            for w in doc.warnings:
                out.append(f"  warning: {printable(w)}")
        if path not in texts:
            try:
                texts[path] = Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
            except OSError:
                texts[path] = []
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in by_path.get(path, []):
            groups[f.rule].append(f)
        for rule, group in sorted(groups.items(), key=lambda rg: (-RANK.get(rg[1][0].severity, 0), rg[0])):
            sev = group[0].severity
            out.append(f"  {paint(sev, rule)} ({len(group)} {sev}{'s' if len(group) != 1 else ''})")
            for f in group:
                where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
                out.append(printable(f"    {where}: {f.message}"))
                out.extend("      " + line for line in _excerpt(texts.get(path), f, paint))
        out.append("")
    c = counts(report)
    citations = sum(len(d.citations) for d in report.documents)
    summary = f"{len(report.documents)} documents, {citations} citations"
    if checked:
        resolved, items = item_totals(report)
        summary += f" ({resolved} of {items} cited items resolved)"
    summary += "; " + ", ".join(
        paint(level, f"{c[level]} {name}") for level, name in (("error", "errors"), ("warning", "warnings"), ("info", "info"))
    )
    if report.baselined:
        summary += f"; {report.baselined} in the baseline not shown"
    if report.suppressed:
        summary += f"; {report.suppressed} suppressed"
    out.append(summary)
    return "\n".join(out) + "\n"
