"""Each rule on a small manuscript written for it: one where it must fire, one where it must
stay silent. A clean manuscript with a matching bibliography yields no finding at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeaudit import audit
from citeaudit.rules import RULES

BIB = r"""
@article{althusser2015barcelona,
  author = {Althusser, Louis}, title = {Conference on the Dictatorship of the Proletariat},
  journal = {Historical Materialism}, volume = {23}, number = {1}, pages = {152--178}, year = {2015},
}
@book{althusser2017philosophy,
  author = {Althusser, Louis}, title = {Philosophy for Non-Philosophers},
  publisher = {Bloomsbury}, year = {2017}, yearsuffix = {a},
}
@book{althusser2017marxist,
  author = {Althusser, Louis}, title = {How to Be a Marxist in Philosophy},
  publisher = {Bloomsbury}, year = {2017}, yearsuffix = {b},
}
@book{balibar1977dictatorship,
  author = {Balibar, {\'E}tienne}, title = {On the Dictatorship of the Proletariat},
  publisher = {NLB}, year = {1977},
}
@book{linden2008workers,
  author = {van der Linden, Marcel}, title = {Workers of the World}, publisher = {Brill}, year = {2008},
}
"""

CLEAN = (
    "Althusser writes that ‘the dictatorship of the proletariat is on the order of the day’ "
    "(Althusser, 2015, p. 154). Balibar agrees (Balibar, 1977, p. 123), and so does the later "
    "Althusser (Althusser, 2017a, p. 88; Althusser, 2017b, p. 12). On labour history see van der "
    "Linden (2008, p. 3).1\n\nNotes\n1. A note with its marker.\n"
)


def findings(tmp_path: Path, text: str, bib: str | None = BIB, name: str = "ms.txt"):
    ms = tmp_path / name
    ms.write_text(text, encoding="utf-8")
    bib_paths = None
    if bib is not None:
        (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
        bib_paths = [str(tmp_path / "refs.bib")]
    return list(audit([str(ms)], bib_paths).findings)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def rules_of(found, rule):
    return [f for f in found if f.rule == rule]


def test_clean_manuscript_with_matching_bibliography_yields_no_finding(tmp_path):
    assert findings(tmp_path, CLEAN) == []


def test_every_rule_is_registered_with_a_severity_and_examples():
    contract = {  # CONTRACT.md's table, the offline rules
        "unresolved-citation", "ambiguous-citation", "page-out-of-range", "malformed-locator", "inconsistent-citation-style",
        "ibid-without-antecedent", "note-marker-without-note", "note-without-marker", "note-numbering", "uncited-entry",
        "duplicate-entry", "missing-field", "invalid-field", "bib-parse-error", "unattributed-quotation", "misquotation",
        "quotation-not-found", "quotation-page-mismatch", "inconsistent-quotation-citation", "unbalanced-quotes",
    }
    assert contract <= set(RULES)
    for r in RULES.values():
        assert r.severity in ("error", "warning", "info") and r.bad and r.good and r.summary


@pytest.mark.parametrize(
    "rule, bad, good",
    [
        ("unresolved-citation", "As argued (Althuser, 2015, p. 154).", "As argued (Althusser, 2015, p. 154)."),
        ("unresolved-citation", "As argued (Althusser, 2016, p. 154).", "As argued (Althusser, 2015, p. 154)."),
        ("unresolved-citation", "As argued (Althusser, 2017c, p. 9).", "As argued (Althusser, 2017a, p. 9)."),
        ("unresolved-citation", "As argued (Balibar, 1977a, p. 9).", "As argued (Balibar, 1977, p. 9)."),
        ("coauthor-mismatch", "As argued (Balibar and Macherey, 1977).", "As argued (Balibar, 1977)."),
        ("ambiguous-citation", "As argued (Althusser, 2017, p. 88).", "As argued (Althusser, 2017b, p. 88)."),
        ("page-out-of-range", "As argued (Althusser, 2015, p. 190).", "As argued (Althusser, 2015, p. 160)."),
        ("page-out-of-range", "As argued (Althusser, 2015, pp. 150-155).", "As argued (Althusser, 2015, pp. 155-158)."),
        ("malformed-locator", "Cited (Balibar, 1977, p. 60-66).", "Cited (Balibar, 1977, pp. 60-66)."),
        ("malformed-locator", "Cited (Balibar, 1977, pp. 60).", "Cited (Balibar, 1977, p. 60)."),
        ("malformed-locator", "Cited (Balibar, 1977, pp. 66-60).", "Cited (Balibar, 1977, pp. 60-66)."),
        (
            "inconsistent-citation-style",
            "One (Balibar, 1977, p. 1). Two (Balibar, 1977, p. 2). Three (Balibar 1977, p. 3).",
            "One (Balibar, 1977, p. 1). Two (Balibar, 1977, p. 2). Three (Balibar, 1977, p. 3).",
        ),
        (
            "inconsistent-citation-style",
            "One (Balibar, 1977, pp. 1-2). Two (Balibar, 1977, pp. 3-4). Three (Balibar, 1977, pp 5-6).",
            "One (Balibar, 1977, pp. 1-2). Two (Balibar, 1977, pp. 3-4). Three (Balibar, 1977, pp. 5-6).",
        ),
        (
            "inconsistent-citation-style",
            "One (Balibar, 1977, pp. 1–2). Two (Balibar, 1977, pp. 3–4). Three (Balibar, 1977, pp. 5-6).",
            "One (Balibar, 1977, pp. 1–2). Two (Balibar, 1977, pp. 3–4). Three (Balibar, 1977, pp. 5–6).",
        ),
        (
            "ibid-without-antecedent",
            "It begins (ibid., p. 4). Then (Balibar, 1977, p. 3).",
            "It begins (Balibar, 1977, p. 3). Then (ibid., p. 4).",
        ),
        (
            "ibid-without-antecedent",
            "Both (Balibar, 1977; Althusser, 2015). Then (ibid., p. 4).",
            "Both (Balibar, 1977, p. 3). Then (ibid., p. 4).",
        ),
        ("note-marker-without-note", "A claim.1 Another.2\n\nNotes\n1. One.\n", "A claim.1 Another.2\n\nNotes\n1. One.\n2. Two.\n"),
        ("note-without-marker", "A claim.1\n\nNotes\n1. One.\n2. Two.\n", "A claim.1 Another.2\n\nNotes\n1. One.\n2. Two.\n"),
        ("note-numbering", "A.1 B.2 C.3\n\nNotes\n1. One.\n3. Three.\n2. Two.\n", "A.1 B.2 C.3\n\nNotes\n1. One.\n2. Two.\n3. Three.\n"),
        (
            "unbalanced-quotes",
            "He speaks of the ‘Imperialist World. In regards to the Party he says nothing.",
            "He speaks of the ‘Imperialist World’. In regards to the Party he says nothing.",
        ),
        (
            "citation-title-mismatch",
            "In How to Be a Marxist in Philosophy he writes about the margin (Althusser, 2017a, p. 88).",
            "In How to Be a Marxist in Philosophy he writes about the margin (Althusser, 2017b, p. 88).",
        ),
        (
            "citation-title-mismatch",
            "In How to Be a Marxist in Philosophy he writes about the margin (Althusser, 2017, p. 88).",
            "He writes about the margin (Althusser, 2017b, p. 88).",
        ),
        (
            "unattributed-quotation",
            "Marx speaks of ‘the huge children’s shoes of the proletariat’ here.",
            "Marx speaks of ‘the huge children’s shoes of the proletariat’ (Balibar, 1977, p. 3).",
        ),
    ],
)
def test_rule_fires_on_the_bad_manuscript_and_not_on_the_good_one(tmp_path, rule, bad, good):
    fired = rules_of(findings(tmp_path, bad), rule)
    assert fired, f"{rule} did not fire on {bad!r}"
    assert fired[0].line and fired[0].column and fired[0].message
    assert rules_of(findings(tmp_path, good), rule) == []


def test_unresolved_citation_suggests_near_misses(tmp_path):
    messages = [f.message for f in findings(tmp_path, "A (Althuser, 2015). B (Althusser, 2016). C (Balibar, 1977a).")]
    assert "No entry in the bibliography for Althuser 2015 (did you mean Althusser 2015?)" in messages
    assert any("Althusser 2016" in m and "off by one" in m and "Althusser 2015" in m for m in messages)
    assert any("Balibar 1977a" in m and "did you mean Balibar 1977?" in m for m in messages)


def test_resolution_is_tolerant_of_accents_case_and_particles(tmp_path):
    text = "A (Balibar, 1977). B (BALIBAR, 1977). C (Linden 2008). D (van der Linden 2008)."
    assert rules_of(findings(tmp_path, text), "unresolved-citation") == []


def test_ambiguous_citation_names_the_candidates(tmp_path):
    (f,) = rules_of(findings(tmp_path, "As argued (Althusser, 2017, p. 88)."), "ambiguous-citation")
    assert "Althusser 2017a (Philosophy for Non-Philosophers)" in f.message
    assert "Althusser 2017b (How to Be a Marxist in Philosophy)" in f.message


def test_without_yearsuffix_works_of_one_year_are_lettered_by_title(tmp_path):
    bib = BIB.replace("yearsuffix = {a},", "").replace("yearsuffix = {b},", "")
    # "How to Be ..." sorts before "Philosophy for ...": it is 2017a
    found = findings(tmp_path, "See (Althusser, 2017a, p. 3).", bib)
    assert rules_of(found, "unresolved-citation") == []


def test_bibliography_rules(tmp_path):
    bib = BIB + r"""
@book{balibar77, author = {Balibar, Etienne}, title = {On the dictatorship of the proletariat}, year = 1977, publisher = {NLB}}
@book{nopublisher, author = {Marx, Karl}, title = {Capital}, year = 1867}
@book{badfields, author = {Tronti, Mario}, title = {Operai e capitale}, publisher = {Einaudi}, year = {196},
  isbn = {0-85035-025-4}, doi = {doi:11.1000/xyz}, url = {www.example.org}, pages = {252--234}}
@book{uncited1999, author = {Thompson, E. P.}, title = {The Poverty of Theory}, publisher = {Merlin}, year = 1978}
"""
    found = findings(tmp_path, CLEAN, bib)
    assert [f.message for f in rules_of(found, "duplicate-entry")] == [
        f"balibar77 duplicates balibar1977dictatorship ({tmp_path / 'refs.bib'}:{_line_of(BIB, '@book{balibar1977')}): "
        "near-identical author, title and year"
    ]
    assert [f.message for f in rules_of(found, "missing-field")] == ["@book{nopublisher} has no publisher"]
    invalid = " ".join(f.message for f in rules_of(found, "invalid-field"))
    for expected in ("year “196”", "ISBN “0-85035-025-4” fails its checksum", "DOI “doi:11.1000/xyz”", "URL “www.example.org”", "runs backwards"):
        assert expected in invalid
    uncited = [f.message for f in rules_of(found, "uncited-entry")]
    assert any(m.startswith("uncited1999") for m in uncited) and any(m.startswith("nopublisher") for m in uncited)
    # the duplicate makes Balibar 1977 ambiguous in the manuscript; every other finding is in the .bib
    assert all(f.path.endswith("refs.bib") and f.line for f in found if f.rule != "ambiguous-citation")


def test_bib_parse_error_names_the_line_and_the_rest_is_used(tmp_path):
    bib = BIB + "\n@book{broken,\n  title = {Unclosed,\n  year = 1999\n\n@book{after, author = {Tronti, Mario}, title = {Operai e capitale}, publisher = {Einaudi}, year = 1966}\n"
    found = findings(tmp_path, CLEAN + "\nAlso (Tronti, 1966).\n", bib)
    errors = rules_of(found, "bib-parse-error")
    assert len(errors) == 1 and errors[0].line == BIB.count("\n") + 2
    assert rules_of(found, "unresolved-citation") == []  # the entry after the broken one is read


def test_fingerprints_survive_unrelated_edits(tmp_path):
    text = "Intro.\n\nAs argued (Althuser, 2015, p. 154).\n\nAgain (Althusser, 2017, p. 3).\n"
    before = {(f.rule, f.fingerprint) for f in findings(tmp_path, text)}
    edited = "A new first paragraph,\nwritten over two lines.\n\n" + text.replace("Intro.", "Introduction, longer now.")
    after = {(f.rule, f.fingerprint) for f in findings(tmp_path, edited)}
    assert before and before == after


def test_identical_problems_get_distinct_fingerprints(tmp_path):
    found = findings(tmp_path, "A (Althuser, 2015). B (Althuser, 2015).")
    prints = [f.fingerprint for f in rules_of(found, "unresolved-citation")]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_rules_needing_a_bibliography_are_silent_without_one(tmp_path):
    found = findings(tmp_path, "As argued (Althuser, 2015, p. 154).", bib=None)
    assert [f for f in found if RULES[f.rule].needs_bibliography] == []


def test_the_rules_run_a_manuscript_at_a_time_say_what_they_say_of_all_at_once():
    """A rule marked per_document is run one manuscript at a time (and its findings kept
    with the manuscript's in the cache): over the seeds together it must say, in the same
    order, what it says of each alone; a per_bibliography rule must read nothing but the
    bibliography."""
    from dataclasses import replace

    from citeaudit.resolve import Index
    from citeaudit.rules import Context

    root = Path(__file__).parent.parent
    report = audit([str(root / "seeds")], [str(root / "bib" / "seeds.bib")])
    ctx = Context(report.documents, report.bibliography, Index.build(report.bibliography), report.resolutions,
                  report.quotes)
    per_document = [r for r in RULES.values() if r.per_document]
    assert len(per_document) >= 10
    for r in per_document:
        together = list(r.check(ctx))
        one_by_one = [issue for doc in ctx.documents for issue in r.check(ctx.only(doc))]
        assert together == one_by_one, r.name
    bare = Context((), report.bibliography, ctx.index)
    for r in (r for r in RULES.values() if r.per_bibliography):
        assert list(r.check(bare)) == list(r.check(ctx)) == list(r.check(replace(ctx, documents=report.documents[:1])))
