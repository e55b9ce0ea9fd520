"""What changed between two versions of a manuscript: citations, notes and quotations added,
removed or altered (a locator changed, a quotation's wording changed), and findings new or
fixed — for CI on text revisions."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import audit
from .model import Citation, Document, Finding, Report


@dataclass
class Change:
    kind: str  # citation | note | quotation | finding
    change: str  # added | removed | changed | new | fixed
    old_line: int | None
    new_line: int | None
    text: str
    detail: str = ""


@dataclass
class DiffResult:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)  # findings of NEW that OLD did not have

    def of(self, kind: str) -> list[Change]:
        """The changes of one kind, in the order of the lines they are on."""
        return sorted((c for c in self.changes if c.kind == kind),
                      key=lambda c: (c.new_line or c.old_line or 0, c.old_line or 0, c.change, c.text))


def _signature(c: Citation) -> str:
    """What a citation cites, without its locator: the basis of alignment."""
    return "; ".join(f"{'/'.join(it.authors) or it.title or 'ibid'} {it.year or ''}{it.suffix}" for it in c.items)


def _locators(c: Citation) -> str:
    return "; ".join(it.locator or "" for it in c.items)


def _citations(old: Document, new: Document) -> list[Change]:
    a = [_signature(c) for c in old.citations]
    b = [_signature(c) for c in new.citations]
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for oc, nc in zip(old.citations[i1:i2], new.citations[j1:j2]):
                if _locators(oc) != _locators(nc):
                    out.append(Change("citation", "changed", old.lines.line(oc.span.start), new.lines.line(nc.span.start),
                                      nc.text, f"locator {oc.text} → {nc.text}"))
            continue
        olds = old.citations[i1:i2]
        news = new.citations[j1:j2]
        if op == "replace" and len(olds) == len(news):
            for oc, nc in zip(olds, news):
                out.append(Change("citation", "changed", old.lines.line(oc.span.start), new.lines.line(nc.span.start),
                                  nc.text, f"{oc.text} → {nc.text}"))
            continue
        for oc in olds:
            out.append(Change("citation", "removed", old.lines.line(oc.span.start), None, oc.text))
        for nc in news:
            out.append(Change("citation", "added", None, new.lines.line(nc.span.start), nc.text))
    return out


def _notes(old: Document, new: Document) -> list[Change]:
    out = []
    before = {n.number: n for n in old.notes}
    after = {n.number: n for n in new.notes}
    for number in sorted(set(before) | set(after)):
        o, n = before.get(number), after.get(number)
        if o and not n:
            out.append(Change("note", "removed", old.lines.line(o.body.start) if o.body else None, None, f"note {number}: {o.text}"))
        elif n and not o:
            out.append(Change("note", "added", None, new.lines.line(n.body.start) if n.body else None, f"note {number}: {n.text}"))
        elif o and n and o.text != n.text:
            out.append(Change("note", "changed", old.lines.line(o.body.start) if o.body else None,
                              new.lines.line(n.body.start) if n.body else None, f"note {number}", _words(o.text, n.text)))
    return out


def _words(a: str, b: str) -> str:
    """A word-level account of how b differs from a: [-removed-] {+added+}."""
    wa, wb = a.split(), b.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(wa[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(wb[j1:j2]) + "+}")
    return " ".join(parts)


def _quotations(old: Document, new: Document) -> list[Change]:
    out = []
    unmatched_new = list(range(len(new.quotations)))
    for oq in old.quotations:
        best, best_score = None, 0.0
        for j in unmatched_new:
            score = fuzz.ratio(oq.text, new.quotations[j].text)
            if score > best_score:
                best, best_score = j, score
        if best is not None and best_score >= 70:
            nq = new.quotations[best]
            unmatched_new.remove(best)
            if nq.text != oq.text:
                out.append(Change("quotation", "changed", old.lines.line(oq.span.start), new.lines.line(nq.span.start),
                                  nq.text[:80], _words(oq.text, nq.text)))
        else:
            out.append(Change("quotation", "removed", old.lines.line(oq.span.start), None, oq.text[:80]))
    for j in unmatched_new:
        nq = new.quotations[j]
        out.append(Change("quotation", "added", None, new.lines.line(nq.span.start), nq.text[:80]))
    return out


def compare(old_path: str, new_path: str, bib_paths: list[str] | None = None, config=None) -> DiffResult:
    old_report: Report = audit([old_path], bib_paths, config)
    new_report: Report = audit([new_path], bib_paths, config)
    old, new = old_report.documents[0], new_report.documents[0]
    result = DiffResult(old_path, new_path)
    result.changes += _citations(old, new)
    result.changes += _notes(old, new)
    result.changes += _quotations(old, new)
    # The same manuscript under two names: fingerprints use the file name, so compare
    # findings by rule and message subject through their fingerprints computed on each side.
    old_prints = {f.fingerprint: f for f in old_report.findings if f.path == old_path}
    new_prints = {f.fingerprint: f for f in new_report.findings if f.path == new_path}
    if old_path.rsplit("/", 1)[-1] != new_path.rsplit("/", 1)[-1]:
        old_prints = {(f.rule, f.message): f for f in old_prints.values()}  # type: ignore[misc]
        new_prints = {(f.rule, f.message): f for f in new_prints.values()}  # type: ignore[misc]
    for key in sorted(set(new_prints) - set(old_prints), key=str):
        f = new_prints[key]
        result.changes.append(Change("finding", "new", None, f.line, f.message, f.rule))
        result.new_findings.append(f)
    for key in sorted(set(old_prints) - set(new_prints), key=str):
        f = old_prints[key]
        result.changes.append(Change("finding", "fixed", f.line, None, f.message, f.rule))
    return result


def _where(c: Change) -> str:
    if c.old_line and c.new_line:
        return f"{c.old_line}→{c.new_line}"
    return str(c.new_line or c.old_line or "")


def render_text(result: DiffResult) -> str:
    out = [f"citeaudit diff {result.old} → {result.new}"]
    if not result.changes:
        out.append("no change in citations, notes, quotations or findings")
    for kind in ("citation", "note", "quotation", "finding"):
        changes = result.of(kind)
        if not changes:
            continue
        out.append(f"{kind}s ({len(changes)})")
        for c in changes:
            detail = f" — {c.detail}" if c.detail else ""
            out.append(f"  {c.change:<8} line {_where(c):<10} {c.text}{detail}")
    return "\n".join(out) + "\n"


def render_markdown(result: DiffResult) -> str:
    out = [f"## citeaudit diff: `{result.old}` → `{result.new}`", ""]
    if not result.changes:
        out.append("No change in citations, notes, quotations or findings.")
        return "\n".join(out) + "\n"
    for kind in ("citation", "note", "quotation", "finding"):
        changes = result.of(kind)
        if not changes:
            continue
        out += [f"### {kind.capitalize()}s ({len(changes)})", "", "| change | line | text | detail |", "|---|---|---|---|"]
        for c in changes:
            cells = [c.change, _where(c), c.text, c.detail]
            out.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cells) + " |")
        out.append("")
    return "\n".join(out) + "\n"


def render_json(result: DiffResult) -> str:
    data = {
        "schema": "citeaudit/diff/v1",
        "old": result.old,
        "new": result.new,
        "changes": [
            {"kind": c.kind, "change": c.change, "old_line": c.old_line, "new_line": c.new_line, "text": c.text, "detail": c.detail}
            for kind in ("citation", "note", "quotation", "finding") for c in result.of(kind)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
