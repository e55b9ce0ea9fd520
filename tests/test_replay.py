"""A check whose manuscripts, .bib, configuration and options are as they were, and whose
full texts of sources are where they were, is answered from the cache: the same reports,
the same messages, the same exit code, with nothing of the pipeline loaded. Anything it
depended on changed, and the check runs again."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "003_03805af8fcc790d0.txt"  # quotes Marx, whose text is in bib/sources

#: Runs the command line, then says on the last line of stderr whether the pipeline was loaded.
_RUN = ("import sys\nfrom citeaudit.cli import main\ncode = main(sys.argv[1:])\n"
        "print('pipeline loaded' if 'citeaudit.pipeline' in sys.modules else 'pipeline not loaded', file=sys.stderr)\n"
        "raise SystemExit(code)\n")


@pytest.fixture()
def book(tmp_path):
    shutil.copytree(ROOT / "bib", tmp_path / "bib")
    (tmp_path / "ms").mkdir()
    shutil.copy(SEED, tmp_path / "ms" / SEED.name)
    (tmp_path / "out").mkdir()
    return tmp_path


def check(book, *extra, fail_on="never"):
    proc = subprocess.run([sys.executable, "-c", _RUN, "check", "ms", "--bib", "bib/seeds.bib", "--cache", "cache",
                           "--fail-on", fail_on, *extra], cwd=book, capture_output=True, text=True, timeout=300, check=False)
    said, loaded = proc.stderr.rsplit("pipeline ", 1)
    return proc.returncode, proc.stdout, said, loaded.startswith("loaded")


def reports(book) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((book / "out").iterdir())}


def test_the_same_check_again_is_answered_from_the_cache(book):
    args = ("--format", "json", "--format", "sarif", "--format", "text", "--out", "out")
    first = check(book, *args)
    written = reports(book)
    for p in (book / "out").iterdir():
        p.unlink()
    again = check(book, *args)
    assert first[3] and not again[3]  # the second run loaded no pipeline
    assert again[:3] == first[:3] and reports(book) == written
    assert "misquotation" in written["citeaudit.json"]
    # to standard output, with the exit code of --fail-on
    out = check(book, "--format", "concise", fail_on="info")
    out_again = check(book, "--format", "concise", fail_on="info")
    assert out[0] == out_again[0] == 1 and out[1] == out_again[1] and out[1] and not out_again[3]
    # another option is another check
    assert check(book, "--format", "concise", fail_on="never")[3]


def test_writing_the_reports_beside_the_bib_does_not_count_as_a_change(book):
    first = check(book, "--format", "json", "--out", "bib/report.json")
    again = check(book, "--format", "json", "--out", "bib/report.json")
    assert first[3] and not again[3]


def test_a_changed_input_runs_the_check_again(book):
    args = ("--format", "json", "--out", "out/r.json")
    check(book, *args)
    before = reports(book)
    text = book / "bib" / "sources" / "marx1852brumaire.txt"
    # the full text of a cited work edited: the quotation is no longer there word for word
    text.write_text(text.read_text(encoding="utf-8").replace("their stage effects outbid one another",
                                                              "their dramatic effects outdo each other"), encoding="utf-8")
    edited = check(book, *args)
    assert edited[3] and reports(book) != before
    assert not check(book, *args)[3]
    # the manuscript edited
    ms = book / "ms" / SEED.name
    ms.write_text(ms.read_text(encoding="utf-8") + "\nA late addition (Marx 1852).\n", encoding="utf-8")
    assert check(book, *args)[3]
    # the .bib edited
    bib = book / "bib" / "seeds.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@book{late2020, author = {Late, A.}, title = {Late}, year = 2020}\n",
                   encoding="utf-8")
    assert check(book, *args)[3]
    assert not check(book, *args)[3]


def test_a_full_text_put_in_place_later_is_read(book):
    """The check looked for texts/KEY.txt of every entry: one that appears is found."""
    bib = book / "bib" / "seeds.bib"
    bib.write_text(re.sub(r"\n *file *= *\{sources/marx1852brumaire.txt\},", "", bib.read_text(encoding="utf-8")),
                   encoding="utf-8")
    sources = book / "texts"
    sources.mkdir()
    args = ("--format", "json", "--out", "out/r.json", "--sources", "texts")
    check(book, *args)
    before = reports(book)["r.json"]
    assert not check(book, *args)[3]
    shutil.copy(book / "bib" / "sources" / "marx1852brumaire.txt", sources / "marx1852brumaire.txt")
    loaded = check(book, *args)[3]
    assert loaded and reports(book)["r.json"] != before
    fresh = subprocess.run([sys.executable, "-m", "citeaudit", "check", "ms", "--bib", "bib/seeds.bib", "--no-cache",
                            "--fail-on", "never", "--sources", "texts", "--format", "json"], cwd=book,
                           capture_output=True, text=True, timeout=300, check=False)
    assert reports(book)["r.json"] == fresh.stdout


def test_no_bib_named_is_never_answered_from_the_cache(book):
    """Without --bib the manuscripts name their .bib files, or their own lists stand for one:
    what the check read is not known before it runs."""
    proc = [sys.executable, "-c", _RUN, "check", "ms", "--cache", "cache", "--format", "json"]
    first = subprocess.run(proc, cwd=book, capture_output=True, text=True, timeout=300, check=False)
    again = subprocess.run(proc, cwd=book, capture_output=True, text=True, timeout=300, check=False)
    assert first.stdout == again.stdout and '"documents"' in again.stdout and again.stderr.endswith("pipeline loaded\n")


def test_a_sources_folder_taken_away_is_said_as_on_the_first_run(book):
    (book / "texts").mkdir()
    args = ("--format", "json", "--out", "out/r.json", "--sources", "texts")
    assert check(book, *args)[0] == 0
    (book / "texts").rmdir()
    code, _, said, _ = check(book, *args)
    assert code == 2 and "no such sources folder" in said


def test_the_package_loads_what_is_used_of_it():
    """`import citeaudit` (and its command line) loads none of the pipeline; each of its
    names, and each stage of the pipeline, is there when asked for."""
    code = ("import sys, citeaudit, citeaudit.cli\n"
            "assert 'citeaudit.pipeline' not in sys.modules and 'citeaudit.extract' not in sys.modules\n"
            "import citeaudit.pipeline as p\n"
            "missing = [n for n in [*citeaudit.__all__, *p.__all__] if getattr(citeaudit, n, None) is None]\n"
            "assert not missing, missing\n"
            "from citeaudit import online, export\n"
            "assert not hasattr(citeaudit, 'no_such_name')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
