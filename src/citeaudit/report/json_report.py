"""The JSON report of CONTRACT.md: schema citeaudit/report/v1, deterministic byte for byte."""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable
from typing import Any

from ..model import SEVERITIES, CiteItem, Citation, Document, Finding, QuoteMatch, Report, Resolution
from ..errors import display
from ..text import Span
from ..jsontext import dumps, encode
from .common import ALSO_LIMIT

SCHEMA = "citeaudit/report/v1"


def _position(doc: Document, span: Span) -> dict[str, Any]:
    line, col = doc.lines.line_col(span.start)
    end = max(span.start, span.end - 1)
    end_line, end_col = doc.lines.line_col(end)
    return {"line": line, "column": col, "end_line": end_line, "end_column": end_col} | doc.location(span.start)


def item_dict(item: CiteItem, resolution: Resolution) -> dict[str, Any]:
    return {
        "authors": list(item.authors),
        "year": item.year,
        "suffix": item.suffix,
        "locator": item.locator,
        "pages": list(item.pages) if item.pages else None,
        "key": resolution.key,
        "status": resolution.status,
        "prefix": item.prefix,
        "title": item.title,
        "volume": item.volume,
        "original_year": item.original_year,
        "cited_key": item.key,
    }


def citation_dict(report: Report, doc: Document, index: int, c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"id": f"c{index + 1}"}
    out.update(_position(doc, c.span))
    out["text"] = c.text
    out["kind"] = c.kind
    out["note"] = c.note
    out["items"] = [item_dict(it, report.resolution(doc, index, ii)) for ii, it in enumerate(c.items)]
    out["antecedent"] = f"c{c.antecedent + 1}" if c.antecedent is not None else None
    return out


def _differences(m: QuoteMatch) -> list[dict[str, str]]:
    return [{"quoted": d.quoted, "source": d.source} for d in m.differences]


def match_dict(m: QuoteMatch | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {"source": m.source, "score": m.score, "kind": m.kind, "page": m.page, "last_page": m.last_page,
            "line": m.line, "end_line": m.end_line, "differences": _differences(m)}


def document_dict(report: Report, doc: Document) -> dict[str, Any]:
    lines = doc.lines
    return {
        "path": doc.path,
        "citations": [citation_dict(report, doc, i, c) for i, c in enumerate(doc.citations)],
        "notes": [
            {
                "number": n.number,
                "marker_line": lines.line(n.marker.start) if n.marker else None,
                "line": lines.line(n.body.start) if n.body else None,
                "text": n.text,
            }
            for n in doc.notes
        ],
        "quotations": [
            {
                "id": f"q{i + 1}",
                "line": lines.line(q.span.start),
                "end_line": lines.line(max(q.span.start, q.span.end - 1)),
                "kind": q.kind,
                "text": q.text,
                "citation": f"c{q.citation + 1}" if q.citation is not None else None,
                "note": q.note,
                "match": match_dict(report.quotes.match(doc.path, i)),
                "also": [
                    {
                        "path": x.other, "line": x.match.line, "score": x.match.score, "kind": x.match.kind,
                        "quotation": f"q{x.other_quotation + 1}" if x.other_quotation is not None else None,
                        "differences": _differences(x.match),
                    }
                    for x in report.quotes.also(doc.path, i, limit=ALSO_LIMIT)
                ],
                "also_count": report.quotes.also_count(doc.path, i),
            }
            for i, q in enumerate(doc.quotations)
        ],
    } | _references(report, doc)


def _references(report: Report, doc: Document) -> dict[str, Any]:
    """The manuscript's own references as parsed (additive: only where it has some)."""
    lst = report.lists.get(doc.path)
    if lst is None:
        return {}
    out = []
    for it in lst.items:
        e = it.entry
        out.append({
            "line": it.line,
            "end_line": doc.lines.line(max(it.span.start, it.span.end - 1)),
            "text": it.text,
            "key": e.key,
            "type": e.type,
            "authors": [n.surname for n in e.authors],
            "year": e.year,
            "suffix": e.suffix,
            "title": e.title or None,
            "uncertain": list(it.parsed.uncertain),
        })
    return {"references": out, "references_from": lst.origin}


def finding_dict(f: Finding, doc: Document | None = None) -> dict[str, Any]:
    where = {}
    if doc is not None and f.line:
        where = doc.location(doc.lines.line_start(f.line) + (f.column or 1) - 1)
    return {
        "rule": f.rule,
        "severity": f.severity,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "fingerprint": f.fingerprint,
    } | where


def _number(v: Any) -> str | None:
    """A line or column as json writes it, or None for a value of another kind."""
    if v is None:
        return "null"
    return int.__repr__(v) if type(v) is int else None


def finding_text(f: Finding, doc: Document | None = None) -> str:
    """`dumps(finding_dict(f, doc), "    ")`, byte for byte, written straight from the finding
    (a 20,000-entry .bib makes 30,000 of them): the generic path where the finding has a
    place in a Word or PDF manuscript to add, or a value of an unexpected kind."""
    numbers = (_number(f.line), _number(f.column), _number(f.end_line), _number(f.end_column))
    texts = (f.rule, f.severity, f.path, f.message, f.fingerprint)
    if (doc is not None and f.line) or None in numbers or any(type(t) is not str for t in texts):
        return dumps(finding_dict(f, doc), "    ")
    rule, severity, path, message, fingerprint = map(encode, texts)
    line, column, end_line, end_column = numbers
    return (f'{{\n      "rule": {rule},\n      "severity": {severity},\n      "path": {path},\n      "line": {line},'
            f'\n      "column": {column},\n      "end_line": {end_line},\n      "end_column": {end_column},'
            f'\n      "message": {message},\n      "fingerprint": {fingerprint}\n    }}')


def _summary(report: Report) -> dict[str, Any]:
    counts = {s: 0 for s in SEVERITIES}
    for f in report.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    citations = sum(len(d.citations) for d in report.documents)
    resolved = sum(
        1 for d in report.documents for ci, c in enumerate(d.citations)
        if c.items and all(report.resolution(d, ci, ii).status == "resolved" for ii in range(len(c.items)))
    )
    return {
        "documents": len(report.documents),
        "citations": citations,
        "resolved": resolved,
        "findings": counts,
        "baselined": report.baselined,
        "suppressed": report.suppressed,
    }


def _placed(report: Report) -> dict[str, Document]:
    """The manuscripts whose findings carry a place of their format (part, paragraph, page),
    by the path the findings show."""
    return {display(d.path): d for d in report.documents if d.format in ("docx", "odt", "pdf")}


def _parts(report: Report):
    """The report's top-level fields, documents and findings made one at a time."""
    by_path = _placed(report)
    return (
        ("schema", SCHEMA),
        ("documents", (document_dict(report, d) for d in report.documents)),
        ("findings", (finding_dict(f, by_path.get(f.path)) for f in report.findings)),
        ("summary", _summary(report)),
    )


def report_dict(report: Report) -> dict[str, Any]:
    return {name: list(value) if name in ("documents", "findings") else value for name, value in _parts(report)}


#: How a run keeps a manuscript's part of the report: `memo(inputs, make)` returns what
#: `make()` returns, or the text kept under `inputs` (bytes holding all that part depends on).
TextMemo = Callable[[bytes, Callable[[], str]], str]
#: What a cache keeps the parts under: `render(report, cache.text_memo(PARTS))`.
PARTS = "json-document"


def _pickled(value: Any) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True  # no memo: the bytes depend on the values only, not on which are the same object
    pickler.dump(value)
    return out.getvalue()


def document_inputs(report: Report, doc: Document, passages: dict[int, bytes] | None = None) -> bytes:
    """Everything `document_dict` reads for `doc`, pickled (pickles of these values are the
    same in every process): the manuscript as read (or the cache key of its extraction, which
    stands for it), its resolutions, its quotations' matches and the passages they are part of
    (whose places are what `also` and `also_count` read), its own references.

    A passage stands in as the hash of its pickle, made once per passage where `passages`
    (by `id`, for one report) keeps them: a passage quoted in every manuscript is pickled once,
    not once per manuscript."""
    quotes = report.quotes
    passages = {} if passages is None else passages

    def passage(i: int) -> bytes | None:
        p = quotes.passage(doc.path, i)
        if p is None:
            return None
        made = passages.get(id(p))
        if made is None:
            made = passages[id(p)] = hashlib.sha256(_pickled(p)).digest()
        return made

    value = (
        SCHEMA, ALSO_LIMIT, report.document_keys.get(doc.path) or doc, report.resolutions.by_path.get(doc.path),
        [(quotes.match(doc.path, i), passage(i)) for i in range(len(doc.quotations))],
        report.lists.get(doc.path),
    )
    return _pickled(value)


def render(report: Report, memo: TextMemo | None = None) -> str:
    """`json.dumps(report_dict(report), ensure_ascii=False, indent=2)`, byte for byte, made a
    document and a finding at a time: the report of a thousand manuscripts is never one tree
    of objects in memory, only its text. With `memo` (a run's cache), each manuscript's part
    is kept under what it depends on, so a revision that changed one manuscript of a hundred
    writes one part anew."""
    out = ["{"]
    for n, (name, value) in enumerate(_parts(report)):
        out.append(("\n" if n == 0 else ",\n") + f"  {encode(name)}: ")
        if name not in ("documents", "findings"):
            out.append(dumps(value, "  "))
            continue
        if name == "documents" and memo is not None:
            passages: dict[int, bytes] = {}
            value = (memo(document_inputs(report, d, passages), lambda d=d: dumps(document_dict(report, d), "    "))
                     for d in report.documents)
        elif name == "findings":
            by_path = _placed(report)
            value = (finding_text(f, by_path.get(f.path)) for f in report.findings)
        else:
            value = (dumps(item, "    ") for item in value)
        empty = True
        for text in value:
            out.append("[\n    " if empty else ",\n    ")
            out.append(text)
            empty = False
        out.append("[]" if empty else "\n  ]")
    out.append("\n}\n")
    return "".join(out)
