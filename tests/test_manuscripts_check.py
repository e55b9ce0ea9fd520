"""Real manuscripts as a user checks them (`citeaudit check FILE`, the bibliography the file
names itself): Markdown and LaTeX papers, theses and books, Word and ODT test files, against
what pandoc, LaTeX with bibtex/biber and pandoc's DOCX reader say of the same files
(tests/corpora/manuscripts, gold.json made by make_gold.py). Figures in docs/accuracy.md:

    .venv/bin/python tests/manuscripts_eval.py --audit
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import manuscripts_eval
from citeaudit import audit

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "corpora" / "manuscripts"


@pytest.mark.parametrize("folder", ["markdown", "latex"])
def test_keys_missing_keys_and_notes_agree_with_pandoc_and_latex(folder):
    if not (CORPUS / folder / "gold.json").is_file():
        pytest.skip(f"tests/corpora/manuscripts/{folder} absent")
    out = io.StringIO()
    figures = manuscripts_eval.evaluate(folder, out=out, through_audit=True)
    assert figures["documents"] >= 19
    assert figures["cited keys recall (unique per document)"] >= 0.98, out.getvalue()
    assert figures["cited keys precision (unique per document)"] >= 0.98, out.getvalue()
    assert figures["missing keys: verdicts agreeing (per key)"] >= 0.98, out.getvalue()
    assert figures["notes: documents with the same count"] >= 0.98, out.getvalue()


def _docx_gold():
    path = CORPUS / "docx" / "gold.json"
    return json.loads(path.read_text(encoding="utf-8"))["documents"] if path.is_file() else []


@pytest.mark.parametrize("gold", [g for g in _docx_gold() if g["notes"] or g["cited_keys"]], ids=lambda g: g["id"])
def test_word_and_odt_notes_and_reference_manager_citations(gold):
    """Notes and endnotes as pandoc counts them; Zotero, Mendeley and ODT citation fields
    resolved with no .bib, through the CSL-JSON items they embed."""
    report = audit([str(CORPUS / "docx" / gold["file"])])
    doc = report.documents[0]
    assert len(doc.notes) == gold["notes"]
    assert all(n.marker is not None and n.body is not None for n in doc.notes)
    # each work cited as pandoc cites it (pandoc keys Mendeley's items by their per-citation
    # ids, which repeat across citations: the works are told apart here by their data)
    cited = [it.key for c in doc.citations for it in c.items if it.key]
    assert len(cited) == sum(gold["cite_counts"].values()) and len(set(cited)) >= len(gold["cited_keys"])
    statuses = [r.status for _c, _i, it, r in report.resolutions.items(doc) if it.key]
    assert statuses == ["resolved"] * len(statuses)


def test_a_folder_check_reads_every_format_and_names_what_it_cannot(tmp_path):
    for name in ("zotero_citations.docx", "odt_footnote.odt"):
        (tmp_path / name).write_bytes((CORPUS / "docx" / name).read_bytes())
    (tmp_path / "notes.md").write_text("A claim [@smith2013comparison, p. 4].[^1]\n\n[^1]: A note.\n", encoding="utf-8")
    (tmp_path / "chapter.tex").write_text("\\documentclass{article}\\begin{document}\nAs \\citet{doe} says.\n\\end{document}\n",
                                          encoding="utf-8")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy")
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(tmp_path), "--format", "json", "--fail-on", "never"],
                          capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    read = sorted(Path(d["path"]).name for d in json.loads(proc.stdout)["documents"])
    assert read == ["chapter.tex", "notes.md", "odt_footnote.odt", "zotero_citations.docx"]
    assert "old.doc: not read" in proc.stderr and "save it as .docx" in proc.stderr


def test_a_damaged_word_file_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "paper.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(bad)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "paper.docx" in proc.stderr
