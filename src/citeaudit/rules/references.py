"""Rules about a manuscript's own reference list: its order, complete and consistently
formatted entries, year letters; and, where a .bib is given too, the list compared with it."""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from ..bibliography import Entry, fold
from ..bibliography.suffixes import group_key
from ..locators import field_pages
from .registry import Context, Example, Issue, rule

_ARTICLE = re.compile(r"^(?:the|a|an|le|la|les|l'|der|die|das|el|los|las|il|lo|gli|o|os)\s+", re.IGNORECASE)


def _lists(ctx: Context):
    """The typed reference lists (not the references of notes), each with its manuscript."""
    for path, lst in ctx.lists.items():
        if lst.origin == "list":
            yield ctx.document(path), lst


def _at(ctx: Context, doc, item, subject: str, message: str) -> Issue:
    return ctx.at(doc, item.span, subject, message)


def _label(e: Entry) -> str:
    return e.label() if e.creators or e.year else (e.title[:40] or "an entry")


# --- order --------------------------------------------------------------------------------

def _first(e: Entry, particle: bool) -> str:
    """The first creator's sort name (with or without particles), or the title's first words."""
    if e.creators:
        n = e.creators[0]
        if n.literal:
            return fold(_ARTICLE.sub("", n.last))
        return fold(n.surname if particle else n.last or n.surname)
    return fold(_ARTICLE.sub("", e.title))


def _sorts_before(cur: Entry, prev: Entry) -> str | None:
    """Why `cur`, listed after `prev`, should come before it — or None. An inversion counts
    only under every convention (particles sorted with the surname or not)."""
    reasons = []
    for particle in (True, False):
        a, b = _first(cur, particle), _first(prev, particle)
        if a < b:
            reasons.append("author")
        elif a > b:
            return None
        elif cur.creators and prev.creators and [fold(n.surname) for n in cur.creators] == [fold(n.surname) for n in prev.creators]:
            ga = fold(cur.creators[0].given)[:1]
            gb = fold(prev.creators[0].given)[:1]
            if ga and gb and ga != gb:
                if ga < gb:
                    reasons.append("given name")
                    continue
                return None
            if cur.year and prev.year and cur.year.isdigit() and prev.year.isdigit():
                if (cur.year, cur.suffix) < (prev.year, prev.suffix):
                    reasons.append("year")
                    continue
            return None
        else:
            return None
    return reasons[0] if reasons else None


def _letters_against_titles(items) -> list[tuple[object, object]]:
    """Pairs (item, the item it should follow) where year letters do not follow the titles'
    order among works of one author and year."""
    groups: dict[tuple[str, str], list] = {}
    for it in items:
        if it.entry.suffix and it.entry.year:
            groups.setdefault(group_key(it.entry), []).append(it)
    out = []
    for group in groups.values():
        by_letter = sorted(group, key=lambda it: (len(it.entry.suffix), it.entry.suffix))
        for strip in (False, True):
            titled = sorted(group, key=lambda it: fold(_ARTICLE.sub("", it.entry.title) if strip else it.entry.title))
            if [id(x) for x in titled] == [id(x) for x in by_letter]:
                break
        else:
            titled = sorted(group, key=lambda it: fold(_ARTICLE.sub("", it.entry.title)))
            for it, want in zip(by_letter, titled):
                if it is not want:
                    out.append((it, want))
                    break
    return out


_REF = """Positions were taken (Balibar 1977; Althusser 1976).

References

Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.
Althusser, Louis. 1976. Positions. Paris: Éditions sociales.
"""


@rule(
    "reference-list-order",
    "warning",
    "the reference list is not in order: alphabetical by author, then year, then year letter (2017a, "
    "2017b; in the order of the titles where the house style says so)",
    bad=Example(_REF),
    good=Example(_REF.replace("Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n", "")
                 + "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"),
)
def reference_list_order(ctx: Context):
    """Names are compared without accents or case, a surname's particle ("van der Linden")
    sorted with it or not, as styles differ; works of one author by year, then letter;
    several authors' works after the first author's own, in any of the orders styles give them.
    A numbered list, or one mostly in another order (of citation), is left alone. Letters are
    listed in order (2017a before 2017b); where the house style says `year-letters = "title
    order"` (APA, Chicago and Harvard letter by title), they must follow the titles' order,
    a leading article ignored."""
    for doc, lst in _lists(ctx):
        items = lst.items
        if any(it.parsed.citation_number for it in items):
            continue
        pairs = [(items[k], _sorts_before(items[k].entry, items[k - 1].entry), items[k - 1]) for k in range(1, len(items))]
        wrong = [(cur, why, prev) for cur, why, prev in pairs if why]
        if len(items) >= 6 and len(wrong) > 0.3 * (len(items) - 1):
            first = items[0]
            yield _at(ctx, doc, first, "unsorted", f"The reference list is not in alphabetical order: {len(wrong)} of its "
                      f"{len(items)} entries come before the one above them")
            continue
        reported = set()
        for cur, why, prev in wrong:
            reported.add(id(cur))
            yield _at(ctx, doc, cur, f"order:{_label(cur.entry)}:{_label(prev.entry)}",
                      f"{_label(cur.entry)} is listed after {_label(prev.entry)} but sorts before it (by {why})")
        seen: dict[tuple[str, str], object] = {}
        for it in items:  # letters listed in order: 2017a before 2017b
            e = it.entry
            if not (e.suffix and e.year):
                continue
            k = group_key(e)
            before = seen.get(k)
            if (before is not None and id(it) not in reported
                    and (len(e.suffix), e.suffix) < (len(before.entry.suffix), before.entry.suffix)):
                yield _at(ctx, doc, it, f"letter-order:{_label(e)}", f"{_label(e)} is listed after {_label(before.entry)}")
            seen[k] = it
        if ctx.style.get("year-letters") == "title order":
            for it, want in _letters_against_titles(items):
                yield _at(ctx, doc, it, f"letters:{_label(it.entry)}",
                          f"{_label(it.entry)} ({it.entry.title}) is lettered before {_label(want.entry)} ({want.entry.title}): "
                          "year letters follow the order of the titles")


# --- completeness -------------------------------------------------------------------------

_NEEDS_PUBLISHER = {"book", "techreport", "phdthesis", "mastersthesis"}
#: What a work that was never published says instead of a publisher.
_UNPUBLISHED = re.compile(
    r"\b(?:unpublished|manuscript|typescript|ms\.|lecture|talk|paper (?:presented|read|given)|personal communication|"
    r"interview|letter|archive|archives|fonds|papers of|inédit|manuscrit|unveröffentlicht|manuskript|inédito|manuscrito|"
    r"inedito|dattiloscritto)\b", re.IGNORECASE)


def _missing(it) -> list[str]:
    ref, e = it.parsed, it.entry
    out = []
    if not (ref.year or ref.date_status):
        out.append("year (or n.d.)")
    if not ref.title:
        out.append("title")
    if not (ref.authors or ref.editors) and not ref.title:
        out.append("author")
    if ref.title and not (ref.publisher or ref.container or ref.url or ref.doi or _UNPUBLISHED.search(f"{ref.genre} {ref.note}")):
        what = {"article": "journal", "incollection": "book it appears in", "inproceedings": "proceedings"}.get(e.type)
        out.append(what or ("publisher" if e.type in _NEEDS_PUBLISHER else "publisher or container"))
    if e.type == "article" and ref.container and not (ref.volume or ref.pages or ref.doi or ref.url):
        out.append("volume or pages")
    return out


@rule(
    "incomplete-reference",
    "warning",
    "an entry of the reference list has no year (or n.d.), no title, or no publisher, journal or "
    "containing book",
    bad=Example("Positions were taken (Althusser 1976; Balibar 1977; Bidet 2008).\n\nReferences\n\n"
                "Althusser, Louis. Positions. Paris: Éditions sociales.\n"
                "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"
                "Bidet, Jacques. 2008. Critical Companion to Contemporary Marxism. Leiden: Brill.\n"),
    good=Example("Positions were taken (Althusser 1976; Balibar 1977; Bidet 2008).\n\nReferences\n\n"
                 "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n"
                 "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"
                 "Bidet, Jacques. 2008. Critical Companion to Contemporary Marxism. Leiden: Brill.\n"),
)
def incomplete_reference(ctx: Context):
    """What a reader needs to find the work: its year, its title, and where it was published
    — the publisher of a book, the journal of an article (with its volume or pages), the book
    of a chapter; a web address or DOI will do for the last. A reference the parser could not
    read at all is reported here too."""
    for doc, lst in _lists(ctx):
        for it in lst.items:
            missing = _missing(it)
            if missing:
                yield _at(ctx, doc, it, "incomplete", f"Reference {_label(it.entry)} has no {', no '.join(missing)}: "
                          f"“{_short(it.text)}”")


# --- format -------------------------------------------------------------------------------

_INVERTED = re.compile(r"^\s*(?:\[\d+\]|\d+[.)])?\s*[^\s,]+(?:\s+[^\s,]+){0,3},\s")


def _features(it) -> dict[str, str]:
    """How one entry is written: name order, how its year is set, how its title is set."""
    ref, text = it.parsed, it.text
    out: dict[str, str] = {}
    if ref.authors and not ref.authors[0].literal and not ref.repeated_authors:
        out["name order"] = "surname first" if _INVERTED.match(text) else "given name first"
        given = ref.authors[0].given
        if given:
            out["given names"] = "initials" if re.fullmatch(r"(?:[^\W\d_]{1,2}\.?[\s-]*)+", given) else "in full"
    date = next((s for s in ref.segments if s.label == "date"), None)
    if date is not None and ref.year:
        author_end = max((s.end for s in ref.segments if s.label in ("author", "editor")), default=0)
        place = "after the authors" if author_end and text[author_end:date.start].strip(" .,:;") == "" else "later"
        paren = "in parentheses" if "(" in text[max(0, date.start - 1):date.end] else "without parentheses"
        out["year"] = f"{place}, {paren}"
    title = next((s for s in ref.segments if s.label == "title"), None)
    if title is not None and it.entry.type in ("book", "phdthesis", "mastersthesis", "techreport"):
        t = title.text.strip()
        if t[:1] in "*_" or t.startswith("\\textit") or t.startswith("\\emph"):
            out["book titles"] = "in italics"
        elif t[:1] in "“\"‘":
            out["book titles"] = "in quotation marks"
        else:
            out["book titles"] = "plain"
    return out


@rule(
    "inconsistent-reference-format",
    "info",
    "an entry of the reference list is written differently from the others: name order, initials or "
    "full given names, where and how its year is set, italics of book titles",
    bad=Example("Positions were taken (Althusser 1976; Balibar 1977; Bidet 2008).\n\nReferences\n\n"
                "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n"
                "Étienne Balibar. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"
                "Bidet, Jacques. 2008. Critical Companion to Contemporary Marxism. Leiden: Brill.\n"
                "Bonefeld, Werner. 2014. Critical Theory and the Critique of Political Economy. London: Bloomsbury.\n"),
    good=Example("Positions were taken (Althusser 1976; Balibar 1977; Bidet 2008).\n\nReferences\n\n"
                 "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n"
                 "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"
                 "Bidet, Jacques. 2008. Critical Companion to Contemporary Marxism. Leiden: Brill.\n"
                 "Bonefeld, Werner. 2014. Critical Theory and the Critique of Political Economy. London: Bloomsbury.\n"),
)
def inconsistent_reference_format(ctx: Context):
    """Each entry is compared with the way most entries of its list are written (at least
    three of them, and two in three): the first author's name inverted or not, initials or
    full given names, the year right after the authors or later, in parentheses or not, book
    titles in italics (Markdown, LaTeX, Word), quotation marks or plain. Styles differ; a
    list should not."""
    for doc, lst in _lists(ctx):
        feats = [_features(it) for it in lst.items]
        majority: dict[str, str] = {}
        for name in {n for f in feats for n in f}:
            counts = Counter(f[name] for f in feats if name in f)
            (value, n), total = counts.most_common(1)[0], sum(counts.values())
            if n >= 3 and n >= 2 * total / 3 and len(counts) > 1:
                majority[name] = value
        for it, f in zip(lst.items, feats):
            odd = [f"{name} {f[name]} (the others: {majority[name]})" for name in sorted(majority) if name in f and f[name] != majority[name]]
            if odd:
                yield _at(ctx, doc, it, "format:" + ",".join(sorted(n for n in majority if n in f and f[n] != majority[n])),
                          f"Reference {_label(it.entry)} is written differently from the rest of the list: {'; '.join(odd)}")


# --- year letters -------------------------------------------------------------------------

@rule(
    "missing-year-suffix",
    "warning",
    "an author has two or more works of one year in the reference list and they are not told apart by "
    "letters (2017a, 2017b)",
    bad=Example("Philosophy was addressed to all (Althusser 2017).\n\nReferences\n\n"
                "Althusser, Louis. 2017. How to Be a Marxist in Philosophy. London: Bloomsbury.\n"
                "Althusser, Louis. 2017. Philosophy for Non-Philosophers. London: Bloomsbury.\n"),
    good=Example("Philosophy was addressed to all (Althusser 2017b).\n\nReferences\n\n"
                 "Althusser, Louis. 2017a. How to Be a Marxist in Philosophy. London: Bloomsbury.\n"
                 "Althusser, Louis. 2017b. Philosophy for Non-Philosophers. London: Bloomsbury.\n"),
)
def missing_year_suffix(ctx: Context):
    """Without letters a citation "(Althusser 2017)" cannot say which work it means; author-date
    styles letter the works in the order of their titles."""
    for doc, lst in _lists(ctx):
        groups: dict[tuple[str, str], list] = {}
        for it in lst.items:
            if it.entry.year and it.entry.year.isdigit():
                groups.setdefault(group_key(it.entry), []).append(it)
        for group in groups.values():
            if len(group) < 2:
                continue
            titled = sorted(group, key=lambda it: fold(it.entry.title))
            for it in group:
                if not it.entry.suffix:
                    letter = "abcdefghijklmnopqrstuvwxyz"[titled.index(it) % 26]
                    others = "; ".join(f"{o.entry.title or _short(o.text, 40)}" for o in group if o is not it)
                    yield _at(ctx, doc, it, f"suffix:{_label(it.entry)}:{it.entry.title}",
                              f"{_label(it.entry)} shares its author and year with {others}: write {it.entry.year}{letter}")


# --- the list and the .bib ----------------------------------------------------------------

def _norm_title(t: str) -> str:
    return fold(_ARTICLE.sub("", t))


def _titles(e: Entry) -> list[str]:
    out = [e.title]
    if e.fields.get("subtitle"):
        out.append(f"{e.title}: {e.fields['subtitle']}")
    if e.fields.get("shorttitle"):
        out.append(e.fields["shorttitle"])
    return [t for t in out if t]


def _title_score(a: Entry, b: Entry) -> float:
    return max((fuzz.ratio(_norm_title(x), _norm_title(y)) for x in _titles(a) for y in _titles(b)), default=0.0)


def counterpart(e: Entry, ctx: Context) -> Entry | None:
    """The .bib entry a typed reference describes."""
    return same_work(e, ctx.index) if ctx.index is not None else None


def _ids(e: Entry) -> set[str]:
    out = set()
    if e.fields.get("doi"):
        out.add("doi:" + re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", e.fields["doi"].strip().lower()))
    if e.fields.get("isbn"):
        out.add("isbn:" + re.sub(r"[^0-9x]", "", e.fields["isbn"].lower()))
    return out


def same_work(e: Entry, index) -> Entry | None:
    """The .bib entry (in `index`) that describes the same work as `e` (a typed reference, a
    reference manager's item): the same DOI or ISBN; else the same first author, then the
    closest title, the same year helping where titles are short or missing."""
    if not e.creators:
        return None
    best, best_score = None, 0.0
    ids = _ids(e)
    for cand in index.lookup(e.creators[0].surname):
        if ids and ids & _ids(cand) and cand.origin == "bib":
            return cand
        if cand.origin != "bib":
            continue
        score = _title_score(e, cand) if e.title and cand.title else 0.0
        if e.year and cand.year == e.year:
            score += 20 if cand.suffix == e.suffix else 10
        if score > best_score:
            best, best_score = cand, score
    return best if best_score >= 80 else None


@rule(
    "reference-missing-from-list",
    "warning",
    "a work cited (and found in the .bib) is not in the manuscript's own reference list",
    bad=Example("Positions were taken (Althusser 1976; Balibar 1977).\n\nReferences\n\n"
                "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n",
                "@book{althusser1976, author = {Althusser, Louis}, title = {Positions}, publisher = {Éditions sociales},\n"
                "  address = {Paris}, year = 1976}\n"
                "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                "  publisher = {NLB}, year = 1977}\n"),
    good=Example("Positions were taken (Althusser 1976; Balibar 1977).\n\nReferences\n\n"
                 "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n"
                 "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n",
                 "@book{althusser1976, author = {Althusser, Louis}, title = {Positions}, publisher = {Éditions sociales},\n"
                 "  address = {Paris}, year = 1976}\n"
                 "@book{balibar1977, author = {Balibar, Étienne}, title = {On the Dictatorship of the Proletariat},\n"
                 "  publisher = {NLB}, year = 1977}\n"),
    needs_bibliography=True,
)
def reference_missing_from_list(ctx: Context):
    """Checked where the manuscript has a reference list and a .bib is given as well; reported
    once per work, at its first citation."""
    if ctx.from_lists:
        return
    for doc, lst in _lists(ctx):
        listed = {c.key for c in (counterpart(it.entry, ctx) for it in lst.items) if c is not None}
        reported: set[str] = set()
        for ci, _ii, r in ctx.resolutions.looked_up(doc.path):
            if r.status != "resolved" or r.key in listed or r.key in reported:
                continue
            e = ctx.bibliography.get(r.key)
            if e is None:
                continue
            reported.add(r.key)
            c = doc.citations[ci]
            yield ctx.at(doc, c.span, f"missing:{r.key}", f"{e.label()} ({e.key}: {e.title}) is cited here but is not in the reference list")


def _pages(text: str) -> tuple[int, int] | None:
    return field_pages(text) if text else None


def _same_title(typed_title: str, titles: list[str], typed: str) -> bool:
    """The same title, but for case, accents, punctuation and a leading article; or one the
    other with its subtitle; or the .bib's title there as typed (where the parser read the
    title short or long). One word changed is a difference."""
    mine = _norm_title(typed_title)
    for t in titles:
        theirs = _norm_title(t)
        if mine == theirs or (mine and theirs and (mine in theirs or theirs in mine)) or (theirs and theirs in typed):
            return True
    return False


def differences(it, e: Entry) -> list[str]:
    """How a typed reference differs from its .bib entry: authors, year, title, pages."""
    ref, mine = it.parsed, it.entry
    typed = fold(it.text)
    out = []
    a = [fold(n.surname) for n in mine.creators]
    b = [fold(n.surname) for n in e.creators]
    # what the parser read is checked against the typed string too: a field it cut short or
    # ran on is not a difference when the .bib's value is there as typed
    if a and b and (a != b if not ref.et_al else a != b[: len(a)]) and not (
            not ref.repeated_authors and all(x in typed for x in b) and len(a) <= len(b)):
        out.append(f"authors {'; '.join(n.surname for n in mine.creators)} (the .bib: {'; '.join(n.surname for n in e.creators)})")
    if mine.year and e.year and mine.year != e.year:
        out.append(f"year {mine.year} (the .bib: {e.year})")
    if mine.title and e.title and not _same_title(mine.title, _titles(e), typed):
        out.append(f"title “{mine.title}” (the .bib: “{e.title}”)")
    p, q = _pages(mine.fields.get("pages", "")), e.pages
    if p and q and p != q:
        out.append(f"pages {p[0]}–{p[1]} (the .bib: {q[0]}–{q[1]})")
    return out


@rule(
    "reference-differs-from-bib",
    "warning",
    "an entry of the manuscript's reference list gives other authors, year, title or pages than the .bib",
    bad=Example("Positions were taken (Althusser 1976).\n\nReferences\n\n"
                "Althusser, Louis. 1977. Positions. Paris: Éditions sociales.\n",
                "@book{althusser1976, author = {Althusser, Louis}, title = {Positions},\n"
                "  publisher = {Éditions sociales}, address = {Paris}, year = 1976}\n"),
    good=Example("Positions were taken (Althusser 1976).\n\nReferences\n\n"
                 "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n",
                 "@book{althusser1976, author = {Althusser, Louis}, title = {Positions},\n"
                 "  publisher = {Éditions sociales}, address = {Paris}, year = 1976}\n"),
    needs_bibliography=True,
)
def reference_differs_from_bib(ctx: Context):
    """Each typed reference is paired with the .bib entry of the same first author whose title
    (and year) is closest; titles are compared without case, accents, punctuation or a leading
    article, and with the .bib's subtitle or without it."""
    if ctx.from_lists:
        return
    for doc, lst in _lists(ctx):
        for it in lst.items:
            e = counterpart(it.entry, ctx)
            if e is None:
                continue
            diff = differences(it, e)
            if diff:
                yield _at(ctx, doc, it, f"differs:{e.key}", f"Reference {_label(it.entry)} differs from {e.key} in the .bib: {'; '.join(diff)}")


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
