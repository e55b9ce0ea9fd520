"""Markdown for pull-request comments: a summary table, then findings per file.

Everything from a manuscript or a .bib is escaped, so raw HTML in a quotation stays text. A
GitHub comment holds 65,536 characters: past a budget the findings are summarised per file
and the cut is said, so the comment is never refused."""

from __future__ import annotations

from collections import Counter

from ..model import Report
from .common import counts, item_totals, paths_in_order, printable

_ICON = {"error": "🛑", "warning": "⚠️", "info": "ℹ️"}
#: Characters of findings before the rest is summarised: GitHub's limit with room to spare.
BUDGET = 60_000


def _cell(text: str) -> str:
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "\\`")


def _code(text: str) -> str:
    """A file name in backticks that no backtick in it can end."""
    text = printable(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def render(report: Report, budget: int = BUDGET) -> str:
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
    used = sum(len(line) + 1 for line in out)
    left: Counter = Counter()
    for path in paths_in_order(report):
        if path not in by_path:
            continue
        group = by_path[path]
        block = ["", f"### {_code(path)} ({len(group)})", "", "| | line | rule | message |", "|---|---:|---|---|"]
        block += [f"| {_ICON.get(f.severity, '')} | {f.line or ''} | `{f.rule}` | {_cell(f.message)} |" for f in group]
        size = sum(len(line) + 1 for line in block)
        if left or used + size > budget:
            left[path] = len(group)
            continue
        out += block
        used += size
    if left:
        out += ["", f"**{sum(left.values())} more findings in {len(left)} files are not shown here** (a comment holds "
                    "65,536 characters); the full report is in the JSON, HTML or SARIF output:", ""]
        out += [f"- {_code(path)}: {n}" for path, n in left.items()]
        text = "\n".join(out) + "\n"
        while len(text) > budget + 5_000:  # even the list of files is too long: say how many
            out = out[: len(out) - len(left)] + [f"- … in {len(left)} files"]
            text = "\n".join(out) + "\n"
        return text
    return "\n".join(out) + "\n"
