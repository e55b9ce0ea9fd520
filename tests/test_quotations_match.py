"""Quotations checked against the full text of their sources and against each other:
exact, OCR-damaged, elided, re-paginated, translated and invented quotations, each with the
finding it must produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeaudit import audit

ROOT = Path(__file__).parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "source-texts"
BRUMAIRE = CORPUS / "marx-eighteenth-brumaire-deleon-pg1346.txt"
MANIFESTO = CORPUS / "marx-engels-communist-manifesto-moore-pg61.txt"

SOURCE = (
    "Chapter One\n\nThe history of all hitherto existing society is the history of class struggles. "
    "Freeman and slave, patrician and plebeian, lord and serf, guild-master and journeyman, in a word, "
    "oppressor and oppressed, stood in constant opposition to one another.\f"
    "The modern bourgeois society that has sprouted from the ruins of feudal society has not done away "
    "with class antagonisms. It has but established new classes, new conditions of oppression, new forms "
    "of struggle in place of the old ones.\f"
    "The bourgeoisie, historically, has played a most revolutionary part. The labour of the proletarians "
    "has lost all individual character, and consequently, all charm for the workman.\n"
)
BIB = """@book{manifesto, author = {Marx, Karl and Engels, Friedrich}, title = {Manifesto of the Communist Party},
  publisher = {Reeves}, year = {1888}, pages = {1--3}}
"""


def check(tmp_path: Path, text: str, source: str = SOURCE, name: str = "ms.txt"):
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "manifesto.txt").write_text(source, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return audit([str(tmp_path / name)], [str(tmp_path / "refs.bib")], sources=str(tmp_path / "sources"))


def match_of(report, qi=0, doc=0):
    """Where the cited source has the document's quotation qi, as the report says."""
    return report.quotes.match(report.documents[doc].path, qi)


def also_of(report, qi=0, doc=0):
    return report.quotes.also(report.documents[doc].path, qi)


def quote_rules(report):
    return [f for f in report.findings if f.rule in ("misquotation", "quotation-not-found", "quotation-page-mismatch")]


def test_exact_quotation_is_matched_on_its_page_with_no_finding(tmp_path):
    r = check(tmp_path, "They wrote that ‘the history of all hitherto existing society is the history of class struggles’ (Marx and Engels, 1888, p. 1).\n")
    (_q,) = r.documents[0].quotations
    m = match_of(r)
    assert m.source == "manifesto" and m.kind == "exact" and m.page == 1
    assert quote_rules(r) == []


def test_spelling_typography_and_editorial_brackets_are_not_differences(tmp_path):
    r = check(tmp_path, "They wrote: ‘[T]he labor of the proletarians has lost all individual character [sic], and consequently, all charm’ (Marx and Engels, 1888, p. 3).\n")
    assert match_of(r).kind == "exact"
    assert quote_rules(r) == []


def test_ocr_damaged_quotation_is_a_misquotation_showing_the_word(tmp_path):
    r = check(tmp_path, 'They wrote that "the bourgeolsie, historically, has played a most revolutionary part" (Marx and Engels, 1888, p. 3).\n')
    (f,) = quote_rules(r)
    assert f.rule == "misquotation" and "‘bourgeolsie’ for ‘bourgeoisie’" in f.message and "p. 3" in f.message


def test_changed_words_are_shown_word_by_word(tmp_path):
    r = check(tmp_path, "They wrote that ‘the modern capitalist society that has sprouted from the ruins of feudal society has not done away with class antagonisms’ (Marx and Engels, 1888, p. 2).\n")
    (f,) = quote_rules(r)
    assert f.rule == "misquotation" and "‘capitalist’ for ‘bourgeois’" in f.message


def test_elided_quotation_matches_its_pieces_in_order(tmp_path):
    r = check(tmp_path, "They wrote that ‘the history of all hitherto existing society […] stood in constant opposition to one another’ (Marx and Engels, 1888, p. 1).\n")
    assert match_of(r).kind == "exact" and quote_rules(r) == []
    r = check(tmp_path, "They wrote that ‘stood in constant opposition to one another … the history of all hitherto existing society’ (Marx and Engels, 1888, p. 1).\n")
    assert [f.rule for f in quote_rules(r)] != []  # the pieces are not in that order in the source


def test_repaginated_quotation_names_the_page_it_is_on(tmp_path):
    r = check(tmp_path, "They wrote that ‘it has but established new classes, new conditions of oppression, new forms of struggle’ (Marx and Engels, 1888, p. 1).\n")
    (f,) = quote_rules(r)
    assert f.rule == "quotation-page-mismatch" and "is on p. 2 of manifesto, cited as p. 1" in f.message


def test_invented_quotation_is_not_found(tmp_path):
    r = check(tmp_path, "They wrote that ‘the workers of the future will dance in gardens of bright colour every morning’ (Marx and Engels, 1888, p. 2).\n")
    (f,) = quote_rules(r)
    assert f.rule == "quotation-not-found" and "manifesto" in f.message
    assert match_of(r) is None


def test_same_passage_cited_two_ways_across_manuscripts(tmp_path):
    (tmp_path / "a.txt").write_text("As they put it, ‘the modern bourgeois society has not done away with class antagonisms at all’ (Marx and Engels, 1888, p. 2).\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Recall that ‘the modern bourgeois society has not done away with class antagonisms at all’ (Marx and Engels, 1888, p. 3).\n\nLater, ‘a sentence of ours that nobody else ever quotes here’ (Marx and Engels, 1888, p. 1).\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    r = audit([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], [str(tmp_path / "refs.bib")])
    (f,) = [f for f in r.findings if f.rule == "inconsistent-quotation-citation"]
    assert f.path.endswith("b.txt") and "a.txt:1" in f.message and "p. 3" in f.message and "p. 2" in f.message
    also = also_of(r)
    assert also[0].other.endswith("b.txt") and also[0].other_quotation == 0  # b.txt's q1


def test_same_passage_same_citation_is_silent_and_body_text_is_found(tmp_path):
    text = (
        "As they put it, ‘the modern bourgeois society has not done away with class antagonisms at all’ (Marx and Engels, 1888, p. 2).\n\n"
        "Again: ‘the modern bourgeois society has not done away with class antagonisms at all’ (Marx and Engels, 1888, p. 2).\n\n"
        "We repeat in our own voice that the modern bourgeois society has not done away with class antagonisms at all.\n"
    )
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "ms.txt").write_text(text, encoding="utf-8")
    r = audit([str(tmp_path / "ms.txt")], [str(tmp_path / "refs.bib")])
    assert [f for f in r.findings if f.rule == "inconsistent-quotation-citation"] == []
    lines = sorted(a.match.line for a in also_of(r))
    assert lines == [3, 5]  # the second quotation, and the unquoted sentence in the body
    assert [a.other_quotation for a in also_of(r) if a.match.line == 5] == [None]


@pytest.mark.skipif(not BRUMAIRE.is_file(), reason="../shared/corpus/source-texts not present")
def test_seed_marx_quotations_are_found_in_de_leons_translation_as_translation_variants():
    r = audit([str(ROOT / "seeds" / "003_03805af8fcc790d0.txt")], [str(ROOT / "bib" / "seeds.bib")])
    doc = r.documents[0]
    by_line = {doc.lines.line(q.span.start): qi for qi, q in enumerate(doc.quotations)}
    proletarian, bourgeois = match_of(r, by_line[368]), match_of(r, by_line[383])
    # the right passage: lines 262-279 of the Gutenberg text
    assert proletarian.source == "marx1852brumaire" and proletarian.kind == "translation"
    assert 268 <= proletarian.line <= 270 and 278 <= proletarian.end_line <= 280  # "...Hic Rhodus, hic salta!"
    assert bourgeois.kind == "translation" and 262 <= bourgeois.line <= 263
    diffs = {(d.quoted, d.source) for d in proletarian.differences}
    assert ("unmerciful", "cruel") in diffs and ("indefinite prodigiousness", "undefined monster magnitude") in diffs
    messages = [f.message for f in r.findings if f.rule == "misquotation"]
    assert len(messages) == 2 and all("translation variant" in m and "not an invented quotation" in m for m in messages)
    assert [f for f in r.findings if f.rule == "quotation-not-found"] == []


@pytest.mark.skipif(not MANIFESTO.is_file(), reason="../shared/corpus/source-texts not present")
def test_a_real_public_domain_text_exact_and_modern_wording(tmp_path):
    source = MANIFESTO.read_text(encoding="utf-8")
    text = (
        "They wrote that ‘all that is solid melts into air, all that is holy is profaned’ (Marx and Engels, 1888, p. 1). "
        "And that ‘the proletarians have nothing to lose but their chains’ (Marx and Engels, 1888, p. 1).\n"
    )
    r = check(tmp_path, text, source)
    kinds = [match_of(r, qi).kind for qi in range(len(r.documents[0].quotations))]
    assert kinds == ["exact", "exact"]


def test_british_and_american_spelling_meet_but_different_words_do_not():
    from citeaudit.quotes.textnorm import spelling_key

    for british, american in (("defence", "defense"), ("licence", "license"), ("grey", "gray"), ("criticised", "criticized"),
                              ("labour", "labor"), ("centre", "center"), ("travelled", "traveled")):
        assert spelling_key(british) == spelling_key(american), british
    for a, b in (("filled", "filed"), ("rise", "rize"), ("our", "or"), ("tiller", "tiler")):
        assert spelling_key(a) != spelling_key(b), a


def test_a_quotation_from_another_work_at_hand_is_named_not_called_a_translation(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "manifesto.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "sources" / "other.txt").write_text(
        "Preface.\fThe proletarians have nothing to lose but their chains in this struggle, and a world to win.\n",
        encoding="utf-8")
    bib = BIB + "@book{other, author = {Other, Anne}, title = {Another Book}, publisher = {P}, year = 1990}\n"
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "ms.txt").write_text("They wrote that ‘the proletarians have nothing to lose but their chains in this "
                                     "struggle, and a world to win’ (Marx and Engels, 1888, p. 2).\n", encoding="utf-8")
    r = audit([str(tmp_path / "ms.txt")], [str(tmp_path / "refs.bib")], sources=str(tmp_path / "sources"))
    (f,) = quote_rules(r)
    assert f.rule == "quotation-not-found" and "word for word in other p. 2" in f.message
    assert not [x for x in r.findings if "translation variant" in x.message]
    assert match_of(r).source == "other"


def test_a_few_shared_words_do_not_make_a_translation():
    from citeaudit.quotes.engine import QueryIndex, make_query, make_text

    source = make_text("s", "It was the best of times, it was the worst of times, it was the age of wisdom, "
                            "it was the age of foolishness, and we had everything before us.")
    query = make_query(0, "it was the season of light and the spring of hope in every house of the city we had")
    found, _first = QueryIndex([query]).search(source)
    assert found == {}


# --- scale: identical quotations searched once, units of work, the same result on any number of workers

OTHER = ("Preface.\fThe proletarians have nothing to lose but their chains in this struggle, and a world to win. "
         "Working men of all countries, unite, for the modern bourgeois society has not done away with class antagonisms.\n")
BIB2 = BIB + "@book{other, author = {Other, Anne}, title = {Another Book}, publisher = {P}, year = 1990, pages = {7--9}}\n"
MANUSCRIPTS = [
    "They wrote that ‘the history of all hitherto existing society is the history of class struggles’ (Marx and Engels, 1888, p. 1).\n\n"
    "And ‘the proletarians have nothing to lose but their chains in this struggle, and a world to win’ (Marx and Engels, 1888, p. 2).\n",
    "Recall that ‘the modern bourgeois society has not done away with class antagonisms at all’ (Marx and Engels, 1888, p. 2).\n\n"
    "Also ‘the bourgeolsie, historically, has played a most revolutionary part’ (Other, 1990, p. 8).\n\n"
    "So ‘the modern capitalist society that has sprouted from the ruins of feudal society has not done away with class "
    "antagonisms’ (Marx and Engels, 1888, p. 2).\n\n"
    "Again ‘the history of all hitherto existing society is the history of class struggles’ (Marx and Engels, 1888, p. 3).\n",
    "Elided: ‘the history of all hitherto existing society […] stood in constant opposition to one another’ (Marx and Engels, 1888, p. 1).\n\n"
    "Twice: ‘it has but established new classes, new conditions of oppression, new forms of struggle’ (Marx and Engels, 1888, p. 2) "
    "and ‘it has but established new classes, new conditions of oppression, new forms of struggle’ (Marx and Engels, 1888, p. 2).\n\n"
    "In our words, it has but established new classes, new conditions of oppression, new forms of struggle.\n",
    "Unattributed: ‘the modern bourgeois society has not done away with class antagonisms at all’.\n\n"
    "Invented: ‘the workers of the future will dance in gardens of bright colour every morning’ (Other, 1990, p. 7).\n",
]


def corpus(tmp_path: Path, copies: int = 2):
    """Manuscripts (each given `copies` times) citing two source texts with pages."""
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "manifesto.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "sources" / "other.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB2, encoding="utf-8")
    paths = []
    for c in range(copies):
        for i, text in enumerate(MANUSCRIPTS):
            path = tmp_path / f"ms-{c}-{i}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
    r = audit(paths, [str(tmp_path / "refs.bib")], sources=str(tmp_path / "sources"))
    return r.documents, r.resolutions, r.bibliography, str(tmp_path / "sources")


def test_quotation_results_are_the_same_on_one_or_two_workers(tmp_path, monkeypatch):
    import citeaudit.quotes as quotes
    from citeaudit.parallel import Executor

    docs, res, bib, sources = corpus(tmp_path)
    serial = quotes.check_quotations(docs, res, bib, sources)
    assert any(c.match and c.match.kind == "exact" and c.match.page for c in serial.checks)
    assert any(c.match and c.match.kind == "variant" for c in serial.checks)
    assert any(c.elsewhere is not None for c in serial.checks)
    cross = [x for d in docs for qi in range(len(d.quotations)) for x in serial.also(d.path, qi)]
    assert any(x.path == x.other for x in cross) and any(x.other_quotation is None for x in cross)
    monkeypatch.setattr(quotes, "PARALLEL_MIN_CHARS", 0)  # the manuscripts too on the pool, small as they are
    for jobs in (1, 2):
        with Executor(jobs) as ex:
            assert quotes.check_quotations(docs, res, bib, sources, executor=ex) == serial
    assert quotes.check_quotations(docs, res, bib, sources, executor=None) == serial


def test_identical_quotations_are_searched_once_and_the_work_grows_linearly(tmp_path, monkeypatch):
    """Each distinct wording is one query, and each manuscript is searched once for all of
    them: copies of a manuscript add units of work, not queries, so the searches grow with
    the number of manuscripts, not with its square (as they did: every quotation in every
    manuscript)."""
    import citeaudit.quotes as quotes
    from citeaudit.quotes import engine

    calls = {"candidates": 0, "queries": []}
    candidates, init = engine.QueryIndex.candidates, engine.QueryIndex.__init__

    def counting_candidates(self, *a, **k):
        calls["candidates"] += 1
        return candidates(self, *a, **k)

    def counting_init(self, queries):
        calls["queries"].append(len(queries))
        init(self, queries)

    monkeypatch.setattr(engine.QueryIndex, "candidates", counting_candidates)
    monkeypatch.setattr(engine.QueryIndex, "__init__", counting_init)
    work = {}
    for copies in (2, 8):
        calls["candidates"], calls["queries"] = 0, []
        (tmp_path / str(copies)).mkdir()
        docs, res, bib, sources = corpus(tmp_path / str(copies), copies)
        result = quotes.check_quotations(docs, res, bib, sources)
        places = sum(len(p.places) for p in result.passages)
        pairs = sum(result.also_count(d.path, qi) for d in docs for qi in range(len(d.quotations)))
        work[copies] = (calls["candidates"], calls["queries"], places, pairs)
    (c1, q1, p1, x1), (c4, q4, p4, x4) = work[2], work[8]
    assert q1 == q4  # the same distinct quotations, however many copies
    assert c4 <= 4 * c1  # one search of each distinct quotation in each manuscript (and each source, once)
    assert p4 <= 4 * p1  # the places found (what the results hold) grow with the copies
    assert x4 > 4 * x1  # while the pairs they make, which no one stores, grow with the square


def test_words_keep_their_offsets_and_a_line_break_hyphen_joins_a_word():
    from citeaudit.quotes.engine import make_text
    from citeaudit.quotes.textnorm import words

    raw = "The criti-\n  cism of ‘Political’ Économie, don’t\fit's p. 2 — Œuvre."
    got = words(raw)
    assert [w for w, _s, _e in got] == ["the", "criticism", "of", "political", "economie", "dont", "its", "p", "2", "œuvre"]
    assert [raw[s:e] for _w, s, e in got] == ["The", "criti-\n  cism", "of", "Political", "Économie", "don’t", "it's", "p", "2", "Œuvre"]
    text = make_text("k", raw, first_page=5)
    assert text.words == [w for w, _s, _e in got]
    assert (text.starts, text.ends) == ([s for _w, s, _e in got], [e for _w, _s, e in got])
    assert text.pages == [5] * 6 + [6] * 4
    wanted = [(0, False), (3, True), (9, False), (-1, True)]
    lazy = make_text("k", raw, first_page=5).offsets(wanted)  # worked out for these words only
    assert lazy == {(0, False): 0, (3, True): got[3][2], (9, False): got[9][1], (-1, True): got[9][2]}
    assert text.offsets(wanted) == lazy


def test_a_source_that_cannot_be_read_is_a_reason_not_an_error(tmp_path):
    from citeaudit.quotes.engine import QueryIndex, make_query
    from citeaudit.quotes.units import SourceUnit, search_source

    index = QueryIndex([make_query(0, "the history of all hitherto existing society is the history of class struggles")])
    assert search_source(SourceUnit("k", str(tmp_path / "missing.txt")), index).startswith("cannot be read: ")
    (hit,) = search_source(SourceUnit("k", None, 1, text=SOURCE), index)
    assert (hit.query, hit.kind, hit.page, hit.line) == (0, "exact", 1, 3)
