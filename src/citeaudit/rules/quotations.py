"""Rules about quotations checked against the full texts of their sources and against each
other: misquotations, quotations not found, wrong pages, one passage cited two ways."""

from __future__ import annotations

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
    """Passages are compared across all the manuscripts checked together; two quotations
    of one passage must cite the same work and pages. Reported once, at the later one."""
    order = {d.path: i for i, d in enumerate(ctx.documents)}
    seen = set()
    for x in ctx.quotes.cross:
        if x.other_quotation is None:
            continue
        doc, other = ctx.document(x.path), ctx.document(x.other)
        a = (order[x.path], doc.quotations[x.quotation].span.start)
        b = (order[x.other], other.quotations[x.other_quotation].span.start)
        pair = tuple(sorted((a, b)))
        if pair in seen:
            continue
        seen.add(pair)
        q = doc.quotations[x.quotation]
        oq = other.quotations[x.other_quotation]
        mine, theirs = _cites(doc, q.citation, ctx), _cites(other, oq.citation, ctx)
        if not mine or not theirs or mine == theirs:
            continue
        later_doc, later_q, earlier_doc, earlier_q = (doc, q, other, oq) if a > b else (other, oq, doc, q)
        later_cite = later_doc.citations[later_q.citation].text
        earlier_cite = earlier_doc.citations[earlier_q.citation].text
        where = f"line {earlier_doc.lines.line(earlier_q.span.start)}"
        if earlier_doc is not later_doc:
            where = f"{earlier_doc.path}:{earlier_doc.lines.line(earlier_q.span.start)}"
        diff = f"; wording differs: {describe(x.match.differences, 3)}" if x.match.differences else ""
        yield ctx.at(
            later_doc, later_q.span, f"{later_q.text}|{earlier_q.text}",
            f"The passage “{_short(later_q.text)}” is cited {later_cite} here and {earlier_cite} at {where}{diff}",
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
