"""Rules about the bibliography checked against the registries (Crossref, DataCite, Open
Library) with `--online`: what each entry's verdict (online/verify.py) says.

Each rule's examples are run by the test suite against a real HTTP server on loopback that
answers as the registry does (the `registry` of the example, in the registry's own JSON)."""

from __future__ import annotations

import json

from .registry import Context, Example, Issue, rule

_CITES = "The Turing test began as an imitation game (Turing 1950, p. 433).\n"
_TURING = {
    "DOI": "10.1093/mind/lix.236.433", "type": "journal-article", "title": ["Computing Machinery and Intelligence"],
    "author": [{"given": "A. M.", "family": "Turing", "sequence": "first"}], "container-title": ["Mind"],
    "volume": "LIX", "issue": "236", "page": "433-460", "published": {"date-parts": [[1950, 10]]},
    "publisher": "Oxford University Press (OUP)",
}
_OTHER = {
    "DOI": "10.1038/nature14539", "type": "journal-article", "title": ["Deep learning"],
    "author": [{"given": "Yann", "family": "LeCun", "sequence": "first"}], "container-title": ["Nature"],
    "page": "436-444", "published": {"date-parts": [[2015, 5, 27]]},
}
_RETRACTED = {
    "DOI": "10.1016/s0140-6736(97)11096-0", "type": "journal-article",
    "title": ["Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental disorder in children"],
    "author": [{"given": "AJ", "family": "Wakefield", "sequence": "first"}], "container-title": ["The Lancet"],
    "page": "637-641", "published": {"date-parts": [[1998, 2]]},
    "updated-by": [{"DOI": "10.1016/s0140-6736(10)60175-4", "type": "retraction", "label": "Retraction",
                    "source": "publisher", "updated": {"date-parts": [[2010, 2, 6]]}}],
}
_WAKEFIELD_TEXT = "The claim was made in print (Wakefield 1998, p. 637).\n"


def _work(record: dict) -> str:
    return json.dumps({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": record})


def _bib(year: str = "1950", doi: str = "10.1093/mind/lix.236.433", pages: str = "433--460") -> str:
    return ("@article{turing1950, author = {Turing, A. M.}, title = {Computing Machinery and Intelligence},\n"
            f"  journal = {{Mind}}, volume = {{LIX}}, number = {{236}}, pages = {{{pages}}}, year = {{{year}}},\n"
            f"  doi = {{{doi}}}}}\n")


def _at(v, hit) -> Issue:
    return Issue(v.path, v.line or None, 1 if v.line else None, hit.subject, hit.message, severity=hit.severity)


def _hits(ctx: Context, name: str):
    if ctx.online is None:
        return
    for v, hit in ctx.online.hits():
        if hit.rule == name:
            yield _at(v, hit)


@rule(
    "metadata-mismatch",
    "warning",
    "(online checks only) title, year, authors, pages or journal differ from the registry record for the DOI/ISBN",
    bad=Example(_CITES, _bib(year="1951"), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    good=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    needs_bibliography=True,
)
def metadata_mismatch(ctx: Context):
    """Titles, journals and names are compared without case, accents, punctuation or
    markup, and fuzzily (a typo is a mismatch, "&" for "and" is not); the year also against
    the record's print, online and issued dates; pages as ranges. The message shows both
    values; `citeaudit enrich` proposes the registry's."""
    yield from _hits(ctx, "metadata-mismatch")


@rule(
    "unknown-identifier",
    "error",
    "(online checks only) a DOI or ISBN that no registry knows",
    bad=Example(_CITES, _bib(doi="10.1093/mind/lix.236.999")),
    good=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    needs_bibliography=True,
)
def unknown_identifier(ctx: Context):
    """A DOI is looked up in Crossref, then in DataCite; an ISBN in Open Library. Only a
    registry's own "no such work" counts: a registry down, slow or garbled is
    registry-unavailable, never this."""
    yield from _hits(ctx, "unknown-identifier")


@rule(
    "identifier-points-elsewhere",
    "error",
    "(online checks only) the DOI or ISBN belongs to another work: other title and other authors",
    bad=Example(_CITES, _bib(doi="10.1038/nature14539"), registry=(("/works/10.1038/nature14539", _work(_OTHER)),)),
    good=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    needs_bibliography=True,
)
def identifier_points_elsewhere(ctx: Context):
    """Both the title and the first author differ beyond the thresholds: a copied or
    mistyped identifier, not a variant of the same work."""
    yield from _hits(ctx, "identifier-points-elsewhere")


@rule(
    "retracted-work",
    "error",
    "(online checks only) the registry marks the cited work as retracted (or, as a warning, corrected or "
    "under an expression of concern)",
    bad=Example(_WAKEFIELD_TEXT,
                "@article{wakefield1998, author = {Wakefield, A. J.}, title = {Ileal-lymphoid-nodular hyperplasia, "
                "non-specific colitis, and pervasive developmental disorder in children}, journal = {The Lancet},\n"
                "  pages = {637--641}, year = {1998}, doi = {10.1016/S0140-6736(97)11096-0}}\n",
                registry=(("/works/10.1016/s0140-6736(97)11096-0", _work(_RETRACTED)),)),
    good=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    needs_bibliography=True,
)
def retracted_work(ctx: Context):
    """From Crossref's `updated-by` notices (which carry the Retraction Watch data Crossref
    holds) and update-type records: a retraction is an error; a correction, erratum or
    expression of concern a warning, naming the notice and its date."""
    yield from _hits(ctx, "retracted-work")


@rule(
    "registry-unavailable",
    "info",
    "(online checks only) an entry could not be checked: the registry was down, slow, refused, or answered "
    "garbage; or the run was --offline and the cache had no answer",
    bad=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", "<html>Service Unavailable</html>"),)),
    good=Example(_CITES, _bib(), registry=(("/works/10.1093/mind/lix.236.433", _work(_TURING)),)),
    needs_bibliography=True,
)
def registry_unavailable(ctx: Context):
    """Never reported as a wrong reference: the entry is simply unchecked, with the reason.
    Answers are cached (`--cache-dir`, CITEAUDIT_CACHE_DIR), so the next run asks again only
    what it could not check."""
    yield from _hits(ctx, "registry-unavailable")
