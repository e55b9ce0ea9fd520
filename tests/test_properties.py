"""Any text in: no exception, every span inside the text, lines inside the file."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import doc_of

# Text that is likely to look like manuscripts: citation punctuation, quotes, digits, breaks.
pieces = st.sampled_from(
    [
        "(", ")", "[", "]", ";", ",", ".", ":", " ", "  ", "\n", "\n\n", "\n \n", " " * 30 + "\n",
        "‘", "’", "“", "”", '"', "'", "1", "2", "[1]", "p. ", "pp ", "ibid.", "op. cit.", "et al.",
        "Althusser", "Lo Iacono", "van der", "2015", "2017a", "n.d.", "[1867] ", "1976", "-", "–",
        "Notes\n", "1. ", "  • 2. ", "¹", "See: ", "’s", "1s", "'1", "11 ", "\f", "\r\n", "é", "\u00ad",
    ]
)
texts = st.one_of(st.text(max_size=300), st.lists(pieces, max_size=120).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_extracts_without_error_and_spans_stay_inside(text):
    doc = doc_of(text)
    n = len(text)
    spans = [c.span for c in doc.citations] + [q.span for q in doc.quotations] + [m.span for m in doc.unbalanced_quotes]
    spans += [s for note in doc.notes for s in (note.marker, note.body) if s is not None]
    for span in spans:
        assert 0 <= span.start <= span.end <= n
    for c in doc.citations:
        line, col = doc.lines.line_col(c.span.start)
        assert 1 <= line <= text.count("\n") + 1 and col >= 1
    for q in doc.quotations:
        assert q.citation is None or 0 <= q.citation < len(doc.citations)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts)
def test_any_text_goes_through_every_rule_and_report_without_error(tmp_path_factory, text):
    from pathlib import Path

    from citeaudit import CiteauditError, audit
    from citeaudit.report import html_report, json_report, sarif, text_report

    folder = tmp_path_factory.mktemp("ms")
    (folder / "ms.txt").write_text(text, encoding="utf-8")
    bib = Path(__file__).parent.parent / "bib" / "seeds.bib"
    if "\x00" in text:  # a NUL byte: refused as a binary file, on purpose
        with pytest.raises(CiteauditError, match="binary"):
            audit([str(folder / "ms.txt")], [str(bib)])
        return
    report = audit([str(folder / "ms.txt")], [str(bib)])
    for render in (json_report.render, text_report.render, html_report.render, sarif.render):
        assert render(report)
    for f in report.findings:
        assert f.line is None or f.line >= 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.sampled_from(["", "  ", "    "]))
def test_the_report_json_writer_writes_what_json_dumps_does(value, indent):
    """The JSON report's own indenting writer (for speed) must write exactly what
    json.dumps(value, ensure_ascii=False, indent=2) does, at any depth: escapes, unicode,
    empty containers, floats, nesting."""
    import json

    from citeaudit.jsontext import dumps

    assert dumps(value, indent) == json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
