"""The author-date grammar on sentences a manuscript would contain."""

from __future__ import annotations

import pytest

from helpers import cites, doc_of


@pytest.mark.parametrize(
    "text, expected",
    [
        ("As argued (Althusser, 2015, p. 164).", [("parenthetical", ("Althusser",), "2015", "p. 164")]),
        (
            "Two works (Balibar 1977; Althusser 1978) agree.",
            [("parenthetical", ("Balibar",), "1977", None), ("parenthetical", ("Althusser",), "1978", None)],
        ),
        ("As Lo Iacono (2015) reports.", [("narrative", ("Lo Iacono",), "2015", None)]),
        ("As van der Linden (2008, p. 12) shows.", [("narrative", ("van der Linden",), "2008", "p. 12")]),
        ("Cited (van der Linden 2008).", [("parenthetical", ("van der Linden",), "2008", None)]),
        ("Both (Marx and Engels 1848).", [("parenthetical", ("Marx", "Engels"), "1848", None)]),
        ("Both (Marx & Engels, 1848, p. 3).", [("parenthetical", ("Marx", "Engels"), "1848", "p. 3")]),
        ("Many (Smith et al. 2010).", [("parenthetical", ("Smith", "et al."), "2010", None)]),
        ("Smith et al. (2010) found.", [("narrative", ("Smith", "et al."), "2010", None)]),
        ("Marx and Engels (1848) wrote.", [("narrative", ("Marx", "Engels"), "1848", None)]),
        ("One (Althusser 2017a, p. 88).", [("parenthetical", ("Althusser",), "2017a", "p. 88")]),
        ("Undated (Anon n.d.).", [("parenthetical", ("Anon",), "n.d.", None)]),
        ("Capital (Marx [1867] 1976, p. 125).", [("parenthetical", ("Marx",), "1976", "p. 125")]),
        ("See (Smith 1990, pp 3-5).", [("parenthetical", ("Smith",), "1990", "pp 3-5")]),
        ("See (Smith 1990, pp. 23ff.).", [("parenthetical", ("Smith",), "1990", "pp. 23ff.")]),
        ("See (Smith 1990, n. 4).", [("parenthetical", ("Smith",), "1990", "n. 4")]),
        ("See (Smith 1990, ch. 2).", [("parenthetical", ("Smith",), "1990", "ch. 2")]),
        ("See (Smith 1990, § 12).", [("parenthetical", ("Smith",), "1990", "§ 12")]),
        ("See (Marx 1976, 1: 23).", [("parenthetical", ("Marx",), "1976", "1: 23")]),
        ("A point (see Balibar 1977, p. 3).", [("parenthetical", ("Balibar",), "1977", "p. 3")]),
        ("A point (cf. Balibar 1977).", [("parenthetical", ("Balibar",), "1977", None)]),
        ("A point (e.g. Balibar 1977).", [("parenthetical", ("Balibar",), "1977", None)]),
        (
            "Works (Althusser 1977, 1978).",
            [("parenthetical", ("Althusser",), "1977", None), ("parenthetical", ("Althusser",), "1978", None)],
        ),
        (
            "Works (Althusser 2017a, b).",
            [("parenthetical", ("Althusser",), "2017a", None), ("parenthetical", ("Althusser",), "2017b", None)],
        ),
        ("Accents (Lévi-Strauss 1962) too.", [("parenthetical", ("Lévi-Strauss",), "1962", None)]),
        ("Initials (G.M. Goshgarian 2006).", [("parenthetical", ("Goshgarian",), "2006", None)]),
        ("A siglum (MECW 39, p. 60).", [("parenthetical", ("MECW",), None, "p. 60")]),
        # forms found in the marked corpora
        ("Cells (Figure 1A; White et al., 1976) grow.", [("parenthetical", ("White", "et al."), "1976", None)]),
        ("Tooth enamel [Spalding et al., 2005] ages.", [("parenthetical", ("Spalding", "et al."), "2005", None)]),
        ("As shown in Akiyoshi et al., 2010, it binds.", [("narrative", ("Akiyoshi", "et al."), "2010", None)]),
        ("For a history see Williams 2018. Next.", [("narrative", ("Williams",), "2018", None)]),
        ("Dialogism (CLARK; HOLQUIST, 2008, p.259).", [("parenthetical", ("CLARK", "HOLQUIST"), "2008", "p.259")]),
        ("Culture (PANKARARU, apud GRUPIONI, 2008, p. 12).", [("parenthetical", ("GRUPIONI",), "2008", "p. 12")]),
        ("Said (Richard Bailey cited in Kriel 2017: 53).", [("parenthetical", ("Kriel",), "2017", "53")]),
        ("Works (BAKHTIN, 1988 [1975]).", [("parenthetical", ("BAKHTIN",), "1988", None)]),
        ("Labour (Bureau of Labor Statistics 2014).", [("parenthetical", ("Bureau of Labor Statistics",), "2014", None)]),
        ("A rule (reviewed in Conrad and Hilchey 2011).", [("parenthetical", ("Conrad", "Hilchey"), "2011", None)]),
        ("Habitat (Cohen, 2008; Cohen, 2010a; 2010b).", [
            ("parenthetical", ("Cohen",), "2008", None),
            ("parenthetical", ("Cohen",), "2010a", None),
            ("parenthetical", ("Cohen",), "2010b", None),
        ]),
        ("We agree with Clarke (1977; 2008) here.", [
            ("narrative", ("Clarke",), "1977", None), ("narrative", ("Clarke",), "2008", None),
        ]),
        ("Ethics (Bakhtin, 1981, p.243; emphasis in original).", [("parenthetical", ("Bakhtin",), "1981", "p.243")]),
        ("Extracted as by Folch et al (1957), then dried.", [("narrative", ("Folch", "et al."), "1957", None)]),
        ("Film (ALEXEÏEFF, 1994, p. xix e xx).", [("parenthetical", ("ALEXEÏEFF",), "1994", "p. xix e xx")]),
    ],
)
def test_author_date_forms(text, expected):
    assert cites(text) == expected


def test_citation_broken_across_lines_keeps_original_lines_and_columns():
    doc = doc_of("First line of text that cites (Lo\nIacono 2015) and goes on.\n")
    (c,) = doc.citations
    assert c.items[0].authors == ("Lo Iacono",)
    assert doc.lines.line_col(c.span.start) == (1, 31)
    assert doc.lines.line_col(c.span.end - 1) == (2, 12)
    assert c.text == "(Lo Iacono 2015)"


def test_citation_broken_across_a_pdf_page_break_and_blank_lines():
    text = "".join(f"line {i} of the text here goes on and on\n\n" for i in range(5))
    text += "a passage (Althusser, 2015, p. \n\n154), and more.\n"
    doc = doc_of(text)
    (c,) = doc.citations
    assert c.items[0].pages == (154, 154)
    assert doc.lines.line(c.span.start) == 11 and doc.lines.line(c.span.end - 1) == 13


@pytest.mark.parametrize(
    "text",
    [
        "On July 6 1976, while Spain was still in turmoil, he spoke.",
        "August 9th 1842, when 10,000 workers marched on Manchester.",
        "In the 1970 s (the crisis of 1973) profits fell.",
        "Riots (the ‘riots’ in French banlieues in 2005 ), etc.",
        "The Congress (in 1976) dropped it, and (July 1976) he spoke.",
        "A film (shot in Paris, 1968) about May.",
        "Growth (Eastern and Western blocs) and (Algeria, Bangladesh).",
    ],
)
def test_dates_and_asides_are_not_citations(text):
    assert cites(text) == []


def test_ibid_repeats_the_previous_citation():
    doc = doc_of('He said "one two three four five six" (Smith 1990, p. 4). Then "seven eight nine ten eleven" (ibid.).')
    assert [c.kind for c in doc.citations] == ["parenthetical", "ibid"]
    assert doc.citations[1].antecedent == 0


def test_ibid_with_a_new_locator():
    doc = doc_of("First (Smith 1990, p. 4). Again (Ibid., p. 7).")
    ibid = doc.citations[1]
    assert ibid.kind == "ibid" and ibid.items[0].locator == "p. 7" and ibid.antecedent == 0


def test_op_cit_points_to_the_last_work_of_that_author():
    doc = doc_of("First (Smith 1990, p. 4). Then (Jones 2001). Again (Smith, op. cit., p. 9).")
    opcit = doc.citations[2]
    assert opcit.kind == "ibid" and opcit.items[0].authors == ("Smith",) and opcit.antecedent == 0


def test_title_only_source_after_a_quotation():
    doc = doc_of('Marx wrote, "men make their own history, but not as they please" (The 18th Brumaire of Louis Bonaparte).')
    (c,) = doc.citations
    assert c.kind == "title" and c.items[0].title == "The 18th Brumaire of Louis Bonaparte"
    assert doc.quotations[0].citation == 0


def test_parenthetical_asides_after_quotations_are_not_titles():
    doc = doc_of("He named ‘the one thing that we all know well’ (dictatorship of the proletariat) again.")
    assert doc.citations == ()


def test_reference_string_written_out_in_a_note():
    text = (
        "Body text that needs a note.1\n\n"
        "Notes\n"
        "1. See: Bruno Astarian, “Le mouvement des piqueteros”, in Echanges et Mouvement, May 2007, "
        "especially pages 37 and 52.\n"
    )
    doc = doc_of(text)
    (c,) = doc.citations
    assert c.kind == "note-reference" and c.note == 1
    item = c.items[0]
    assert (item.authors, item.year, item.locator, item.pages) == (("Astarian",), "2007", "pages 37 and 52", (37, 52))
    assert item.title == "Le mouvement des piqueteros"


def test_citations_inside_notes_know_their_note():
    text = "A claim.1 Another claim.2\n\nNotes\n1. Althusser (2015, p. 3) says so.\n2. Ibid., p. 4.\n"
    doc = doc_of(text)
    assert [(c.kind, c.note) for c in doc.citations] == [("narrative", 1), ("ibid", 2)]
    assert doc.citations[1].antecedent == 0


def test_page_ranges_abbreviated_and_with_en_dash():
    assert doc_of("X (Smith 1990, pp. 123–9).").citations[0].items[0].pages == (123, 129)
    assert doc_of("X (Smith 1990, pp. 1234-56).").citations[0].items[0].pages == (1234, 1256)


def test_original_year_belongs_to_its_own_year_only():
    from citeaudit.extract.citations import parse_parenthetical

    _kind, items = parse_parenthetical("BAKHTIN, 1988 [1975], 2008")
    assert [(i.year, i.original_year) for i in items] == [("1988", "1975"), ("2008", None)]
