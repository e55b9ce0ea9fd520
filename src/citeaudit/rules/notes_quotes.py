"""Rules about notes and quotations: markers and note texts that do not pair, numbering,
quotation marks left open, quotations with no source."""

from __future__ import annotations

from .registry import Context, Example, Issue, rule


@rule(
    "note-marker-without-note",
    "error",
    "a note marker in the text with no note text",
    bad=Example("They called the regime ‘socialist’.1 Others called it ‘state-capitalist’.2\n\nNotes\n\n1. The first note.\n"),
    good=Example("They called the regime ‘socialist’.1 Others called it ‘state-capitalist’.2\n\nNotes\n\n"
                 "1. The first note.\n2. The second note.\n"),
    per_document=True,
)
def note_marker_without_note(ctx: Context):
    """Markers are digits glued to the end of a word or quotation ("socialist’.1"),
    bracketed ("[3]") or superscript ("²"), read as a sequence 1, 2, 3 …; note texts are
    page-bottom footnotes or an endnote section."""
    for doc in ctx.documents:
        for n in doc.notes:
            if n.marker is not None and n.body is None:
                yield ctx.at(doc, n.marker, f"marker {n.number}", f"Note marker {n.number} has no note text")


@rule(
    "note-without-marker",
    "error",
    "a note with no marker in the text",
    bad=Example("They called the regime ‘socialist’.1\n\nNotes\n\n1. The first note.\n2. A note nothing points to.\n"),
    good=Example("They called the regime ‘socialist’.1 Others called it ‘state-capitalist’.2\n\nNotes\n\n"
                 "1. The first note.\n2. The second note.\n"),
    per_document=True,
)
def note_without_marker(ctx: Context):
    """A note whose number no marker in the text carries: the marker was lost in editing, or
    the note was left behind when its sentence was cut."""
    for doc in ctx.documents:
        for n in doc.notes:
            if n.body is not None and n.marker is None and n.number:
                preview = n.text if len(n.text) <= 50 else n.text[:47] + "..."
                yield ctx.at(doc, n.body, f"note {n.number}:{n.text[:80]}", f"Note {n.number} (“{preview}”) has no marker in the text")


def _sequence_problems(numbers):
    prev = None
    for i, n in enumerate(numbers):
        if prev is not None:
            if n == prev:
                yield i, f"repeats number {n}"
            elif n < prev:
                yield i, f"is numbered {n} after {prev}"
            elif n > prev + 1:
                missing = f"{prev + 1}" if n == prev + 2 else f"{prev + 1}–{n - 1}"
                yield i, f"is numbered {n} after {prev}: {missing} missing"
        prev = n


@rule(
    "note-numbering",
    "warning",
    "note numbers skip, repeat, or run out of order",
    bad=Example("A first claim.1 A second claim.2 A third claim.3\n\nNotes\n\n1. One.\n3. Three.\n2. Two.\n"),
    good=Example("A first claim.1 A second claim.2 A third claim.3\n\nNotes\n\n1. One.\n2. Two.\n3. Three.\n"),
    per_document=True,
)
def note_numbering(ctx: Context):
    """Checked twice: the note texts in the order they stand, and the markers in the order
    of the text; footnotes and endnotes (a Word file may have both) each on their own."""
    for doc in ctx.documents:
        for series in sorted({n.style == "endnote" for n in doc.notes}):
            notes = [n for n in doc.notes if (n.style == "endnote") == series]
            what = "Endnote" if series else "Note"
            texts = sorted((n for n in notes if n.body is not None and n.number), key=lambda n: n.body.start)
            for i, problem in _sequence_problems([n.number for n in texts]):
                yield ctx.at(doc, texts[i].body, f"text {texts[i].number}#{i}", f"{what} {texts[i].number} {problem}")
            markers = sorted((n for n in notes if n.marker is not None), key=lambda n: n.marker.start)
            for i, problem in _sequence_problems([n.number for n in markers]):
                yield ctx.at(doc, markers[i].marker, f"marker {markers[i].number}#{i}",
                             f"{what} marker {markers[i].number} {problem}")


@rule(
    "unbalanced-quotes",
    "warning",
    "an opening quotation mark with no closing one in the same paragraph, or the reverse",
    bad=Example("He speaks of the ‘Imperialist World. In regards to the Party, he says little.\n"),
    good=Example("He speaks of the ‘Imperialist World’. In regards to the Party, he says little.\n"),
    per_document=True,
)
def unbalanced_quotes(ctx: Context):
    """Apostrophes are told from closing single quotes by the letters around them; an
    opening mark counts as open until its paragraph ends."""
    for doc in ctx.documents:
        for qm in doc.unbalanced_quotes:
            start = qm.span.start if qm.opening else max(0, qm.span.start - 40)
            context = " ".join(doc.text[start : start + 41].split())
            what, other = ("Opening", "closing") if qm.opening else ("Closing", "opening")
            yield ctx.at(doc, qm.span, context, f"{what} quotation mark {qm.mark} has no {other} one in its paragraph: “{context}…”")


@rule(
    "unattributed-quotation",
    "warning",
    "a quotation of a source (not a scare quote) with no citation attached",
    bad=Example("Marx speaks of “the giant children’s shoes of the proletariat and the dwarfish size of its shoes”.\n"),
    good=Example("Marx speaks of “the giant children’s shoes of the proletariat” (Marx 1844, p. 201).\n"),
    per_document=True,
)
def unattributed_quotation(ctx: Context):
    """A quotation of five words or more must be closed or introduced by a citation. A
    note marker right after the quotation counts as its attribution: the note gives the
    source."""
    for doc in ctx.documents:
        markers = [n.marker for n in doc.notes if n.marker is not None]
        for q in doc.quotations:
            if q.citation is not None:
                continue
            if any(0 <= m.start - q.span.end <= 3 for m in markers):
                continue
            words = q.text if len(q.text) <= 60 else q.text[:57] + "..."
            yield ctx.at(doc, q.span, q.text, f"Quotation “{words}” has no citation")


@rule(
    "unused-suppression",
    "warning",
    "a suppression comment in the manuscript that suppresses nothing, names an unknown rule, or gives no reason",
    bad=Example("% citeaudit: ignore unresolved-citation\nA paragraph whose citations all resolve (Balibar, 1977).\n",
                "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                "  publisher = {NLB}, year = 1977}\n"),
    good=Example('% citeaudit: ignore unresolved-citation reason="forthcoming"\nA paragraph citing (Tronti, 2027) '
                 "beside (Balibar, 1977).\n",
                 "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                 "  publisher = {NLB}, year = 1977}\n"),
    after_suppression=True,
)
def unused_suppression(ctx: Context):
    """Suppressions are checked after every other rule has run, so that one which no
    longer suppresses anything is found when the text it covered is fixed."""
    for sup in ctx.suppressions:
        where = f"line {sup.line}"
        if sup.unknown:
            yield Issue(sup.path, sup.line, 1, f"unknown:{where}", f"Suppression names unknown rule(s): {', '.join(sup.unknown)}")
        if not sup.reason:
            yield Issue(sup.path, sup.line, 1, f"reason:{where}", 'Suppression gives no reason: add reason="..."')
        if sup.used == 0:
            scope = "the file" if sup.scope is None else f"lines {sup.scope[0]}–{sup.scope[1]}"
            names = ", ".join(sup.rules) or "any rule"
            yield Issue(sup.path, sup.line, 1, f"unused:{names}", f"Suppression of {names} suppresses nothing in {scope}")
