"""The Markdown and LaTeX readers: every citation, note and non-prose form on small texts
written for the test, the real-manuscript corpus against pandoc's and LaTeX's own answers,
and (where pandoc 3 is installed) Markdown snippets against pandoc itself."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citeaudit.readers import Source
from citeaudit.readers.latex import read_latex
from citeaudit.readers.markdown import markdown_source, parse_locator, read_markdown
from citeaudit.text import LineIndex

HERE = Path(__file__).parent


# --------------------------------------------------------------------------------------------
# helpers


def md(text: str) -> Source:
    return markdown_source(text, "doc.md")


def refs(src: Source):
    """(key, mode, prefix, locator, suffix, suppress_author) of every marked item, in order."""
    return [(r.key, m.mode, r.prefix, r.locator, r.suffix, r.suppress_author) for m in src.marked for r in m.refs]


def keys(src: Source):
    return [r.key for m in src.marked for r in m.refs]


def at(src: Source, offset: int) -> tuple[int, int]:
    return LineIndex(src.text).line_col(offset)


def skipped(src: Source, needle: str, occurrence: int = 0) -> bool:
    """Whether every character of the n-th `needle` in the text lies in a skip stretch."""
    pos = -1
    for _ in range(occurrence + 1):
        pos = src.text.index(needle, pos + 1)
    return all(any(a <= k < b for a, b in src.skip) for k in range(pos, pos + len(needle)))


def touched(src: Source, needle: str) -> bool:
    """Whether any character of `needle` lies in a skip stretch."""
    pos = src.text.index(needle)
    return any(any(a <= k < b for a, b in src.skip) for k in range(pos, pos + len(needle)))


def block_of(src: Source, needle: str):
    pos = src.text.index(needle)
    found = [b for b in src.blocks if b.start <= pos < b.end and not any(x <= pos < y for x, y in b.exclude)]
    assert found, f"no block holds {needle!r}"
    return found[-1]


# --------------------------------------------------------------------------------------------
# Markdown: citations


def test_markdown_bracketed_clusters_with_prefix_locator_suffix():
    src = md("Blah [@a; @b, p. 5] and [see @c, pp. 33-35, 38 and *passim*; also @d].\n")
    assert refs(src) == [
        ("a", "parenthetical", None, None, None, False),
        ("b", "parenthetical", None, "p. 5", None, False),
        ("c", "parenthetical", "see", "pp. 33-35, 38", "and passim", False),
        ("d", "parenthetical", "also", None, None, False),
    ]
    first, second = src.marked
    assert src.text[first.start:first.end] == "[@a; @b, p. 5]"
    assert at(src, first.start) == (1, 6)
    assert src.text[second.start:second.end].startswith("[see @c")


def test_markdown_chapter_abbreviation_is_a_suffix_as_in_pandoc():
    # en-US has "chap." for chapter, not "ch.": pandoc keeps "ch. 2" as a plain suffix
    src = md("[see @a, ch. 2; also @b] and [@a, chap. 2]\n")
    assert refs(src) == [
        ("a", "parenthetical", "see", None, "ch. 2", False),
        ("b", "parenthetical", "also", None, None, False),
        ("a", "parenthetical", None, "chap. 2", None, False),
    ]


@pytest.mark.parametrize(
    "suffix, expected",
    [
        ("p. 30, with suffix", ("p. 30", "page", "with suffix")),
        (", 33", ("33", "page", None)),
        ("pp. 33, 35-37, and nowhere else", ("pp. 33, 35-37", "page", "and nowhere else")),
        ("chap. 3", ("chap. 3", "chapter", None)),
        ("§ 4", ("§ 4", "section", None)),
        ("sec. 3", ("sec. 3", "section", None)),
        ("vol. 2", ("vol. 2", "volume", None)),
        ("fig. 3", ("fig. 3", "figure", None)),
        ("para. 3", ("para. 3", "paragraph", None)),
        ("chap. iv", ("chap. iv", "chapter", None)),
        ("p.3", ("p.3", "page", None)),
        ("{ii, A, D-Z}", ("ii, A, D-Z", None, None)),
        ("ch. 2", (None, None, "ch. 2")),
        ("and nowhere else", (None, None, "and nowhere else")),
        ("iv", (None, None, "iv")),
        ("sub verbo foo", (None, None, "sub verbo foo")),
    ],
)
def test_pandoc_locator_grammar(suffix, expected):
    assert parse_locator(suffix) == expected


def test_markdown_suppress_author():
    src = md("Smith says [-@smith04] and [see -@doe99 p. 30].\n")
    assert refs(src) == [
        ("smith04", "parenthetical", None, None, None, True),
        ("doe99", "parenthetical", "see", "p. 30", None, True),
    ]


def test_markdown_in_text_citations_and_their_locators():
    src = md("@smith04 says blah.\n\n@smith04 [p. 33] says more.\n\n@a [-@b p. 30; see also @c] too.\n")
    assert refs(src) == [
        ("smith04", "narrative", None, None, None, False),
        ("smith04", "narrative", None, "p. 33", None, False),
        ("a", "narrative", None, None, None, False),
        ("b", "narrative", None, "p. 30", None, True),
        ("c", "narrative", "see also", None, None, False),
    ]
    second = src.marked[1]
    assert src.text[second.start:second.end] == "@smith04 [p. 33]"
    assert at(src, second.start) == (3, 1)
    assert at(src, second.end) == (3, 17)


def test_markdown_in_text_locator_on_the_next_line():
    src = md("As @a\n[p. 5] says.\n")
    assert refs(src) == [("a", "narrative", None, "p. 5", None, False)]


def test_markdown_key_characters_and_braced_keys():
    src = md("See @doe:99, @x_y, @k.1. and @{weird/key.name} or [@{Wb 1}] and [@пункт3].\n")
    assert keys(src) == ["doe:99", "x_y", "k.1", "weird/key.name", "пункт3"]


def test_markdown_email_addresses_are_not_citations():
    src = md("Write to jane.doe@example.org or me@x.com (or to @jane) about it.\n")
    assert keys(src) == ["jane"]


@pytest.mark.parametrize("label", ["@fig-plot", "@fig:plot", "@tbl-data", "@sec-intro", "@eq-energy", "@lst-code",
                                   "@thm-main", "[@fig-plot]"])
def test_markdown_crossreferences_are_not_citations(label):
    src = md(f"As {label} shows [@real].\n")
    assert keys(src) == ["real"]
    assert skipped(src, label.strip("[]"))


def test_markdown_code_is_not_prose():
    text = (
        "Inline `@a [@b]` and ``a ` @c`` code.\n\n"
        "```python\nx = '@d [@e]'\n```\n\n"
        "```{r chunk-name, echo=FALSE, fig.cap='@f'}\nplot('@g')\n```\n\n"
        "~~~\n@h\n~~~\n\n"
        "    indented @i\n\n"
        "After `r inline@j` the text @k.\n"
    )
    src = md(text)
    assert keys(src) == ["k"]
    for needle in ["`@a [@b]`", "x = '@d [@e]'", "```{r chunk-name, echo=FALSE, fig.cap='@f'}", "plot('@g')", "@h",
                   "    indented @i", "`r inline@j`"]:
        assert skipped(src, needle), needle


def test_markdown_math_is_not_prose():
    src = md("Let $x@y$ and $$a @b$$ and \\(c @d\\) but $5 and $6 for @e.\n\n$$\n@f\n$$\n")
    assert keys(src) == ["e"]
    for needle in ["$x@y$", "$$a @b$$", "\\(c @d\\)", "@f"]:
        assert skipped(src, needle), needle
    assert not touched(src, "$5 and $6")


def test_markdown_escaped_at_and_bookdown_references():
    src = md("An \\@escaped key, Figure \\@ref(fig:plot) and [@real].\n")
    assert keys(src) == ["real"]


def test_markdown_links_urls_and_attributes():
    text = ("A [link with @a](http://x.org/@b \"title @t\") and <https://y.org/@c> and https://medium.com/@d/post "
            "and [@e]{.class} and [@f](url) and ![alt @g](img.png){#fig-x width=50%}.\n")
    src = md(text)
    # as in pandoc: a span's or a link's text is text, [@e]{.class} is an in-text @e in a span
    assert [(r.key, m.mode) for m in src.marked for r in m.refs] == [
        ("a", "narrative"), ("e", "narrative"), ("f", "narrative"), ("g", "narrative")]
    for needle in ["(http://x.org/@b \"title @t\")", "<https://y.org/@c>", "https://medium.com/@d/post", "{.class}",
                   "{#fig-x width=50%}", "(img.png)"]:
        assert skipped(src, needle), needle


def test_markdown_reference_link_after_in_text_key():
    src = md("@key [foo] text and @other [p. 3].\n\n[foo]: http://example.com\n")
    assert refs(src) == [("key", "narrative", None, None, None, False),
                         ("other", "narrative", None, "p. 3", None, False)]
    assert skipped(src, "[foo]: http://example.com")


def test_markdown_html_comments_skipped_but_not_citeaudit_ones():
    src = md("Text <!-- hidden @a --> [@b].\n\n<!--\nblock @c\n-->\n\n<!-- citeaudit: ignore=quote-unmatched -->\n")
    assert keys(src) == ["b"]
    assert skipped(src, "<!-- hidden @a -->")
    assert skipped(src, "block @c")
    assert not touched(src, "<!-- citeaudit: ignore=quote-unmatched -->")


def test_markdown_raw_html_and_latex_are_not_prose():
    text = ("<div class=\"x\">\nInside a div [@a].\n</div>\n\n"
            "\\begin{equation}\n@b\n\\end{equation}\n\n"
            "Raw \\cite{c} and \\emph{text} [@d].\n")
    src = md(text)
    assert keys(src) == ["a", "d"]
    assert skipped(src, '<div class="x">')
    assert skipped(src, "\\begin{equation}\n@b\n\\end{equation}")
    assert skipped(src, "\\cite{c}")
    assert not touched(src, "text} [@d]".split("}")[0])


def test_markdown_example_lists():
    src = md("(@good) An example.\n\nAs in @good, and [@real].\n")
    assert keys(src) == ["real"]


# --------------------------------------------------------------------------------------------
# Markdown: notes and blocks


def test_markdown_footnotes_numbered_by_first_reference():
    text = (
        "First[^b] then an inline note^[Inline with @x.] then[^a].\n\n"
        "[^a]: Note a with [@y].\n\n"
        "    Second paragraph of a.\n\n"
        "[^b]: Note b.\n"
    )
    src = md(text)
    assert [(n.number, src.text[n.start:n.end]) for n in src.notes] == [(1, "[^b]"), (2, "^["), (3, "[^a]")]
    notes = {(b.note, b.paragraph): src.text[b.start:b.end] for b in src.blocks if b.part == "footnote"}
    assert notes == {(1, 1): "Note b.", (2, 1): "Inline with @x.", (3, 1): "Note a with [@y].",
                     (3, 2): "Second paragraph of a."}
    body = block_of(src, "First")
    assert body.part == "body" and body.paragraph == 1
    inline = text.index("^[Inline")
    assert body.exclude == ((inline, text.index("] then[^a]") + 1),)
    assert keys(src) == ["x", "y"]
    assert skipped(src, "[^a]:") and skipped(src, "[^b]:")


def test_markdown_unused_and_undefined_notes():
    src = md("Text[^missing].\n\n[^unused]: Never referenced [@u].\n")
    assert src.notes == ()
    assert keys(src) == []
    assert any("never referenced" in w for w in src.warnings)
    assert any("no definition" in w for w in src.warnings)


def test_markdown_blocks_headings_quotes_lists_tables():
    text = (
        "# A heading {#sec-a}\n\n"
        "A paragraph\nover two lines.\n\n"
        "> Quoted [@q]\n> still quoted.\n\n"
        "- item one\n- item two [@l]\n\n"
        "| a | b |\n|---|---|\n| cell [@t] | x |\n\n"
        "Setext heading\n--------------\n"
    )
    src = md(text)
    kinds = [(b.part, b.paragraph, b.heading, b.quote, src.text[b.start:b.end]) for b in src.blocks]
    assert kinds == [
        ("body", 1, True, False, "A heading"),
        ("body", 2, False, False, "A paragraph\nover two lines."),
        ("body", 3, False, True, "Quoted [@q]\n> still quoted."),
        ("body", 4, False, False, "item one"),
        ("body", 5, False, False, "item two [@l]"),
        ("table", 1, False, False, "| a | b |"),
        ("table", 2, False, False, "| cell [@t] | x |"),
        ("body", 6, True, False, "Setext heading"),
    ]
    assert skipped(src, "{#sec-a}") and skipped(src, "|---|---|") and skipped(src, "> still") is False
    assert skipped(src, "> ", 1)  # the quote marker of the second quoted line
    assert keys(src) == ["q", "l", "t"]


def test_markdown_yaml_front_matter():
    text = (
        "---\n"
        "title: \"A title with @ti\"\n"
        "author:\n  - name: Jane Doe^[Corresponding]\n    email: jane@x.org\n"
        "abstract: |\n  An abstract citing @ab.\n\n  Second paragraph.\n"
        "bibliography: [refs.bib, \"more/other.bib\"]\n"
        "---\n\n"
        "Body [@body].\n"
    )
    src = markdown_source(text, os.path.join("paper", "doc.md"))
    assert keys(src) == ["ti", "ab", "body"]
    assert src.bibliography == (os.path.join("paper", "refs.bib"), os.path.join("paper", "more", "other.bib"))
    heads = [(b.heading, src.text[b.start:b.end]) for b in src.blocks]
    assert heads[:3] == [(True, "A title with @ti"), (False, "An abstract citing @ab."), (False, "Second paragraph.")]
    assert src.notes == ()  # a note in an author record is metadata
    assert skipped(src, "author:") and skipped(src, "bibliography:")
    assert not touched(src, "An abstract citing")


def test_markdown_yaml_bibliography_as_a_block_list(tmp_path):
    p = tmp_path / "doc.Rmd"
    p.write_text("---\nbibliography:\n  - a.bib\n  - b.bib\n---\n\nText [@k].\n", encoding="utf-8")
    src = read_markdown(p)
    assert src.format == "markdown"
    assert src.bibliography == (str(tmp_path / "a.bib"), str(tmp_path / "b.bib"))
    assert keys(src) == ["k"]


def test_markdown_reader_keeps_the_file_as_text(tmp_path):
    p = tmp_path / "doc.md"
    p.write_bytes("\ufeffCaf\u00e9 [@k].\r\nNext line @j.\r\n".encode("utf-8"))
    src = read_markdown(p)
    assert src.text == "Caf\u00e9 [@k].\r\nNext line @j.\r\n"
    assert keys(src) == ["k", "j"]
    j = src.marked[1]
    assert at(src, j.start) == (2, 11)


# --------------------------------------------------------------------------------------------
# LaTeX


def tex(tmp_path: Path, body: str, preamble: str = "", name: str = "main.tex", files: dict | None = None):
    for rel, content in (files or {}).items():
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(content, encoding="utf-8")
    p = tmp_path / name
    p.write_text("\\documentclass{article}\n" + preamble + "\\begin{document}\n" + body + "\\end{document}\n",
                 encoding="utf-8")
    return read_latex(p)


def test_latex_natbib_family(tmp_path):
    body = ("As \\citet{a} and \\citet*{b} say \\citep[p.~5]{c} \\citep[see][p.~5]{d} \\citep[see][]{e}.\n"
            "\\citealt{f}, \\citealp[p.~2]{g}, \\citeauthor{h} (\\citeyear{k1}), \\citeyearpar{k2}, \\Citet{a}.\n")
    src = tex(tmp_path, body, "\\usepackage{natbib}\n")[0]
    assert refs(src) == [
        ("a", "narrative", None, None, None, False),
        ("b", "narrative", None, None, None, False),
        ("c", "parenthetical", None, "p. 5", None, False),
        ("d", "parenthetical", "see", "p. 5", None, False),
        ("e", "parenthetical", "see", None, None, False),
        ("f", "narrative", None, None, None, False),
        ("g", "parenthetical", None, "p. 2", None, False),
        ("h", "author", None, None, None, False),
        ("k1", "year", None, None, None, True),
        ("k2", "year", None, None, None, True),
        ("a", "narrative", None, None, None, False),
    ]
    c = src.marked[2]
    assert src.text[c.start:c.end] == "\\citep[p.~5]{c}"
    assert at(src, c.start) == (4, 33)
    # the command and its keys are markup; its notes are left as they are
    assert skipped(src, "\\citep", 0) and skipped(src, "{c}") and not touched(src, "p.~5]{c}"[:4])


def test_latex_biblatex_family_and_notes(tmp_path):
    body = ("\\textcite{a} and \\parencite*[see][59--63]{b} and \\autocite{c}.\n"
            "Here\\footcite[24]{d} and \\smartcite{e}; \\citetitle{f}, \\citetitle*{f}, \\fullcite{g}.\n")
    src = tex(tmp_path, body, "\\usepackage[style=authoryear]{biblatex}\n\\addbibresource{refs.bib}\n")[0]
    assert refs(src) == [
        ("a", "narrative", None, None, None, False),
        ("b", "parenthetical", "see", "59--63", None, True),
        ("c", "parenthetical", None, None, None, False),
        ("d", "parenthetical", None, "24", None, False),
        ("e", "parenthetical", None, None, None, False),
        ("f", "title", None, None, None, False),
        ("f", "title", None, None, None, False),
        ("g", "parenthetical", None, None, None, False),
    ]
    # \footcite and \smartcite (in the body) are notes of their own
    foot = src.text.index("\\footcite")
    assert [(n.number, n.start) for n in src.notes] == [(1, foot), (2, src.text.index("\\smartcite"))]
    note_blocks = [b for b in src.blocks if b.part == "footnote"]
    assert [(b.note, src.text[b.start:b.end]) for b in note_blocks] == [(1, "\\footcite[24]{d}"), (2, "\\smartcite{e}")]
    para = block_of(src, "Here")
    assert (foot, foot + len("\\footcite[24]{d}")) in para.exclude
    assert src.bibliography == (str(tmp_path / "refs.bib"),)


def test_latex_autocite_is_a_note_under_a_note_style(tmp_path):
    src = tex(tmp_path, "Text \\autocite{a}.\\footnote{In a note \\autocite{b} and \\footcite{c}.}\n",
              "\\usepackage[style=verbose]{biblatex}\n")[0]
    assert keys(src) == ["a", "b", "c"]
    assert [n.number for n in src.notes] == [1, 2]  # \autocite in the body, \footnote; none inside the note


def test_latex_multicite_with_pre_and_post_notes(tmp_path):
    body = "See \\cites(see)(and more)[p.~5]{a}[ch.~2][12]{b, c} and \\textcites[cf.][]{d}{e} and \\footcites{f}{g}.\n"
    src = tex(tmp_path, body, "\\usepackage{biblatex}\n")[0]
    assert refs(src) == [
        ("a", "parenthetical", "see", "p. 5", None, False),
        ("b", "parenthetical", "ch. 2", None, None, False),
        ("c", "parenthetical", None, "12", "and more", False),
        ("d", "narrative", "cf.", None, None, False),
        ("e", "narrative", None, None, None, False),
        ("f", "parenthetical", None, None, None, False),
        ("g", "parenthetical", None, None, None, False),
    ]
    m = src.marked[0]
    assert src.text[m.start:m.end] == "\\cites(see)(and more)[p.~5]{a}[ch.~2][12]{b, c}"
    assert [n.number for n in src.notes] == [1]  # \footcites


def test_latex_key_lists_nocite_and_star(tmp_path):
    body = "\\cite{a,b , c,\n  d} and \\cite{*}.\\nocite{e}\\nocite{*}\n"
    src = tex(tmp_path, body)[0]
    assert [(m.mode, [r.key for r in m.refs]) for m in src.marked] == [
        ("parenthetical", ["a", "b", "c", "d"]), ("parenthetical", ["*"]), ("nocite", ["e"]), ("nocite", ["*"])]


def test_latex_what_latex_never_reads(tmp_path):
    body = (
        "Text 50\\% sure \\cite{live} % \\cite{comment}\n"
        "\\iffalse \\cite{iffalse} \\fi\n"
        "\\iftrue \\cite{iftrue} \\else \\cite{else} \\fi\n"
        "\\begin{verbatim}\n\\cite{verbatim}\n\\end{verbatim}\n"
        "\\begin{lstlisting}\n\\cite{lst}\n\\end{lstlisting}\n"
        "\\begin{minted}{python}\n\\cite{minted}\n\\end{minted}\n"
        "\\begin{comment}\n\\cite{commentenv}\n\\end{comment}\n"
        "Inline \\verb|\\cite{verb}| code.\n"
    )
    src = tex(tmp_path, body, "\\usepackage{comment}\n")[0]
    assert keys(src) == ["live", "iftrue"]
    for needle in ["% \\cite{comment}", "\\cite{iffalse}", "\\cite{else}", "\\cite{verbatim}", "\\cite{lst}",
                   "\\cite{minted}", "\\cite{commentenv}", "\\verb|\\cite{verb}|"]:
        assert skipped(src, needle), needle
    assert not touched(src, "Text 50")


def test_latex_math_preamble_and_markup_are_not_prose(tmp_path):
    body = ("Energy $E = mc^2$ and \\[ x \\] and\n\\begin{equation}\na = b \\label{eq:x}\n\\end{equation}\n"
            "see \\ref{eq:x}, \\url{http://x.org/a%20b} and \\href{http://y.org}{the site} \\cite{k}.\n")
    src = tex(tmp_path, body, "\\usepackage{hyperref}\n")[0]
    assert keys(src) == ["k"]
    for needle in ["$E = mc^2$", "\\[ x \\]", "a = b \\label{eq:x}", "\\ref{eq:x}", "\\url{http://x.org/a%20b}",
                   "\\href{http://y.org}", "\\usepackage{hyperref}", "\\documentclass{article}"]:
        assert skipped(src, needle), needle
    assert not touched(src, "the site")


def test_latex_citation_inside_math_text_counts(tmp_path):
    src = tex(tmp_path, "$x = \\text{\\cite{m}}$\n")[0]
    assert keys(src) == ["m"]


def test_latex_footnotes_endnotes_and_blocks(tmp_path):
    body = (
        "\\section{Intro \\cite{h}}\n\n"
        "First paragraph\\footnote{A note with \\citep{n}.\n\nIts second paragraph.} goes on.\n"
        "Still the first.\\endnote{An endnote.}\n\n"
        "Second paragraph.\\footnotemark{} Later\\footnotetext{The text of the mark.}\n\n"
        "\\begin{quote}\nA quotation \\cite{q}.\n\\end{quote}\n\n"
        "\\begin{itemize}\n\\item One \\cite{i1}\n\\item Two\n\\end{itemize}\n"
    )
    src = tex(tmp_path, body, "\\usepackage{endnotes}\n")[0]
    t = src.text
    assert [(n.number, n.part, t[n.start:n.end]) for n in src.notes] == [
        (1, "footnote", "\\footnote"), (1, "endnote", "\\endnote"), (2, "footnote", "\\footnotemark")]
    got = [(b.part, b.paragraph, b.note, b.heading, b.quote, t[b.start:b.end]) for b in src.blocks]
    assert got == [
        ("body", 1, None, True, False, "Intro \\cite{h}"),
        ("body", 2, None, False, False,
         "First paragraph\\footnote{A note with \\citep{n}.\n\nIts second paragraph.} goes on.\n"
         "Still the first.\\endnote{An endnote.}"),
        ("footnote", 1, 1, False, False, "A note with \\citep{n}."),
        ("footnote", 2, 1, False, False, "Its second paragraph."),
        ("endnote", 1, 1, False, False, "An endnote."),
        ("body", 3, None, False, False, "Second paragraph.\\footnotemark{} Later\\footnotetext{The text of the mark.}"),
        ("footnote", 1, 2, False, False, "The text of the mark."),
        ("body", 4, None, False, True, "A quotation \\cite{q}."),
        ("body", 5, None, False, False, "One \\cite{i1}"),
        ("body", 6, None, False, False, "Two"),
    ]
    first = [b for b in src.blocks if b.paragraph == 2 and b.part == "body"][0]
    fn = t.index("\\footnote{")
    assert (fn, t.index("} goes on") + 1) in first.exclude
    assert keys(src) == ["h", "n", "q", "i1"]


def test_latex_inputs_followed_in_order(tmp_path):
    files = {
        "chapters/one.tex": "Chapter one \\cite{one}.\\footnote{Note in one.}\n\\input{chapters/deeper}\n",
        "chapters/deeper.tex": "\n\nDeeper \\citep{deep}.\n",
        "two.tex": "Two \\cite{two}.\\footnote{Note in two.}\n\\input{main}\n",
        "sub.tex": "\\documentclass[main.tex]{subfiles}\n\\begin{document}\nSub \\cite{sub}.\n\\end{document}\n",
    }
    body = "Main \\cite{m}.\n\\input{chapters/one}\n\\include{two}\n\\subfile{sub}\n\\input{missing}\n"
    sources = tex(tmp_path, body, "\\bibliography{refs,more/other}\n", files=files)
    assert [Path(s.path).name for s in sources] == ["main.tex", "one.tex", "deeper.tex", "two.tex", "sub.tex"]
    assert [keys(s) for s in sources] == [["m"], ["one"], ["deep"], ["two"], ["sub"]]
    assert [n.number for n in sources[1].notes] == [1] and [n.number for n in sources[3].notes] == [2]
    deep = sources[2].marked[0]
    assert at(sources[2], deep.start) == (3, 8)  # the included file's own line and column
    warnings = " ".join(sources[0].warnings + sources[3].warnings)
    assert "missing" in warnings and "no such file" in warnings
    assert "cycle" in warnings
    assert sources[0].bibliography == (str(tmp_path / "refs.bib"), str(tmp_path / "more" / "other.bib"))
    assert skipped(sources[4], "\\documentclass[main.tex]{subfiles}")


def test_latex_input_depth_limit(tmp_path):
    for k in range(25):
        (tmp_path / f"f{k}.tex").write_text(f"\\input{{f{k + 1}}}\\cite{{k{k}}}\n", encoding="utf-8")
    sources = tex(tmp_path, "\\input{f0}\n")
    assert len(sources) == 1 + 16
    assert any("nested more than" in w for s in sources for w in s.warnings)


def test_latex_wrapper_macros_around_cite_commands(tmp_path):
    preamble = ("\\newcommand{\\mycite}[2][]{\\citep[#1]{#2}}\n"
                "\\NewDocumentCommand{\\cfx}{ O{} O{} m }{\\cite[#2][#1]{#3}}\n"
                "\\NewDocumentCommand{\\citex}{ O{} O{} m }{\\ifthenelse{\\isempty{#1}}{\\cfx[][#2]{#3}}{\\cfx[#1][#2]{#3}}}\n"
                "\\newcommand{\\standard}{\\citep{std}}\n")
    body = "A \\mycite[p.~9]{k1}, \\citex[164]{k2}, \\citex{k3} and \\standard.\n"
    src = tex(tmp_path, body, preamble)[0]
    assert refs(src) == [
        ("std", "parenthetical", None, None, None, False),
        ("k1", "parenthetical", None, "p. 9", None, False),
        ("k2", "parenthetical", None, "164", None, False),
        ("k3", "parenthetical", None, None, None, False),
    ]
    assert not any("\\cite" in src.text[m.start:m.end] and "#" in src.text[m.start:m.end] for m in src.marked)


def test_latex_title_and_thanks(tmp_path):
    src = tex(tmp_path, "\\maketitle\nText.\n", "\\title{A Title\\thanks{Funded by X \\cite{grant}.}}\n")[0]
    assert keys(src) == ["grant"]
    assert [n.number for n in src.notes] == [1]
    title = block_of(src, "A Title")
    assert title.heading and not touched(src, "A Title")
    assert [src.text[b.start:b.end] for b in src.blocks if b.part == "footnote"] == ["Funded by X \\cite{grant}."]


def test_latex_embedded_thebibliography(tmp_path):
    body = "Text \\cite{a}.\n\\begin{thebibliography}{9}\n\\bibitem{a} A. Author. Title.\n\\end{thebibliography}\n"
    src = tex(tmp_path, body)[0]
    assert keys(src) == ["a"]
    assert skipped(src, "\\bibitem{a} A. Author. Title.")
    assert any("thebibliography" in w for w in src.warnings)


# --------------------------------------------------------------------------------------------
# the real manuscripts against the tools' answers


@pytest.fixture(scope="module")
def evaluation():
    sys.path.insert(0, str(HERE))
    import manuscripts_eval

    out = {}
    for folder in ("markdown", "latex"):
        with open(os.devnull, "w") as sink:
            out[folder] = manuscripts_eval.evaluate(folder, out=sink)
    return out


@pytest.mark.parametrize("folder", ["markdown", "latex"])
def test_corpus_cited_keys(evaluation, folder):
    fig = evaluation[folder]
    assert fig["cited keys recall (unique per document)"] >= 0.98
    assert fig["cited keys precision (unique per document)"] >= 0.98


@pytest.mark.parametrize("folder", ["markdown", "latex"])
def test_corpus_missing_keys_agree_with_the_tools(evaluation, folder):
    fig = evaluation[folder]
    assert fig["missing keys: verdicts agreeing (per key)"] >= 0.98
    assert fig["missing keys: documents with the same set"] >= 0.98


@pytest.mark.parametrize("folder", ["markdown", "latex"])
def test_corpus_notes(evaluation, folder):
    fig = evaluation[folder]
    assert fig["notes: documents with the same count"] >= 0.98
    assert fig["notes: agreement (1 - |found - gold| / gold)"] >= 0.98


def test_corpus_citation_multiplicities(evaluation):
    # Markdown: as pandoc counts them. LaTeX counts a citation in a caption again when it
    # reads the list of figures, and biblatex's numeric \textcite registers its key twice;
    # the reader counts each citation as written, so the floor is what that leaves.
    assert evaluation["markdown"]["citations recall (with multiplicity)"] >= 0.98
    assert evaluation["latex"]["citations recall (with multiplicity)"] >= 0.90
    assert evaluation["latex"]["citations precision (with multiplicity)"] >= 0.98


# --------------------------------------------------------------------------------------------
# Markdown against pandoc itself


def _pandoc():
    try:
        import pypandoc

        path = pypandoc.get_pandoc_path()
    except Exception:  # noqa: BLE001 - no pandoc, no comparison
        path = shutil.which("pandoc")
    if not path:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    return path if out.startswith("pandoc 3") else None


SNIPPETS = [
    "Blah [see @doe99, pp. 33-35; also @smith04, chap. 1] and [-@a] and @b [p. 3].",
    "@a [-@b p. 30; see also @c] says; [@d]{.x} and [@e](url) and [@f][ref] and [@g] [h].\n\n[ref]: http://x.org",
    "Mail me@x.org, foo-@bar, foo_@baz, foo.@qux, foo/@quux, (@paren), \"@quoted\", *@emph*, **bold**@no.",
    "`code @a` $x @b$ $5 and $6 @c \\@d <span>@e</span> <!-- @f --> [link @g](http://x/@h) ![img @i](x.png)",
    "Text[^1] and^[inline @n1] more.[^2]\n\n[^1]: Note [@n2].\n\n    More @n3.\n\n[^2]: Second.",
    "- item @l1\n- item [@l2]\n  - nested @l3\n\n1. one\n\n   more @l4\n\n> quote @q1\nlazy @q2",
    "```{r, echo=FALSE}\nx <- '@no'\n```\n\n    indented @no2\n\n::: note\ninside @div\n:::\n\nTerm\n:   def @def1\n\n    more @def2",
    "# Heading [@h1] {#sec-x}\n\n| a | b |\n|---|---|\n| @t1 | [@t2] |\n\n: Caption [@t3]",
    "[a [nested] @n] [*see* @item1 p. **32**] [@item1 and nowhere else] @{braced/key} [@{x y}]",
    "(@ex) Example.\n\nSee @ex and [@real].",
]


@pytest.mark.skipif(_pandoc() is None, reason="pandoc 3 is not installed (pip install pypandoc-binary)")
@pytest.mark.parametrize("snippet", SNIPPETS)
def test_markdown_agrees_with_pandoc(snippet):
    pandoc = _pandoc()
    out = subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=snippet.encode(), capture_output=True,
                         check=True).stdout
    cites, notes = [], [0]

    def walk(node, in_meta=False):
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            t, c = node.get("t"), node.get("c")
            if t == "Cite":
                cites.extend((ci["citationId"], ci["citationMode"]["t"]) for ci in c[0])
                walk(c[0])
                return
            if t == "Note":
                notes[0] += 1
            if t == "Figure":  # pandoc 3 repeats an implicit figure's caption in the image
                walk(c[1])
                return
            if isinstance(c, (list, dict)):
                walk(c)

    walk(json.loads(out)["blocks"])
    src = md(snippet + "\n")
    mine = []
    for m in src.marked:
        for i, r in enumerate(m.refs):
            mode = ("SuppressAuthor" if r.suppress_author else
                    "AuthorInText" if m.mode == "narrative" and i == 0 else "NormalCitation")
            mine.append((r.key, mode))
    assert collections.Counter(mine) == collections.Counter(cites)
    assert len({n.number for n in src.notes}) == notes[0]


def test_a_cite_in_a_preamble_macro_the_body_uses_is_a_citation_of_the_document(tmp_path):
    """A \\cite inside a macro that the preamble defines (a licence page, a dedication) runs
    where the body uses the macro, and BibTeX counts its key: so does the whole check, at the
    place the \\cite is written, though no prose stands there."""
    from citeaudit import audit

    (tmp_path / "refs.bib").write_text("@misc{cc, title = {Creative Commons BY 4.0}, year = 2013}\n"
                                       "@book{eco, author = {Eco, Umberto}, title = {Come si fa una tesi}, year = 1977}\n",
                                       encoding="utf-8")
    (tmp_path / "thesis.tex").write_text(
        "\\documentclass{article}\n\\usepackage{natbib}\n"
        "\\newcommand{\\makelicensepage}{\\clearpage This work is licensed (\\citet{cc}).}\n"
        "\\begin{document}\n\\makelicensepage\n\nA thesis is made as \\citet{eco} says.\n"
        "\\bibliography{refs}\n\\end{document}\n", encoding="utf-8")
    report = audit([str(tmp_path / "thesis.tex")], None)
    (doc,) = report.documents
    cited = {item.key: c for c in doc.citations for item in c.items}
    assert set(cited) == {"cc", "eco"}
    assert doc.lines.line(cited["cc"].span.start) == 3
    assert not [f for f in report.findings if f.rule == "uncited-entry"]
