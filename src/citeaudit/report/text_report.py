"""A plain reading of the report for a person at a terminal."""

from __future__ import annotations

from ..model import Citation, Document, Report


def _cite_label(c: Citation) -> str:
    parts = []
    for it in c.items:
        who = " & ".join(it.authors) if it.authors else (it.title or "")
        year = (it.year or "") + (it.suffix or "")
        bits = [b for b in (who, year) if b]
        if it.volume:
            bits.append(f"vol. {it.volume}")
        if it.locator:
            bits.append(it.locator)
        parts.append(" ".join(bits) if bits else "(repeats the previous citation)")
    return "; ".join(parts)


def render_document(doc: Document) -> list[str]:
    lines = doc.lines
    out = [f"{doc.path}: {len(doc.citations)} citations, {len(doc.notes)} notes, {len(doc.quotations)} quotations"]
    for w in doc.warnings:
        out.append(f"  warning: {w}")
    for c in doc.citations:
        line, col = lines.line_col(c.span.start)
        where = f" (in note {c.note})" if c.note is not None else ""
        out.append(f"  {doc.path}:{line}:{col}: {c.kind} citation {c.text!r} -> {_cite_label(c)}{where}")
    for n in doc.notes:
        marker = f"marker line {lines.line(n.marker.start)}" if n.marker else "no marker in the text"
        body = f"note text line {lines.line(n.body.start)}" if n.body else "no note text"
        out.append(f"  note {n.number}: {marker}; {body}")
    for q in doc.quotations:
        line = lines.line(q.span.start)
        by = "unattributed"
        if q.citation is not None:
            by = "attributed to " + doc.citations[q.citation].text
        words = q.text if len(q.text) <= 60 else q.text[:57] + "..."
        out.append(f"  {doc.path}:{line}: {q.kind} quotation “{words}” {by}")
    return out


def render(report: Report) -> str:
    out: list[str] = []
    for doc in report.documents:
        out.extend(render_document(doc))
        out.append("")
    for f in report.findings:
        out.append(f"{f.path}: {f.severity}: {f.message} [{f.rule}]")
    total = sum(len(d.citations) for d in report.documents)
    out.append(f"{len(report.documents)} documents, {total} citations, {len(report.findings)} findings")
    return "\n".join(out) + "\n"
