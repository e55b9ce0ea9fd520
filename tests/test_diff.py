"""citeaudit diff: what changed between two versions of a manuscript."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

OLD = (
    "Althusser says ‘the state is the machine that transforms violence’ (Althusser, 2015, p. 166).\n\n"
    "Balibar agrees (Balibar, 1977, p. 123).1\n\nNotes\n1. A first note.\n"
)
NEW = (
    "Althusser says ‘the state is a machine that transforms violence into power’ (Althusser, 2015, p. 167).\n\n"
    "Balibar agrees (Balibar, 1977, p. 123).1 And Tronti (Tronti, 1966).2\n\nNotes\n1. A first note, revised.\n2. New.\n"
)


def run_diff(tmp_path: Path, fmt: str) -> str:
    (tmp_path / "v1").mkdir(exist_ok=True)
    (tmp_path / "v2").mkdir(exist_ok=True)
    (tmp_path / "v1" / "ms.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "v2" / "ms.txt").write_text(NEW, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "citeaudit", "diff", str(tmp_path / "v1" / "ms.txt"), str(tmp_path / "v2" / "ms.txt"), "--format", fmt],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_diff_reports_citations_notes_quotations_and_findings(tmp_path):
    data = json.loads(run_diff(tmp_path, "json"))
    changes = {(c["kind"], c["change"]) for c in data["changes"]}
    assert ("citation", "changed") in changes and ("citation", "added") in changes
    changed = next(c for c in data["changes"] if c["kind"] == "citation" and c["change"] == "changed")
    assert "p. 166" in changed["detail"] and "p. 167" in changed["detail"]
    quote = next(c for c in data["changes"] if c["kind"] == "quotation")
    assert quote["change"] == "changed" and "[-the-]" in quote["detail"] and "{+into power+}" in quote["detail"]
    notes = {(c["change"], c["text"].split(":")[0]) for c in data["changes"] if c["kind"] == "note"}
    assert ("changed", "note 1") in notes and ("added", "note 2") in notes


def test_diff_as_text_and_markdown(tmp_path):
    text = run_diff(tmp_path, "text")
    assert "citations (2)" in text and "changed  line 1" in text
    md = run_diff(tmp_path, "markdown")
    assert md.startswith("## citeaudit diff") and "### Quotations (1)" in md
