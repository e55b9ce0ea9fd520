"""Markdown for pull-request comments: a summary table, then findings per file."""

from __future__ import annotations

from ..model import Report
from .common import counts, item_totals, paths_in_order

_ICON = {"error": "🛑", "warning": "⚠️", "info": "ℹ️"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render(report: Report) -> str:
    c = counts(report)
    resolved, items = item_totals(report)
    out = ["## citeaudit report", ""]
    out.append("| documents | citations | resolved | errors | warnings | info |")
    out.append("|---:|---:|---:|---:|---:|---:|")
    citations = sum(len(d.citations) for d in report.documents)
    resolved_cell = f"{resolved}/{items}" if report.bibliography is not None else "–"
    out.append(f"| {len(report.documents)} | {citations} | {resolved_cell} | {c['error']} | {c['warning']} | {c['info']} |")
    extra = []
    if report.baselined:
        extra.append(f"{report.baselined} findings already in the baseline are not shown")
    if report.suppressed:
        extra.append(f"{report.suppressed} suppressed in the manuscripts or the configuration")
    if extra:
        out += ["", "_" + "; ".join(extra) + "._"]
    if not report.findings:
        out += ["", "No findings. ✅"]
        return "\n".join(out) + "\n"
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    for path in paths_in_order(report):
        if path not in by_path:
            continue
        group = by_path[path]
        out += ["", f"### `{path}` ({len(group)})", "", "| | line | rule | message |", "|---|---:|---|---|"]
        for f in group:
            out.append(f"| {_ICON.get(f.severity, '')} | {f.line or ''} | `{f.rule}` | {_cell(f.message)} |")
    return "\n".join(out) + "\n"
