"""Rules about quotations checked against the full texts of their sources and against each
other: misquotations, quotations not found, wrong pages, one passage cited two ways."""

from __future__ import annotations

from collections import Counter

from ..quotes.engine import describe
from .registry import Context, Example, Issue, rule

_BRUMAIRE = """@book{marx1852,
  author = {Marx, Karl},
  title = {The Eighteenth Brumaire of Louis Bonaparte},
  publisher = {Die Revolution},
  year = {1852},
}
"""
_BRUMAIRE_TEXT = (
    "Hegel remarks somewhere that all facts and personages of great importance in world history occur, as it\n"
    "were, twice.\f\f\f\f"
    "Men make their own history, but they do not make it just as they please; they do not make it under\n"
    "circumstances chosen by themselves, but under circumstances directly encountered, given and transmitted\n"
    "from the past. The tradition of all the dead generations weighs like a nightmare on the brains of the living.\n"
)


def _short(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _pages(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return f"p. {first}" if first == last or last is None else f"pp. {first}–{last}"


@rule(
    "misquotation",
    "warning",
    "a quotation differs from the cited source text; the message shows the word-level differences",
    bad=Example("Marx wrote that ‘men make their own history, but they do not make it just as they wish’ (Marx 1852, p. 5).\n",
                _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    good=Example("Marx wrote that ‘men make their own history, but they do not make it just as they please’ (Marx 1852, p. 5).\n",
                 _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    needs_bibliography=True,
)
def misquotation(ctx: Context):
    """Case, punctuation, quotation marks and dashes, ligatures, line-break hyphens, British
    or American spelling and editorial brackets ("[T]he", "[sic]") are not differences; an
    ellipsis lets the pieces around it stand apart in the source, in order. A quotation that
    matches only loosely but shares enough of its wording with the passage is reported as a
    translation variant: the passage is there, in other words — unless another source text at
    hand has it word for word (then quotation-not-found names that work)."""
    for check in ctx.quotes.checks:
        m = check.match
        if m is None or m.kind == "exact" or check.elsewhere is not None:
            continue
        doc = ctx.document(check.path)
        q = doc.quotations[check.quotation]
        where = _pages(m.page, m.last_page)
        where = f" {where}" if where else ""
        if m.kind == "translation":
            message = (
                f"Quotation “{_short(q.text)}” is a translation variant of {check.key}{where} (score {m.score:.0f}): "
                f"the passage is there in other words, not an invented quotation; differences: {describe(m.differences)}"
            )
        else:
            message = f"Quotation “{_short(q.text)}” differs from {check.key}{where} (score {m.score:.0f}): {describe(m.differences)}"
        yield ctx.at(doc, q.span, f"{check.key}:{q.text}", message)


@rule(
    "quotation-not-found",
    "warning",
    "the cited source text is available but the quotation is not in it",
    bad=Example("Marx saw that ‘the parties of order have no future but their own comedy’ (Marx 1852, p. 5).\n",
                _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    good=Example("Marx saw that ‘the tradition of all the dead generations weighs like a nightmare on the brains of the "
                 "living’ (Marx 1852, p. 5).\n", _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    needs_bibliography=True,
)
def quotation_not_found(ctx: Context):
    """Checked only where the cited entry's full text is at hand: its `file` field, or
    KEY.txt in the sources folder. Where another source text at hand has the quotation word
    for word, that work and its page are named: the citation is probably to the wrong work."""
    for check in ctx.quotes.checks:
        if check.match is not None and check.elsewhere is None:
            continue
        doc = ctx.document(check.path)
        q = doc.quotations[check.quotation]
        message = f"Quotation “{_short(q.text)}” is not in the text of {check.key} ({check.source_path})"
        if check.elsewhere is not None:
            e = check.elsewhere
            where = _pages(e.page, e.last_page)
            message = (f"Quotation “{_short(q.text)}” is not in {check.key}, the work cited, but word for word in "
                       f"{e.source}{' ' + where if where else ''} (score {e.score:.0f}): cited to the wrong work?")
        yield ctx.at(doc, q.span, f"{check.key}:{q.text}", message)


@rule(
    "quotation-page-mismatch",
    "warning",
    "the quotation is in the source, but on another page than the one cited",
    bad=Example("Marx wrote that ‘men make their own history, but they do not make it just as they please’ (Marx 1852, p. 9).\n",
                _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    good=Example("Marx wrote that ‘men make their own history, but they do not make it just as they please’ (Marx 1852, p. 5).\n",
                 _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    needs_bibliography=True,
)
def quotation_page_mismatch(ctx: Context):
    """Pages are the source text's form-feed-separated pages, numbered from the first page of
    the entry's `pages` field, or 1."""
    for check in ctx.quotes.checks:
        m = check.match
        if m is None or m.page is None:
            continue
        doc = ctx.document(check.path)
        item = doc.citations[check.citation].items[check.item]
        if item.pages is None:
            continue
        lo, hi = item.pages
        if m.page > hi or (m.last_page or m.page) < lo:
            q = doc.quotations[check.quotation]
            yield ctx.at(doc, q.span, f"{check.key}:{q.text}",
                         f"Quotation “{_short(q.text)}” is on {_pages(m.page, m.last_page)} of {check.key}, cited as {item.locator}")


def _cites(doc, citation_index, ctx) -> tuple:
    if citation_index is None:
        return ()
    c = doc.citations[citation_index]
    out = []
    for ii, it in enumerate(c.items):
        key = ctx.resolutions.of(doc.path, citation_index, ii).key
        who = key or f"{'/'.join(it.authors)} {it.year or ''}{it.suffix}"
        out.append((who, it.pages))
    return tuple(out)


@rule(
    "inconsistent-quotation-citation",
    "warning",
    "the same passage is quoted elsewhere (same or another document) with a different citation",
    bad=Example((("ms-1.txt", "Philosophy, he says, ‘draws a line of demarcation that is a limit and not a limit at all’ "
                               "(Althusser 2017b, p. 127).\n"),
                 ("ms-2.txt", "He holds that philosophy ‘draws a line of demarcation that is a limit and not a limit at all’ "
                              "(Althusser 2017a, p. 128).\n"))),
    good=Example((("ms-1.txt", "Philosophy, he says, ‘draws a line of demarcation that is a limit and not a limit at all’ "
                                "(Althusser 2017b, p. 127).\n"),
                  ("ms-2.txt", "He holds that philosophy ‘draws a line of demarcation that is a limit and not a limit at all’ "
                               "(Althusser 2017b, p. 127).\n"))),
)
def inconsistent_quotation_citation(ctx: Context):
    """Passages are compared across all the manuscripts checked together: quotations of one
    passage (the same words, or one found as a variant of the other) form a group, and must
    cite the same work and pages. The citation most of the group gives is taken as the
    passage's (the first one given, where as many give each), and each quotation that cites
    otherwise is reported, naming the first that gives the passage's citation."""
    order = {d.path: i for i, d in enumerate(ctx.documents)}
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(m):
        parent.setdefault(m, m)
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    found_at: dict[tuple[int, tuple[str, int]], object] = {}  # (passage, quotation) -> match there
    for pi, p in enumerate(ctx.quotes.passages):
        first = root(p.quotations[0])
        for m in p.quotations[1:]:
            parent[root(m)] = first
        for place in p.places:
            if place.quotation is not None:
                m = (place.path, place.quotation)
                found_at.setdefault((pi, m), place.match)
                parent[root(m)] = root(first)
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for m in parent:
        groups.setdefault(root(m), []).append(m)
    passage_of = {q: pi for pi, p in enumerate(ctx.quotes.passages) for q in p.quotations}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: (order[m[0]], ctx.document(m[0]).quotations[m[1]].span.start))
        cites = {}
        for m in members:
            doc = ctx.document(m[0])
            c = _cites(doc, doc.quotations[m[1]].citation, ctx)
            if c:
                cites[m] = c
        counts = Counter(cites.values())
        if len(counts) < 2:
            continue
        most = max(counts.values())
        ref = next(m for m, c in cites.items() if counts[c] == most)
        ref_doc = ctx.document(ref[0])
        ref_q = ref_doc.quotations[ref[1]]
        ref_cite = ref_doc.citations[ref_q.citation].text
        for m, c in cites.items():
            if c == cites[ref]:
                continue
            doc = ctx.document(m[0])
            q = doc.quotations[m[1]]
            where = f"line {ref_doc.lines.line(ref_q.span.start)}"
            if ref_doc is not doc:
                where = f"{ref_doc.path}:{ref_doc.lines.line(ref_q.span.start)}"
            match = found_at.get((passage_of.get(ref), m))
            diff = f"; wording differs: {describe(match.differences, 3)}" if match is not None and match.differences else ""
            yield ctx.at(
                doc, q.span, f"{q.text}|{ref_q.text}",
                f"The passage “{_short(q.text)}” is cited {doc.citations[q.citation].text} here and {ref_cite} at {where}{diff}",
            )


@rule(
    "source-text-unavailable",
    "warning",
    "a quoted work's full text is named (its `file` field, or the sources folder) but cannot be used: missing, outside "
    "the folders named, not plain text, or too large",
    bad=Example("Marx wrote that ‘men make their own history, but they do not make it just as they please’ (Marx 1852, p. 5).\n",
                _BRUMAIRE.replace("  year = {1852},\n", "  year = {1852},\n  file = {/etc/passwd},\n")),
    good=Example("Marx wrote that ‘men make their own history, but they do not make it just as they please’ (Marx 1852, p. 5).\n",
                 _BRUMAIRE, (("marx1852", _BRUMAIRE_TEXT),)),
    needs_bibliography=True,
)
def source_text_unavailable(ctx: Context):
    """Source texts are read only from the .bib's own folder (and below) and from the
    sources folder: a `file` field that points elsewhere — an absolute path, `../`, a link
    out of the folder — is reported with the path it names and is never opened, so nothing
    outside what you named reaches a report. Only works that a quotation cites are looked
    for."""
    for p in ctx.quotes.unavailable:
        yield Issue(p.bib_path, p.line, 1, f"{p.key}:{p.named}",
                    f"The full text of {p.key}, {p.named}, {p.reason}: its quotations are not checked")
