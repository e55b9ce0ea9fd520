"""The rule registry: every rule's name, default severity and documentation in one table.

`citeaudit rules` and docs/rules.md are generated from it, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from dataclasses import dataclass, field, replace

from ..bibliography import Bibliography
from ..errors import display
from ..model import SEVERITIES, Document, Finding, QuoteResults, Resolutions, Severity
from ..resolve import Index
from ..text import Span


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
    severity: str | None = None  # where one rule reports at two levels (a retraction, a correction)


@dataclass(frozen=True, slots=True)
class Context:
    """Everything the rules read: the finished model, never the raw text."""

    documents: tuple[Document, ...]
    bibliography: Bibliography | None = None
    index: Index | None = None
    resolutions: Resolutions = field(default_factory=Resolutions)
    quotes: QuoteResults = field(default_factory=QuoteResults)
    style: dict[str, object] = field(default_factory=dict)  # house style from the configuration
    suppressions: tuple = ()  # suppress.Suppression of every manuscript
    lists: Mapping[str, Any] = field(default_factory=dict)  # reflist.entries.ReferenceList by manuscript path
    from_lists: bool = False  # the bibliography is the manuscripts' own references, no .bib was given
    online: Any = None  # online.OnlineReport of the registry checks, with --online
    _by_path: dict = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {d.path: d for d in self.documents})

    def document(self, path: str) -> Document:
        return self._by_path[path]

    def only(self, doc: Document) -> Context:
        """This context narrowed to one manuscript, for the rules that read one at a time."""
        return replace(self, documents=(doc,))

    def at(self, doc: Document, span: Span, subject: str, message: str) -> Issue:
        line, column = doc.lines.line_col(span.start)
        end_line, end_column = doc.lines.line_col(max(span.start, span.end - 1))
        return Issue(doc.path, line, column, subject, message, end_line, end_column)


@dataclass(frozen=True, slots=True)
class Example:
    """A manuscript a rule fires on, or stays silent on, with the .bib and the full texts of
    sources it needs. The documentation shows it and the test suite runs it."""

    text: str | tuple[tuple[str, str], ...]  # the manuscript, or (file name, text) of several
    bib: str = ""  # the .bib the manuscript is checked against, if any
    sources: tuple[tuple[str, str], ...] = ()  # (entry key, full text) for quotation checks
    #: (path, body) a registry answers for the online rules (Crossref's /works/DOI as JSON);
    #: any other path is "not found"
    registry: tuple[tuple[str, str], ...] = ()

    def manuscripts(self) -> tuple[tuple[str, str], ...]:
        return (("ms.txt", self.text),) if isinstance(self.text, str) else self.text


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: Severity
    summary: str
    bad: Example
    good: Example
    explanation: str
    check: Callable[[Context], Iterable[Issue]]
    needs_bibliography: bool = False
    #: Runs once every other rule's findings are known and suppressed: a rule about the
    #: suppressions themselves.
    after_suppression: bool = False
    #: What it says of a manuscript comes from that manuscript alone (with the bibliography,
    #: the manuscript's resolutions and the house style): run one manuscript at a time, so
    #: that a run can keep its findings for a manuscript that did not change.
    per_document: bool = False
    #: What it says comes from the bibliography alone: kept with the parsed bibliography.
    per_bibliography: bool = False


def rule(name: str, severity: Severity, summary: str, bad: Example, good: Example,
         needs_bibliography: bool = False, after_suppression: bool = False, per_document: bool = False,
         per_bibliography: bool = False):
    """Make a rule of the decorated check; its docstring is the rule's explanation. The rule
    takes effect when listed in `rules.RULES`."""
    if severity not in SEVERITIES:
        raise ValueError(severity)

    def make(fn: Callable[[Context], Iterable[Issue]]) -> Rule:
        doc = " ".join((fn.__doc__ or "").split())
        return Rule(name, severity, summary, bad, good, doc, fn, needs_bibliography, after_suppression, per_document,
                    per_bibliography)

    return make


def registry(rules: Iterable[Rule]) -> dict[str, Rule]:
    """Rules by name, in the order given; a name may appear once."""
    out: dict[str, Rule] = {}
    for r in rules:
        if r.name in out:
            raise ValueError(f"rule {r.name} listed twice")
        out[r.name] = r
    return out


def fingerprint(rule_name: str, path: str, subject: str, occurrence: int, basename: str | None = None) -> str:
    """Stable identity of a finding: rule, file name, the text it is about and which
    occurrence of that text it is, never its line number. (`basename`: the path's, where
    the caller has it already.)"""
    subject = " ".join(subject.split()).casefold()  # runs of whitespace as one space, none at the ends
    raw = "\0".join((rule_name, os.path.basename(path) if basename is None else basename, subject, str(occurrence)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _findings(name: str, r: Rule, issues: Iterable[Issue], severities: dict[str, str]) -> list[Finding]:
    """The issues as findings, each with its fingerprint (a large .bib gives tens of
    thousands)."""
    seen: Counter = Counter()
    names: dict[str, tuple[str, str]] = {}  # path -> (as displayed, base name): a .bib has thousands of findings
    configured = severities.get(name)
    make = object.__new__
    fill = Finding.__setstate__  # the fields in order (citeaudit.frozen), without __init__'s checks
    out = []
    for issue in issues:
        path, subject = issue.path, issue.subject
        k = (path, subject)
        seen[k] += 1
        shown = names.get(path)
        if shown is None:
            shown = names[path] = (display(path), os.path.basename(path))
        f = make(Finding)
        fill(f, (name, configured or issue.severity or r.severity, shown[0], issue.line, issue.column, issue.message,
                 fingerprint(name, path, subject, seen[k], shown[1]), issue.end_line, issue.end_column))
        out.append(f)
    return out


#: How a run keeps the per-document rules' issues of a manuscript: `memo(doc, names, make)`
#: returns what `make()` returns (a list of issues for each rule named), or its kept copy.
Memo = Callable[[Document, tuple[str, ...], Callable[[], list[list[Issue]]]], list[list[Issue]]]
#: The same for the per-bibliography rules: `bib_memo(names, make)`.
BibMemo = Callable[[tuple[str, ...], Callable[[], list[list[Issue]]]], list[list[Issue]]]


def run_rules(ctx: Context, rules: dict[str, Rule], config=None, memo: Memo | None = None,
              bib_memo: BibMemo | None = None) -> tuple[list[Finding], int]:
    """Every enabled rule over the context, minus what the configuration's per-file
    ignores and the manuscripts' suppression comments leave out; then the rules about the
    suppressions themselves. Returns the findings in a stable order and how many were
    suppressed. The per-document rules run a manuscript at a time, through `memo` where
    one is given; the per-bibliography rules through `bib_memo`."""
    from ..suppress import covers

    severities = config.severities if config else {}
    disabled = config.disabled if config else set()
    findings: list[Finding] = []
    suppressed = 0
    by_path: dict[str, list[int]] = {}
    for i, sup in enumerate(ctx.suppressions):
        by_path.setdefault(sup.path, []).append(i)
    used = [0] * len(ctx.suppressions)
    enabled = _enabled(rules, disabled, ctx.bibliography is not None)
    kept = _per_document(ctx, [r for r in enabled if r.per_document and not r.after_suppression], memo)
    names = bibliography_rules(rules, config) if ctx.bibliography is not None else ()
    if names:
        def make() -> list[list[Issue]]:
            return bibliography_issues(rules, ctx.bibliography, names)

        kept.update(zip(names, bib_memo(names, make) if bib_memo is not None else make()))
    ignored: dict[str, set[str]] = {}  # path -> the rules per-file-ignores switch off there
    for r in (r for r in enabled if not r.after_suppression):
        issues = kept[r.name] if r.name in kept else r.check(ctx)
        for f in _findings(r.name, r, issues, severities):
            if config is not None:
                off = ignored.get(f.path)
                if off is None:
                    off = ignored[f.path] = config.ignored_for(f.path)
                if r.name in off:
                    suppressed += 1
                    continue
            sups = by_path.get(f.path)
            hit = next((i for i in sups if covers(ctx.suppressions[i], r.name, f.line)), None) if sups else None
            if hit is not None:
                used[hit] += 1
                suppressed += 1
                continue
            findings.append(f)
    after = replace(ctx, suppressions=tuple(replace(s, used=n) for s, n in zip(ctx.suppressions, used)))
    for r in (r for r in enabled if r.after_suppression):
        findings.extend(_findings(r.name, r, r.check(after), severities))
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule, f.message))
    return findings, suppressed


def _enabled(rules: dict[str, Rule], disabled, has_bibliography: bool) -> list[Rule]:
    return [r for name, r in rules.items()
            if name not in disabled and not (r.needs_bibliography and not has_bibliography)]


def bibliography_rules(rules: dict[str, Rule], config=None) -> tuple[str, ...]:
    """The per-bibliography rules a run with a bibliography gives to its `bib_memo`, by name."""
    disabled = config.disabled if config else set()
    return tuple(r.name for r in _enabled(rules, disabled, True) if r.per_bibliography and not r.after_suppression)


def bibliography_issues(rules: dict[str, Rule], bib: Bibliography, names: tuple[str, ...]) -> list[list[Issue]]:
    """What the per-bibliography rules named say of `bib`: what `run_rules` gives its
    `bib_memo` to keep (they read nothing but the bibliography)."""
    ctx = Context((), bib, None)
    return [list(rules[name].check(ctx)) for name in names]


def _per_document(ctx: Context, rules: list[Rule], memo: Memo | None) -> dict[str, list[Issue]]:
    """The issues of the per-document rules, by rule: each manuscript's in the order of the
    manuscripts, as a rule looping over them all would give them."""
    out: dict[str, list[Issue]] = {r.name: [] for r in rules}
    if not rules:
        return out
    names = tuple(r.name for r in rules)
    for doc in ctx.documents:
        def make(doc: Document = doc) -> list[list[Issue]]:
            one = ctx.only(doc)
            return [list(r.check(one)) for r in rules]

        for r, issues in zip(rules, memo(doc, names, make) if memo is not None else make()):
            out[r.name].extend(issues)
    return out


def _show(example: Example) -> list[str]:
    out: list[str] = []
    for name, text in example.manuscripts():
        if not isinstance(example.text, str):
            out.append(f"`{name}`:")
            out.append("")
        out += ["```", text.rstrip("\n"), "```", ""]
    if example.bib:
        out += ["with `refs.bib`:", "", "```bibtex", example.bib.rstrip("\n"), "```", ""]
    for key, text in example.sources:
        out += [f"and the full text of `{key}`:", "", "```", text.rstrip("\n"), "```", ""]
    for path, body in example.registry:
        out += [f"and the registry's answer to `{path}`:", "", "```json" if body.startswith("{") else "```",
                _pretty(body), "```", ""]
    return out


def _pretty(body: str) -> str:
    import json

    try:
        return json.dumps(json.loads(body), indent=1, ensure_ascii=False)
    except ValueError:
        return body


def example_text(example: Example) -> str:
    """An example as plain text: its manuscript(s), then the .bib and source texts it needs."""
    parts = []
    for name, text in example.manuscripts():
        parts.append(text.rstrip("\n") if isinstance(example.text, str) else f"{name}:\n{text.rstrip()}")
    if example.bib:
        parts.append("refs.bib:\n" + example.bib.rstrip("\n"))
    for key, text in example.sources:
        parts.append(f"full text of {key}:\n" + text.rstrip("\n"))
    for path, body in example.registry:
        parts.append(f"the registry's answer to {path}:\n" + _pretty(body))
    return "\n\n".join(parts)


def rule_markdown(r: Rule) -> list[str]:
    """One rule's documentation: severity, what it checks, why, and its two examples."""
    out = [f"## {r.name}", "", f"Default severity: **{r.severity}**." + (" Needs a bibliography (`--bib`)." if r.needs_bibliography else ""),
           "", r.summary[0].upper() + r.summary[1:] + ".", ""]
    if r.explanation:
        out += [r.explanation, ""]
    out += ["Fires on:", ""] + _show(r.bad) + ["Stays silent on:", ""] + _show(r.good)
    return out


def rules_markdown(rules: dict[str, Rule]) -> str:
    """docs/rules.md, generated from the registry."""
    out = [
        "# Rules",
        "",
        "Generated from the rule registry (`citeaudit rules --format markdown`); do not edit by hand.",
        "",
        "| rule | default | fires when |",
        "| --- | --- | --- |",
    ]
    for r in rules.values():
        out.append(f"| [{r.name}](#{r.name}) | {r.severity} | {r.summary} |")
    for r in rules.values():
        out += [""] + rule_markdown(r)
    return "\n".join(out).rstrip("\n") + "\n"


from ..frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
