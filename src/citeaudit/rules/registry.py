"""The rule registry: every rule's name, default severity and documentation in one table.

`citeaudit rules` and docs/rules.md are generated from it, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..bibliography import Bibliography
from ..model import Document, Finding
from ..resolve import Index, Resolution
from ..text import Span

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule reports before it becomes a Finding: where, about what, and why."""

    path: str
    line: int | None
    column: int | None
    subject: str  # the text the finding is about; its fingerprint survives edits elsewhere
    message: str
    end_line: int | None = None
    end_column: int | None = None


@dataclass(slots=True)
class Context:
    """Everything the rules read: the finished model, never the raw text."""

    documents: list[Document]
    bibliography: Bibliography | None = None
    index: Index | None = None
    resolutions: dict[str, list[list[Resolution]]] = field(default_factory=dict)
    style: dict[str, object] = field(default_factory=dict)  # house style from the configuration
    suppressions: list = field(default_factory=list)  # suppress.Suppression, filled by audit()
    quotes: object | None = None  # quotes.QuoteResults, when quotations were checked

    def at(self, doc: Document, span: Span, subject: str, message: str) -> Issue:
        line, column = doc.lines.line_col(span.start)
        end_line, end_column = doc.lines.line_col(max(span.start, span.end - 1))
        return Issue(doc.path, line, column, subject, message, end_line, end_column)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: str
    summary: str
    bad: str
    good: str
    explanation: str
    check: Callable[[Context], Iterable[Issue]]
    needs_bibliography: bool = False


RULES: dict[str, Rule] = {}


def rule(name: str, severity: str, summary: str, bad: str, good: str, needs_bibliography: bool = False):
    """Register a rule; the decorated function's docstring is its explanation."""
    if severity not in SEVERITIES:
        raise ValueError(severity)

    def register(fn: Callable[[Context], Iterable[Issue]]):
        if name in RULES:
            raise ValueError(f"rule {name} registered twice")
        doc = " ".join((fn.__doc__ or "").split())
        RULES[name] = Rule(name, severity, summary, bad.strip("\n"), good.strip("\n"), doc, fn, needs_bibliography)
        return fn

    return register


def fingerprint(rule_name: str, path: str, subject: str, occurrence: int) -> str:
    """Stable identity of a finding: rule, file name, the text it is about and which
    occurrence of that text it is, never its line number."""
    subject = re.sub(r"\s+", " ", subject).strip().casefold()
    raw = "\0".join((rule_name, os.path.basename(path), subject, str(occurrence)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _findings(name: str, r: Rule, issues: Iterable[Issue], severities: dict[str, str]) -> list[Finding]:
    seen: Counter = Counter()
    out = []
    for issue in issues:
        k = (issue.path, issue.subject)
        seen[k] += 1
        out.append(
            Finding(
                rule=name,
                severity=severities.get(name, r.severity),
                path=issue.path,
                line=issue.line,
                column=issue.column,
                message=issue.message,
                fingerprint=fingerprint(name, issue.path, issue.subject, seen[k]),
                end_line=issue.end_line,
                end_column=issue.end_column,
            )
        )
    return out


def run_rules(ctx: Context, config=None) -> tuple[list[Finding], int]:
    """Every enabled rule over the context, minus what the configuration's per-file
    ignores and the manuscripts' suppression comments leave out; then the check of the
    suppressions themselves. Returns the findings in a stable order and how many were
    suppressed."""
    from ..suppress import covers

    severities = config.severities if config else {}
    disabled = config.disabled if config else set()
    findings: list[Finding] = []
    suppressed = 0
    by_path: dict[str, list] = {}
    for sup in ctx.suppressions:
        by_path.setdefault(sup.path, []).append(sup)
    for name, r in RULES.items():
        if name in disabled or name == "unused-suppression":
            continue
        if r.needs_bibliography and ctx.bibliography is None:
            continue
        for f in _findings(name, r, r.check(ctx), severities):
            if config is not None and name in config.ignored_for(f.path):
                suppressed += 1
                continue
            hit = next((sup for sup in by_path.get(f.path, []) if covers(sup, name, f.line)), None)
            if hit is not None:
                hit.used += 1
                suppressed += 1
                continue
            findings.append(f)
    if "unused-suppression" in RULES and "unused-suppression" not in disabled:
        r = RULES["unused-suppression"]
        findings.extend(_findings("unused-suppression", r, r.check(ctx), severities))
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule, f.message))
    return findings, suppressed


def rules_markdown() -> str:
    """docs/rules.md, generated from the registry."""
    out = [
        "# Rules",
        "",
        "Generated from the rule registry (`citeaudit rules --format markdown`); do not edit by hand.",
        "",
        "| rule | default | fires when |",
        "| --- | --- | --- |",
    ]
    for r in RULES.values():
        out.append(f"| [{r.name}](#{r.name}) | {r.severity} | {r.summary} |")
    for r in RULES.values():
        out += ["", f"## {r.name}", "", f"Default severity: **{r.severity}**." + (" Needs a bibliography (`--bib`)." if r.needs_bibliography else ""), "", r.summary[0].upper() + r.summary[1:] + ".", ""]
        if r.explanation:
            out += [r.explanation, ""]
        out += ["Fires on:", "", "```", r.bad, "```", "", "Stays silent on:", "", "```", r.good, "```"]
    return "\n".join(out) + "\n"


def iter_citation_items(ctx: Context, doc: Document) -> Iterator[tuple[int, int, Resolution]]:
    """(citation index, item index, resolution) for every resolved-or-not item of a document."""
    for ci, res in enumerate(ctx.resolutions.get(doc.path, [])):
        for ii, r in enumerate(res):
            yield ci, ii, r
