"""Markdown manuscripts (pandoc Markdown, R Markdown, Quarto): the file itself as the text,
with the structure pandoc would see in it.

`read_markdown(path)` returns a `Source` whose text is the file (so offsets, lines and
columns are the file's own) and which says, as pandoc's Markdown reader would:

- `marked`: every pandoc citation — bracketed clusters `[see @a, p. 5; -@b]`, in-text
  `@key` and `@key [p. 5]`, `@{braced/key}` — with each item's prefix, locator (pandoc's
  own locator grammar and the en-US locator terms citeproc uses) and suffix. Not citations:
  e-mail addresses (an `@` right after a word), escaped `\\@`, anything in code, math, raw
  HTML/TeX or a link target, and the cross-reference labels of pandoc-crossref and Quarto
  (`@fig:x`, `@fig-x`, `@tbl-x`, `@sec-x`, `@eq-x`, `@lst-x`, Quarto's theorem kinds);
- `notes`: a `NoteRef` for each `[^id]` that has a definition and for each inline `^[...]`,
  numbered in document order as pandoc numbers its notes;
- `blocks`: paragraphs, headings (heading=True), block-quote paragraphs (quote=True), list
  items, table rows (part="table"), the YAML title (heading) and abstract, and each note's
  paragraphs (part="footnote", note=N); an inline note's `^[...]` is in its paragraph's
  `exclude`;
- `skip`: what is not prose — YAML front matter (but for its prose fields), fenced and
  indented code, R/Quarto chunks, inline code, math, raw HTML/LaTeX, HTML comments (not
  `<!-- citeaudit: ... -->` ones), link targets and reference definitions, bare URLs,
  attributes, table borders, note labels, cross-references;
- `bibliography`: the YAML `bibliography:` (a string or a list), relative to the file.

The grammar follows pandoc's own Markdown reader (Text.Pandoc.Readers.Markdown: citeKey,
normalCite, textualCite, bareloc, prefix/suffix; notAfterString for e-mail addresses) and
its locator parser (Text.Pandoc.Citeproc.Locator) closely enough that the keys, modes and
notes it finds agree with pandoc 3.9 on the corpus, on pandoc's own test inputs and on
random documents. Where it departs from pandoc, on purpose:

- cross-reference labels (`@fig-x`, `@tbl:x`, ...) are not citations (plain pandoc, with no
  cross-reference filter, cites them and reports them missing);
- a bare URL is not prose: `https://medium.com/@user` cites nothing (pandoc, which does not
  link bare URLs by default, cites `user`); `\\(...\\)` is math (pandoc reads escaped parens);
- R/Quarto chunks ```` ```{r ...} ```` are code blocks, as knitr makes them (pandoc alone
  reads some of them as inline code that can swallow text);
- raw LaTeX `\\cite{key}` in Markdown is raw TeX and not marked, as in pandoc;
- locator terms are citeproc's en-US ones (pandoc takes them from the document's locale);
- values in nested YAML maps (author records) are not read (pandoc parses them; the
  corpus gold, like this reader, takes only top-level fields);
- a bracketed citation longer than 4,000 characters is not looked at.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from dataclasses import dataclass, field

from ..text import merge_spans, subtract_spans
from . import Block, KeyRef, MarkedCitation, NoteRef, Source, decode, read_bytes

__all__ = ["MARKDOWN_SUFFIXES", "is_crossref", "markdown_source", "parse_locator", "prose_blocks", "read_markdown"]

#: Extensions read as Markdown.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".rmd", ".qmd", ".rmarkdown")

# --------------------------------------------------------------------------------------------
# keys and cross-references

#: pandoc-crossref labels (`@fig:x`) and Quarto's (`@fig-x`): not citations.
_CROSSREF_COLON = ("fig", "tbl", "tab", "eq", "sec", "lst")
_CROSSREF_DASH = ("fig", "tbl", "tab", "eq", "sec", "lst", "thm", "lem", "cor", "prp", "cnj", "def",
                  "exm", "exr", "sol", "rem", "tip", "nte", "wrn", "imp", "cau", "apx")
_CROSSREF = re.compile(r"(?:(?:%s):|(?:%s)-)." % ("|".join(_CROSSREF_COLON), "|".join(_CROSSREF_DASH)))


def is_crossref(key: str) -> bool:
    """A pandoc-crossref or Quarto cross-reference label (`fig:x`, `fig-x`, `tbl-x`, ...)."""
    return bool(_CROSSREF.match(key))


_KEY_PUNCT = set(":.#$%&-+?<>~/")


def _regchar(c: str) -> bool:
    return c.isalnum() or c == "_"


# --------------------------------------------------------------------------------------------
# pandoc's locator grammar (Text.Pandoc.Citeproc.Locator) with citeproc's en-US terms

_TERMS = {
    "book": ["book", "books", "bk.", "bks."],
    "chapter": ["chapter", "chapters", "chap.", "chaps."],
    "column": ["column", "columns", "col.", "cols."],
    "figure": ["figure", "figures", "fig.", "figs."],
    "folio": ["folio", "folios", "fol.", "fols."],
    "issue": ["number", "numbers", "no.", "nos."],
    "line": ["line", "lines", "l.", "ll."],
    "note": ["note", "notes", "n.", "nn."],
    "opus": ["opus", "opera", "op.", "opp."],
    "page": ["page", "pages", "p.", "pp."],
    "paragraph": ["paragraph", "paragraphs", "para.", "paras.", "¶", "¶¶"],
    "part": ["part", "parts", "pt.", "pts."],
    "section": ["section", "sections", "sec.", "secs.", "§", "§§"],
    "sub-verbo": ["sub verbo", "sub verbis", "s.v.", "s.vv."],
    "verse": ["verse", "verses", "v.", "vv."],
    "volume": ["volume", "volumes", "vol.", "vols."],
}
_LOCMAP = {t.casefold(): name for name, ts in _TERMS.items() for t in ts}
_ROMAN = re.compile(r"M*(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def _is_punct(c: str) -> bool:
    return unicodedata.category(c).startswith("P")


def _tokens(text: str) -> list[str]:
    """pandoc's splitInp: words, single punctuation marks (not ':'), one ' ' per run of space."""
    out: list[str] = []
    word = ""
    for c in text:
        if c.isspace():
            if word:
                out.append(word)
                word = ""
            if not out or out[-1] != " ":
                out.append(" ")
        elif _is_punct(c) and c != ":":
            if word:
                out.append(word)
                word = ""
            out.append(c)
        else:
            word += c
    if word:
        out.append(word)
    return out


class _Loc:
    """A backtracking transcription of pandoc's locator parser over splitInp tokens."""

    def __init__(self, toks: list[str]):
        self.t = toks
        self.n = len(toks)

    def is_space(self, i):
        return i < self.n and self.t[i] == " "

    def char(self, i, pred):
        return i < self.n and len(self.t[i]) == 1 and self.t[i] != " " and pred(self.t[i])

    # pPageUnit: a roman numeral token, or a run of tokens that are not space or locator punctuation
    def page_unit(self, i):
        if i >= self.n:
            return None
        tok = self.t[i]
        if tok != " " and not (len(tok) == 1 and _is_punct(tok)) and _ROMAN.fullmatch(tok.upper()) and tok:
            return True, tok, i + 1
        j = i
        while j < self.n and self.t[j] != " " and not (len(self.t[j]) == 1 and _is_punct(self.t[j]) and self.t[j] not in "-–:"):
            j += 1
        if j == i:
            return None
        s = "".join(self.t[i:j])
        return any(c in "0123456789" for c in s), s, j

    def with_period(self, i):
        if self.char(i, lambda c: c == "."):
            u = self.page_unit(i + 1)
            if u:
                return u[0], "." + u[1], u[2]
        return None

    def page_seq(self, i):
        u = self.page_unit(i)
        if u:
            dig, s, j = u
            while True:
                w = self.with_period(j)
                if not w:
                    break
                dig, s, j = dig or w[0], s + w[1], w[2]
            return dig, s, j
        return self.with_period(i)

    def balanced(self, i, braces, p):
        """many1 surround: p, or one of the brace pairs around an optional p."""
        flat = "".join(o + c for o, c in braces)
        out = []
        j = i
        while True:
            r = None
            for o, c in reversed(braces):
                if self.char(j, lambda x, o=o: x == o):
                    inner = None
                    if not self.char(j + 1, lambda x: x in flat):
                        inner = p(j + 1)
                    k = inner[2] if inner else j + 1
                    if self.char(k, lambda x, c=c: x == c):
                        d, s = (inner[0], inner[1]) if inner else (False, "")
                        r = (d, o + s + c, k + 1)
                        break
            if r is None and not self.char(j, lambda x: x in flat):
                r = p(j)
            if r is None:
                break
            out.append(r)
            j = r[2]
        if not out:
            return None
        return any(x[0] for x in out), "".join(x[1] for x in out), j

    def word(self, i, first):
        punct = ""
        if not first and self.char(i, lambda c: c in ",;"):
            punct = self.t[i]
            i += 1
        sp = ""
        if self.is_space(i):
            sp = " "
            i += 1
        r = self.balanced(i, [("(", ")"), ("[", "]"), ("{", "}")], self.page_seq)
        if not r:
            return None
        return r[0], punct + sp + r[1], r[2]

    def lim(self, i):
        r = self.word(i, True)
        return r is not None and r[0]

    def label(self, i, lim):
        """pLocatorLabel': the longest run of tokens, ending where `lim` holds, that is a term."""
        def go(acc, i):
            if i >= self.n:
                return None
            k = i + 1
            while not lim(k):
                if k >= self.n:
                    return None
                k += 1
            s = acc + "".join(self.t[i:k])
            lab = _LOCMAP.get(s.strip().casefold())
            longer = go(s, k)
            if longer:
                return longer
            return (s, lab, k) if lab else None
        return go("", i)

    def integrated(self, i):
        lab = self.label(i, self.lim)
        if lab:
            raw, name, j = lab
            implicit = False
        else:
            w = self.word(i, True)
            if not (w and any(c in "0123456789" for c in w[1])):
                return None
            raw, name, j, implicit = "", "page", i, True

        def ok(w):
            return w is not None and (any(c in "0123456789" for c in w[1]) if implicit else w[0])
        g = self.word(j, not implicit)
        if not ok(g):
            return None
        lo, j = g[1], g[2]
        while True:
            w = self.word(j, False)
            if not ok(w):
                break
            lo, j = lo + w[1], w[2]
        return raw, name, lo, j

    def delimited(self, i):
        if not self.char(i, lambda c: c == "{"):
            return None
        i += 1
        while self.is_space(i):
            i += 1
        lab = self.label(i, lambda k: k < self.n)
        if lab:
            raw, name, j = lab
        elif self.char(i, lambda c: c in "0123456789"):
            raw, name, j = "", "page", i
        else:
            raw, name, j = "", "", i
        parts = []
        depth = 0
        while j < self.n:
            tok = self.t[j]
            if tok == "}" and depth == 0:
                return raw, name, "".join(parts), j + 1
            if tok in ("{", "["):
                depth += 1
            elif tok in ("}", "]"):
                depth -= 1
                if depth < 0:
                    return None
            parts.append(tok)
            j += 1
        return None

    def parse(self):
        i = 0
        if self.char(i, lambda c: c == ","):
            i += 1
        if self.is_space(i):
            i += 1
        r = self.delimited(i)
        delimited = r is not None
        if r is None:
            r = self.integrated(i)
        if r is None:
            return None, None, None, self.t
        raw, name, lo, j = r
        if not name and not lo:
            return None, None, None, self.t[j:]
        shown = lo.strip() if delimited else (raw + lo).strip()
        return shown, name or None, lo.strip(), self.t[j:]


def parse_locator(suffix: str) -> tuple[str | None, str | None, str | None]:
    """(locator as written, its CSL label, the rest of the suffix) of a pandoc citation's
    suffix, by pandoc's rules: "p. 30, with suffix" -> ("p. 30", "page", "with suffix");
    "33" -> ("33", "page", None); "ch. 2" -> (None, None, "ch. 2") — `ch.` is no en-US term."""
    toks = _tokens(suffix)
    loc, label, _value, rest = _Loc(toks).parse()
    tail = "".join(rest).strip()
    if tail.startswith(","):
        tail = tail[1:].strip()
    return loc, label, tail or None


# --------------------------------------------------------------------------------------------
# lines and segments


@dataclass(slots=True)
class _Line:
    off: int  # absolute offset of text[0]
    text: str  # without the line end


def _indent(text: str) -> int:
    col = 0
    for c in text:
        if c == " ":
            col += 1
        elif c == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def _strip_cols(line: _Line, n: int) -> _Line:
    """Remove n columns of leading white space (a tab that straddles is taken whole)."""
    col = 0
    k = 0
    t = line.text
    while k < len(t) and col < n and t[k] in " \t":
        col += 1 if t[k] == " " else 4 - col % 4
        k += 1
    return _Line(line.off + k, t[k:])


def _blank(line: _Line) -> bool:
    return not line.text.strip()


class _Seg:
    """Lines joined with '\\n' for inline parsing, with the map back to file offsets."""

    def __init__(self, lines: list[_Line]):
        self.s = "\n".join(ln.text for ln in lines)
        self.starts: list[int] = []
        self.offs: list[int] = []
        pos = 0
        for ln in lines:
            self.starts.append(pos)
            self.offs.append(ln.off)
            pos += len(ln.text) + 1
        self.lens = [len(ln.text) for ln in lines]
        self.cache: dict | None = None

    def abs(self, i: int) -> int:
        k = bisect.bisect_right(self.starts, i) - 1
        if k < 0:
            return self.offs[0] if self.offs else 0
        return self.offs[k] + min(i - self.starts[k], self.lens[k])

    def abs_end(self, i: int) -> int:
        """The file offset just after s[i-1] (for the end of a range)."""
        if i <= 0:
            return self.abs(0)
        return self.abs(i - 1) + 1


# --------------------------------------------------------------------------------------------
# the parse state


@dataclass
class _Leaf:
    start: int
    end: int
    kind: str = "para"  # para | heading | table
    quote: bool = False
    note: str | None = None  # note key ("id" of [^id], or "^<offset>" for an inline note)
    exclude: list = field(default_factory=list)


@dataclass
class _State:
    text: str
    skips: list = field(default_factory=list)
    unskips: list = field(default_factory=list)  # prose inside a skipped stretch (YAML title, abstract)
    cites: list = field(default_factory=list)  # (start, end, refs, mode)
    leaves: list = field(default_factory=list)
    refs: list = field(default_factory=list)  # (start, end, note key)
    defs: dict = field(default_factory=dict)  # note id -> (label start, label end)
    def_leaves: dict = field(default_factory=dict)  # note id -> [leaf]
    labels: set = field(default_factory=set)  # link reference definitions
    examples: dict = field(default_factory=dict)  # labels of example list items, (@good) -> offset
    bibliography: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def skip(self, a: int, b: int) -> None:
        if b > a:
            self.skips.append((a, b))


# --------------------------------------------------------------------------------------------
# block structure

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HRULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^( {0,3})([*+-])([ \t]+|$)")
_ORDERED = re.compile(
    r"^( {0,3})(?:(\d{1,9}|#|[a-zA-Z]|[ivxlcdmIVXLCDM]+|@[\w-]*)([.)])|\((\d{1,9}|#|[a-zA-Z]|[ivxlcdmIVXLCDM]+|@[\w-]*)\))([ \t]+|$)")
_DEFMARK = re.compile(r"^( {0,3})([:~])([ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}> ?")
_NOTEDEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_NOTEMARK = re.compile(r"^ {0,3}\[\^[^\]\s]+\]")
_REFDEF = re.compile(r"^ {0,3}\[(?!\^)((?:[^\[\]\\]|\\.)+)\]:[ \t]*(?:\S.*)?$")
_DIVFENCE = re.compile(r"^ {0,3}:{3,}")
_BEGIN_ENV = re.compile(r"^ {0,3}\\begin\{([A-Za-z*@]+)\}")
_HTML_BLOCK_TAG = re.compile(
    r"^ {0,3}</?(address|article|aside|blockquote|body|center|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|"
    r"figure|footer|form|frameset|h[1-6]|head|header|hgroup|hr|html|iframe|legend|li|main|menu|nav|noscript|ol|p|"
    r"pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul|video|audio|canvas|script|style|textarea)(?=[\s>/]|$)",
    re.IGNORECASE)
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_GRID_BORDER = re.compile(r"^\s*\+[-=:+]+\+\s*$")
_DASH_LINE = re.compile(r"^\s*-{3,}(\s+-+)*\s*$")
_YAML_KEYLINE = re.compile(r"^[ \t]*(?:-[ \t]+)*(?:[\"'][^\"']*[\"']|[^\s:#\"'\[\]{}][^:#]*?)[ \t]*:(?:[ \t]|$)")

_PROSE_FIELDS = {"title": "heading", "subtitle": "heading", "abstract": "para", "summary": "para",
                 "description": "para", "thanks": "para"}


def _list_marker(line: _Line, in_list: bool):
    """(content column, kind) when the line opens a list item, else None."""
    t = line.text
    if _HRULE.match(t):
        return None
    m = _BULLET.match(t)
    kind = "bullet"
    if not m:
        m = _ORDERED.match(t)
        kind = "ordered"
        if m:
            if re.match(r" {0,3}p\.[ \t]+\d", t):
                return None
            value = m.group(2) or m.group(4)
            delim = m.group(3)
            if delim == "." and len(value) == 1 and value.isupper() and not m.group(5).startswith(("  ", "\t")) \
                    and m.end() < len(t):
                return None
            if in_list and value not in ("1", "a", "A", "i", "I", "#") and not value.startswith("@"):
                return None
    if not m:
        m = _DEFMARK.match(t)
        kind = "def"
    if not m:
        return None
    marker_end = len(m.group(0)) - len(m.groups()[-1])
    spaces = m.groups()[-1]
    rest = t[m.end():]
    mcol = _indent(t[:marker_end]) if "\t" in t[:marker_end] else marker_end
    if not rest.strip():
        return mcol + 1, kind
    w = _indent(" " * mcol + spaces) - mcol if "\t" in spaces else len(spaces)
    if w > 4:
        return mcol + 1, kind
    return mcol + w, kind


#: Containers (quotes, lists, notes) nested deeper than this are read as plain paragraphs.
_MAX_NESTING = 60


class _Blocks:
    def __init__(self, st: _State):
        self.st = st
        self.depth = 0
        self._no_close: dict = {}  # closer pattern -> (lines, first index from which it is absent)

    def _search(self, lines, i, key, find):
        """The first line from i on where `find(line, j)` gives a position: (j, pos), or
        None — remembered, so that a thousand unclosed openers cost one search."""
        known = self._no_close.get(key)
        if known and known[0] is lines and known[1] <= i:
            return None
        for j in range(i, len(lines)):
            pos = find(lines[j], j)
            if pos is not None and pos >= 0:
                return j, pos
        self._no_close[key] = (lines, i)
        return None

    # ---- entry
    def parse(self, lines: list[_Line], *, quote=False, note=None, in_list=False, top=False):
        self.depth += 1
        try:
            if self.depth > _MAX_NESTING:
                para = [ln for ln in lines if not _blank(ln)]
                if para:
                    self._leaf(para, "para", quote, note)
                return
            self._parse(lines, quote=quote, note=note, in_list=in_list, top=top)
        finally:
            self.depth -= 1

    def _parse(self, lines: list[_Line], *, quote=False, note=None, in_list=False, top=False):
        st = self.st
        i = 0
        n = len(lines)
        first = True  # at the start of the container, or after a blank line
        while i < n:
            ln = lines[i]
            t = ln.text
            if _blank(ln):
                i += 1
                first = True
                continue
            ind = _indent(t)
            # fenced code (and R/Quarto chunks)
            m = _FENCE.match(t)
            if m and ind < 4:
                j = self._fence_end(lines, i, m)
                if j is not None:
                    st.skip(ln.off, lines[j - 1].off + len(lines[j - 1].text))
                    i = j
                    first = True
                    continue
            # YAML metadata block
            if top and first and t.rstrip() == "---" and i + 1 < n and not _blank(lines[i + 1]):
                j = self._yaml(lines, i)
                if j is not None:
                    i = j
                    first = True
                    continue
            # div fences: markup; their content is parsed where it stands
            if _DIVFENCE.match(t):
                st.skip(ln.off, ln.off + len(t))
                i += 1
                first = True
                continue
            if ind >= 4 and first:
                # indented code
                j = i
                last = i
                while j < n and (_blank(lines[j]) or _indent(lines[j].text) >= 4):
                    if not _blank(lines[j]):
                        last = j
                    j += 1
                st.skip(ln.off, lines[last].off + len(lines[last].text))
                i = last + 1
                first = False
                continue
            if first or in_list:
                lm = _list_marker(ln, in_list)
                if lm and (first or in_list):
                    i = self._list(lines, i, quote, note)
                    first = True
                    continue
            # ATX heading
            if _ATX.match(t) and first:
                self._heading_line(ln, quote, note)
                i += 1
                first = True
                continue
            # HTML comment block
            if t.lstrip().startswith("<!--") and first:
                j = self._html_comment(lines, i, quote, note)
                if j is not None:
                    i = j
                    first = True
                    continue
            # raw HTML blocks: <pre>, <script>, <style>, <textarea> are not prose
            mh = _HTML_BLOCK_TAG.match(t)
            if mh and first and mh.group(1).lower() in ("pre", "script", "style", "textarea"):
                tag = mh.group(1).lower()
                j = i
                while j < n and not re.search(r"</%s\s*>" % tag, lines[j].text, re.IGNORECASE):
                    j += 1
                j = min(j, n - 1)
                st.skip(ln.off, lines[j].off + len(lines[j].text))
                i = j + 1
                first = True
                continue
            # a line of block-level HTML tags: raw markup; what follows is read as Markdown
            if mh and first:
                mt = re.match(r"^[ \t]*(?:</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>[ \t]*)+", t)
                if mt:
                    st.skip(ln.off, ln.off + mt.end())
                    rest = t[mt.end():]
                    if rest.strip():
                        lines[i] = _Line(ln.off + mt.end(), rest)
                        first = True
                        continue
                    i += 1
                    first = True
                    continue
            # raw LaTeX environments
            mb = _BEGIN_ENV.match(t)
            if mb and first:
                j = self._tex_env(lines, i, mb.group(1), quote, note)
                if j is not None:
                    i = j
                    first = True
                    continue
            # tables
            if first and (_GRID_BORDER.match(t) or (i + 1 < n and "|" in t and _PIPE_SEP.match(lines[i + 1].text)
                                                     and "-" in lines[i + 1].text)):
                i = self._table(lines, i, quote, note)
                first = True
                continue
            # block quote
            if _QUOTE.match(t) and first:
                i = self._quote(lines, i, note)
                first = True
                continue
            # horizontal rule
            if _HRULE.match(t) and first:
                st.skip(ln.off, ln.off + len(t))
                i += 1
                first = True
                continue
            # footnote definition
            md = _NOTEDEF.match(t)
            if md and first:
                i = self._note_def(lines, i, md)
                first = True
                continue
            # link reference definition
            mr = _REFDEF.match(t)
            if mr and first and not _Inlines(st, _Seg([ln]), None, emit_leaves=False).cluster(t.index("[")):
                st.labels.add(_norm_label(mr.group(1)))
                st.skip(ln.off, ln.off + len(t))
                i += 1
                first = True
                continue
            i = self._para(lines, i, quote, note, in_list)
            first = True

    # ---- code fences
    def _fence_end(self, lines, i, m):
        ch = m.group(2)[0]
        size = len(m.group(2))
        info = m.group(3)
        if ch == "`" and "`" in info:
            return None
        chunk = bool(re.match(r"\s*\{", info))
        close = re.compile(r"^ {0,3}%s{%d,}[ \t]*$" % (re.escape(ch), size))
        found = self._search(lines, i + 1, "fence:%s%d" % (ch, size), lambda ln, j: 0 if close.match(ln.text) else None)
        if found:
            return found[0] + 1
        if chunk:  # an unclosed knitr chunk: code to the end
            return len(lines)
        return None

    # ---- YAML
    def _yaml(self, lines, i):
        n = len(lines)
        first = lines[i + 1].text
        if not (_YAML_KEYLINE.match(first) or first.lstrip().startswith("#")):
            return None
        j = i + 1
        while j < n and lines[j].text.rstrip() not in ("---", "..."):
            j += 1
        if j >= n:
            return None
        st = self.st
        st.skip(lines[i].off, lines[j].off + len(lines[j].text))
        _Yaml(st, lines[i + 1:j]).run()
        return j + 1

    # ---- headings
    def _heading_line(self, ln, quote, note):
        t = ln.text
        m = _ATX.match(t)
        a = m.end()
        while a < len(t) and t[a] in " \t":
            a += 1
        b = len(t.rstrip())
        ma = re.search(r"[ \t]*(\{[^{}]*\})[ \t]*$", t[:b])
        if ma and ma.start() >= a and not t[:ma.start()].endswith("]") and _ATTRS.fullmatch(ma.group(1)):
            self.st.skip(ln.off + ma.start(), ln.off + b)
            b = ma.start()
        mc = re.search(r"[ \t]+#+[ \t]*$", t[:b])
        if mc and mc.start() >= a:
            b = mc.start()
        elif re.fullmatch(r"#+", t[a:b].strip() or "x"):
            b = a
        self.st.skip(ln.off, ln.off + a)
        self._leaf([_Line(ln.off + a, t[a:b])], "heading", quote, note)

    # ---- comments, raw TeX
    def _html_comment(self, lines, i, quote, note):
        """An HTML comment opening a block: not prose (but a citeaudit comment is left as
        it is); text after its end on the same line is a paragraph."""
        open_at = lines[i].text.index("<!--")
        start = lines[i].off + open_at
        found = self._search(lines, i, "-->", lambda ln, j: ln.text.find("-->", open_at + 4 if j == i else 0))
        if not found:
            return None
        j, k = found
        end = lines[j].off + k + 3
        if not _SUPPRESSION.match(self.st.text, start):
            self.st.skip(start, end)
        return self._after(lines, j, k + 3, quote, note)

    def _after(self, lines, j, col, quote, note):
        """Past a raw block ending at column `col` of line j: what follows on that line
        starts a paragraph."""
        rest = lines[j].text[col:]
        if not rest.strip():
            return j + 1
        sub = [_Line(lines[j].off + col, rest)] + lines[j + 1:]
        return j + self._para(sub, 0, quote, note, False)

    def _tex_env(self, lines, i, env, quote, note):
        """A raw LaTeX environment (\\begin{x} ... \\end{x}) opening a block: not prose."""
        end = re.compile(r"\\end\{%s\}" % re.escape(env))

        def find(ln, _j):
            m = end.search(ln.text)
            return m.end() if m else None
        found = self._search(lines, i, "end:" + env, find)
        if not found:
            return None
        j, col = found
        self.st.skip(lines[i].off, lines[j].off + col)
        return self._after(lines, j, col, quote, note)

    # ---- lists
    def _list(self, lines, i, quote, note):
        n = len(lines)
        kind0 = _list_marker(lines[i], False)[1]
        while i < n:
            lm = _list_marker(lines[i], False)
            if not lm or (lm[1] == "def") != (kind0 == "def") and lm[1] != kind0:
                break
            col = lm[0]
            if lm[1] == "def":
                i = self._definition(lines, i, col, quote, note)
                k = i
                while k < n and _blank(lines[k]):
                    k += 1
                if k < n and _DEFMARK.match(lines[k].text):
                    i = k
                    continue
                return i
            first = lines[i]
            mx = re.match(r" {0,3}\(?@([\w-]+)[.)]", first.text)
            if mx:
                self.st.examples.setdefault(mx.group(1), first.off)
            item = [self._after_marker(first, col)]
            j = i + 1
            # lazy and indented lines up to a blank line
            while j < n and not _blank(lines[j]):
                t = lines[j].text
                if _list_marker(lines[j], False) and _indent(t) < 4:
                    break
                if _FENCE.match(t) and _indent(t) < col:
                    break
                if _DIVFENCE.match(t) and _indent(t) < col:
                    break
                if _indent(t) >= col:
                    item.append(_strip_cols(lines[j], col))
                else:
                    item.append(lines[j])
                j += 1
            # continuations: after blank lines, lines indented to the content column
            while True:
                k = j
                while k < n and _blank(lines[k]):
                    k += 1
                if k < n and k > j and _indent(lines[k].text) >= col:
                    item.extend(_Line(lines[x].off, "") for x in range(j, k))
                    j = k
                    while j < n and not _blank(lines[j]):
                        t = lines[j].text
                        if _indent(t) >= col:
                            item.append(_strip_cols(lines[j], col))
                        elif _list_marker(lines[j], False) or _DIVFENCE.match(t):
                            break
                        else:
                            item.append(lines[j])
                        j += 1
                    continue
                if k < n and k == j and j < n and _indent(lines[j].text) >= col and not _blank(lines[j]):
                    # nested list lines directly after the first lines (tight)
                    while j < n and not _blank(lines[j]) and _indent(lines[j].text) >= col:
                        item.append(_strip_cols(lines[j], col))
                        j += 1
                    continue
                break
            self.parse(item, quote=quote, note=note, in_list=True)
            # blank lines, then the next item of the same list
            k = j
            while k < n and _blank(lines[k]):
                k += 1
            if k < n and _list_marker(lines[k], False) and _indent(lines[k].text) < 4:
                nxt = _list_marker(lines[k], False)
                if nxt[1] == kind0:
                    i = k
                    continue
            return j
        return i

    def _definition(self, lines, i, col, quote, note):
        """A definition (`:   text`): lazy lines up to a blank line or the next `:`, then
        blocks indented by four spaces (pandoc's defRawBlock)."""
        n = len(lines)
        item = [self._after_marker(lines[i], col)]
        j = i + 1
        while j < n and not _blank(lines[j]) and not _DEFMARK.match(lines[j].text) and not _DIVFENCE.match(lines[j].text):
            item.append(_strip_cols(lines[j], 4) if _indent(lines[j].text) >= 4 else lines[j])
            j += 1
        while True:
            k = j
            while k < n and _blank(lines[k]):
                k += 1
            if k < n and _indent(lines[k].text) >= 4:
                item.extend(_Line(lines[x].off, "") for x in range(j, k))
                j = k
                item.append(_strip_cols(lines[j], 4))
                j += 1
                while j < n and not _blank(lines[j]) and not _DEFMARK.match(lines[j].text):
                    item.append(_strip_cols(lines[j], 4) if _indent(lines[j].text) >= 4 else lines[j])
                    j += 1
                continue
            break
        self.parse(item, quote=quote, note=note, in_list=True)
        return j

    def _after_marker(self, ln, col):
        t = ln.text
        # strip the marker and the spaces after it, up to the content column
        m = _BULLET.match(t) or _ORDERED.match(t) or _DEFMARK.match(t)
        k = m.end() if m else 0
        marker_end = len(m.group(0)) - len(m.groups()[-1]) if m else 0
        # keep spaces beyond the content column (indented code in an item)
        k2 = marker_end
        col_now = _indent(t[:marker_end]) if marker_end else 0
        while k2 < len(t) and t[k2] in " \t" and col_now < col:
            col_now += 1 if t[k2] == " " else 4 - col_now % 4
            k2 += 1
        k = min(k, k2) if k2 else k
        return _Line(ln.off + k, t[k:])

    # ---- quotes
    def _quote(self, lines, i, note):
        n = len(lines)
        inner = []
        j = i
        while j < n:
            t = lines[j].text
            m = _QUOTE.match(t)
            if m:
                self.st.skip(lines[j].off, lines[j].off + m.end())
                inner.append(_Line(lines[j].off + m.end(), t[m.end():]))
            elif _blank(lines[j]):
                break
            else:
                inner.append(lines[j])  # lazy continuation
            j += 1
        self.parse(inner, quote=True, note=note)
        return j

    # ---- tables
    def _table(self, lines, i, quote, note):
        st = self.st
        n = len(lines)
        j = i
        grid = bool(_GRID_BORDER.match(lines[i].text))
        row: list[_Line] = []

        def flush():
            if row:
                for r in row:
                    self._leaf([r], "table", quote, note)
                row.clear()
        while j < n and not _blank(lines[j]):
            t = lines[j].text
            if grid:
                if not t.lstrip().startswith(("+", "|")):
                    break
                if _GRID_BORDER.match(t):
                    flush()
                    st.skip(lines[j].off, lines[j].off + len(t))
                else:
                    row.append(lines[j])
            else:
                if t.lstrip().startswith(":") or ("|" not in t):
                    break
                if _PIPE_SEP.match(t) and "-" in t:
                    st.skip(lines[j].off, lines[j].off + len(t))
                else:
                    row.append(lines[j])
                    flush()
            j += 1
        flush()
        return j

    # ---- notes
    def _note_def(self, lines, i, md):
        st = self.st
        n = len(lines)
        ident = md.group(1)
        ln = lines[i]
        st.skip(ln.off, ln.off + md.end())
        rest = ln.text[md.end():]
        body: list[_Line] = []
        j = i + 1
        if rest.strip():
            k = len(rest) - len(rest.lstrip(" \t"))
            body.append(_strip_cols(_Line(ln.off + md.end(), rest), 4) if k >= 4 else _Line(ln.off + md.end() + k, rest[k:]))
        elif j < n and not _blank(lines[j]):
            body.append(_strip_cols(lines[j], 4))
            j += 1
        # the first paragraph: lines up to a blank line or another note marker
        while j < n and not _blank(lines[j]) and not _NOTEMARK.match(lines[j].text) and not _DIVFENCE.match(lines[j].text):
            body.append(_strip_cols(lines[j], 4))
            j += 1
        # more paragraphs: blank lines, then a line indented by four spaces
        while True:
            k = j
            while k < n and _blank(lines[k]):
                k += 1
            if k > j and k < n and _indent(lines[k].text) >= 4:
                body.extend(_Line(lines[x].off, "") for x in range(j, k))
                j = k
                body.append(_strip_cols(lines[j], 4))
                j += 1
                while j < n and not _blank(lines[j]) and not _NOTEMARK.match(lines[j].text):
                    body.append(_strip_cols(lines[j], 4))
                    j += 1
                continue
            break
        if ident in st.defs:
            st.warnings.append(f"footnote [^{ident}] is defined twice; the first definition is used")
            st.skip(lines[i].off, lines[j - 1].off + len(lines[j - 1].text))
            return j
        st.defs[ident] = (ln.off, ln.off + md.end(), lines[i].off, lines[j - 1].off + len(lines[j - 1].text))
        before = len(st.leaves)
        self.parse(body, note="[^" + ident)
        st.def_leaves[ident] = st.leaves[before:]
        del st.leaves[before:]
        return j

    # ---- paragraphs
    def _para(self, lines, i, quote, note, in_list):
        n = len(lines)
        para = [lines[i]]
        j = i + 1
        # a setext heading: one line, then === or ---
        if j < n and _SETEXT.match(lines[j].text) and not _blank(lines[i]):
            self.st.skip(lines[j].off, lines[j].off + len(lines[j].text))
            t = lines[i].text
            ma = re.search(r"[ \t]*(\{[^{}]*\})[ \t]*$", t)
            if ma and not t[:ma.start()].endswith("]") and _ATTRS.fullmatch(ma.group(1)):
                self.st.skip(lines[i].off + ma.start(), lines[i].off + len(t))
                t = t[:ma.start()]
            self._leaf([_Line(lines[i].off, t)], "heading", quote, note)
            return j + 1
        while j < n and not _blank(lines[j]):
            t = lines[j].text
            if j == i + 1 and _DEFMARK.match(t):
                break  # a definition list's term
            if in_list and _list_marker(lines[j], True):
                break
            if _FENCE.match(t) and t.lstrip().startswith("`") and self._fence_end(lines, j, _FENCE.match(t)) is not None:
                break
            if _DIVFENCE.match(t):
                break
            if _DASH_LINE.match(t) or _PIPE_SEP.match(t) and "|" in t and "-" in t:
                self.st.skip(lines[j].off, lines[j].off + len(t))
                para.append(_Line(lines[j].off, ""))
                j += 1
                continue
            para.append(lines[j])
            j += 1
        if _DASH_LINE.match(para[0].text):
            self.st.skip(para[0].off, para[0].off + len(para[0].text))
            para[0] = _Line(para[0].off, "")
        self._leaf(para, "para", quote, note)
        return j

    # ---- leaves: inline parsing
    def _leaf(self, lines, kind, quote, note):
        seg = _Seg(lines)
        inl = _Inlines(self.st, seg, note)
        inl.run(0, len(seg.s))
        s = seg.s
        a = 0
        while a < len(s) and s[a].isspace():
            a += 1
        b = len(s)
        while b > a and s[b - 1].isspace():
            b -= 1
        if b <= a:
            return
        leaf = _Leaf(seg.abs(a), seg.abs_end(b), kind, quote, note, inl.exclude)
        self.st.leaves.append(leaf)
        self.st.leaves.extend(inl.note_leaves)


def _norm_label(label: str) -> str:
    return " ".join(label.split()).casefold()


# --------------------------------------------------------------------------------------------
# YAML front matter


class _Yaml:
    """A small line-based reading of a YAML metadata block: every scalar is Markdown to
    pandoc (so citations in it count), `bibliography` names files, and title/abstract are
    prose."""

    def __init__(self, st: _State, lines: list[_Line]):
        self.st = st
        self.lines = lines

    def run(self):
        lines = self.lines
        n = len(lines)
        top = None
        i = 0
        while i < n:
            ln = lines[i]
            t = ln.text
            if not t.strip() or t.lstrip().startswith("#"):
                i += 1
                continue
            ind = _indent(t)
            m = re.match(r"^([ \t]*)((?:-[ \t]+)*)(?:([\"'])([^\"']*)\3|([^\s:#\"'\[\]{}-][^:#]*?|[^\s:#\"'\[\]{}][^:#]*?))[ \t]*:(?:[ \t]+|$)", t)
            if m and not (m.group(5) or "").startswith("- "):
                key = m.group(4) if m.group(3) else m.group(5)
                nested = not (ind == 0 and not m.group(2))
                if not nested:
                    top = key.strip()
                vstart = m.end()
                rest = t[vstart:]
                i = self._value(i, vstart, rest, ind + len(m.group(2) or ""), top, nested=nested)
                continue
            m = re.match(r"^([ \t]*)-[ \t]+", t)
            if m:
                i = self._value(i, m.end(), t[m.end():], ind, top, item=True)
                continue
            i += 1

    def _value(self, i, vstart, rest, ind, top, item=False, nested=False):
        lines = self.lines
        n = len(lines)
        ln = lines[i]
        r = rest.rstrip()
        # a comment after the value
        mc = re.search(r"[ \t]+#.*$", r)
        if mc and not r.lstrip().startswith(("'", '"')):
            r = r[:mc.start()]
        pieces: list[_Line] = []
        j = i + 1
        if re.fullmatch(r"[|>][-+0-9]*", r.strip()):
            # block scalar: the more-indented lines after it
            while j < n and (not lines[j].text.strip() or _indent(lines[j].text) > ind):
                pieces.append(lines[j])
                j += 1
            while pieces and not pieces[-1].text.strip():
                pieces.pop()
            block_ind = min((_indent(p.text) for p in pieces if p.text.strip()), default=0)
            pieces = [_strip_cols(p, block_ind) for p in pieces]
        elif not r.strip():
            # a nested map or list: its own lines are read by run()
            return j
        else:
            lead = len(rest) - len(rest.lstrip())
            first = _Line(ln.off + vstart + lead, r.strip())
            pieces.append(first)
            # a plain scalar may go on over more-indented lines that are not keys
            if not r.strip().startswith(("[", "{")):
                while j < n and lines[j].text.strip() and _indent(lines[j].text) > ind \
                        and not _YAML_KEYLINE.match(lines[j].text) and not lines[j].text.lstrip().startswith("- "):
                    pieces.append(_Line(lines[j].off + _indent(lines[j].text), lines[j].text.strip()))
                    j += 1
            # strip quotes
            p0 = pieces[0].text
            if len(pieces) == 1 and len(p0) >= 2 and p0[0] in "\"'" and p0[-1] == p0[0]:
                pieces[0] = _Line(pieces[0].off + 1, p0[1:-1])
        if not pieces:
            return j
        text = " ".join(p.text for p in pieces)
        if top == "bibliography":
            for name in _yaml_list(text):
                self.st.bibliography.append(name)
        kind = _PROSE_FIELDS.get(top) if not item and not nested else None
        if kind:
            # prose: not skipped, one block per paragraph
            para: list[_Line] = []
            groups = []
            for p in pieces + [_Line(0, "")]:
                if p.text.strip():
                    para.append(p)
                elif para:
                    groups.append(para)
                    para = []
            for g in groups:
                a = g[0].off
                b = g[-1].off + len(g[-1].text)
                self.st.unskips.append((a, b))
                _Blocks(self.st)._leaf(g, "heading" if kind == "heading" else "para", False, None)
        elif top not in ("bibliography", "csl") and not nested:
            # every other top-level scalar is Markdown to pandoc too (values inside nested
            # maps, such as author records, are metadata, not the manuscript's text)
            seg = _Seg(pieces)
            inl = _Inlines(self.st, seg, None, mode="nocite" if top == "nocite" else None)
            inl.run(0, len(seg.s))
            self.st.leaves.extend(inl.note_leaves)
        return j


def _yaml_list(text: str) -> list[str]:
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        items = [x.strip() for x in t[1:-1].split(",")]
    else:
        items = [t]
    out = []
    for x in items:
        if len(x) >= 2 and x[0] in "\"'" and x[-1] == x[0]:
            x = x[1:-1]
        if x:
            out.append(x)
    return out


# --------------------------------------------------------------------------------------------
# inline parsing

_URL = re.compile(r"(?:https?|ftp|file)://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}*_]|www\.[A-Za-z0-9-]+\.[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}*_]")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>", re.DOTALL)
_ATTRS = re.compile(r"\{[ \t]*(?:[#.=][^{}\n]*|[A-Za-z_][\w-]*=[^{}\n]*|-)[ \t]*\}")
_SUPPRESSION = re.compile(r"<!--\s*citeaudit\s*:", re.IGNORECASE)
_SHORTCODE = re.compile(r"\{\{<.*?>\}\}", re.DOTALL)
_TEXT_COMMANDS = {"emph", "textit", "textbf", "textsc", "textsl", "textup", "textrm", "textsf", "underline",
                  "mbox", "text", "textnormal", "uline", "hbox"}


#: The longest bracketed citation looked at, in characters (pandoc has no limit; this keeps
#: a paragraph of thousands of unmatched brackets linear).
_MAX_CLUSTER = 4000


class _Inlines:
    """One paragraph's inline content, read as pandoc reads it."""

    def __init__(self, st: _State, seg: _Seg, note: str | None, emit_leaves: bool = True, mode: str | None = None):
        self.st = st
        self.seg = seg
        self.s = seg.s
        self.n = len(seg.s)
        self.note = note
        self.lse = -1  # pandoc's lastStrPos: just after the last word
        self.exclude: list = []
        self.note_leaves: list = []
        self.emit_leaves = emit_leaves
        self.mode = mode
        self.jump: dict[int, int] = {}  # link targets etc. to step over when reached

    # ---- helpers
    def _skip(self, a, b):
        if b > a:
            self.st.skip(self.seg.abs(a), self.seg.abs_end(b))

    def spnl(self, i):
        s = self.s
        while i < self.n and s[i] in " \t":
            i += 1
        if i < self.n and s[i] == "\n":
            j = i + 1
            while j < self.n and s[j] in " \t":
                j += 1
            if j < self.n and s[j] == "\n":
                return i  # a blank line
            return j
        return i

    def _prep(self):
        """Matching brackets, parentheses and backtick runs of the whole paragraph, found
        once (so that no bracket is searched for twice)."""
        seg = self.seg
        if seg.cache is not None:
            return seg.cache
        s = self.s
        n = self.n
        runs: dict[int, list[int]] = {}
        i = 0
        while i < n:
            i = s.find("`", i)
            if i < 0:
                break
            j = i
            while j < n and s[j] == "`":
                j += 1
            runs.setdefault(j - i, []).append(i)
            i = j
        seg.cache = {"runs": runs}
        brackets: dict[int, int] = {}
        parens: dict[int, int] = {}
        sb: list[int] = []
        sp: list[int] = []
        i = 0
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                e = self.code_end(i)
                if e:
                    i = e
                    continue
                while i < n and s[i] == "`":
                    i += 1
                continue
            if c == "$":
                e = self.math_end(i)
                if e:
                    i = e
                    continue
            elif c == "<":
                m = _AUTOLINK.match(s, i)
                if m:
                    i = m.end()
                    continue
            elif c == "[":
                sb.append(i)
            elif c == "]":
                if sb:
                    brackets[sb.pop()] = i + 1
            elif c == "(":
                sp.append(i)
            elif c == ")":
                if sp:
                    parens[sp.pop()] = i + 1
            elif c == "\n" and s.startswith("\n\n", i):
                sb.clear()
                sp.clear()
            i += 1
        seg.cache["brackets"] = brackets
        seg.cache["parens"] = parens
        return seg.cache

    def code_end(self, i):
        """End of an inline code span opening at i, or None."""
        s = self.s
        j = i
        while j < self.n and s[j] == "`":
            j += 1
        k = j - i
        runs = (self.seg.cache or {}).get("runs")
        if runs is None:
            runs = self._prep()["runs"]
        starts = runs.get(k, [])
        x = bisect.bisect_right(starts, i)
        return starts[x] + k if x < len(starts) else None

    def math_end(self, i):
        """End of $...$ or $$...$$ at i by pandoc's rules, or None."""
        s = self.s
        n = self.n
        if s.startswith("$$", i):
            k = s.find("$$", i + 2)
            while k >= 0:
                if k > i + 2 and "\n\n" not in s[i:k]:
                    return k + 2
                break
            return None
        j = i + 1
        if j >= n or s[j].isspace():
            return None
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "$":
                if s[j - 1].isspace():
                    return None
                if j + 1 < n and s[j + 1].isdigit():
                    return None
                return j + 1 if j > i + 1 else None
            if c == "\n" and j + 1 < n and s[j + 1] == "\n":
                return None
            j += 1
        return None

    def bracket_end(self, i, open_="[", close="]"):
        """Index just after the bracket matching s[i] (code, math and escapes skipped)."""
        if open_ == "[":
            return self._prep()["brackets"].get(i)
        # braces of a raw TeX command: near at hand or not at all
        s = self.s
        depth = 0
        for j in range(i, min(self.n, i + 2000)):
            c = s[j]
            if c == open_ and (j == 0 or s[j - 1] != "\\"):
                depth += 1
            elif c == close and (j == 0 or s[j - 1] != "\\"):
                depth -= 1
                if depth == 0:
                    return j + 1
        return None

    def paren_end(self, i):
        return self._prep()["parens"].get(i)

    def attrs_end(self, i):
        m = _ATTRS.match(self.s, i)
        return m.end() if m else None

    def cite_key(self, i, lse):
        """pandoc's citeKey at i: (suppress, key, end) or None."""
        s = self.s
        n = self.n
        if i == lse or i >= n:
            return None
        j = i
        suppress = False
        if s[j] == "-":
            suppress = True
            j += 1
        if j >= n or s[j] != "@":
            return None
        j += 1
        if j < n and (s[j].isalnum() or s[j] in "_*"):
            k = j + 1
            while k < n:
                c = s[k]
                if _regchar(c):
                    k += 1
                elif c in _KEY_PUNCT and k + 1 < n and _regchar(s[k + 1]):
                    k += 1
                elif c in ":/" and k + 1 < n and s[k + 1] == "/":
                    k += 1
                else:
                    break
            return suppress, s[j:k], k
        if j < n and s[j] == "{":
            depth = 0
            k = j
            while k < n:
                c = s[k]
                if c.isspace():
                    return None
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return suppress, s[j + 1:k], k + 1
                k += 1
        return None

    def step(self, i, lse):
        """Step over one inline element at i, as pandoc's `inline` would: (end, new lse)."""
        s = self.s
        c = s[i]
        if c.isalnum() or (c == "." and not s.startswith("..", i)):
            j = i
            while j < self.n and (s[j].isalnum() or (s[j] == "." and not s.startswith("..", j))):
                j += 1
            return j, j
        if c == "\\":
            if i + 1 < self.n and s[i + 1].isalpha():
                j = self.tex_end(i)
                return j, lse
            return min(i + 2, self.n), lse
        if c == "`":
            e = self.code_end(i)
            if e:
                return e, lse
            j = i
            while j < self.n and s[j] == "`":
                j += 1
            return j, lse
        if c == "$":
            e = self.math_end(i)
            if e:
                return e, lse
        if c == "<":
            m = _AUTOLINK.match(s, i) or _HTML_TAG.match(s, i)
            if m:
                return m.end(), lse
            if s.startswith("<!--", i):
                k = s.find("-->", i + 4)
                if k >= 0:
                    return k + 3, lse
        if c == "^" and i + 1 < self.n and s[i + 1] == "[":
            e = self.bracket_end(i + 1)
            if e:
                return e, lse
        if c == "[":
            if s.startswith("[^", i):
                m = re.compile(r"\[\^[^\]\s]+\]").match(s, i)
                if m:
                    return m.end(), lse
            e = self.bracket_end(i)
            if e and e < self.n and s[e] == "(":
                pe = self.paren_end(e)
                if pe:
                    return pe, lse
            if e and e < self.n and s[e] == "{":
                ae = self.attrs_end(e)
                if ae:
                    return ae, lse
            if e:
                # a bracketed text that is no link stays one piece ("[" text "]")
                return e, lse
        if c == "*":
            j = i
            while j < self.n and s[j] == "*":
                j += 1
            if i > 0 and not s[i - 1].isspace() and s[i - 1] not in "([{\"'“‘" and (j >= self.n or not s[j].isalnum()):
                return j, j
            return j, lse
        return i + 1, lse

    def tex_end(self, i):
        """End of a raw LaTeX command at i (\\name, a star, and the [..]/{..} groups after it)."""
        s = self.s
        j = i + 1
        while j < self.n and (s[j].isalpha() or s[j] == "@"):
            j += 1
        if j < self.n and s[j] == "*":
            j += 1
        while j < self.n and s[j] in "[{":
            e = self.bracket_end(j, s[j], "]" if s[j] == "[" else "}")
            if not e:
                break
            j = e
        return j

    # ---- citations
    def cluster(self, i):
        """pandoc's normalCite at s[i] == '[': (end, items) or None. An item is
        (prefix range, suppress, key, key range, suffix range)."""
        s = self.s
        n = self.n
        close = self.bracket_end(i)
        if close is None or close - i > _MAX_CLUSTER or "@" not in s[i:close]:
            return None
        r = self._items_from(self.spnl(i + 1))
        if r is None:
            return None
        j, items = r
        j = self.spnl(j)
        if j >= n or s[j] != "]":
            return None
        end = j + 1
        # not a link, a bracketed span or a reference link
        if end < n and s[end] == "(" and self.paren_end(end):
            return None
        if end < n and s[end] == "{" and self.attrs_end(end):
            return None
        if end < n and s[end] == "[" and not s.startswith("[^", end) and self.bracket_end(end):
            return None
        return end, items

    def bareloc(self, i):
        """pandoc's bareloc after an in-text key: ' [p. 5]' or ' [p. 5; @other]'."""
        s = self.s
        n = self.n
        j = self.spnl(i)
        if j >= n or s[j] != "[" or s.startswith("[^", j):
            return None
        close = self.bracket_end(j)
        if close is None or close - j > _MAX_CLUSTER:
            return None
        open_ = j
        lse = self.lse
        q = j + 1
        while q < n and s[q] not in ";]":
            if s[q] == "\n" and s.startswith("\n\n", q):
                return None
            q, lse = self.step(q, lse)
        if q >= n:
            return None
        suffix = (open_ + 1, q)
        rest_items = []
        end = None
        if s[q] == ";":
            # ; then a citeList
            save = self.lse
            self.lse = lse
            r = self._items_from(self.spnl(q + 1))
            self.lse = save
            if r is None:
                # the option fails back: the ']' must come now
                pass
            else:
                q, rest_items = r
        q = self.spnl(q)
        if q >= n or s[q] != "]":
            return None
        end = q + 1
        if end < n and s[end] in "[({":
            return None
        # a defined reference link wins
        if _norm_label(s[open_ + 1:q]) in self.st.labels:
            return None
        return end, suffix, rest_items

    def _items_from(self, j):
        """pandoc's citeList from j: (end, items) or None; the end is at ']' (or where the
        last suffix stops)."""
        s = self.s
        n = self.n
        lse = self.lse
        items = []
        while True:
            # prefix: inline elements up to a key (after an optional ';')
            p0 = j
            while True:
                if j >= n or s[j] == "]":
                    return None
                k = j
                if s[k] == ";":
                    k = self.spnl(k + 1)
                if self.cite_key(k, lse):
                    break
                if s[j] == ";" or s.startswith("\n\n", j):
                    return None
                j, lse = self.step(j, lse)
            key = self.cite_key(j, lse)
            if not key:
                return None
            suppress, name, kend = key
            # suffix: inline elements up to ';' or ']'
            q = kend
            while q < n and s[q] not in ";]":
                if s.startswith("\n\n", q):
                    return None
                q, lse = self.step(q, lse)
            if q >= n:
                return None
            items.append(((p0, j), suppress, name, (j, kend), (kend, q)))
            j = q
            if s[j] == ";":
                j = self.spnl(j + 1)
                continue
            return j, items

    def emit(self, start, end, parts, mode):
        """Record a citation: parts = [(prefix range|None, suppress, key, suffix range|None)]."""
        refs = []
        for prefix, suppress, key, suffix in parts:
            if is_crossref(key):
                continue
            pre = self.plain(*prefix) if prefix else None
            loc = suf = None
            if suffix:
                raw = self.plain(*suffix)
                if raw:
                    loc, _label, suf = parse_locator(raw)
            refs.append(KeyRef(key=key, prefix=pre or None, locator=loc, suffix=suf, suppress_author=suppress))
        if not refs:
            return
        a = self.seg.abs(start)
        b = self.seg.abs_end(end)
        self.st.cites.append((a, b, tuple(refs), self.mode or mode))

    def plain(self, a, b):
        """The text of s[a:b] without Markdown markup: emphasis marks, escapes, code ticks."""
        t = self.s[a:b]
        t = re.sub(r"\\(.)", r"\1", t)
        t = re.sub(r"`+([^`]*)`+", r"\1", t)
        t = re.sub(r"(?<![\w])[*_]+|[*_]+(?![\w])", "", t)
        t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)
        return " ".join(t.split())

    # ---- the main loop
    def run(self, i, end):
        s = self.s
        while i < end:
            if i in self.jump:
                j = self.jump.pop(i)
                self._skip(i, j)
                i = j
                continue
            c = s[i]
            if c.isalnum():
                if c in "hfw":
                    m = _URL.match(s, i)
                    if m and i != self.lse:
                        self._skip(i, m.end())
                        i = m.end()
                        continue
                j, self.lse = self.step(i, self.lse)
                i = j
                continue
            if c == "\\":
                if i + 1 < self.n and s[i + 1] == "(":
                    k = s.find("\\)", i + 2)
                    if k >= 0 and "\n\n" not in s[i:k]:
                        self._skip(i, k + 2)
                        i = k + 2
                        continue
                if i + 1 < self.n and s[i + 1].isalpha():
                    j = self.tex_end(i)
                    m = re.match(r"\\([A-Za-z@]+)\{", s[i:j])
                    if m and m.group(1) in _TEXT_COMMANDS and s[j - 1] == "}":
                        # \emph{...}: the command is markup, its argument is prose
                        self._skip(i, i + m.end())
                        self._skip(j - 1, j)
                    else:
                        self._skip(i, j)
                    i = j
                    continue
                i = min(i + 2, self.n)
                continue
            if c == "`":
                e = self.code_end(i)
                if e:
                    ae = e
                    if ae < self.n and s[ae] == "{":
                        ae = self.attrs_end(ae) or ae
                    self._skip(i, ae)
                    i = ae
                    continue
                while i < self.n and s[i] == "`":
                    i += 1
                continue
            if c == "$":
                e = self.math_end(i)
                if e:
                    ae = e
                    m = re.match(r"[ \t]*\{#[^{}]*\}", s[e:])
                    if m:
                        ae = e + m.end()
                    self._skip(i, ae)
                    i = ae
                    continue
                i += 1
                continue
            if c == "<":
                if s.startswith("<!--", i):
                    k = s.find("-->", i + 4)
                    if k >= 0:
                        if not _SUPPRESSION.match(s, i):
                            self._skip(i, k + 3)
                        i = k + 3
                        continue
                m = _AUTOLINK.match(s, i) or _HTML_TAG.match(s, i)
                if m:
                    self._skip(i, m.end())
                    i = m.end()
                    continue
                i += 1
                continue
            if c == "{" and s.startswith("{{<", i):
                m = _SHORTCODE.match(s, i)
                if m:
                    self._skip(i, m.end())
                    i = m.end()
                    continue
            if c == "^" and i + 1 < self.n and s[i + 1] == "[" and self.emit_leaves:
                e = self.bracket_end(i + 1)
                if e and not (e < self.n and s[e] in "([") and not (e < self.n and s[e] == "{" and self.attrs_end(e)):
                    self.inline_note(i, e)
                    i = e
                    continue
            if c == "[":
                j = self.open_bracket(i)
                i = j
                continue
            if c == "!" and i + 1 < self.n and s[i + 1] == "[" and not s.startswith("[^", i + 1):
                e = self.bracket_end(i + 1)
                if e and e < self.n and s[e] in "([":
                    self.link_target(i + 1)
                    i += 2
                    continue
            if c == "@" or (c == "-" and i + 1 < self.n and s[i + 1] == "@"):
                j = self.textual(i)
                if j:
                    i = j
                    continue
                i += 1
                continue
            if c == "*":
                j, self.lse = self.step(i, self.lse)
                i = j
                continue
            i += 1

    def inline_note(self, i, e):
        """^[...] : a note of its own, excluded from the paragraph."""
        key = "^%d" % self.seg.abs(i)
        a = self.seg.abs(i)
        b = self.seg.abs_end(e)
        self.exclude.append((a, b))
        self.st.refs.append((a, self.seg.abs_end(i + 2), key))
        sub = _Inlines(self.st, self.seg, key, mode=self.mode)
        sub.jump = self.jump
        sub.run(i + 2, e - 1)
        s = self.s
        x, y = i + 2, e - 1
        while x < y and s[x].isspace():
            x += 1
        while y > x and s[y - 1].isspace():
            y -= 1
        self.st.skip(a, self.seg.abs_end(i + 2))
        self.st.skip(self.seg.abs(e - 1), b)
        if y > x and self.emit_leaves:
            self.note_leaves.append(_Leaf(self.seg.abs(x), self.seg.abs_end(y), "para", False, key, sub.exclude))
            self.note_leaves.extend(sub.note_leaves)

    def open_bracket(self, i):
        s = self.s
        # [^id]: a note reference
        m = re.compile(r"\[\^([^\]\s]+)\]").match(s, i)
        if m and self.emit_leaves:
            self.st.refs.append((self.seg.abs(i), self.seg.abs_end(m.end()), "[^" + m.group(1)))
            return m.end()
        r = self.cluster(i)
        if r:
            end, items = r
            self.emit(i, end, [(pre, sup, key, suf) for pre, sup, key, _k, suf in items], "parenthetical")
            self.nested_in(items)
            return end
        self.link_target(i)
        return i + 1

    def nested_in(self, items):
        """Code, math and citations inside prefixes and suffixes."""
        for (pa, pb), _sup, _key, (ka, kb), (sa, sb) in items:
            sub = _Inlines(self.st, self.seg, self.note, emit_leaves=False, mode=self.mode)
            sub.lse = -1
            sub.run(pa, pb)
            sub.lse = kb
            sub.run(sa, sb)
            if is_crossref(_key):
                self._skip(ka, kb)

    def link_target(self, i):
        """At '[': when a link or bracketed span follows, mark its target/attributes to skip."""
        s = self.s
        e = self.bracket_end(i)
        if not e:
            return
        if e < self.n and s[e] == "(":
            pe = self.paren_end(e)
            if pe:
                ae = self.attrs_end(pe) if pe < self.n and s[pe] == "{" else None
                self.jump[e] = ae or pe
                return
        if e < self.n and s[e] == "{":
            ae = self.attrs_end(e)
            if ae:
                self.jump[e] = ae
                return
        if e < self.n and s[e] == "[" and not s.startswith("[^", e):
            re_ = self.bracket_end(e)
            if re_ and _norm_label(s[e + 1:re_ - 1] or s[i + 1:e - 1]) in self.st.labels:
                self.jump[e] = re_

    def textual(self, i):
        s = self.s
        key = self.cite_key(i, self.lse)
        if not key:
            return None
        suppress, name, kend = key
        if is_crossref(name):
            self._skip(i, kend)
            # a cross-reference may still be followed by a bracket; pandoc-crossref takes
            # only the label
            return kend
        # [cluster] or [locator] after it
        j = self.spnl(kend)
        if j < self.n and s[j] == "[":
            save = self.lse
            self.lse = kend
            r = self.cluster(j)
            if r and _norm_label(s[j + 1:r[0] - 1]) not in self.st.labels:
                end, items = r
                parts = [(None, suppress, name, None)] + [(pre, sup, k, suf) for pre, sup, k, _k, suf in items]
                self.emit(i, end, parts, "narrative")
                self.nested_in(items)
                self.lse = save
                return end
            self.lse = kend
            b = self.bareloc(kend)
            self.lse = save
            if b:
                end, suffix, rest = b
                parts = [(None, suppress, name, suffix)] + [(pre, sup, k, suf) for pre, sup, k, _k, suf in rest]
                self.emit(i, end, parts, "narrative")
                sub = _Inlines(self.st, self.seg, self.note, emit_leaves=False, mode=self.mode)
                sub.lse = -1
                sub.run(*suffix)
                self.nested_in(rest)
                return end
        self.emit(i, kend, [(None, suppress, name, None)], "parenthetical" if suppress else "narrative")
        return kend


# --------------------------------------------------------------------------------------------
# assembling the Source


def prose_blocks(text: str, blocks, skip, marked) -> tuple:
    """The blocks that hold some prose: a letter or digit outside `skip` and the block's
    own `exclude`, or a marked citation. A paragraph that is all math or markup goes."""
    starts = [a for a, _b in skip]
    cite_starts = sorted(m.start for m in marked)
    out = []
    for bl in blocks:
        holes = sorted(list(bl.exclude) + [r for r in skip[max(0, bisect.bisect_right(starts, bl.start) - 1):
                                                         bisect.bisect_left(starts, bl.end)]])
        k = bisect.bisect_left(cite_starts, bl.start)
        if k < len(cite_starts) and cite_starts[k] < bl.end and not any(a <= cite_starts[k] < b for a, b in bl.exclude):
            out.append(bl)
            continue
        pos = bl.start
        for a, b in holes + [(bl.end, bl.end)]:
            if a > pos and any(c.isalnum() for c in text[pos:min(a, bl.end)]):
                out.append(bl)
                break
            pos = max(pos, b)
            if pos >= bl.end:
                break
    return tuple(out)


def _renumber(blocks) -> tuple:
    counters: dict = {}
    out = []
    for bl in blocks:
        key = (bl.part, bl.note)
        counters[key] = counters.get(key, 0) + 1
        out.append(Block(bl.start, bl.end, bl.part, counters[key], bl.note, bl.page, bl.quote, bl.heading, bl.exclude))
    return tuple(out)


def markdown_source(text: str, path: str = "", encoding: str = "utf-8", warnings: tuple[str, ...] = ()) -> Source:
    """The Markdown reading of `text` (the whole file) as a Source."""
    st = _State(text)
    lines: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(_Line(pos, raw.removesuffix("\r")))
        pos += len(raw) + 1
    # link reference definitions count wherever they stand (pandoc reads them first)
    for ln in lines:
        mr = _REFDEF.match(ln.text)
        if mr:
            st.labels.add(_norm_label(mr.group(1)))
    _Blocks(st).parse(lines, top=True)
    if st.examples:
        # @label of an example list item is its number, not a citation (pandoc's example_lists)
        kept = []
        for c in st.cites:
            a, b, refs, _mode = c
            key = refs[0].key
            if text[a] in "-@" and key in st.examples and text[a:b].lstrip("-").startswith("@" + key):
                bare = text[a:b].lstrip("-") == "@" + key
                if a < st.examples[key] and not bare:
                    kept.append(c)  # read as a citation before the example was known
                    continue
                if len(refs) > 1:
                    kept.append((a, b, refs[1:], "parenthetical"))
                continue
            kept.append(c)
        st.cites = kept

    # notes: numbered in the order of their references, as pandoc does
    # [^id] inside a note's definition is text to pandoc (notes do not nest); a definition
    # that nothing references is dropped, with what is inside it
    spans = {ident: (da, db) for ident, (_la, _lb, da, db) in st.defs.items()}
    refs = [r for r in st.refs if not (r[2].startswith("[^") and any(da <= r[0] < db for da, db in spans.values()))]
    referenced = {r[2][2:] for r in refs if r[2].startswith("[^")}
    dropped = [spans[i] for i in spans if i not in referenced]
    refs = [r for r in refs if not any(da <= r[0] < db for da, db in dropped)]
    numbers: dict[str, int] = {}
    noterefs: list[NoteRef] = []
    count = 0
    for a, b, key in sorted(refs):
        if key.startswith("[^"):
            ident = key[2:]
            if ident not in st.defs:
                st.warnings.append(f"footnote reference [^{ident}] has no definition; pandoc leaves it as text")
                continue
        count += 1
        if key in numbers:
            st.warnings.append(f"footnote [^{key[2:]}] is referenced again; pandoc repeats it as note {count}")
        else:
            numbers[key] = count
        noterefs.append(NoteRef(count, a, b))
    for ident, (la, lb, da, db) in st.defs.items():
        if "[^" + ident not in numbers:
            st.warnings.append(f"footnote [^{ident}] is never referenced; pandoc drops it")
            st.skip(da, db)
            st.cites = [c for c in st.cites if not (da <= c[0] < db)]

    leaves = list(st.leaves)
    for ident, ls in st.def_leaves.items():
        if "[^" + ident in numbers:
            leaves.extend(ls)
    blocks: list[Block] = []
    counters: dict[tuple, int] = {}
    for lf in sorted(leaves, key=lambda x: (x.start, x.end)):
        if lf.note is not None and lf.note not in numbers:
            continue
        if lf.note is not None:
            part, num = "footnote", numbers[lf.note]
        elif lf.kind == "table":
            part, num = "table", None
        else:
            part, num = "body", None
        counters[(part, num)] = counters.get((part, num), 0) + 1
        blocks.append(Block(lf.start, lf.end, part=part, paragraph=counters[(part, num)], note=num, quote=lf.quote,
                            heading=lf.kind == "heading", exclude=tuple(sorted(lf.exclude))))
    blocks.sort(key=lambda b: (b.part != "body", b.start))
    blocks.sort(key=lambda b: b.start)

    skip = subtract_spans(merge_spans(st.skips), st.unskips)

    marked = tuple(MarkedCitation(a, b, refs, mode) for a, b, refs, mode in sorted(st.cites, key=lambda c: (c[0], c[1])))
    blocks = list(_renumber(prose_blocks(text, blocks, skip, marked)))
    folder = os.path.dirname(path) if path and path != "-" else ""
    bib = tuple(dict.fromkeys(os.path.normpath(os.path.join(folder, b)) if not os.path.isabs(b) else b
                              for b in st.bibliography))
    return Source(path, text, encoding, tuple(warnings) + tuple(dict.fromkeys(st.warnings)), format="markdown",
                  blocks=tuple(blocks), notes=tuple(noterefs), marked=marked, skip=tuple(skip), bibliography=bib)


def read_markdown(path: str | os.PathLike[str]) -> Source:
    """Read a Markdown / R Markdown / Quarto manuscript (see the module's docstring)."""
    raw = os.fspath(path)
    src = decode(read_bytes(raw), raw)
    return markdown_source(src.text, src.path, src.encoding, src.warnings)
