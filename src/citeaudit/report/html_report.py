"""One self-contained HTML file an editor opens in a browser: a summary, findings that can
be filtered by rule and severity, and each manuscript with its citations highlighted
(resolved, ambiguous, unresolved), linked to their bibliography entries and findings,
notes linked to their markers and quotations to their citations.

Everything that comes from a manuscript or a .bib file is escaped; the page fetches nothing.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict

from ..model import SEVERITIES, Document, Finding, Report
from .common import ALSO_LIMIT, counts, item_totals, paths_in_order, statuses

_CSS = """
:root { --err: #b3261e; --warn: #9a6700; --info: #0b6bcb; --ok: #1a7f37; --amb: #8250df; --ink: #1f2328;
        --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
h1 { margin: 0 0 4px; font-size: 22px; } h2 { font-size: 18px; margin: 28px 0 10px; } h3 { font-size: 15px; margin: 16px 0 6px; }
main { padding: 0 32px 48px; max-width: 1200px; }
.summary { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0 0; padding: 0; list-style: none; }
.summary li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; }
.summary b { font-size: 18px; display: block; }
.sev-error { color: var(--err); } .sev-warning { color: var(--warn); } .sev-info { color: var(--info); }
#filters { display: flex; gap: 24px; flex-wrap: wrap; margin: 16px 0; padding: 12px 16px; border: 1px solid var(--line); border-radius: 8px; background: var(--soft); }
#filters fieldset { border: 0; margin: 0; padding: 0; } #filters legend { font-weight: 600; margin-bottom: 4px; }
#filters label { display: inline-block; margin: 2px 12px 2px 0; white-space: nowrap; cursor: pointer; }
table.findings { border-collapse: collapse; width: 100%; font-size: 14px; }
table.findings th, table.findings td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
table.findings th { background: var(--soft); position: sticky; top: 0; }
table.findings tr:target { background: #fff8c5; }
td.where a { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; white-space: nowrap; }
code.rule { white-space: nowrap; font-size: 12.5px; background: var(--soft); padding: 1px 5px; border-radius: 4px; }
.badge { display: inline-block; min-width: 64px; font-size: 12px; font-weight: 600; text-transform: uppercase; }
.doc { border: 1px solid var(--line); border-radius: 8px; margin: 20px 0; }
.doc > h2 { margin: 0; padding: 10px 16px; background: var(--soft); border-bottom: 1px solid var(--line); font-size: 16px; }
.doc .stats { padding: 6px 16px; color: var(--muted); font-size: 13px; border-bottom: 1px solid var(--line); }
.legend { font-size: 13px; color: var(--muted); padding: 6px 16px; }
.legend span { margin-right: 14px; }
.manuscript { margin: 0; padding: 10px 0; max-height: 70vh; overflow: auto; font: 13px/1.55 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; word-break: break-word; }
.ln { display: inline-block; width: 5ch; margin-right: 1.5ch; color: #8c959f; text-align: right; user-select: none; }
.l:target { background: #fff8c5; }
a.cite { text-decoration: none; border-radius: 3px; padding: 0 1px; color: inherit; }
.cite.resolved { background: #dafbe1; box-shadow: inset 0 -2px var(--ok); }
.cite.ambiguous { background: #fbefff; box-shadow: inset 0 -2px var(--amb); }
.cite.unresolved { background: #ffebe9; box-shadow: inset 0 -2px var(--err); }
.cite.unchecked { background: #ddf4ff; box-shadow: inset 0 -2px var(--info); }
.quote { background: #fff8c5; }
a.marker { color: var(--info); font-weight: 700; text-decoration: none; }
a.flag { color: var(--err); text-decoration: none; font-size: 11px; vertical-align: super; margin-left: 1px; }
ol.notes { font-size: 14px; margin: 0; padding: 8px 16px 12px 48px; border-top: 1px solid var(--line); }
ol.notes li:target, ol.bib li:target { background: #fff8c5; }
ol.bib { font-size: 14px; padding-left: 22px; } ol.bib .key { font-family: ui-monospace, monospace; font-size: 12px; color: var(--muted); }
.hidden { display: none !important; }
#shown { color: var(--muted); font-size: 13px; }
"""

_JS = """
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[type=checkbox]'));
  function apply() {
    var off = {};
    boxes.forEach(function (b) { if (!b.checked) off[b.dataset.kind + ':' + b.value] = true; });
    var shown = 0;
    document.querySelectorAll('[data-rule]').forEach(function (el) {
      var hide = off['rule:' + el.dataset.rule] || off['severity:' + el.dataset.severity];
      el.classList.toggle('hidden', !!hide);
      if (!hide && el.tagName === 'TR') shown++;
    });
    var out = document.getElementById('shown');
    if (out) out.textContent = shown + ' findings shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _doc_id(i: int) -> str:
    return f"d{i + 1}"


def _status(report: Report, doc: Document, ci: int) -> str:
    found = {report.resolution(doc, ci, ii).status for ii in range(len(doc.citations[ci].items))}
    if "unresolved" in found:
        return "unresolved"
    if "ambiguous" in found:
        return "ambiguous"
    return "resolved"


def _marks(report: Report, doc: Document, did: str) -> list[tuple[int, int, int, str, str, str]]:
    """(start, end, depth, open tag, close tag, anchor id) of each quotation, citation and
    note marker of a document."""
    checked = report.bibliography is not None
    marks: list[tuple[int, int, int, str, str, str]] = []
    for qi, q in enumerate(doc.quotations):
        target = f"#{did}-c{q.citation + 1}" if q.citation is not None else ""
        title = "quotation" + (f" attributed to {doc.citations[q.citation].text}" if q.citation is not None else ", no citation")
        m = report.quotes.match(doc.path, qi)
        if m is not None:
            page = f" p. {m.page}" if m.page else ""
            title += f"; found in {m.source}{page} ({m.kind}, score {m.score:.0f}, source line {m.line})"
        for other in report.quotes.also(doc.path, qi, limit=ALSO_LIMIT):
            title += f"; also at {other.other}:{other.match.line} ({other.match.kind})"
        more = report.quotes.also_count(doc.path, qi) - ALSO_LIMIT
        if more > 0:
            title += f"; and at {more} more place{'s' if more > 1 else ''}"
        tag = f'<span class="quote" title="{_e(title)}" data-cite="{_e(target)}">'
        marks.append((q.span.start, q.span.end, 0, tag, "</span>", f"{did}-q{qi + 1}"))
    for ci, c in enumerate(doc.citations):
        status = _status(report, doc, ci) if checked else "unchecked"
        resolved = [report.resolution(doc, ci, ii) for ii in range(len(c.items))]
        keys = [r.key for r in resolved if r.key]
        href = f"#bib-{keys[0]}" if keys else "#"
        info = "; ".join(
            f"{' & '.join(it.authors) or it.title or 'ibid.'} {it.year or ''}{it.suffix} → {r.key or r.status}"
            for it, r in zip(c.items, resolved)
        )
        tag = f'<a class="cite {status}" href="{_e(href)}" title="{_e(info)}">'
        marks.append((c.span.start, c.span.end, 1, tag, "</a>", f"{did}-c{ci + 1}"))
    for n in doc.notes:
        if n.marker is not None:
            href = f"#{did}-n{n.number}" if n.body is not None else "#"
            tag = f'<a class="marker" href="{_e(href)}" title="note {n.number}">'
            marks.append((n.marker.start, n.marker.end, 2, tag, "</a>", f"{did}-m{n.number}"))
    return marks


def _manuscript(report: Report, doc: Document, did: str, findings: list[Finding]) -> str:
    """The text with its citations, quotations and note markers marked up, line by line."""
    text = doc.text
    by_line: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.line:
            by_line[f.line].append(f)
    marks = _marks(report, doc, did)
    bounds = {0, len(text)}
    for s, e, *_ in marks:
        bounds.add(s)
        bounds.add(e)
    pos = 0
    while True:
        nl = text.find("\n", pos)
        if nl < 0:
            break
        bounds.add(nl)
        bounds.add(nl + 1)
        pos = nl + 1
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    started: set[str] = set()
    out: list[str] = []
    line_no = 1
    out.append(_line_open(did, 1, by_line))
    for a, b in zip(cuts, cuts[1:]):
        piece = text[a:b]
        if piece == "\n":
            out.append(_flags(by_line.get(line_no, [])) + "</span>\n")
            line_no += 1
            out.append(_line_open(did, line_no, by_line))
            continue
        active = sorted((m for m in marks if m[0] <= a and b <= m[1]), key=lambda m: (m[2], m[0]))
        opening = ""
        closing = ""
        for s, e, _depth, tag, close, anchor in active:
            if anchor not in started:
                started.add(anchor)
                tag = tag.replace(">", f' id="{anchor}">', 1) if tag.endswith(">") else tag
            opening += tag
            closing = close + closing
        out.append(opening + _e(piece.replace("\r", "")) + closing)
    out.append(_flags(by_line.get(line_no, [])) + "</span>")
    return "".join(out)


def _line_open(did: str, n: int, by_line) -> str:
    return f'<span class="l" id="{did}-L{n}"><span class="ln">{n}</span>'


def _flags(findings: list[Finding]) -> str:
    return "".join(
        f'<a class="flag" href="#f-{_e(f.fingerprint)}" data-rule="{_e(f.rule)}" data-severity="{_e(f.severity)}" '
        f'title="{_e(f.rule + ": " + f.message)}">⚑</a>'
        for f in findings
    )


def _summary(report: Report) -> list[str]:
    c = counts(report)
    resolved, items = item_totals(report)
    citations = sum(len(d.citations) for d in report.documents)
    out = [
        "<header><h1>citeaudit report</h1>",
        '<ul class="summary">',
        f"<li><b>{len(report.documents)}</b>{_plural(len(report.documents), 'document')}</li>",
        f"<li><b>{citations}</b>{_plural(citations, 'citation')}</li>",
    ]
    if report.bibliography is not None:
        out.append(f"<li><b>{resolved}/{items}</b>cited items resolved</li>")
    out += [
        f'<li class="sev-error"><b>{c["error"]}</b>{_plural(c["error"], "error")}</li>',
        f'<li class="sev-warning"><b>{c["warning"]}</b>{_plural(c["warning"], "warning")}</li>',
        f'<li class="sev-info"><b>{c["info"]}</b>info</li>',
    ]
    if report.baselined:
        out.append(f"<li><b>{report.baselined}</b>in the baseline, not shown</li>")
    if report.suppressed:
        out.append(f"<li><b>{report.suppressed}</b>suppressed</li>")
    out.append("</ul></header>")
    return out


def _filters(report: Report) -> list[str]:
    c = counts(report)
    rule_counts = Counter(f.rule for f in report.findings)
    out = ['<section id="filters" aria-label="filters"><fieldset><legend>Severity</legend>']
    for level in SEVERITIES:
        out.append(
            f'<label class="sev-{level}"><input type="checkbox" data-kind="severity" value="{level}" checked> {level} ({c[level]})</label>'
        )
    out.append("</fieldset><fieldset><legend>Rule</legend>")
    for rule, n in sorted(rule_counts.items()):
        out.append(f'<label><input type="checkbox" data-kind="rule" value="{_e(rule)}" checked> <code class="rule">{_e(rule)}</code> ({n})</label>')
    out.append("</fieldset></section>")
    return out


def _where(report: Report, f: Finding, doc_ids: dict[str, str]) -> str:
    """A finding's place, linked to its line in the manuscript or its bibliography entry."""
    did = doc_ids.get(f.path)
    where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
    if did and f.line:
        return f'<a href="#{did}-L{f.line}">{_e(where)}</a>'
    entries = report.bibliography.entries if report.bibliography is not None else ()
    if f.line and any(e.path == f.path for e in entries):
        key = next((e.key for e in entries if e.path == f.path and e.line == f.line), None)
        return f'<a href="#bib-{_e(key)}">{_e(where)}</a>' if key else _e(where)
    return _e(where)


def _findings_table(report: Report, doc_ids: dict[str, str]) -> list[str]:
    out = ['<section id="findings"><h2>Findings</h2><p id="shown"></p>']
    if not report.findings:
        return out + ["<p>No findings.</p>", "</section>"]
    out.append('<table class="findings"><thead><tr><th>severity</th><th>where</th><th>rule</th><th>message</th></tr></thead><tbody>')
    for path in paths_in_order(report):
        for f in (x for x in report.findings if x.path == path):
            out.append(
                f'<tr id="f-{_e(f.fingerprint)}" data-rule="{_e(f.rule)}" data-severity="{_e(f.severity)}">'
                f'<td><span class="badge sev-{_e(f.severity)}">{_e(f.severity)}</span></td>'
                f'<td class="where">{_where(report, f, doc_ids)}</td><td><code class="rule">{_e(f.rule)}</code></td><td>{_e(f.message)}</td></tr>'
            )
    return out + ["</tbody></table>", "</section>"]


def _document(report: Report, doc: Document, did: str) -> list[str]:
    doc_findings = [f for f in report.findings if f.path == doc.path]
    st = statuses(report, doc)
    stats = f"{len(doc.citations)} citations"
    if report.bibliography is not None:
        stats += f" · {st['resolved']} resolved · {st['ambiguous']} ambiguous · {st['unresolved']} unresolved"
    stats += f" · {len(doc.notes)} notes · {len(doc.quotations)} quotations · {len(doc_findings)} findings"
    out = [
        f'<section class="doc" id="{did}"><h2>{_e(doc.path)}</h2><div class="stats">{stats}</div>',
        '<div class="legend"><span><a class="cite resolved">resolved</a></span><span><a class="cite ambiguous">ambiguous</a></span>'
        '<span><a class="cite unresolved">unresolved</a></span><span class="quote">quotation</span>'
        '<span><a class="marker">¹</a> note marker</span><span><a class="flag">⚑</a> finding</span></div>',
        f'<pre class="manuscript">{_manuscript(report, doc, did, doc_findings)}</pre>',
    ]
    if doc.notes:
        out.append('<ol class="notes">')
        for n in doc.notes:
            back = f' <a href="#{did}-m{n.number}" title="back to the marker">↩</a>' if n.marker is not None else " <em>(no marker in the text)</em>"
            body = _e(n.text) if n.body is not None else "<em>(no note text)</em>"
            out.append(f'<li value="{n.number}" id="{did}-n{n.number}">{body}{back}</li>')
        out.append("</ol>")
    out.append("</section>")
    return out


def _bibliography(report: Report) -> list[str]:
    cited = Counter(r.key for d in report.documents for _ci, _ii, _it, r in report.resolutions.items(d) if r.key)
    out = ['<section id="bibliography"><h2>Bibliography</h2><ol class="bib">']
    for e in report.bibliography.entries:
        detail = ", ".join(_e(x) for x in (e.fields.get("publisher"), e.fields.get("journal"), e.fields.get("pages")) if x)
        out.append(
            f'<li id="bib-{_e(e.key)}"><b>{_e(e.label())}</b> {_e(e.title)}'
            f"{' — ' + detail if detail else ''} <span class=\"key\">{_e(e.key)} · {_e(e.path)}:{e.line} · cited {cited[e.key]}×</span></li>"
        )
    out.append("</ol></section>")
    return out


def render(report: Report) -> str:
    doc_ids = {d.path: _doc_id(i) for i, d in enumerate(report.documents)}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>citeaudit report</title>",
        f"<style>{_CSS}</style></head><body>",
    ]
    out += _summary(report)
    out.append("<main>")
    out += _filters(report)
    out += _findings_table(report, doc_ids)
    out.append("<h2>Manuscripts</h2>")
    for doc in report.documents:
        out += _document(report, doc, doc_ids[doc.path])
    if report.bibliography is not None:
        out += _bibliography(report)
    out += ["</main>", f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(out) + "\n"
