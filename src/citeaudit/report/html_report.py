"""One self-contained HTML file an editor opens in a browser: a summary, findings that can
be filtered by rule and severity, and each manuscript with its citations highlighted
(resolved, ambiguous, unresolved), linked to their bibliography entries and findings,
notes linked to their markers and quotations to their citations.

Everything that comes from a manuscript or a .bib file is escaped; the page fetches nothing.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict

from ..model import Document, Finding, Report
from .common import counts, item_totals, paths_in_order

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


def _status(c) -> str:
    statuses = {it.status for it in c.items}
    if "unresolved" in statuses:
        return "unresolved"
    if "ambiguous" in statuses:
        return "ambiguous"
    return "resolved"


def _manuscript(doc: Document, did: str, findings: list[Finding], checked: bool) -> str:
    """The text with its citations, quotations and note markers marked up, line by line."""
    text = doc.text
    marks: list[tuple[int, int, int, str, str, str]] = []  # start, end, depth, open tag, close tag, anchor id
    by_line: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.line:
            by_line[f.line].append(f)
    for qi, q in enumerate(doc.quotations):
        target = f"#{did}-c{q.citation + 1}" if q.citation is not None else ""
        title = "quotation" + (f" attributed to {doc.citations[q.citation].text}" if q.citation is not None else ", no citation")
        if q.match:
            page = f" p. {q.match['page']}" if q.match.get("page") else ""
            title += f"; found in {q.match['source']}{page} ({q.match['kind']}, score {q.match['score']:.0f}, source line {q.match.get('line')})"
        for other in q.also:
            title += f"; also at {other['path']}:{other['line']} ({other['kind']})"
        tag = f'<span class="quote" title="{_e(title)}" data-cite="{_e(target)}">'
        marks.append((q.span.start, q.span.end, 0, tag, "</span>", f"{did}-q{qi + 1}"))
    for ci, c in enumerate(doc.citations):
        status = _status(c) if checked else "unchecked"
        keys = [it.key for it in c.items if it.key]
        href = f"#bib-{keys[0]}" if keys else "#"
        info = "; ".join(
            f"{' & '.join(it.authors) or it.title or 'ibid.'} {it.year or ''}{it.suffix} → {it.key or it.status}" for it in c.items
        )
        tag = f'<a class="cite {status}" href="{_e(href)}" title="{_e(info)}">'
        marks.append((c.span.start, c.span.end, 1, tag, "</a>", f"{did}-c{ci + 1}"))
    for n in doc.notes:
        if n.marker is not None:
            href = f"#{did}-n{n.number}" if n.body is not None else "#"
            tag = f'<a class="marker" href="{_e(href)}" title="note {n.number}">'
            marks.append((n.marker.start, n.marker.end, 2, tag, "</a>", f"{did}-m{n.number}"))
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


def render(report: Report) -> str:
    c = counts(report)
    resolved, items = item_totals(report)
    checked = report.bibliography is not None
    entries = {e.key: e for e in report.bibliography.entries} if checked else {}
    doc_ids = {d.path: _doc_id(i) for i, d in enumerate(report.documents)}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>citeaudit report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>citeaudit report</h1>",
        '<ul class="summary">',
        f"<li><b>{len(report.documents)}</b>{_plural(len(report.documents), 'document')}</li>",
        f"<li><b>{sum(len(d.citations) for d in report.documents)}</b>{_plural(sum(len(d.citations) for d in report.documents), 'citation')}</li>",
    ]
    if checked:
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
    out += ["</ul></header>", "<main>"]
    # filters
    rule_counts = Counter(f.rule for f in report.findings)
    out.append('<section id="filters" aria-label="filters"><fieldset><legend>Severity</legend>')
    for level in ("error", "warning", "info"):
        out.append(
            f'<label class="sev-{level}"><input type="checkbox" data-kind="severity" value="{level}" checked> {level} ({c[level]})</label>'
        )
    out.append("</fieldset><fieldset><legend>Rule</legend>")
    for rule, n in sorted(rule_counts.items()):
        out.append(f'<label><input type="checkbox" data-kind="rule" value="{_e(rule)}" checked> <code class="rule">{_e(rule)}</code> ({n})</label>')
    out.append("</fieldset></section>")
    # findings
    out.append('<section id="findings"><h2>Findings</h2><p id="shown"></p>')
    if report.findings:
        out.append('<table class="findings"><thead><tr><th>severity</th><th>where</th><th>rule</th><th>message</th></tr></thead><tbody>')
        for path in paths_in_order(report):
            for f in (x for x in report.findings if x.path == path):
                did = doc_ids.get(f.path)
                where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
                if did and f.line:
                    link = f'<a href="#{did}-L{f.line}">{_e(where)}</a>'
                elif f.path in {e.path for e in entries.values()} and f.line:
                    key = next((e.key for e in entries.values() if e.path == f.path and e.line == f.line), None)
                    link = f'<a href="#bib-{_e(key)}">{_e(where)}</a>' if key else _e(where)
                else:
                    link = _e(where)
                out.append(
                    f'<tr id="f-{_e(f.fingerprint)}" data-rule="{_e(f.rule)}" data-severity="{_e(f.severity)}">'
                    f'<td><span class="badge sev-{_e(f.severity)}">{_e(f.severity)}</span></td>'
                    f'<td class="where">{link}</td><td><code class="rule">{_e(f.rule)}</code></td><td>{_e(f.message)}</td></tr>'
                )
        out.append("</tbody></table>")
    else:
        out.append("<p>No findings.</p>")
    out.append("</section>")
    # manuscripts
    out.append("<h2>Manuscripts</h2>")
    for doc in report.documents:
        did = doc_ids[doc.path]
        doc_findings = [f for f in report.findings if f.path == doc.path]
        items_here = [it for cit in doc.citations for it in cit.items]
        st = Counter(it.status for it in items_here)
        stats = f"{len(doc.citations)} citations"
        if checked:
            stats += f" · {st['resolved']} resolved · {st['ambiguous']} ambiguous · {st['unresolved']} unresolved"
        stats += f" · {len(doc.notes)} notes · {len(doc.quotations)} quotations · {len(doc_findings)} findings"
        out.append(f'<section class="doc" id="{did}"><h2>{_e(doc.path)}</h2><div class="stats">{stats}</div>')
        out.append(
            '<div class="legend"><span><a class="cite resolved">resolved</a></span><span><a class="cite ambiguous">ambiguous</a></span>'
            '<span><a class="cite unresolved">unresolved</a></span><span class="quote">quotation</span>'
            '<span><a class="marker">¹</a> note marker</span><span><a class="flag">⚑</a> finding</span></div>'
        )
        out.append(f'<pre class="manuscript">{_manuscript(doc, did, doc_findings, checked)}</pre>')
        if doc.notes:
            out.append('<ol class="notes">')
            for n in doc.notes:
                back = f' <a href="#{did}-m{n.number}" title="back to the marker">↩</a>' if n.marker is not None else " <em>(no marker in the text)</em>"
                body = _e(n.text) if n.body is not None else "<em>(no note text)</em>"
                out.append(f'<li value="{n.number}" id="{did}-n{n.number}">{body}{back}</li>')
            out.append("</ol>")
        out.append("</section>")
    if checked:
        cited = Counter(it.key for d in report.documents for cit in d.citations for it in cit.items if it.key)
        out.append('<section id="bibliography"><h2>Bibliography</h2><ol class="bib">')
        for e in report.bibliography.entries:
            detail = ", ".join(_e(x) for x in (e.fields.get("publisher"), e.fields.get("journal"), e.fields.get("pages")) if x)
            out.append(
                f'<li id="bib-{_e(e.key)}"><b>{_e(e.label())}</b> {_e(e.title)}'
                f"{' — ' + detail if detail else ''} <span class=\"key\">{_e(e.key)} · {_e(e.path)}:{e.line} · cited {cited[e.key]}×</span></li>"
            )
        out.append("</ol></section>")
    out += ["</main>", f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(out) + "\n"
