"""Notes paired with their markers, quotations told from scare quotes, and reading odd files."""

from __future__ import annotations

from helpers import doc_of

from citeaudit.readers import decode


def test_markers_glued_to_punctuation_pair_with_endnotes():
    text = "It was socialist’.1 A page (Smith 1990, p. 178)2 and more.\n\nNotes\n1. First note.\n2. Second note.\n"
    doc = doc_of(text)
    assert [(n.number, n.marker is not None, n.text) for n in doc.notes] == [
        (1, True, "First note."),
        (2, True, "Second note."),
    ]
    # the marker after the citation is not part of the citation's locator
    assert doc.citations[0].items[0].pages == (178, 178)


def test_bracketed_markers_with_bracketed_endnotes():
    text = "Body [1] and more [2].\n\n[1] One.\n\n[2] Two.\n"
    doc = doc_of(text)
    assert [(n.number, doc.lines.line(n.marker.start), doc.lines.line(n.body.start)) for n in doc.notes] == [
        (1, 1, 3),
        (2, 1, 5),
    ]


def test_superscript_markers():
    doc = doc_of("A claim.¹ Another.²\n\nNotes\n1. One.\n2. Two.\n")
    assert [n.marker is not None for n in doc.notes] == [True, True]


def test_note_without_marker_and_marker_without_note():
    doc = doc_of("A claim.1 Another.3\n\nNotes\n1. One.\n2. Two.\n")
    by_number = {n.number: n for n in doc.notes}
    assert by_number[2].marker is None and by_number[2].body is not None


def test_page_bottom_footnote_zone_of_pdf_text():
    lines = [f"body line {i} of a page of text that runs on" for i in range(6)]
    text = "\n\n".join(lines[:3]) + "\n\nends the sentence here.1 And then \n\n" + " " * 40 + "\n1 The note text.\n\n\n\n"
    text += "\n\n".join(lines[3:]) + "\n"
    doc = doc_of(text)
    (note,) = doc.notes
    assert note.text == "The note text."
    assert doc.lines.line(note.marker.start) == 7 and doc.lines.line(note.body.start) == 10
    # the paragraph continues on the next page, around the footnote
    assert "The note text" not in " ".join(q.text for q in doc.quotations)


def test_numbered_headings_are_not_endnotes():
    text = "1. Introduction\n\nBody text here.\n\n2. Method\n\nMore body text.\n"
    assert doc_of(text).notes == ()


def test_scare_quotes_are_not_quotations():
    doc = doc_of("The ‘programmatic moment’ of ‘French political parties’ passed.")
    assert doc.quotations == ()


def test_inline_quotation_attributed_to_the_closing_citation():
    doc = doc_of("He says that ‘the state is the machine that transforms violence’ (Althusser, 2015, p. 166).")
    (q,) = doc.quotations
    assert q.kind == "inline" and q.text == "the state is the machine that transforms violence"
    assert doc.citations[q.citation].items[0].locator == "p. 166"


def test_inline_quotation_attributed_to_the_introducing_citation():
    doc = doc_of("Lo Iacono (2015) reports that “communism exists everywhere, even here in Terni”.")
    (q,) = doc.quotations
    assert q.citation == 0 and doc.citations[0].kind == "narrative"


def test_apostrophes_and_plural_possessives_do_not_close_quotations():
    doc = doc_of("He wrote ‘the workers’ movement’s forms of struggle are communism’s outline’ (Smith 1990).")
    (q,) = doc.quotations
    assert q.text == "the workers’ movement’s forms of struggle are communism’s outline"


def test_nested_quotations_stay_inside_the_outer_one():
    doc = doc_of("Lenin: ‘the ‘freest’ parliamentary democracy is the form of this dictatorship’ (Smith 1990).")
    (q,) = doc.quotations
    assert q.text.startswith("the ‘freest’")


def test_block_quotation_ends_with_its_citation():
    text = (
        "Althusser puts it this way:\n\n"
        "The state is a machine. It transforms violence into power, and power into law. "
        "This is the thesis. (Althusser, 2015, p. 166)\n\n"
        "After the quotation the author resumes.\n"
    )
    doc = doc_of(text)
    (q,) = doc.quotations
    assert q.kind == "block" and q.text.endswith("This is the thesis.")
    assert doc.citations[q.citation].items[0].locator == "p. 166"


def test_paragraph_ending_with_an_inline_quotation_is_not_a_block():
    text = "He insists that ‘the state is the machine that transforms violence’ (Althusser, 2015, p. 166).\n"
    assert [q.kind for q in doc_of(text).quotations] == ["inline"]


def test_ocr_apostrophes_and_quotes_read_as_one_are_repaired():
    text = (
        'Toni Negri1s concept of "self-valorisation" in the "Initial Theses11 in Tronti. It1s time.\n'
        "we confuse the \"bourgeolsie'1 with capitalists when saying '1No\" again.\n"
    )
    doc = doc_of(text)
    assert doc.unbalanced_quotes == ()
    assert doc.notes == ()  # "Theses11", "bourgeolsie'1" are not note markers


def test_unbalanced_quotation_mark_is_recorded():
    doc = doc_of("In the ‘Imperialist World. In regards to the Party he said nothing.")
    assert len(doc.unbalanced_quotes) == 1


def test_non_utf8_input_is_decoded_with_a_warning():
    source = decode("Café (Müller 1990, p. 3)\n".encode("cp1252"), "old.txt")
    assert source.encoding == "cp1252" and "old.txt:1: not valid UTF-8" in source.warnings[0]
    assert source.text.startswith("Café")


def test_byte_order_mark_is_dropped():
    assert decode("\ufeffText".encode("utf-8"), "x.txt").text == "Text"
