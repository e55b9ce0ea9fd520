"""Reading BibTeX: real edge-case files from ../shared/corpus/bibtex load or fail with a
clear problem and its line, never a traceback; names split with their particles."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeaudit.bibliography import decode_latex, fold, load_bibliography, split_blocks

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "bibtex"
BIB_FILES = sorted(CORPUS.rglob("*.bib")) if CORPUS.is_dir() else []
ROOT = Path(__file__).parent.parent


@pytest.mark.skipif(not BIB_FILES, reason="../shared/corpus/bibtex not present")
@pytest.mark.parametrize("path", BIB_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_file_loads_or_reports_where_it_fails(path):
    bib = load_bibliography([path])
    text_lines = path.read_bytes().count(b"\n") + 1
    blocks = split_blocks(path.read_bytes().decode("utf-8", "replace"))
    if any(b.kind not in ("comment", "string", "preamble") for b in blocks):
        assert bib.entries or bib.problems  # files of only @string and @comment hold no entry
    for problem in bib.problems:
        assert 1 <= problem.line <= text_lines and problem.message and "\n" not in problem.message
    for entry in bib.entries:
        assert entry.line >= 1 and entry.key


@pytest.mark.skipif(not BIB_FILES, reason="../shared/corpus/bibtex not present")
def test_biber_names_split_with_particles():
    bib = load_bibliography([CORPUS / "biber-tdata" / "names.bib"])
    names = {e.key: e.authors[0] for e in bib.entries if e.authors}
    assert (names["L5"].von, names["L5"].last, names["L5"].surname) == ("von", "Eel", "von Eel")
    assert names["L12"].surname == "de la Vallée Poussin" and names["L12"].given.startswith("Charles Louis")
    assert names["L13"].last.endswith("Graaff") and "Van" in names["L13"].surname


@pytest.mark.skipif(not BIB_FILES, reason="../shared/corpus/bibtex not present")
def test_latin1_file_is_read_with_a_problem_naming_the_line():
    bib = load_bibliography([CORPUS / "biber-tdata" / "encoding3.bib"])
    assert bib.entries
    assert any("not valid UTF-8" in p.message and p.line > 1 for p in bib.problems)


@pytest.mark.skipif(not BIB_FILES, reason="../shared/corpus/bibtex not present")
def test_biblatex_examples_loads_whole():
    bib = load_bibliography([CORPUS / "biblatex-examples" / "biblatex-examples.bib"])
    assert len(bib.entries) >= 90 and not bib.problems
    kant = {e.key: e for e in bib.entries}["kant:ku"]
    assert kant.authors[0].last == "Kant"


def test_latex_accents_and_braces_decode_for_matching():
    assert decode_latex(r"Balibar, {\'E}tienne") == "Balibar, Étienne"
    assert decode_latex(r"{\v S}ebestov{\'a} and Fran{\c{c}}ois") == "Šebestová and François"
    assert decode_latex("{Lo Iacono}") == "Lo Iacono"
    assert fold("Étienne Balibar") == fold("etienne BALIBAR")


def test_seed_bibliography_loads_clean_with_lines():
    bib = load_bibliography([ROOT / "bib" / "seeds.bib"])
    assert not bib.problems
    by_key = bib.by_key()
    text = (ROOT / "bib" / "seeds.bib").read_text(encoding="utf-8").splitlines()
    for key, entry in by_key.items():
        assert text[entry.line - 1].lstrip().startswith("@") and key in text[entry.line - 1]
    assert (by_key["althusser2017philosophy"].suffix, by_key["althusser2017marxist"].suffix) == ("a", "b")
    assert by_key["loiacono2015terni"].authors[0].surname == "Lo Iacono"


def _bib_files() -> list[Path]:
    root = Path(__file__).parent.parent
    shared = root.parent / "shared" / "corpus"
    return sorted([*shared.glob("**/*.bib"), *(root / "tests" / "corpora").glob("**/*.bib"), *(root / "bib").glob("*.bib")])


def test_the_fast_bib_parser_reads_what_pybtex_reads():
    """A .bib is read by our own parser of pybtex's grammar, for speed, and by pybtex where
    ours is unsure. On every real .bib at hand (the shared corpus's BibTeX collections and
    torture files, our test corpora, the seeds'), where ours reads a file it must give
    exactly pybtex's entries, fields, values and warnings, and where pybtex finds an error,
    ours must have left the file to it."""
    from citeaudit.bibliography.read import _block_lines, _fast_parse, _parse

    files = _bib_files()
    if len(files) < 20:
        pytest.skip("../shared/corpus is not at hand")
    read_fast = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        fast = _fast_parse(text)
        try:
            data, captured = _parse(text)
        except Exception:  # noqa: BLE001 - pybtex's syntax errors
            assert fast is None, f"{path}: pybtex finds an error that the fast parser does not"
            continue
        if fast is None:
            continue
        read_fast += 1
        expected = [(key, e.type, [(k, str(v)) for k, v in e.fields.items()]) for key, e in data.entries.items()]
        assert fast[0] == expected, path
        assert [str(m) for m in fast[1]] == [str(exc) for exc in captured], path
        # each entry's line, found on the way, is the line its block starts on (a block
        # commented out with "%", which biber skips, has none)
        blocks = _block_lines(text)
        assert {k: v for k, v in fast[2].items() if k in blocks} == {k: v for k, v in blocks.items() if k in fast[2]}, path
        assert set(blocks) <= set(fast[2]), path
    assert read_fast >= len(files) // 2  # the fast path is the usual one


def test_names_split_without_pybtex_split_as_pybtex_splits_them():
    """Names without braces, backslashes or ties are split into first, von, last and jr
    by our own reading of BibTeX's rules (not biblatex's extended "family=..." form, which
    pybtex does not read); every such name of the .bib files at hand must
    come out as pybtex's Person makes it."""
    import re

    from pybtex.database import Person

    from citeaudit.bibliography.read import _EXTENDED, _PLAIN_NAME, _fast_parse, _one_name, person_name

    files = _bib_files()
    if len(files) < 20:
        pytest.skip("../shared/corpus is not at hand")
    seen = set()
    for path in files:
        fast = _fast_parse(path.read_bytes().decode("utf-8", errors="replace"))
        for _key, _type, fields in fast[0] if fast else ():
            for name, value in fields:
                if name.lower() in ("author", "editor", "translator"):
                    seen.update(p.strip() for p in re.split(" [Aa][Nn][Dd] ", value) if _PLAIN_NAME.fullmatch(p) and p.strip())
    assert len(seen) > 500
    for person in seen:
        if person.count(",") > 2 or _EXTENDED.match(person):  # biblatex's "family=..., given=...": ours both ways
            continue
        assert _one_name(person) == person_name(Person(person)), person
