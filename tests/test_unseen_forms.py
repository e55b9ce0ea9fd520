"""The forms real prose writes citations in, beyond the seeds: each a short text written for
the test with the bibliography it cites, asserting what an editor needs — the authors, year,
suffix, locator and the entry the citation resolves to."""

from __future__ import annotations


import pytest

from citeaudit import audit

BIB = r"""
@book{hartley1962, author = {Hartley, Anne}, title = {Principles of Syntax}, publisher = {P}, year = 1962}
@book{searle1969, author = {Searle, John R.}, title = {Ordinary Acts}, publisher = {P}, year = 1969}
@book{whitlow1981, author = {Whitlow, Ben}, title = {Accounts}, publisher = {P}, year = 1981}
@book{garland1994, author = {Garland, David}, title = {Punishment}, publisher = {P}, year = 1994}
@book{garland2004, author = {Garland, David}, title = {Culture of Control}, publisher = {P}, year = 2004}
@book{marx1867, author = {Marx, Karl}, title = {Capital I}, publisher = {P}, year = 1867}
@book{marx1894, author = {Marx, Karl}, title = {Capital III}, publisher = {P}, year = 1894}
@book{jones2001a, author = {Jones, Amy}, title = {Alpha}, publisher = {P}, year = 2001}
@book{jones2001b, author = {Jones, Amy}, title = {Beta}, publisher = {P}, year = 2001}
@book{okafor1999a, author = {Okafor, Chidi}, title = {Anansi}, publisher = {P}, year = 1999}
@book{okafor1999b, author = {Okafor, Chidi}, title = {Bells}, publisher = {P}, year = 1999}
@book{brandt1975, author = {Brandt, Willy}, title = {Ostpolitik}, publisher = {P}, year = 1975}
@book{morrow1954, author = {Morrow, Glenn}, title = {Plato}, publisher = {P}, year = 1954}
@book{ellis1954, author = {Ellis, Ruth}, title = {Verse}, publisher = {P}, year = 1954}
@book{varga1971, author = {Varga, Eugen}, title = {Crisis}, publisher = {P}, year = 1971, origdate = 1932}
@book{lindqvist1978, author = {Lindqvist, Sven}, title = {Dig}, publisher = {P}, year = 1978, origdate = 1967}
@book{pell1972, author = {Pell, Claiborne}, title = {Grants}, publisher = {P}, year = 1972}
@book{marchetti2018, author = {Marchetti, Lucia}, title = {Clauses}, publisher = {P}, year = 2018}
@book{ostrow1951, author = {Ostrow, Mortimer}, title = {Dreams}, publisher = {P}, year = {1951d}, origdate = 1925}
@book{davies2006, author = {Davies, Mark}, title = {Corpus del español}, publisher = {P}, year = 2006}
@book{kuroda1975, author = {Kuroda, S.-Y.}, title = {Relevancy}, publisher = {P}, year = 1975}
@book{azkue1923, author = {Azkue, Resurrección María de}, title = {Morfología}, publisher = {P}, year = 1923, origdate = 1969}
@book{tronti, author = {Tronti, Mario}, title = {Il demone}, publisher = {P}, year = {forthcoming}}
@book{smith2019, author = {Smith, Zadie}, title = {Feel Free}, publisher = {P}, year = 2019}
@book{dawkins1976, author = {Dawkins, Richard}, title = {The Selfish Gene}, publisher = {P}, year = 1976}
@book{hengl2002, author = {Hengl, Tomislav and Gould, Michael}, title = {Rules of Thumb}, publisher = {P}, year = 2002}
@book{weber1922, author = {Weber, Max}, title = {Wirtschaft und Gesellschaft}, publisher = {P}, year = 1922}
@book{saenz1989b, author = {Sáenz de Viteri, Miren}, title = {Errores}, publisher = {P}, year = {1989b}}
@book{lebris1985, author = {Le Bris, Anne and Martin-Duval, Claire}, title = {Le port}, publisher = {P}, year = 1985}
@book{ruiz2001, author = {Ruiz Ortega, Ana}, title = {Ciudades}, publisher = {P}, year = 2001}
@book{puig2010, author = {Puig i Ferrer, Joan}, title = {Llengua}, publisher = {P}, year = 2010}
@book{ips2021, author = {{Instituto de Pesquisa Social [IPS]}}, title = {Relatório}, publisher = {P}, year = 2021}
@book{pew2020, author = {{Pew Research Center}}, title = {Trust}, publisher = {P}, year = 2020}
@book{lee2017solo, author = {Lee, Kim}, title = {Solo}, publisher = {P}, year = 2017}
@book{lee2017team, author = {Lee, Kim and Park, Jin and Cho, Min}, title = {Team}, publisher = {P}, year = 2017}
@book{abbott2021a, author = {Abbott, Ann and Kerr, Kim and Dane, Dan}, title = {Three}, publisher = {P}, year = 2021}
@book{abbott2021b, author = {Abbott, Ann and Kerr, Kim and Mills, Max and Nash, Ned}, title = {Four}, publisher = {P}, year = 2021}
@book{kahn2017a, author = {Kahn, Ida}, title = {Apples}, publisher = {P}, year = 2017}
@book{kahn2017b, author = {Kahn, Ida}, title = {Pears}, publisher = {P}, year = 2017}
@book{kahn2017lee, author = {Kahn, Ida and Lee, Kim}, title = {Plums}, publisher = {P}, year = 2017}
@book{bourdieu1979, author = {Bourdieu, Pierre}, title = {La distinction}, publisher = {P}, year = 1979}
"""


@pytest.fixture(scope="module")
def check(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forms")
    (folder / "refs.bib").write_text(BIB, encoding="utf-8")

    def run(text: str, bib: bool = True):
        (folder / "ms.txt").write_text(text + "\n", encoding="utf-8")
        report = audit([str(folder / "ms.txt")], [str(folder / "refs.bib")] if bib else None)
        doc = report.documents[0]
        return [(it.authors, it.year, it.suffix, it.locator, report.resolution(doc, ci, ii).key)
                for ci, ii, it, _r in report.resolutions.items(doc)] if bib else [
                (it.authors, it.year, it.suffix, it.locator) for c in doc.citations for it in c.items]

    return run


@pytest.mark.parametrize("text, expected", [
    # a year-only call-out whose author stands earlier
    ("As Hartley's *Principles of Syntax* (1962) shows, order matters.", [(("Hartley",), "1962", "", None, "hartley1962")]),
    ("He returned to it in her book Ordinary Acts, 1969, at length.", [((), "1969", "", None, "searle1969")]),
    ("Whitlow's (1981: 218) account is brief.", [(("Whitlow",), "1981", "", "218", "whitlow1981")]),
    # same-author lists and suffix-only items
    ("Punishment changed (Garland 1994; 2004).", [(("Garland",), "1994", "", None, "garland1994"),
                                                 (("Garland",), "2004", "", None, "garland2004")]),
    ("Both volumes say so (Marx 1867, 1894).", [(("Marx",), "1867", "", None, "marx1867"), (("Marx",), "1894", "", None, "marx1894")]),
    ("As shown (Jones 2001a; b), it holds.", [(("Jones",), "2001", "a", None, "jones2001a"), (("Jones",), "2001", "b", None, "jones2001b")]),
    ("Okafor (1999a, b) tells the tales.", [(("Okafor",), "1999", "a", None, "okafor1999a"), (("Okafor",), "1999", "b", None, "okafor1999b")]),
    # name and year outside their own parentheses
    ("The policy, as Brandt, 1975, argued, was new.", [(("Brandt",), "1975", "", None, "brandt1975")]),
    ("On dating see Morrow, 1954: 260 and Ellis, 1954: 390.", [(("Morrow",), "1954", "", "260", "morrow1954"),
                                                                (("Ellis",), "1954", "", "390", "ellis1954")]),
    ("Crises recur (Varga [1932] 1971, Lindqvist [1967] 1978, Pell 1972).",
     [(("Varga",), "1971", "", None, "varga1971"), (("Lindqvist",), "1978", "", None, "lindqvist1978"),
      (("Pell",), "1972", "", None, "pell1972")]),
    ("Clauses are common (N = 5,210 clauses from Marchetti 2018: 79).", [(("Marchetti",), "2018", "", "79", "marchetti2018")]),
    # original and ranged years, pending and undated
    ("Ostrow ([1925] 1951d) dreamt it.", [(("Ostrow",), "1951", "d", None, "ostrow1951")]),
    ("The corpus of Davies (2006–) grows.", [(("Davies",), "2006", "", None, "davies2006")]),
    ("Kuroda’s (1975/76) constraint holds.", [(("Kuroda",), "1975", "", None, "kuroda1975")]),
    ("Negation is old (cf. Azkue 1923–25 [1969]).", [(("Azkue",), "1923", "", None, "azkue1923")]),
    ("The demon returns (Tronti forthcoming).", [(("Tronti",), "forthcoming", "", None, "tronti")]),
    # the wrong word as the author
    ("Words change (see OED; Smith 2019).", [(("Smith",), "2019", "", None, "smith2019")]),
    ("Dawkins made the point in The Selfish Gene (1976) at length.", [((), "1976", "", None, "dawkins1976")]),
    # other languages' connectives and locators
    ("Secondo Hengl e Gould (2002), la regola vale.", [(("Hengl", "Gould"), "2002", "", None, "hengl2002")]),
    ("Die Herrschaft ist legitim (vgl. Weber 1922, S. 12).", [(("Weber",), "1922", "", "S. 12", "weber1922")]),
    # compound surnames, particles, bodies
    ("Los errores (Sáenz de Viteri 1989b) persisten.", [(("Sáenz de Viteri",), "1989", "b", None, "saenz1989b")]),
    ("Le port change (Le Bris & Martin-Duval 1985).", [(("Le Bris", "Martin-Duval"), "1985", "", None, "lebris1985")]),
    ("Las ciudades crecen (Ruiz Ortega 2001).", [(("Ruiz Ortega",), "2001", "", None, "ruiz2001")]),
    ("La llengua viu (Puig i Ferrer 2010).", [(("Puig i Ferrer",), "2010", "", None, "puig2010")]),
    ("A renda caiu (IPS 2021).", [(("IPS",), "2021", "", None, "ips2021")]),
    ("Trust fell (Pew Research Center, 2020).", [(("Pew Research Center",), "2020", "", None, "pew2020")]),
    # co-authors decide, and et al. stands for three or more
    ("Alone she wrote it (Lee 2017).", [(("Lee",), "2017", "", None, "lee2017solo")]),
    ("The team wrote it (Lee et al. 2017).", [(("Lee", "et al."), "2017", "", None, "lee2017team")]),
    ("The three wrote it (Abbott, Kerr, & Dane, 2021).", [(("Abbott", "Kerr", "Dane"), "2021", "", None, "abbott2021a")]),
    ("Suffixes among co-authors (Kahn 2017a; Kahn & Lee 2017).", [(("Kahn",), "2017", "a", None, "kahn2017a"),
                                                                 (("Kahn", "Lee"), "2017", "", None, "kahn2017lee")]),
])
def test_a_form_of_real_prose_is_found_and_resolved(check, text, expected):
    assert check(text) == expected


def test_guillemets_quotations_are_attributed(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "ms.txt").write_text("Il écrit : « la distinction est un rapport de classe entre tous » (Bourdieu 1979, p. 12).\n",
                                     encoding="utf-8")
    report = audit([str(tmp_path / "ms.txt")], [str(tmp_path / "refs.bib")])
    (q,) = report.documents[0].quotations
    assert q.text == "la distinction est un rapport de classe entre tous" and q.citation == 0


def test_the_grammar_alone_learns_the_forms_without_a_bibliography(check):
    assert check("Punishment changed (Garland 1994; 2004).", bib=False) == [(("Garland",), "1994", "", None),
                                                                            (("Garland",), "2004", "", None)]
    assert check("On dating see Morrow, 1954: 260 and Ellis, 1954: 390.", bib=False) == [
        (("Morrow",), "1954", "", "260"), (("Ellis",), "1954", "", "390")]
    assert check("Secondo Hengl e Gould (2002), la regola vale.", bib=False) == [(("Hengl", "Gould"), "2002", "", None)]
    assert check("A film (shot in Paris, 1968) about May.", bib=False) == []
    assert check("Without a bibliography, Brandt, 1975, is a name and a year.", bib=False) == []


def test_a_quotation_left_open_before_its_citation_is_reported(tmp_path):
    (tmp_path / "ms.txt").write_text("He wrote that ‘the workers’ movement is dead and will not rise again (Garland 1994, p. 3).\n",
                                     encoding="utf-8")
    report = audit([str(tmp_path / "ms.txt")])
    (f,) = [f for f in report.findings if f.rule == "unbalanced-quotes"]
    assert f.column == 15 and "Opening quotation mark ‘" in f.message


def test_a_missing_note_is_reported_among_unpaired_neighbours(tmp_path):
    (tmp_path / "ms.txt").write_text("A claim.1 Another.2 A third.3 And more.4\n\n[1] One.\n[4] Four.\n", encoding="utf-8")
    found = audit([str(tmp_path / "ms.txt")]).findings
    assert sorted(f.message for f in found if f.rule == "note-marker-without-note") == [
        "Note marker 2 has no note text", "Note marker 3 has no note text"]
