"""The Word, OpenDocument and PDF readers, and the annotated .docx written back.

Seed 000 is built here as a real .docx (pandoc, from a JSON AST derived from the seed's
own segmentation, its three notes as real footnotes) and as a PDF (LibreOffice from that
.docx); both must give the .txt's citations and notes. The real test documents of
tests/corpora/manuscripts/docx (pandoc's, mammoth's, Apache POI's) are checked against the
gold pandoc produced for them (gold.json).
"""

from __future__ import annotations

import collections
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from citeaudit.errors import CiteauditError
from citeaudit.extract import extract
from citeaudit.readers import read_source
from citeaudit.segment import segment

docx_reader = pytest.importorskip("citeaudit.readers.docx")
read_docx = docx_reader.read_docx
from citeaudit.readers.odt import read_odt

HERE = Path(__file__).parent
ROOT = HERE.parent
SEED = ROOT / "seeds" / "000_2de16985b8390cf9.txt"
CORPUS = HERE / "corpora" / "manuscripts" / "docx"
GOLD = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))["documents"]
SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ---------------------------------------------------------------- helpers


def _pandoc() -> str | None:
    try:
        import pypandoc

        path = pypandoc.get_pandoc_path()
        if path and os.path.exists(path):
            return path
    except Exception:  # noqa: BLE001, S110 - no pypandoc binary: try PATH
        pass
    return shutil.which("pandoc")


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert_pdf(src: Path, outdir: Path, profile: Path, notes: bool = False) -> Path:
    """LibreOffice headless: .docx -> .pdf, with a profile of its own (runs side by side)."""
    target = "pdf"
    if notes:
        target = 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}'
    subprocess.run(
        [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
         "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=240,
    )
    pdf = outdir / (src.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not convert {src.name}"
    return pdf


def _inlines(text: str) -> list[dict]:
    out: list[dict] = []
    for part in re.split(r"(\s+)", text):
        if part:
            out.append({"t": "Space"} if part.isspace() else {"t": "Str", "c": part})
    return out


def seed_ast() -> list[dict]:
    """Seed 000 as pandoc blocks: its paragraphs and headings as the plain-text
    segmentation finds them, each note's marker replaced by a real Note."""
    src = read_source(str(SEED))
    doc = extract(src)
    layout = segment(src.text)
    markers = {n.marker.start: n.number for n in doc.notes if n.marker}
    note_text = {s.note_number: s.text for s in layout.notes}
    blocks = []
    for seg in layout.body:
        cuts = sorted((i, markers[o]) for i, o in enumerate(seg.mapped.omap[:-1]) if o in markers)
        content: list[dict] = []
        pos = 0
        for i, number in cuts:
            content += _inlines(seg.text[pos:i])
            content.append({"t": "Note", "c": [{"t": "Para", "c": _inlines(note_text[number])}]})
            pos = i + 1
        content += _inlines(seg.text[pos:])
        if seg.kind == "heading":
            blocks.append({"t": "Header", "c": [2, ["", [], []], content]})
        else:
            blocks.append({"t": "Para", "c": content})
    assert sum(1 for b in json.dumps(blocks).split('"t": "Note"')) - 1 == 3
    return blocks


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("readers")


@pytest.fixture(scope="module")
def seed_docx(work) -> Path:
    pandoc = _pandoc()
    if not pandoc:
        pytest.skip("pandoc is not available")
    api = json.loads(subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=b"x", capture_output=True,
                                    check=True).stdout)["pandoc-api-version"]
    ast = {"pandoc-api-version": api, "meta": {}, "blocks": seed_ast()}
    out = work / "seed000.docx"
    subprocess.run([pandoc, "-f", "json", "-t", "docx", "-o", str(out)], input=json.dumps(ast).encode(), check=True)
    return out


@pytest.fixture(scope="module")
def seed_pdf(work, seed_docx) -> Path:
    if not _soffice():
        pytest.skip("LibreOffice (soffice) is not installed")
    pytest.importorskip("pypdfium2")
    return _convert_pdf(seed_docx, work, work / "lo-profile")


def _citations(doc) -> collections.Counter:
    return collections.Counter((it.authors, it.year, it.suffix, it.locator, c.kind, c.note)
                               for c in doc.citations for it in c.items)


def _notes(doc) -> list[tuple]:
    return sorted((n.number, doc.text[n.marker.start:n.marker.end].translate(SUPER) if n.marker else None,
                   " ".join(n.text.split())[:60]) for n in doc.notes)


@pytest.fixture(scope="module")
def seed_txt():
    return extract(read_source(str(SEED)))


# ---------------------------------------------------------------- seed 000 as .docx and .pdf


def test_seed_docx_gives_the_txt_citations_and_notes(seed_docx, seed_txt):
    src = read_docx(str(seed_docx))
    assert src.format == "docx"
    doc = extract(src)
    assert sum(_citations(seed_txt).values()) == 75
    assert _citations(doc) == _citations(seed_txt)
    assert _notes(doc) == _notes(seed_txt)
    # the three notes, paired with their marks
    assert [(n.number, n.part) for n in src.notes] == [(1, "footnote"), (2, "footnote"), (3, "footnote")]
    for ref in src.notes:
        assert src.text[ref.start:ref.end] == str(ref.number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        assert src.text[ref.start - 1].strip()  # glued to the text before it
    notes = [b for b in src.blocks if b.part == "footnote"]
    assert [(b.note, b.paragraph) for b in notes] == [(1, 1), (2, 1), (3, 1)]
    assert src.text[notes[0].start:notes[0].end].startswith("https://www.lemonde.fr/")
    assert src.text[notes[0].start - 3:notes[0].start] == "1. "
    assert "\n\nNotes\n\n1. https://" in src.text
    body = [b for b in src.blocks if b.part == "body"]
    assert [b.paragraph for b in body] == list(range(1, len(body) + 1))
    assert len(body) == len(segment(read_source(str(SEED)).text).body)
    assert all(b.page is None for b in src.blocks)
    assert src.text[body[0].start:body[0].end].startswith("The aim of this presentation")
    # every note mark lies in a body block
    for ref in src.notes:
        assert any(b.start <= ref.start < b.end for b in body)


def test_seed_pdf_gives_the_txt_citations_and_notes(seed_pdf, seed_txt):
    from citeaudit.readers.pdf import read_pdf

    src = read_pdf(str(seed_pdf))
    assert src.format == "pdf"
    doc = extract(src)
    assert _citations(doc) == _citations(seed_txt)
    assert _notes(doc) == _notes(seed_txt)
    assert [n.number for n in src.notes] == [1, 2, 3]
    notes = {b.note: b for b in src.blocks if b.part == "footnote"}
    assert sorted(notes) == [1, 2, 3]
    pages = src.text.split("\f")
    for ref in src.notes:
        note = notes[ref.number]
        # the mark and its note are on the same page, the note below the mark
        page_of = src.text.count("\f", 0, ref.start) + 1
        assert note.page == page_of
        assert note.start > ref.start
    assert src.text.count("\f") == len(pages) - 1 >= 15
    body = [b for b in src.blocks if b.part == "body"]
    assert body[0].page == 1 and body[-1].page == len(pages)
    assert [b.paragraph for b in body] == list(range(1, len(body) + 1))
    # paragraphs found from the layout: nearly all of the .docx's
    assert len(body) >= 0.9 * len(segment(read_source(str(SEED)).text).body)
    # a paragraph that runs on past a page's footnotes leaves them out of its prose
    from citeaudit.readers.pdf import ZONE_LINE

    cut = [b for b in body if b.exclude]
    assert cut
    for b in cut:
        for start, end in b.exclude:
            assert b.start < start < end < b.end and src.text[start:end].startswith(ZONE_LINE)
            assert any(start < n.start < end for n in notes.values())


def test_seed_latex_pdf_gives_the_txt_citations_and_notes(work, seed_txt):
    """The same seed typeset by pdflatex: hyphenation, ligatures, indented paragraphs,
    page numbers and LaTeX's footnote rule."""
    pandoc = _pandoc()
    if not pandoc or not shutil.which("pdflatex"):
        pytest.skip("pandoc or pdflatex is not available")
    pytest.importorskip("pypdfium2")
    from citeaudit.readers.pdf import read_pdf

    api = json.loads(subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=b"x", capture_output=True,
                                    check=True).stdout)["pandoc-api-version"]
    ast = {"pandoc-api-version": api, "meta": {}, "blocks": seed_ast()}
    out = work / "seed000-latex.pdf"
    run = subprocess.run([pandoc, "-f", "json", "-s", "-o", str(out), "--pdf-engine=pdflatex", "-V", "geometry:margin=1in",
                          "-V", r"header-includes=\DeclareUnicodeCharacter{03B5}{\ensuremath{\varepsilon}}"],
                         input=json.dumps(ast).encode(), capture_output=True, timeout=300, check=False)
    if run.returncode or not out.exists():
        pytest.skip("this TeX installation cannot typeset pandoc's LaTeX: " + run.stderr.decode()[-200:])
    src = read_pdf(str(out))
    doc = extract(src)
    assert _citations(doc) == _citations(seed_txt)
    assert _notes(doc) == _notes(seed_txt)
    assert [n.number for n in src.notes] == [1, 2, 3]
    assert any("page-number" in w for w in src.warnings)  # the page numbers were left out


# ---------------------------------------------------------------- the real test documents


def _tokens(text: str) -> list[str]:
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", " ", text)
    text = re.sub(r"\[\d+\]", " ", text)
    return [w.lower() for w in re.findall(r"\w+", text) if not w.isdigit() and w != "_"]


def _read(path: Path):
    return read_odt(str(path)) if path.suffix == ".odt" else read_docx(str(path))


@pytest.mark.parametrize("gold", GOLD, ids=[g["id"] for g in GOLD])
def test_agrees_with_pandoc_gold(gold):
    src = _read(CORPUS / gold["file"])
    # notes: one mark per note, as many as pandoc found
    assert len({(n.part, n.number) for n in src.notes}) == gold["notes"]
    note_blocks = [b for b in src.blocks if b.part in ("footnote", "endnote")]
    assert len({(b.part, b.note) for b in note_blocks}) == gold["notes"]
    for text in gold["note_texts"]:
        assert " ".join(text.split())[:40] in " ".join(src.text.split())
    # citations: the same items, by the ids the reference manager gave them, over the same text
    ours = [[str((r.data or {}).get("id", r.key)) for r in m.refs] for m in src.marked]
    theirs = [[c["id"] for c in cite["citations"]] for cite in gold["cites"]]
    assert sorted(map(sorted, ours)) == sorted(map(sorted, theirs))
    assert [m.text for m in src.marked] == [cite["text"] for cite in gold["cites"]]
    # text: every word pandoc reads (accepting tracked changes) is there
    mine = collections.Counter(_tokens(src.text))
    want = collections.Counter(_tokens(gold["text_accept"]))
    recall = sum((want & mine).values()) / max(1, sum(want.values()))
    if gold["id"] == "paragraph_insertion_deletion":
        # a deleted paragraph mark joins " split" to "Paragraph." as Word does; pandoc keeps a space
        assert "splitParagraph." in src.text
    else:
        assert recall == 1.0, sorted((want - mine).elements())


def test_tracked_changes_read_as_accepted():
    for name in ("track_changes_insertion", "track_changes_deletion", "track_changes_move",
                 "track_changes_scrubbed_metadata"):
        gold = next(g for g in GOLD if g["id"] == name)
        text = read_docx(str(CORPUS / gold["file"])).text
        assert " ".join(text.split()) == " ".join(gold["text_accept"].split())
        for ins in gold["insertions"]:
            assert ins["text"].strip() in text
    assert read_docx(str(CORPUS / "track_changes_deletion.docx")).text == "This is a text with a deletion."
    move = read_docx(str(CORPUS / "track_changes_move.docx")).text
    assert move.count("Here is the text to be moved.") == 1
    assert move.index("moved") < move.index("some more text")


def test_comments_are_not_read():
    src = read_docx(str(CORPUS / "comments.docx"))
    gold = next(g for g in GOLD if g["id"] == "comments")
    assert " ".join(src.text.split()) == " ".join(gold["text_accept"].split())
    assert any("comment" in w for w in src.warnings)


def test_tables_each_cell_a_block():
    src = read_docx(str(CORPUS / "tables.docx"))
    cells = [src.text[b.start:b.end] for b in src.blocks if b.part == "table"]
    assert cells[:5] == ["Name", "Game", "Fame", "Blame", "Lebron James"]
    assert "Simple\nMultiparagraph" in cells
    assert [b.paragraph for b in src.blocks if b.part == "table"] == list(range(1, len(cells) + 1))
    assert [b.paragraph for b in src.blocks if b.part == "body"] == [1]
    odt = read_odt(str(CORPUS / "odt_table.odt"))
    assert [odt.text[b.start:b.end] for b in odt.blocks if b.part == "table"] == [
        "Table header", "Another header", "Content", "More content"]


def test_headings_and_block_quotations():
    src = read_docx(str(CORPUS / "block_quotes.docx"))
    quotes = [src.text[b.start:b.end][:30] for b in src.blocks if b.quote]
    assert quotes == ["I don’t know why this would be", "This is called the Intense Quo", "I just indented this, so it lo"]
    assert [src.text[b.start:b.end] for b in src.blocks if b.heading] == ["Some block quotes, in different ways"]
    headers = read_docx(str(CORPUS / "headers.docx"))
    assert sum(b.heading for b in headers.blocks) >= 6
    assert docx_reader.quote_style("Zitat") and docx_reader.quote_style("Citation") and docx_reader.quote_style("Cita")
    assert docx_reader.quote_style("Block Text") and not docx_reader.quote_style("Normal")


def test_footnotes_and_endnotes_numbered_apart():
    src = read_docx(str(CORPUS / "notes.docx"))
    assert src.text == ("A footnote\n\nTest footnote.¹ Test endnote.¹\n\nNotes\n\n1. My note.\n\n"
                        "Endnotes\n\n1. This is an endnote at the end of the document.")
    assert [(n.number, n.part) for n in src.notes] == [(1, "footnote"), (1, "endnote")]
    assert [(b.part, b.note, b.paragraph) for b in src.blocks] == [
        ("body", None, 1), ("body", None, 2), ("footnote", 1, 1), ("endnote", 1, 1)]
    odt = read_odt(str(CORPUS / "odt_footnote.odt"))
    assert odt.text == "Some text¹ with a footnote.\n\nNotes\n\n1. Footnote text"
    assert odt.notes[0].number == 1 and odt.blocks[-1].part == "footnote"


def test_zotero_fields_become_marked_citations():
    src = read_docx(str(CORPUS / "zotero_citations.docx"))
    assert [src.text[m.start:m.end] for m in src.marked] == [m.text for m in src.marked]
    first, two, third = src.marked
    assert first.text == "(Smith et al., 2013)" and first.mode == "parenthetical"
    assert [r.key for r in two.refs] == ["boer2016decadal", "smith2013comparison"]
    assert first.refs[0].key == two.refs[1].key  # the same work, the same key
    assert first.refs[0].data["title"].startswith("A comparison of full-field")
    assert first.refs[0].data["id"] == 109
    (bellomo,) = third.refs
    assert (bellomo.prefix, bellomo.locator, bellomo.suffix) == ("prefix", "p. 2", "suffix")
    # the reference list the bibliography field displays is ordinary text
    assert "Reference list\n\nBellomo, K., Clement" in src.text


def test_mendeley_fields_become_marked_citations():
    src = read_docx(str(CORPUS / "mendeley_citations.docx"))
    a, b, c = src.marked
    assert a.refs[0].locator == "p. 123" and b.refs[0].locator == "pp. 10-20"
    # Mendeley numbers items per citation (ITEM-1 in each): keys come from the items
    keys = [r.key for m in src.marked for r in m.refs]
    assert keys == ["hadwenbennett2018making", "seo2019maker", "lee2011computational", "koh2015future"]
    assert c.text == "(Koh & Abbas, 2015; Lee et al., 2011)"


def test_key_maker_keeps_explicit_keys_and_tells_works_apart():
    keys = docx_reader.KeyMaker()
    assert keys.key({"id": "doe2001"}, {"id": "doe2001", "title": "X"}) == "doe2001"
    a = {"author": [{"family": "Doe"}], "issued": {"date-parts": [[2001]]}, "title": "The Same Title"}
    b = dict(a, volume="2")
    assert keys.key({"id": 1}, a) == "doe2001same"
    assert keys.key({"id": 2}, b) == "doe2001same-2"
    assert keys.key({"id": 1}, a) == "doe2001same"
    assert keys.key({"id": 7}, {"citation-key": "Doe:2001", "title": "Y"}) == "Doe:2001"


def test_odt_reader():
    cite = read_odt(str(CORPUS / "odt_citation.odt"))
    assert cite.format == "odt"
    (m,) = cite.marked
    assert cite.text[m.start:m.end] == "[Ex]" and m.refs[0].key == "Ex" and m.refs[0].data["URL"] == "www.example.com"
    # the deleted word (kept apart in text:tracked-changes) is gone, the inserted one is there
    assert read_odt(str(CORPUS / "odt_trackedChanges.odt")).text == "Some text with  and inserted text."
    end = read_odt(str(CORPUS / "odt_endnote.odt"))
    assert [(n.number, n.part) for n in end.notes] == [(1, "endnote")]


# ---------------------------------------------------------------- bad input


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("name,data,why", [
    ("garbage.docx", b"this is not a word file", "not a Word document"),
    ("empty.docx", b"", "empty"),
    ("truncated.docx", (CORPUS / "notes.docx").read_bytes()[:1500], "damaged"),
    ("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Word 97-2003"),
    ("encrypted.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600,
     "password-protected"),
    ("nodoc.docx", _zip({"hello.txt": b"hi"}), "not a Word document"),
    ("badxml.docx", _zip({"word/document.xml": b"<w:document><unclosed>"}), "not well-formed"),
    ("entity.docx", _zip({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                               b'<w:document xmlns:w="' + W[1:-1].encode() + b'"><w:body><w:p><w:r><w:t>&x;'
                                               b'</w:t></w:r></w:p></w:body></w:document>'}), None),
])
def test_bad_docx_is_one_error(tmp_path, name, data, why):
    path = tmp_path / name
    path.write_bytes(data)
    if why is None:  # an external entity is never resolved
        assert "root:" not in read_docx(str(path)).text
        return
    with pytest.raises(CiteauditError) as err:
        read_docx(str(path))
    assert why in str(err.value) and name in str(err.value)


def test_zip_bomb_stops_at_the_cap(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.docx"
    body = b"<w:t>" + b"a" * (4 << 20) + b"</w:t>"
    bomb.write_bytes(_zip({"word/document.xml": body}))
    assert bomb.stat().st_size < 64 * 1024
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED", 1 << 20)
    with pytest.raises(CiteauditError, match="zip bomb"):
        read_docx(str(bomb))


def test_bad_odt_is_one_error(tmp_path):
    enc = tmp_path / "locked.odt"
    enc.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"\x8a\x91garbage",
                          "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                                                  b'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">'
                                                  b"<manifest:encryption-data/></manifest:file-entry></manifest:manifest>"}))
    with pytest.raises(CiteauditError, match="password-protected"):
        read_odt(str(enc))
    sheet = tmp_path / "sheet.odt"
    sheet.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}))
    with pytest.raises(CiteauditError, match="not an OpenDocument text"):
        read_odt(str(sheet))


def test_bad_pdf_is_one_error(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    from citeaudit.readers.pdf import read_pdf

    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    with pytest.raises(CiteauditError, match="damaged"):
        read_pdf(str(damaged))
    notpdf = tmp_path / "text.pdf"
    notpdf.write_text("just text")
    with pytest.raises(CiteauditError, match="not a PDF"):
        read_pdf(str(notpdf))
    scan = tmp_path / "scan.pdf"
    doc = pdfium.PdfDocument.new()
    doc.new_page(612, 792)
    doc.new_page(612, 792)
    with open(scan, "wb") as fh:
        doc.save(fh)
    with pytest.raises(CiteauditError, match="no text layer"):
        read_pdf(str(scan))
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as fh:
        writer.write(fh)
    with pytest.raises(CiteauditError, match="password-protected") as err:
        read_pdf(str(locked))
    assert "locked.pdf" in str(err.value)


# ---------------------------------------------------------------- the annotated .docx


def _anchored(data: bytes) -> dict[str, str]:
    """Comment id -> the text between its range start and end (note marks as "#")."""
    from lxml import etree

    out: dict[str, str] = {}
    z = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(z.read("word/document.xml"))
    open_ids: set[str] = set()
    for el in root.iter():
        if el.tag == W + "commentRangeStart":
            open_ids.add(el.get(W + "id"))
            out.setdefault(el.get(W + "id"), "")
        elif el.tag == W + "commentRangeEnd":
            open_ids.discard(el.get(W + "id"))
        elif el.tag == W + "t":
            for i in open_ids:
                out[i] += el.text or ""
        elif el.tag in (W + "footnoteReference", W + "endnoteReference"):
            for i in open_ids:
                out[i] += "#"
    return out


def _three_findings(src):
    cite = src.text.index("(Althusser, 2015, p. 154)")
    word = src.text.index("dictatorship", cite)
    note2 = next(b for b in src.blocks if b.part == "footnote" and b.note == 2)
    return [
        (cite + 1, cite + len("(Althusser, 2015, p. 154)") - 1, "reference not in the bibliography"),
        (word + 3, word + 9, "mid-word finding\nsecond line"),
        (note2.start + 1, note2.start + 9, "finding inside note 2"),
    ]


def test_annotated_docx_comments(work, seed_docx):
    docx = pytest.importorskip("docx")

    from citeaudit.report.docx_annotated import render

    before = seed_docx.read_bytes()
    src = read_docx(str(seed_docx))
    findings = _three_findings(src)
    data = render(str(seed_docx), src, findings)
    assert seed_docx.read_bytes() == before  # the original is never touched
    out = work / "seed000-annotated.docx"
    out.write_bytes(data)
    document = docx.Document(str(out))
    comments = [c for c in document.comments if c.author == "citeaudit"]
    assert len(comments) == 3
    assert all(c.initials == "CA" for c in comments)
    anchored = _anchored(data)
    texts = [anchored[str(c.comment_id)] for c in comments]
    assert texts[0] == "Althusser, 2015, p. 154"
    assert texts[1] == src.text[findings[1][0]:findings[1][1]] == "tators"
    assert texts[2] == "#"  # on note 2's mark in the body
    assert comments[1].text == "mid-word finding\nsecond line"
    assert comments[2].text.startswith("(in footnote 2: “Symptoms") and comments[2].text.endswith("finding inside note 2")
    # splitting runs changed nothing of the text
    assert read_docx(str(out)).text == src.text


def test_annotated_docx_keeps_existing_comments(tmp_path):
    docx = pytest.importorskip("docx")

    from citeaudit.report.docx_annotated import render

    path = CORPUS / "comments.docx"
    src = read_docx(str(path))
    before = len(list(docx.Document(str(path)).comments))
    data = render(str(path), src, [(0, 4, "first word")])
    after = docx.Document(io.BytesIO(data)).comments
    assert len(list(after)) == before + 1
    assert [c.author for c in after].count("citeaudit") == 1


def test_annotated_docx_refuses_another_text(seed_docx):
    pytest.importorskip("docx")
    from citeaudit.report.docx_annotated import render

    src = read_docx(str(seed_docx))
    other = type(src)(src.path, src.text + " changed", src.encoding)
    with pytest.raises(CiteauditError, match="changed"):
        render(str(seed_docx), other, [(0, 3, "x")])


def test_annotated_docx_opens_in_libreoffice(work, seed_docx):
    if not _soffice():
        pytest.skip("LibreOffice (soffice) is not installed")
    pdfium = pytest.importorskip("pypdfium2")
    pytest.importorskip("docx")
    from pypdfium2 import raw

    from citeaudit.report.docx_annotated import render

    src = read_docx(str(seed_docx))
    annotated = work / "lo" / "annotated.docx"
    annotated.parent.mkdir()
    annotated.write_bytes(render(str(seed_docx), src, _three_findings(src)))
    pdf = _convert_pdf(annotated, annotated.parent, work / "lo-profile-2", notes=True)
    doc = pdfium.PdfDocument(str(pdf))
    found = []
    for page in doc:
        for i in range(raw.FPDFPage_GetAnnotCount(page)):
            annot = raw.FPDFPage_GetAnnot(page, i)
            if raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_TEXT:
                found.append(annot)
            else:
                raw.FPDFPage_CloseAnnot(annot)
    assert len(found) == 3  # one comment per finding, as LibreOffice exports them
    for annot in found:
        raw.FPDFPage_CloseAnnot(annot)
