"""LaTeX manuscripts: each file read as it is, with what LaTeX would make of it.

`read_latex(path)` returns one `Source` per file read — the main file first, then every
`\\input`, `\\include`, `\\subfile`, `\\import`ed file that exists, in the order LaTeX meets
them (relative to the main file's folder, `.tex` added when missing; cycles and a depth
limit guarded; a missing file is a warning of the file that names it). Each Source's text
is its file, so offsets, lines and columns are that file's own.

Per file:

- `marked`: every cite command of the natbib and biblatex families (and the wrapper
  macros a document, its local class or its biblatex style files define around them,
  `\\newcommand{\\mycite}[2][]{\\citep[#1]{#2}}`, `\\NewDocumentCommand`, `\\DeclareCiteCommand`)
  with its mode, its prenote/postnote (one optional argument: postnote; two: prenote and
  postnote), starred forms, `\\cites(pre)(post)[pre][post]{k1}[pre][post]{k2}`, key lists;
  `\\nocite` with mode "nocite" (counted apart), `\\cite{*}` / `\\nocite{*}` as the key "*";
- `notes`: a `NoteRef` at each `\\footnote`, `\\footnotemark` (its `\\footnotetext` gives
  the text), `\\thanks`, `\\endnote` (part "endnote", numbered apart) and at each citation
  that makes a note (`\\footcite`, `\\smartcite`, and `\\autocite` under a note style),
  numbered across the files in the order LaTeX executes them;
- `blocks`: paragraphs (blank lines, `\\par`, `\\item`, sectioning, display environments
  break them), headings (heading=True), `quote`/`quotation`/`verse` paragraphs (quote=True),
  table rows (part "table"), captions, the `\\title`, and each note's paragraphs
  (part "footnote"/"endnote", note=N), the note's whole `\\footnote{...}` in the
  enclosing paragraph's `exclude`; paragraph numbers run on across the files, in the
  document's order; a paragraph with no prose (all math or markup) is not a block;
- `skip`: what is not prose — comments, `verbatim`-like environments (also those the
  document or its local style files define), `\\verb`, `\\iffalse ... \\fi` (and the
  `\\else` branch of `\\iftrue`), math, the preamble (but for the title), what follows
  `\\end{document}`, a `\\subfile`'s own preamble, command names with their non-text
  arguments (labels, references, URLs, graphics, files, keys), definitions, the
  `thebibliography` environment;
- `bibliography` (main file's Source): `\\bibliography{a,b}`, `\\addbibresource{x.bib}`,
  `\\addglobalbib`, `\\addsectionbib`, `\\nobibliography`, relative to the main file (also
  from the document's own class or style files beside it).

What it knows of the styles is written down here: `\\autocite` makes a footnote under
biblatex's verbose, authortitle, reading and draft styles or `autocite=footnote`;
`\\smartcite` and `\\footcite` make one outside notes; the verbose styles put a
`\\textcite`'s citation in a footnote; `\\thanks` is a note but for `tufte-book`; tufte's
`\\sidenote` and `\\marginnote` are margin text, not notes (latex executes no `\\footnote`).
Where it departs from LaTeX: a citation is counted once as written (LaTeX counts one in a
caption again from the list of figures, one in a macro at each use); a file input twice is
read once; conditionals other than `\\iffalse`/`\\iftrue` are not evaluated (both branches
are read); user macros are expanded only where they wrap a cite command or cite fixed keys;
keys cited from inside .bib entries are not seen.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field

from ..text import merge_spans, subtract_spans
from . import Block, KeyRef, MarkedCitation, NoteRef, Source, decode, read_bytes
from .markdown import parse_locator, prose_blocks

__all__ = ["CITE_MODES", "LATEX_SUFFIXES", "MAX_DEPTH", "read_latex"]

#: Extensions read as LaTeX.
LATEX_SUFFIXES = (".tex", ".ltx", ".latex")
#: How deep \input may nest before the reader stops following.
MAX_DEPTH = 16
#: How deep notes, headings and environments may nest inside each other before their
#: content is no longer read (pathological input only).
_MAX_NESTING = 40
#: The longest optional argument looked at, in characters.
_MAX_OPTION = 2000

# --------------------------------------------------------------------------------------------
# the cite commands

#: command -> mode. A trailing "+note" marks a command that typesets its citation as a note.
CITE_MODES: dict[str, str] = {}
for _name in ("cite", "Cite", "citep", "Citep", "citealp", "Citealp", "parencite", "Parencite", "autocite",
              "Autocite", "smartcite", "Smartcite", "supercite", "citenum", "fullcite", "citepalias",
              "cites", "Cites", "parencites", "Parencites", "autocites", "Autocites", "smartcites", "Smartcites",
              "supercites", "bibentry", "citeNP", "citeyearNP", "citeauthorNP", "volcite", "Volcite", "pvolcite",
              "Pvolcite", "notecite", "Notecite", "pnotecite", "Pnotecite", "citeurl", "mancite"):
    CITE_MODES[_name] = "parenthetical"
for _name in ("citet", "Citet", "citealt", "Citealt", "textcite", "Textcite", "textcites", "Textcites",
              "citetalias", "citeA", "tvolcite", "Tvolcite", "citeasnoun", "citeN"):
    CITE_MODES[_name] = "narrative"
for _name in ("footcite", "Footcite", "footcites", "Footcites", "footfullcite", "footcitetext", "footcitestext",
              "fvolcite", "Fvolcite", "fnotecite", "Fnotecite", "ftvolcite", "footpartcite"):
    CITE_MODES[_name] = "parenthetical+note"
for _name in ("citeauthor", "Citeauthor", "citefullauthor", "Citefullauthor", "citename", "avolcite", "Avolcite"):
    CITE_MODES[_name] = "author"
for _name in ("citeyear", "citeyearpar", "citedate", "citeyearNP", "Citeyear"):
    CITE_MODES[_name] = "year"
for _name in ("citetitle", "Citetitle", "citefield", "citelist"):
    CITE_MODES[_name] = "title"
CITE_MODES["nocite"] = "nocite"

#: Commands that take (pre)(post) and repeated [pre][post]{keys} groups.
_MULTI = {"cites", "Cites", "parencites", "Parencites", "footcites", "Footcites", "textcites", "Textcites",
          "autocites", "Autocites", "smartcites", "Smartcites", "supercites", "footcitestext"}
#: \volcite[prenote]{volume}[page]{key}
_VOL = {"volcite", "Volcite", "pvolcite", "Pvolcite", "fvolcite", "Fvolcite", "ftvolcite", "avolcite", "Avolcite",
        "tvolcite", "Tvolcite", "notecite", "Notecite", "pnotecite", "Pnotecite", "fnotecite", "Fnotecite"}
#: Commands whose keys come first and a field name after: \citefield{key}{field}.
_KEY_THEN_ARG = {"citename", "citelist", "citefield"}
#: biblatex styles whose \autocite is a footnote.
_NOTE_STYLES = re.compile(r"^(verbose|authortitle|reading|draft)")

_NOTE_COMMANDS = {"footnote": "footnote", "endnote": "endnote", "thanks": "footnote"}
#: Margin notes (tufte's \sidenote, \marginnote, \marginpar): text of their own, beside the
#: paragraph, but not notes: latex executes no \footnote for them.
_MARGIN_COMMANDS = {"sidenote", "marginnote", "marginpar", "mpar", "todo", "sidecite"}
#: Classes whose \maketitle drops \thanks (no note is made).
_NO_THANKS_CLASSES = {"tufte-book"}
_SECTIONS = {"part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph", "addsec",
             "addchap", "minisec", "frametitle", "sectionhead"}
_QUOTE_ENVS = {"quote", "quotation", "verse", "displayquote", "epigraph"}
_MATH_ENVS = {"equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*", "flalign",
              "flalign*", "alignat", "alignat*", "eqnarray", "eqnarray*", "displaymath", "math", "dmath", "dmath*",
              "IEEEeqnarray", "IEEEeqnarray*", "subequations", "tikzpicture", "pspicture", "picture", "CD"}
_VERBATIM_ENVS = {"verbatim", "verbatim*", "Verbatim", "Verbatim*", "BVerbatim", "LVerbatim", "lstlisting",
                  "minted", "comment", "filecontents", "filecontents*", "alltt", "Sinput", "Soutput", "Scode",
                  "Schunk", "CodeChunk", "CodeInput", "CodeOutput", "Code", "example", "example*", "spverbatim",
                  "verbatimtab", "listing", "lstinputlisting", "tcblisting", "pyverbatim", "pycode", "jlcode",
                  "rcode", "knitrout", "kframe", "Highlighting", "Shaded", "sourcecode", "codebox"}
_TABLE_ENVS = {"tabular", "tabular*", "tabularx", "longtable", "longtable*", "tabu", "supertabular", "array",
               "xtabular", "tblr", "longtblr"}
_LIST_ENVS = {"itemize", "enumerate", "description", "list", "compactitem", "compactenum", "inparaenum",
              "asparaenum", "tasks"}
_BLOCK_ENVS = _LIST_ENVS | _QUOTE_ENVS | _TABLE_ENVS | {
    "figure", "figure*", "table", "table*", "center", "flushleft", "flushright", "abstract", "minipage",
    "marginfigure", "margintable", "fullwidth", "wrapfigure", "subfigure", "theorem", "lemma", "proof",
    "definition", "remark", "frame", "block", "titlepage", "acknowledgements", "acknowledgments", "dedication",
    "declaration", "multicols", "appendices", "article", "spacing", "doublespace", "landscape", "samepage"}
_BEGIN = re.compile(r"\\begin\s*\{([^{}]+)\}")
#: Environments whose first brace arguments are widths, column specs or file names.
_ENV_ARGS = {"tabular": 1, "tabular*": 2, "tabularx": 2, "tabulary": 2, "tabu": 1, "longtable": 1, "longtable*": 1,
             "array": 1, "xtabular": 1, "supertabular": 1, "tblr": 1, "longtblr": 1, "minipage": 1,
             "wrapfigure": 2, "multicols": 1, "multicols*": 1, "spacing": 1, "list": 2, "subfigure": 1,
             "overpic": 1, "adjustbox": 1, "thebibliography": 1, "sidewaystable": 0, "tcolorbox": 0}
#: Commands whose brace arguments are not prose (their names, labels, files, URLs, options).
_NONTEXT_ARGS = {
    "label": 1, "ref": 1, "eqref": 1, "pageref": 1, "autoref": 1, "Autoref": 1, "cref": 1, "Cref": 1, "vref": 1,
    "nameref": 1, "cpageref": 1, "labelcref": 1, "url": 1, "nolinkurl": 1, "path": 1, "email": 1, "doi": 1,
    "href": 1, "includegraphics": 1, "includepdf": 1, "input": 1, "include": 1, "subfile": 1, "import": 2,
    "subimport": 2, "inputfrom": 2, "includefrom": 2, "bibliography": 1, "nobibliography": 1,
    "bibliographystyle": 1, "addbibresource": 1, "addglobalbib": 1, "addsectionbib": 1, "usepackage": 1,
    "RequirePackage": 1, "documentclass": 1, "setlength": 2, "addtolength": 2, "setcounter": 2,
    "addtocounter": 2, "stepcounter": 1, "refstepcounter": 1, "vspace": 1, "vspace*": 1, "hspace": 1,
    "hspace*": 1, "rule": 2, "definecolor": 3, "color": 1, "textcolor": 1, "colorbox": 1, "pagestyle": 1,
    "thispagestyle": 1, "pagenumbering": 1, "graphicspath": 1, "hypersetup": 1, "bibitem": 1, "code": 1,
    "file": 1, "lstinputlisting": 1, "inputminted": 2, "mintinline": 2, "verbatiminput": 1, "orcid": 1,
    "ORCID": 1, "ORCiD": 1, "includeonly": 1, "excludeonly": 1, "newcounter": 1, "usetikzlibrary": 1,
    "tikzset": 1, "pgfplotsset": 1, "captionsetup": 1, "geometry": 1, "linespread": 1, "fontsize": 2,
    "selectfont": 0, "newgeometry": 1, "addcontentsline": 2, "addtocontents": 1, "markboth": 2, "markright": 1,
    "bibliographyunit": 1, "printbibliography": 0, "defbibnote": 1, "defbibheading": 1, "phantomsection": 0,
    "raisebox": 1, "resizebox": 2, "scalebox": 1, "rotatebox": 1, "multicolumn": 2, "multirow": 2,
    "cline": 1, "cmidrule": 1, "arraystretch": 0, "SweaveOpts": 1, "Sexpr": 1, "CRANpkg": 0, "BIOpkg": 0,
    "address": 1, "affil": 1, "affiliation": 1, "keywords": 0, "newthought": 0, "doccmd": 1, "docenv": 1,
    "docopt": 1, "docarg": 1, "docclsopt": 1, "docclsoptdef": 1, "docenvdef": 1, "doccmddef": 1,
    "iflanguage": 1, "selectlanguage": 1, "foreignlanguage": 1, "hyphenation": 1, "texttt": 0,
    "providecommand": 0, "refsection": 0, "newrefsection": 0, "refsegment": 0, "newrefsegment": 0,
    "DeclareFieldFormat": 2, "ExecuteBibliographyOptions": 1, "onlyinsubfile": 0, "notinsubfile": 0,
}
_DEFINERS = {"newcommand", "renewcommand", "providecommand", "DeclareRobustCommand", "NewDocumentCommand",
             "RenewDocumentCommand", "ProvideDocumentCommand", "DeclareDocumentCommand", "def", "gdef", "edef",
             "xdef", "newenvironment", "renewenvironment", "NewDocumentEnvironment", "RenewDocumentEnvironment",
             "DeclareCiteCommand", "DeclareMultiCiteCommand", "DeclareFieldFormat", "DeclareBibliographyDriver",
             "newbibmacro", "renewbibmacro", "DeclareNameFormat", "DeclareListFormat", "DeclareMathOperator",
             "newtheorem", "newif", "let", "DeclareOption", "AtBeginDocument", "AtEndDocument",
             "AtBeginBibliography", "AddToHook", "newlength", "DeclareSourcemap", "DefineBibliographyStrings",
             "DefineBibliographyExtras", "DeclareLanguageMapping", "newtoggle", "DeclareBibliographyCategory",
             "newsavebox", "renewcommand*", "DeclarePairedDelimiter", "lstdefinestyle", "lstset", "newminted",
             "DefineVerbatimEnvironment", "lstnewenvironment", "RecustomVerbatimEnvironment", "fvset",
             "deffootnote", "setkomafont", "addtokomafont", "newglossaryentry", "newacronym"}
_IF_MACROS = {"ifthenelse", "iftoggle", "ifbool", "ifstrequal", "ifstrempty", "ifdefempty", "ifdefstring",
              "ifdef", "ifundef", "ifcsdef", "ifcsundef", "ifnumcomp", "ifnumequal", "ifdimcomp", "ifdefmacro",
              "ifdefvoid", "ifblank", "ifnumgreater", "ifnumless", "ifboolexpr", "ifdefstrequal", "ifcsempty",
              "ifcsvoid", "ifinlist", "iflanguage", "ifentrytype", "iffieldundef", "iffieldequalstr", "ifnameundef",
              "iflistundef", "ifciteseen", "ifciteibid", "ifcitation", "ifbibliography", "iffootnote",
              "ifkeyword", "ifcategory", "ifentryseen", "ifuniquework", "ifsingletitle", "ifsamepage",
              "iffieldint", "iffieldnum", "iffieldsequal", "iffieldxref", "ifmorenames", "ifnumerals",
              "ifpages", "ifthen", "ifluatex", "ifxetex", "ifpdf", "ifPDFTeX"}
_IF_MACROS -= {"ifluatex", "ifxetex", "ifpdf", "ifPDFTeX"}  # real conditionals, closed by \fi


# --------------------------------------------------------------------------------------------
# small helpers


def _name_at(text: str, i: int) -> tuple[str, int]:
    """The control sequence at text[i] == '\\': (name, end). A control word takes letters
    (and @, as in \\makeatletter code); a control symbol one character (\\@ too)."""
    j = i + 1
    n = len(text)
    k = j
    while k < n and (text[k].isalpha() or text[k] == "@"):
        k += 1
    if k - j > 1 or (k - j == 1 and text[j] != "@"):
        return text[j:k], k
    if j < n:
        return text[j], j + 1
    return "", j


def _clean_note(t: str) -> str | None:
    """A prenote or postnote as text: ~ and \\, as spaces, braces and simple macros dropped."""
    t = re.sub(r"(?<!\\)%[^\n]*", "", t)
    t = t.replace("~", " ").replace("\\,", " ").replace("\\ ", " ").replace("\\@", "")
    t = re.sub(r"\\ppno\b\s*", "pp. ", t)
    t = re.sub(r"\\pno\b\s*", "p. ", t)
    t = re.sub(r"\\psqq\b", " sqq.", t)
    t = re.sub(r"\\psq\b", " sq.", t)
    t = re.sub(r"\\(?:textit|emph|textbf|textsc|textup|textnormal|mkbibemph|mkbibitalic)\s*", "", t)
    t = re.sub(r"\\([%&$#_])", r"\1", t)
    t = t.replace("{", "").replace("}", "")
    t = " ".join(t.split())
    return t or None


def _split_postnote(post: str | None) -> tuple[str | None, str | None]:
    """(locator, suffix) of a postnote: pandoc's locator grammar where it finds one, else the
    whole note as the locator when it holds a number, else as a suffix."""
    if not post:
        return None, None
    loc, _label, rest = parse_locator(post)
    if loc:
        return loc, rest
    if re.search(r"\d", post) or re.fullmatch(r"[ivxlcdmIVXLCDM]+(?:\s*(?:--?|–)\s*[ivxlcdmIVXLCDM]+)?", post):
        return post, None
    return None, post


def _pre_post(opts: list[str]) -> tuple[str | None, str | None]:
    """natbib's and biblatex's reading of a cite command's options: one is the postnote, two
    are the prenote and the postnote (a third is not read)."""
    if len(opts) == 1:
        return None, opts[0]
    if len(opts) >= 2:
        return opts[0], opts[1]
    return None, None


# --------------------------------------------------------------------------------------------
# the state across files


@dataclass
class _Wrapper:
    """A macro defined around a cite command: \\citex[#1][#2]{#3} -> \\cite[#2][#1]{#3}."""

    name: str
    optional: list  # for each argument: True if optional ([..]), False if mandatory ({..}); "s" for a star
    inner: str  # the cite command it calls
    inner_args: list  # the inner command's arguments: ("[", text) / ("{", text) with #n in them


@dataclass
class _Doc:
    main_dir: str
    note_style: bool = False
    foot_counter: int = 0
    end_counter: int = 0
    pending_marks: list = field(default_factory=list)
    paragraph: dict = field(default_factory=dict)
    wrappers: dict = field(default_factory=dict)
    cite_defs: dict = field(default_factory=dict)  # \DeclareCiteCommand names -> mode
    verbatim_envs: set = field(default_factory=lambda: set(_VERBATIM_ENVS))
    seen: set = field(default_factory=set)
    stack: list = field(default_factory=list)  # the files being read, outermost first
    sources: list = field(default_factory=list)
    bibliography: list = field(default_factory=list)
    include_only: set | None = None
    warnings: list = field(default_factory=list)
    bibitems: int = 0
    no_thanks: bool = False
    verbose_style: bool = False
    cite_macros: dict = field(default_factory=dict)  # macro -> (file, body start, body end)
    used_macros: set = field(default_factory=set)
    files: list = field(default_factory=list)


@dataclass
class _Para:
    """A paragraph being collected: its extent and what inside it is not its prose."""

    part: str = "body"
    note: int | None = None
    quote: bool = False
    heading: bool = False
    start: int | None = None
    end: int | None = None
    text: bool = False
    exclude: list = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# one file


class _File:
    def __init__(self, doc: _Doc, path: str, text: str, depth: int, subfile: bool, in_preamble: bool):
        self.doc = doc
        self.path = path
        self.text = text
        self.n = len(text)
        self.depth = depth
        self.subfile = subfile
        self.skips: list = []
        self.unskips: list = []
        self.cites: list = []
        self.noterefs: list = []
        self.blocks: list = []
        self.warnings: list = []
        self.dead: dict[int, int] = {}
        self.comments: list = []
        self.in_preamble = in_preamble
        self.encoding = "utf-8"
        self.if_depth = 0
        self._dead_sorted = None
        self._dead_starts: list = []
        self._braces: dict | None = None
        self._envs: dict = {}
        self.nest = 0

    # ---- pass 1: what LaTeX never sees
    def _opaque(self, i, name, j):
        """The end of a construct whose text LaTeX does not read as markup — \\verb|..|,
        \\lstinline, \\url{..} (a % in it is no comment), a verbatim-like environment —
        starting with the command `name` at i (its name ends at j); None for any other."""
        t = self.text
        n = self.n
        if name in ("verb", "lstinline", "Verb", "spverb"):
            k = j
            if k < n and t[k] == "*":
                k += 1
            if name in ("lstinline", "Verb") and k < n and t[k] == "[":
                e = t.find("]", k)
                k = e + 1 if e >= 0 else k
            if k >= n:
                return None
            e = t.find("}" if (t[k] == "{" and name == "lstinline") else t[k], k + 1)
            if e < 0 or "\n" in t[k:e]:
                return None
            return e + 1
        if name in ("url", "nolinkurl", "path", "href") and j < n and t[j] == "{":
            depth = 0
            for e in range(j, n):
                if t[e] == "{":
                    depth += 1
                elif t[e] == "}":
                    depth -= 1
                    if depth == 0:
                        return e + 1
                elif t[e] == "\n" and t.startswith("\n\n", e):
                    return None
            return None
        if name == "begin":
            m = _BEGIN.match(t, i)
            if m and m.group(1).strip() in self.doc.verbatim_envs:
                env = m.group(1).strip()
                e = re.compile(r"\\end\s*\{%s\}" % re.escape(env)).search(t, m.end())
                return e.end() if e else n
        return None

    def find_dead(self):
        """Pass 1: comments, verbatim, \\iffalse: what LaTeX never reads as the document."""
        t = self.text
        n = self.n
        i = 0
        while i < n:
            c = t[i]
            if c == "%":
                j = t.find("\n", i)
                j = n if j < 0 else j
                self.dead[i] = j
                self.comments.append((i, j))
                i = j
                continue
            if c != "\\":
                i += 1
                continue
            name, j = _name_at(t, i)
            end = self._opaque(i, name, j)
            if end is not None:
                self.dead[i] = end
                i = end
                continue
            if name in ("iffalse", "iftrue"):
                end, else_at, fi = self._if_extent(j)
                if name == "iffalse":
                    self.dead[i] = else_at if else_at is not None else end
                    if else_at is None:
                        i = end
                        continue
                    # the \else branch is live; its \fi is not
                    if fi is not None:
                        self.dead[fi] = end
                    i = else_at
                    continue
                if else_at is not None:
                    self.dead[else_at - len("\\else")] = end
            i = j

    def _if_extent(self, j):
        """From just after \\iffalse or \\iftrue: (the end of its \\fi, the position after its
        \\else or None, the start of its \\fi or None), conditionals nested in it counted."""
        t = self.text
        n = self.n
        depth = 0
        else_at = None
        i = j
        while i < n:
            c = t[i]
            if c == "%":
                e = t.find("\n", i)
                i = n if e < 0 else e
                continue
            if c != "\\":
                i += 1
                continue
            name, k = _name_at(t, i)
            end = self._opaque(i, name, k)
            if end is not None:
                i = end
                continue
            if name == "fi":
                if depth == 0:
                    return k, else_at, i
                depth -= 1
            elif name == "else" and depth == 0 and else_at is None:
                else_at = k
            elif name.startswith("if") and name not in _IF_MACROS:
                depth += 1
            i = k
        return n, else_at, None

    # ---- groups
    def _brace_pairs(self):
        """Matching braces of the live text, found in one pass."""
        if self._braces is None:
            t = self.text
            n = self.n
            pairs: dict[int, int] = {}
            stack: list[int] = []
            j = 0
            while j < n:
                if j in self.dead:
                    j = self.dead[j]
                    continue
                c = t[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "{":
                    stack.append(j)
                elif c == "}" and stack:
                    pairs[stack.pop()] = j + 1
                j += 1
            self._braces = pairs
        return self._braces

    def group_end(self, i, open_="{", close="}"):
        """Index after the group opening at text[i] (braces balanced, comments and escapes
        skipped; for '[' the ']' at brace depth 0, looked for within _MAX_OPTION characters)."""
        if open_ == "{":
            return self._brace_pairs().get(i)
        t = self.text
        depth = 0
        j = i
        stop = min(self.n, i + _MAX_OPTION)
        while j < stop:
            if j in self.dead:
                j = self.dead[j]
                continue
            c = t[j]
            if c == "\\":
                j += 2
                continue
            if c == "{":
                e = self._brace_pairs().get(j)
                if e is None:
                    return None
                j = e
                continue
            if c == "}":
                return None
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return None

    def skip_space(self, i, newline_ok=True):
        """Past spaces (one line end, comments) before an argument."""
        t = self.text
        n = self.n
        nl = 0
        while i < n:
            if i in self.dead and t[i] == "%":
                i = self.dead[i]
                continue
            c = t[i]
            if c in " \t\r":
                i += 1
            elif c == "\n" and newline_ok:
                nl += 1
                if nl > 1:
                    return i
                i += 1
            else:
                break
        return i

    def arg(self, i, kind="{"):
        """An argument at i (after spaces): (start, end) of the whole group, or None."""
        j = self.skip_space(i)
        if j < self.n and self.text[j] == kind:
            e = self.group_end(j, kind, "}" if kind == "{" else "]")
            if e:
                return j, e
        if kind == "{" and j < self.n and self.text[j] == "\\":
            # an unbraced single-token argument: \input\foo
            return j, _name_at(self.text, j)[1]
        return None

    def skip(self, a, b):
        if b > a:
            self.skips.append((a, b))

    # ---- pass 2: structure
    def run(self):
        self.find_dead()
        t = self.text
        start = 0
        end = self.n
        m = re.compile(r"\\begin\s*\{document\}").search(t)
        while m and self._is_dead(m.start()):
            m = re.compile(r"\\begin\s*\{document\}").search(t, m.end())
        if m:
            body_start = m.end()
            me = re.compile(r"\\end\s*\{document\}").search(t, body_start)
            while me and self._is_dead(me.start()):
                me = re.compile(r"\\end\s*\{document\}").search(t, me.end())
            body_end = me.start() if me else self.n
            if self.subfile:
                # a \subfile: its own preamble and what follows \end{document} are not read
                self.skip(0, body_start)
                self.skip(body_end, self.n)
                start, end = body_start, body_end
            else:
                # preamble: read for definitions, bibliography and title; not prose
                self.skip(0, body_start)
                self.in_preamble = True
                self.scan(0, m.start(), _Para())
                self.in_preamble = False
                self.skip(body_end, self.n)
                start, end = body_start, body_end
        if self.in_preamble:
            self.skip(start, end)
        last = _Para()
        self.scan(start, end, last)
        self.flush(last)
        for a, b in self.comments:
            self.skip(a, b)

    def _is_dead(self, pos):
        if self._dead_sorted is None:
            self._dead_sorted = sorted(self.dead.items())
            self._dead_starts = [a for a, _b in self._dead_sorted]
        k = bisect.bisect_right(self._dead_starts, pos) - 1
        return k >= 0 and self._dead_sorted[k][0] <= pos < self._dead_sorted[k][1]

    # the paragraph being collected
    def flush(self, para: _Para):
        if para.start is not None and para.text:
            key = (para.part, para.note)
            self.doc.paragraph[key] = self.doc.paragraph.get(key, 0) + 1
            self.blocks.append(Block(para.start, para.end, part=para.part if para.part != "heading" else "body",
                                     paragraph=self.doc.paragraph[key], note=para.note, quote=para.quote,
                                     heading=para.heading, exclude=tuple(sorted(para.exclude))))
        para.start = para.end = None
        para.text = False
        para.exclude = []

    def extend(self, para: _Para, a, b, text=True):
        if self.in_preamble:
            return
        if para.start is None:
            para.start = a
        para.end = max(para.end or b, b)
        para.text = para.text or text

    def scan(self, a, b, para: _Para):
        """Read text[a:b] into `para` (and the blocks it closes)."""
        t = self.text
        i = a
        while i < b:
            if i in self.dead:
                j = self.dead[i]
                if t[i] != "%":
                    self.skip(i, j)
                i = j
                continue
            c = t[i]
            if c == "\\":
                i = self.command(i, b, para)
                continue
            if c == "$":
                i = self.dollar(i, b, para)
                continue
            if c == "\n":
                # a blank line ends the paragraph
                k = i + 1
                while k < b and t[k] in " \t\r":
                    k += 1
                if k < b and t[k] == "\n":
                    self.flush(para)
                    i = k
                    continue
                i += 1
                continue
            if c in "{}":
                self.skip(i, i + 1)
                i += 1
                continue
            if c in "&" and para.part == "table":
                self.skip(i, i + 1)
                i += 1
                continue
            if not c.isspace():
                self.extend(para, i, i + 1, text=c.isalnum() or c in "\"'“”‘’«»()[].,;:!?-–—")
            i += 1
        return i

    def nested_scan(self, a, b, para):
        """Read a note's, heading's or caption's text; past _MAX_NESTING levels it is skipped."""
        if self.nest >= _MAX_NESTING:
            self.skip(a, b)
            return b
        self.nest += 1
        try:
            return self.scan(a, b, para)
        finally:
            self.nest -= 1

    def dollar(self, i, b, para):
        t = self.text
        if t.startswith("$$", i):
            e = t.find("$$", i + 2)
            end = e + 2 if e >= 0 else b
        else:
            j = i + 1
            while j < b:
                if t[j] == "\\":
                    j += 2
                    continue
                if t[j] == "$":
                    break
                if t[j] == "\n" and t[j + 1:j + 2] == "\n":
                    j = -1
                    break
                j += 1
            end = j + 1 if 0 <= j < b else i + 1
        self.skip(i, end)
        self.scan_commands_only(i + 1, end - 1, para)
        self.extend(para, i, end, text=False)
        return end

    def scan_commands_only(self, a, b, para):
        """Inside math: only citations and notes matter."""
        t = self.text
        for m in re.compile(r"\\([A-Za-z]+)").finditer(t, a, b):
            if self._cite_name(m.group(1)) and not self._is_dead(m.start()):
                self.command(m.start(), b, para)

    def _cite_name(self, name):
        return name in CITE_MODES or name in self.doc.wrappers or name in self.doc.cite_defs

    # ---- commands
    def command(self, i, b, para: _Para):
        t = self.text
        name, j = _name_at(t, i)
        if not name:
            return i + 1
        if len(name) == 1 and not name.isalpha():
            # control symbol: \%, \&, \\, \[, \( ...
            if name == "[":
                e = t.find("\\]", j)
                end = e + 2 if e >= 0 else b
                self.skip(i, end)
                self.scan_commands_only(j, end - 2, para)
                self.extend(para, i, end, text=False)
                return end
            if name == "(":
                e = t.find("\\)", j)
                end = e + 2 if e >= 0 else b
                self.skip(i, end)
                self.extend(para, i, end, text=False)
                return end
            if name in "%&$#_{}":
                self.extend(para, i, j)
                self.skip(i, i + 1)
                return j
            if name == "\\":
                self.skip(i, j)
                k = self.skip_space(j, False)
                if k < self.n and t[k] == "*":
                    k += 1
                if k < self.n and t[k] == "[":
                    e = self.group_end(k, "[", "]")
                    if e:
                        self.skip(k, e)
                        k = e
                if para.part == "table":
                    self.flush(para)
                return max(j, k)
            self.skip(i, j)
            return j
        star = j < self.n and t[j] == "*"
        if name.startswith("if") and name not in _IF_MACROS:
            self.if_depth += 1
        elif name == "fi":
            self.if_depth = max(0, self.if_depth - 1)
        if name in ("begin", "end"):
            return self.environment(i, j, name, b, para)
        if name in _DEFINERS:
            return self.definition(i, j, name, b)
        if self._cite_name(name):
            return self.cite(i, j, name, b, para)
        if name == "thanks" and self.doc.no_thanks:
            a = self.arg(j)
            if a:
                self.skip(i, a[1])
                return a[1]
        if name in _NOTE_COMMANDS or name in ("footnotetext", "footnotemark"):
            return self.note(i, j, name, b, para)
        if name in _MARGIN_COMMANDS:
            return self.margin(i, j, b, para)
        if name in self.doc.cite_macros and not self.in_preamble:
            self.doc.used_macros.add(name)
        if name in ("input", "include", "subfile", "import", "subimport", "inputfrom", "includefrom",
                    "subinputfrom", "subincludefrom", "InputIfFileExists", "includechapter"):
            return self.include(i, j, name, b, para)
        if name in ("bibliography", "addbibresource", "addglobalbib", "addsectionbib", "nobibliography"):
            return self.bib(i, j, name, b)
        if name == "includeonly":
            a = self.arg(j)
            if a:
                if self.if_depth == 0 and self.depth == 0:
                    self.doc.include_only = {x.strip() for x in t[a[0] + 1:a[1] - 1].split(",") if x.strip()}
                self.skip(i, a[1])
                return a[1]
        if name in ("onlyinsubfile",) and self.depth > 0:
            a = self.arg(j)
            if a:
                self.skip(i, a[1])
                return a[1]
        if name in _SECTIONS:
            return self.heading(i, j, b, para)
        if name in ("title", "subtitle"):
            return self.title(i, j, b, para)
        if name == "caption":
            return self.caption(i, j, b, para)
        if name == "item":
            self.flush(para)
            k = j
            ks = self.skip_space(k, False)
            if ks < self.n and t[ks] == "[":
                e = self.group_end(ks, "[", "]")
                if e:
                    self.skip(i, ks + 1)
                    self.skip(e - 1, e)
                    self.scan(ks + 1, e - 1, para)
                    return e
            self.skip(i, j)
            return j
        if name == "par":
            self.skip(i, j)
            self.flush(para)
            return j
        if name in ("newline", "linebreak", "newpage", "clearpage", "cleardoublepage", "pagebreak", "noindent",
                    "centering", "raggedright", "RaggedRight", "maketitle", "tableofcontents", "listoffigures",
                    "listoftables", "appendix", "frontmatter", "mainmatter", "backmatter", "printbibliography",
                    "bigskip", "medskip", "smallskip", "hline", "toprule", "midrule", "bottomrule", "FloatBarrier"):
            self.skip(i, j)
            if name in ("newpage", "clearpage", "cleardoublepage", "maketitle", "tableofcontents",
                        "printbibliography", "appendix", "frontmatter", "mainmatter", "backmatter",
                        "bigskip", "medskip", "smallskip"):
                self.flush(para)
            k = self.skip_space(j, False)
            if name == "printbibliography" and k < self.n and t[k] == "[":
                e = self.group_end(k, "[", "]")
                if e:
                    self.skip(k, e)
                    return e
            return j
        if name in _NONTEXT_ARGS:
            count = _NONTEXT_ARGS[name]
            k = j
            if k < self.n and t[k] == "*":
                k += 1
            taken = 0
            while True:
                ks = self.skip_space(k, False)
                if ks < self.n and t[ks] == "[" and (taken < count or (count == 0 and k == j)):
                    e = self.group_end(ks, "[", "]")
                    if not e:
                        break
                    k = e
                    continue
                if taken < count and ks < self.n and t[ks] == "{":
                    e = self.group_end(ks)
                    if not e:
                        break
                    k = e
                    taken += 1
                    continue
                break
            self.skip(i, k)
            if name in ("href", "textcolor", "colorbox", "foreignlanguage"):
                self.extend(para, i, k, text=False)
            elif name in ("ref", "eqref", "autoref", "cref", "Cref", "pageref", "url", "nolinkurl", "code",
                          "file", "email", "doi", "path", "bibitem"):
                self.extend(para, i, k, text=True)
            return k
        # any other command: its name is markup; a brace argument right after it is
        # typeset text (\emph{...}) and is read as such
        k = j
        if star:
            k += 1
        self.skip(i, k)
        ks = k
        if ks < self.n and t[ks] == "[" and name not in ("item",):
            e = self.group_end(ks, "[", "]")
            if e and e - ks < 200 and "\n\n" not in t[ks:e]:
                self.skip(ks, e)
                k = e
        return k

    def environment(self, i, j, name, b, para):
        t = self.text
        m = re.compile(r"\s*\{([^{}]*)\}").match(t, j)
        if not m:
            self.skip(i, j)
            return j
        env = m.group(1).strip()
        k = m.end()
        self.skip(i, k)
        if name == "end":
            if env in _BLOCK_ENVS or env in _MATH_ENVS:
                self.flush(para)
            return k
        if env in ("document",):
            return k
        if "begin:" + env in self.doc.cite_macros and not self.in_preamble:
            self.doc.used_macros.add("begin:" + env)
        if env == "thebibliography":
            e = re.compile(r"\\end\s*\{thebibliography\}").search(t, k)
            end = e.end() if e else b
            self.flush(para)
            items = len(re.findall(r"\\bibitem\b", t[k:end]))
            self.doc.bibitems += items
            self.warnings.append(f"{self.path}: an embedded thebibliography with {items} \\bibitem entries; "
                                 "its entries are not read as a bibliography")
            self.skip(i, end)
            return end
        if env in _MATH_ENVS:
            e = self._env_end(env, i)
            end = e[1] if e else b
            self.skip(i, end)
            self.scan_commands_only(k, e[0] if e else b, para)
            self.extend(para, i, end, text=False)
            return end
        # arguments of the environment: options, widths and column specs are not prose
        braces = _ENV_ARGS.get(env, 0)
        while True:
            ks = self.skip_space(k, False)
            if ks < self.n and t[ks] == "[":
                e = self.group_end(ks, "[", "]")
                if e:
                    self.skip(ks, e)
                    k = e
                    continue
            if braces and ks < self.n and t[ks] == "{":
                e = self.group_end(ks)
                if e:
                    self.skip(ks, e)
                    k = e
                    braces -= 1
                    continue
            break
        if env in _BLOCK_ENVS or env in _QUOTE_ENVS:
            self.flush(para)
        if (env in _QUOTE_ENVS or env in _TABLE_ENVS) and self.nest < _MAX_NESTING:
            e = self._env_end(env, i)
            if e and e[0] > b:
                e = None
            inner_end = e[0] if e else b
            sub = _Para(part="table" if env in _TABLE_ENVS else para.part, note=para.note,
                        quote=env in _QUOTE_ENVS or para.quote)
            self.nest += 1
            self.scan(k, inner_end, sub)
            self.nest -= 1
            self.flush(sub)
            if e:
                self.skip(e[0], e[1])
                return e[1]
            return inner_end
        return k

    def _env_end(self, env, i):
        """(start, end) of the \\end{env} matching the \\begin{env} at i, or None."""
        pairs = self._envs.get(env)
        if pairs is None:
            pairs = {}
            stack: list[int] = []
            for m in re.compile(r"\\(begin|end)\s*\{%s\}" % re.escape(env)).finditer(self.text):
                if self._is_dead(m.start()):
                    continue
                if m.group(1) == "begin":
                    stack.append(m.start())
                elif stack:
                    pairs[stack.pop()] = (m.start(), m.end())
            self._envs[env] = pairs
        return pairs.get(i)

    def definition(self, i, j, name, b):
        """A definition is not text: skip it whole, learning cite wrappers and verbatim
        environments on the way."""
        t = self.text
        k = j
        if k < self.n and t[k] == "*":
            k += 1
        if name in ("def", "gdef", "edef", "xdef"):
            m = re.compile(r"\s*\\([A-Za-z@]+)([^{]*)").match(t, k)
            if not m:
                return k
            mname = m.group(1)
            params = m.group(2)
            ks = m.end()
            e = self.group_end(ks) if ks < self.n and t[ks] == "{" else None
            end = e or ks
            if e:
                nargs = len(re.findall(r"#\d", params))
                self._learn(mname, [False] * nargs, t[ks + 1:e - 1])
            self.skip(i, end)
            return end
        if name == "let":
            m = re.compile(r"\s*\\[A-Za-z@]+\s*=?\s*(\\[A-Za-z@]+|.)").match(t, k)
            end = m.end() if m else k
            self.skip(i, end)
            return end
        if name in ("newif", "newlength", "newsavebox", "newtoggle"):
            m = re.compile(r"\s*(\{[^{}]*\}|\\[A-Za-z@]+)").match(t, k)
            end = m.end() if m else k
            self.skip(i, end)
            return end
        # the name: {\foo} or \foo or {env}
        ks = self.skip_space(k)
        args: list[tuple[str, int, int]] = []
        if ks < self.n and t[ks] == "{":
            e = self.group_end(ks)
            if not e:
                return k
            args.append(("{", ks, e))
            pos = e
        elif ks < self.n and t[ks] == "\\":
            _nm, e = _name_at(t, ks)
            args.append(("{", ks, e))
            pos = e
        else:
            self.skip(i, ks)
            return ks
        # how many more groups this definer takes
        wants = {"newcommand": 1, "renewcommand": 1, "providecommand": 1, "DeclareRobustCommand": 1,
                 "NewDocumentCommand": 2, "RenewDocumentCommand": 2, "ProvideDocumentCommand": 2,
                 "DeclareDocumentCommand": 2, "newenvironment": 2, "renewenvironment": 2,
                 "NewDocumentEnvironment": 3, "RenewDocumentEnvironment": 3, "DeclareCiteCommand": 4,
                 "DeclareMultiCiteCommand": 2, "newbibmacro": 1, "renewbibmacro": 1, "DeclareFieldFormat": 1,
                 "DeclareBibliographyDriver": 1, "DeclareNameFormat": 1, "DeclareListFormat": 1,
                 "DeclareMathOperator": 1, "newtheorem": 1, "DeclareOption": 1, "AddToHook": 1,
                 "DefineBibliographyStrings": 1, "DefineBibliographyExtras": 1, "DeclareLanguageMapping": 1,
                 "DeclarePairedDelimiter": 2, "lstdefinestyle": 1, "newminted": 1,
                 "DefineVerbatimEnvironment": 2, "lstnewenvironment": 2, "RecustomVerbatimEnvironment": 2,
                 "deffootnote": 3, "setkomafont": 1, "addtokomafont": 1, "newglossaryentry": 1,
                 "newacronym": 2}.get(name, 0)
        opts: list[tuple[int, int]] = []
        while wants > 0:
            p = self.skip_space(pos)
            if p < self.n and t[p] == "[":
                e = self.group_end(p, "[", "]")
                if not e:
                    break
                opts.append((p, e))
                pos = e
                continue
            if p < self.n and t[p] == "{":
                e = self.group_end(p)
                if not e:
                    break
                args.append(("{", p, e))
                pos = e
                wants -= 1
                continue
            break
        self.skip(i, pos)
        first = t[args[0][1]:args[0][2]].strip("{} \t\n")
        if name in ("DefineVerbatimEnvironment", "lstnewenvironment", "RecustomVerbatimEnvironment", "newminted"):
            self.doc.verbatim_envs.add(first if name != "newminted" else first + "code")
        elif name in ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand") and len(args) >= 2:
            nargs = 0
            optional_first = False
            if opts:
                m = re.fullmatch(r"\[\s*(\d)\s*\]", t[opts[0][0]:opts[0][1]])
                nargs = int(m.group(1)) if m else 0
                optional_first = len(opts) > 1
            spec = [False] * nargs
            if optional_first and spec:
                spec[0] = True
            self._learn(first.lstrip("\\"), spec, t[args[1][1] + 1:args[1][2] - 1])
            self._cite_macro(first.lstrip("\\"), args[1][1] + 1, args[1][2] - 1)
        elif name in ("NewDocumentCommand", "RenewDocumentCommand", "ProvideDocumentCommand",
                      "DeclareDocumentCommand") and len(args) >= 3:
            spec_text = t[args[1][1] + 1:args[1][2] - 1]
            spec = []
            for m in re.finditer(r"([smoOdDrRgGvbteE])(\{[^{}]*\}|)", spec_text):
                letter = m.group(1)
                spec.append("s" if letter in "st" else letter in "oOdDgG")
            self._learn(first.lstrip("\\"), spec, t[args[2][1] + 1:args[2][2] - 1])
            self._cite_macro(first.lstrip("\\"), args[2][1] + 1, args[2][2] - 1)
        elif name in ("newenvironment", "renewenvironment") and len(args) >= 2:
            self._cite_macro("begin:" + first, args[1][1] + 1, args[1][2] - 1)
        elif name == "DeclareCiteCommand":
            cname = first.lstrip("\\")
            wrapper = t[opts[0][0]:opts[0][1]] if opts else ""
            if "footnote" in wrapper:
                mode = "parenthetical+note"
            elif "parens" in wrapper or "brackets" in wrapper:
                mode = "parenthetical"
            else:
                mode = CITE_MODES.get(cname, "parenthetical")
            if cname not in CITE_MODES:
                self.doc.cite_defs[cname] = mode
        return pos

    def _cite_macro(self, mname, a, b):
        """A definition whose body cites keys of its own (not #1): those citations are made
        where the macro is used, so they count if it is used in the document."""
        if self.depth >= 99 or mname in self.doc.wrappers:
            return
        body = self.text[a:b]
        for m in re.finditer(r"\\([A-Za-z]+)\*?", body):
            if self._cite_name(m.group(1)):
                rest = body[m.end():m.end() + 400]
                close = rest.find("}")
                if close >= 0 and "#" not in rest[:close]:
                    self.doc.cite_macros[mname] = (self, a, b)
                    return

    def macro_cites(self, a, b):
        """The citations in a used macro's body, as written in its definition."""
        was = self.in_preamble
        self.in_preamble = True  # they make no paragraph of their own
        self.scan_commands_only(a, b, _Para())
        self.in_preamble = was

    def _learn(self, mname, spec, body):
        """A macro whose body calls a cite command (or another such macro) with its keys
        from an argument. Where the body has several calls (\\ifthenelse branches), the one
        that passes on the most arguments is taken."""
        if mname in CITE_MODES:
            return
        best = None
        for m in re.finditer(r"\\([A-Za-z]+)(\*?)", body):
            inner = m.group(1)
            if not (inner in CITE_MODES or inner in self.doc.cite_defs or inner in self.doc.wrappers):
                continue
            args = self._body_args(body, m.end(), inner)
            if not any(a[0] == "{" and re.search(r"#\d", a[1]) for a in args):
                continue
            used = len(set(re.findall(r"#(\d)", "".join(a[1] for a in args))))
            if best is None or used >= best[0]:
                best = (used, inner + m.group(2), args)
        if best:
            self.doc.wrappers[mname] = _Wrapper(mname, spec, best[1], best[2])

    @staticmethod
    def _body_args(body, k, inner):
        args = []
        while k < len(body):
            while k < len(body) and body[k] in " \t\n":
                k += 1
            if k < len(body) and body[k] in "[{":
                close = "]" if body[k] == "[" else "}"
                depth = 0
                e = k
                while e < len(body):
                    if body[e] == body[k]:
                        depth += 1
                    elif body[e] == close:
                        depth -= 1
                        if depth == 0:
                            break
                    e += 1
                args.append((body[k], body[k + 1:e]))
                k = e + 1
                if args[-1][0] == "{" and inner not in _MULTI and inner not in _KEY_THEN_ARG and inner not in _VOL:
                    break
                continue
            break
        return args

    # ---- citations
    def cite(self, i, j, name, b, para):
        t = self.text
        k = j
        star = False
        if k < self.n and t[k] == "*":
            star = True
            k += 1
        if name in self.doc.wrappers:
            return self.wrapper_cite(i, k, self.doc.wrappers[name], para, star)
        mode = CITE_MODES.get(name) or self.doc.cite_defs.get(name, "parenthetical")
        groups = []  # (pre, post, keys text, keys range)
        multi_pre = multi_post = None
        if name in _MULTI:
            # (multiprenote)(multipostnote)
            parens = []
            while True:
                ks = self.skip_space(k)
                if ks < self.n and t[ks] == "(" and len(parens) < 2:
                    e = self.group_end(ks, "(", ")")
                    if not e:
                        break
                    parens.append(t[ks + 1:e - 1])
                    k = e
                    continue
                break
            if len(parens) == 1:
                multi_post = parens[0]
            elif len(parens) == 2:
                multi_pre, multi_post = parens
            while True:
                g = self._cite_group(k)
                if not g:
                    break
                groups.append(g[0])
                k = g[1]
        elif name in _VOL:
            opts = []
            ks = self.skip_space(k)
            if ks < self.n and t[ks] == "[":
                e = self.group_end(ks, "[", "]")
                if e:
                    opts.append(t[ks + 1:e - 1])
                    k = e
            vol = self.arg(k)
            if not vol:
                return j
            k = vol[1]
            page = None
            ks = self.skip_space(k)
            if ks < self.n and t[ks] == "[":
                e = self.group_end(ks, "[", "]")
                if e:
                    page = t[ks + 1:e - 1]
                    k = e
            keys = self.arg(k)
            if not keys:
                return j
            k = keys[1]
            post = "vol. " + t[vol[0] + 1:vol[1] - 1].strip() + (", " + page if page else "")
            groups.append((opts[0] if opts else None, post, t[keys[0] + 1:keys[1] - 1], keys))
        elif name in _KEY_THEN_ARG:
            opts, k, _closed = self._cite_options(k)
            keys = self.arg(k)
            if not keys:
                return j
            k = keys[1]
            field_arg = self.arg(k)
            if field_arg:
                k = field_arg[1]
            groups.append((*_pre_post(opts), t[keys[0] + 1:keys[1] - 1], keys))
        else:
            g = self._cite_group(k)
            if not g:
                self.skip(i, k)
                return k
            groups.append(g[0])
            k = g[1]
        self.emit(i, k, name, mode, star, groups, multi_pre, multi_post, para, name_end=j + (1 if star else 0))
        return k

    def _cite_options(self, k):
        """A cite command's [pre][post] options at k (two at most): (their texts, where they
        end, whether each was closed)."""
        t = self.text
        opts: list[str] = []
        while len(opts) < 2:
            ks = self.skip_space(k)
            if ks >= self.n or t[ks] != "[":
                break
            e = self.group_end(ks, "[", "]")
            if not e:
                return opts, k, False
            opts.append(t[ks + 1:e - 1])
            k = e
        return opts, k, True

    def _cite_group(self, k):
        """[pre][post]{keys} at k: ((pre, post, keys text, keys range), end) or None."""
        t = self.text
        opts, pos, closed = self._cite_options(k)
        if not closed:
            return None
        ks = self.skip_space(pos)
        if ks >= self.n or t[ks] != "{":
            return None
        e = self.group_end(ks)
        if not e:
            return None
        return (*_pre_post(opts), t[ks + 1:e - 1], (ks, e)), e

    def wrapper_cite(self, i, k, w: _Wrapper, para, star):
        """A call of a wrapper macro: its arguments put into the cite command it calls."""
        t = self.text
        values: list[str | None] = []
        pos = k
        for spec in w.optional:
            ks = self.skip_space(pos)
            if spec == "s":
                if ks < self.n and t[ks] == "*":
                    pos = ks + 1
                values.append(None)
                continue
            if spec:
                if ks < self.n and t[ks] == "[":
                    e = self.group_end(ks, "[", "]")
                    if not e:
                        return k
                    values.append(t[ks + 1:e - 1])
                    pos = e
                else:
                    values.append("")
                continue
            a = self.arg(pos)
            if not a:
                return k
            values.append(t[a[0] + 1:a[1] - 1] if t[a[0]] == "{" else t[a[0]:a[1]])
            pos = a[1]
        inner, args = _expand(self.doc, w, values)
        if inner is None:
            return k
        opts = [x[1] for x in args if x[0] == "["]
        brace = [x[1] for x in args if x[0] == "{"]
        if not brace:
            return k
        name = inner.rstrip("*")
        pre, post = _pre_post(opts)
        mode = CITE_MODES.get(name) or self.doc.cite_defs.get(name, "parenthetical")
        groups = [(pre or None, post or None, brace[0] if name in _KEY_THEN_ARG else brace[-1], None)]
        self.emit(i, pos, name, mode, star or inner.endswith("*"), groups, None, None, para, name_end=pos)
        return pos

    def emit(self, i, end, name, mode, star, groups, multi_pre, multi_post, para, name_end=None):
        refs = []
        note = mode.endswith("+note")
        mode = mode.replace("+note", "")
        if name in ("autocite", "Autocite", "autocites", "Autocites") and self.doc.note_style:
            note = True
        if name in ("textcite", "Textcite", "textcites", "Textcites") and self.doc.verbose_style:
            note = True  # the verbose styles put the full citation of a \textcite in a footnote
        if name in ("smartcite", "Smartcite", "smartcites", "Smartcites"):
            note = True
        if para.part in ("footnote", "endnote"):
            note = False  # a \footcite in a note is set in parentheses
        suppress_star = star and name in ("parencite", "Parencite", "autocite", "Autocite", "smartcite",
                                          "Smartcite", "footcite", "Footcite", "supercite")
        for gi, (pre, post, keys_text, _rng) in enumerate(groups):
            keys = [x.strip() for x in re.sub(r"(?<!\\)%[^\n]*", "", keys_text).split(",")]
            keys = [x for x in keys if x]
            if not keys:
                continue
            pre_c = _clean_note(pre) if pre else None
            post_c = _clean_note(post) if post else None
            if gi == 0 and multi_pre:
                mp = _clean_note(multi_pre)
                pre_c = " ".join(x for x in (mp, pre_c) if x) or None
            loc, suf = _split_postnote(post_c)
            for ki, key in enumerate(keys):
                refs.append(KeyRef(key=key, prefix=pre_c if ki == 0 else None,
                                   locator=loc if ki == len(keys) - 1 else None,
                                   suffix=suf if ki == len(keys) - 1 else None,
                                   suppress_author=suppress_star or mode == "year"))
        if multi_post and refs:
            mp = _clean_note(multi_post)
            last = refs[-1]
            ml, ms = _split_postnote(mp)
            if last.locator is None and ml:
                refs[-1] = KeyRef(last.key, last.prefix, ml, ms if last.suffix is None else f"{last.suffix} {ms}",
                                  last.suppress_author, last.data)
            else:
                refs[-1] = KeyRef(last.key, last.prefix, last.locator,
                                  " ".join(x for x in (last.suffix, mp) if x) or None, last.suppress_author, last.data)
        # the command name and its keys are not prose; its notes are
        self.skip(i, name_end if name_end is not None else i + 1 + len(name) + (1 if star else 0))
        for _pre, _post, _keys, rng in groups:
            if rng:
                self.skip(rng[0], rng[1])
        if not refs:
            return
        self.cites.append((i, end, tuple(refs), mode))
        if self.in_preamble:
            return
        if note and mode != "nocite":
            num = self.next_note("footnote")
            self.noterefs.append(NoteRef(num, i, end, "footnote"))
            para.exclude.append((i, end))
            self.extend(para, i, end, text=False)
            key = ("footnote", num)
            self.doc.paragraph[key] = self.doc.paragraph.get(key, 0) + 1
            self.blocks.append(Block(i, end, part="footnote", paragraph=self.doc.paragraph[key], note=num))
        else:
            self.extend(para, i, end, text=mode != "nocite")

    # ---- notes
    def skip_options(self, k, star=True, most=None):
        """Past a command's star (where it may have one) and its optional [...] arguments
        (at most `most` of them)."""
        t = self.text
        if star and k < self.n and t[k] == "*":
            k += 1
        taken = 0
        while most is None or taken < most:
            ks = self.skip_space(k, False)
            if ks < self.n and t[ks] == "[":
                e = self.group_end(ks, "[", "]")
                if e:
                    k = e
                    taken += 1
                    continue
            break
        return k

    def next_note(self, part):
        if part == "endnote":
            self.doc.end_counter += 1
            return self.doc.end_counter
        self.doc.foot_counter += 1
        return self.doc.foot_counter

    def note(self, i, j, name, b, para):
        t = self.text
        k = j
        k = self.skip_options(k)
        if name == "footnotemark":
            if self.in_preamble:
                return k
            num = self.next_note("footnote")
            self.doc.pending_marks.append(num)
            self.noterefs.append(NoteRef(num, i, k, "footnote"))
            self.skip(i, k)
            # \footnotemark{} : an empty group often follows
            if t.startswith("{}", k):
                self.skip(k, k + 2)
                return k + 2
            return k
        a = self.arg(k)
        if not a or t[a[0]] != "{":
            self.skip(i, k)
            return k
        part = _NOTE_COMMANDS.get(name, "footnote")
        was = self.in_preamble
        if name == "thanks" and was and self.depth < 99:
            self.in_preamble = False
            self.unskips.append((a[0] + 1, a[1] - 1))
        if self.in_preamble:
            self.skip(i, a[1])
            return a[1]
        if name == "footnotetext":
            num = self.doc.pending_marks.pop(0) if self.doc.pending_marks else self.next_note("footnote")
            if not any(r.number == num for r in self.noterefs):
                pass
        else:
            num = self.next_note(part)
            self.noterefs.append(NoteRef(num, i, a[0], part))
        self.skip(i, a[0] + 1)
        self.skip(a[1] - 1, a[1])
        para.exclude.append((i, a[1]))
        self.extend(para, i, a[1], text=False)
        sub = _Para(part=part, note=num)
        self.nested_scan(a[0] + 1, a[1] - 1, sub)
        self.flush(sub)
        self.in_preamble = was
        return a[1]

    def margin(self, i, j, b, para):
        """\\sidenote[..][..]{text}: a paragraph of its own beside the text, not a note."""
        t = self.text
        k = j
        k = self.skip_options(k)
        a = self.arg(k)
        if not a or t[a[0]] != "{":
            self.skip(i, k)
            return k
        self.skip(i, a[0] + 1)
        self.skip(a[1] - 1, a[1])
        if self.in_preamble:
            self.skip(i, a[1])
            return a[1]
        para.exclude.append((i, a[1]))
        self.extend(para, i, a[1], text=False)
        sub = _Para(part=para.part if para.part in ("footnote", "endnote") else "body", note=para.note)
        self.nested_scan(a[0] + 1, a[1] - 1, sub)
        self.flush(sub)
        return a[1]

    # ---- headings, titles, captions
    def heading(self, i, j, b, para):
        t = self.text
        self.flush(para)
        k = self.skip_options(j, most=1)
        a = self.arg(k)
        self.skip(i, k)
        if not a or t[a[0]] != "{":
            return k
        self.skip(a[0], a[0] + 1)
        self.skip(a[1] - 1, a[1])
        sub = _Para(part=para.part, note=para.note, heading=True)
        self.nested_scan(a[0] + 1, a[1] - 1, sub)
        self.flush(sub)
        return a[1]

    def title(self, i, j, b, para):
        t = self.text
        k = self.skip_options(j, star=False, most=1)
        a = self.arg(k)
        self.skip(i, k)
        if not a or t[a[0]] != "{":
            return k
        inner_a, inner_b = a[0] + 1, a[1] - 1
        if not t[inner_a:inner_b].strip():
            return a[1]
        was = self.in_preamble
        self.in_preamble = False
        self.unskips.append((inner_a, inner_b))
        sub = _Para(heading=True)
        self.nested_scan(inner_a, inner_b, sub)
        self.flush(sub)
        self.in_preamble = was
        return a[1]

    def caption(self, i, j, b, para):
        t = self.text
        k = self.skip_options(j, most=1)
        a = self.arg(k)
        self.skip(i, k)
        if not a or t[a[0]] != "{":
            return k
        self.flush(para)
        self.skip(a[0], a[0] + 1)
        self.skip(a[1] - 1, a[1])
        sub = _Para(part=para.part if para.part != "table" else "body", note=para.note)
        self.nested_scan(a[0] + 1, a[1] - 1, sub)
        self.flush(sub)
        return a[1]

    # ---- files
    def include(self, i, j, name, b, para):
        t = self.text
        k = j
        if self.depth >= 99:  # a class or style file: see _local_styles
            a = self.arg(k)
            return a[1] if a else k
        ks = self.skip_space(k, False)
        if name == "input" and ks < self.n and (t[ks].isalnum() or t[ks] in "./_-") and ks > k:
            # TeX's own \input file
            m = re.compile(r"[^\s{}%]+").match(t, ks)
            t_target = m.group(0)
            return self._follow(i, m.end(), name, t_target, os.path.join(self.doc.main_dir, t_target), para)
        if name in ("import", "subimport", "inputfrom", "includefrom", "subinputfrom", "subincludefrom"):
            d = self.arg(k)
            if not d:
                return k
            f = self.arg(d[1])
            if not f:
                return d[1]
            folder = t[d[0] + 1:d[1] - 1].strip()
            target = t[f[0] + 1:f[1] - 1].strip()
            end = f[1]
            base = os.path.dirname(self.path) if name.startswith("sub") else self.doc.main_dir
            rel = os.path.join(base, folder, target)
        else:
            a = self.arg(k)
            if not a:
                return k
            target = t[a[0] + 1:a[1] - 1].strip() if t[a[0]] == "{" else ""
            end = a[1]
            if name == "InputIfFileExists":
                for _ in range(2):
                    x = self.arg(end)
                    if x:
                        end = x[1]
            if not target or "\\" in target or "#" in target:
                self.skip(i, end)
                return end
            if name == "subfile":
                rel = os.path.join(os.path.dirname(self.path), target)
            else:
                rel = os.path.join(self.doc.main_dir, target)
        return self._follow(i, end, name, target, rel, para)

    def _follow(self, i, end, name, target, rel, para):
        self.skip(i, end)
        if self.in_preamble and name not in ("input", "InputIfFileExists", "import", "subimport"):
            return end
        if name == "include" and self.doc.include_only is not None and target not in self.doc.include_only:
            return end
        self.flush(para)
        path = rel if os.path.isfile(rel) else rel + ".tex"
        if not os.path.isfile(path):
            if name == "InputIfFileExists":
                return end
            self.warnings.append(f"{self.path}: \\{name}{{{target}}}: no such file ({os.path.normpath(path)})")
            return end
        real = os.path.realpath(path)
        if real in self.doc.stack:
            self.warnings.append(f"{self.path}: \\{name}{{{target}}}: a cycle (the file inputs itself); not read again")
            return end
        if real in self.doc.seen:
            self.warnings.append(f"{self.path}: \\{name}{{{target}}}: read once already; its citations and notes "
                                 "are counted once, where it is first read")
            return end
        if self.depth + 1 > MAX_DEPTH:
            self.warnings.append(f"{self.path}: \\{name}{{{target}}}: nested more than {MAX_DEPTH} deep; not read")
            return end
        _read_file(self.doc, path, self.depth + 1, subfile=name == "subfile", in_preamble=self.in_preamble)
        return end

    def bib(self, i, j, name, b):
        t = self.text
        k = j
        ks = self.skip_space(k, False)
        if ks < self.n and t[ks] == "[":
            e = self.group_end(ks, "[", "]")
            if e:
                k = e
        a = self.arg(k)
        if not a or t[a[0]] != "{":
            self.skip(i, k)
            return k
        for x in t[a[0] + 1:a[1] - 1].split(","):
            x = x.strip()
            if not x or "\\" in x:
                continue
            if name in ("bibliography", "nobibliography") and not x.endswith(".bib"):
                x += ".bib"
            if re.match(r"^[a-z]+://", x):
                continue
            p = os.path.normpath(os.path.join(self.doc.main_dir, x)) if not os.path.isabs(x) else x
            if p not in self.doc.bibliography:
                self.doc.bibliography.append(p)
        self.skip(i, a[1])
        return a[1]


def _expand(doc: _Doc, w: _Wrapper, values: list, depth: int = 0):
    """(cite command, its arguments) a wrapper call comes to, following wrappers of wrappers."""
    def fill(s):
        return re.sub(r"#(\d)", lambda m: (values[int(m.group(1)) - 1] or "") if int(m.group(1)) <= len(values) else "", s)
    args = [(kind, fill(text)) for kind, text in w.inner_args]
    inner = w.inner.rstrip("*")
    if inner in doc.wrappers and depth < 8:
        w2 = doc.wrappers[inner]
        vals2: list = []
        queue = list(args)
        for spec in w2.optional:
            if spec == "s":
                vals2.append(None)
            elif spec:
                vals2.append(queue.pop(0)[1] if queue and queue[0][0] == "[" else "")
            else:
                while queue and queue[0][0] == "[":
                    queue.pop(0)
                vals2.append(queue.pop(0)[1] if queue else "")
        return _expand(doc, w2, vals2, depth + 1)
    if inner in doc.wrappers:
        return None, []
    return w.inner, args


# --------------------------------------------------------------------------------------------
# local class, style and biblatex style files: definitions only


def _local_styles(doc: _Doc, main_text: str, main_dir: str) -> None:
    """Learn cite wrappers, verbatim environments and bibliography files from the class,
    packages and biblatex styles that sit beside the document (not from TeX's own tree)."""
    pre = main_text.split("\\begin{document}", 1)[0]
    pre = re.sub(r"(?<!\\)%[^\n]*", "", pre)
    names: list[str] = []
    for m in re.finditer(r"\\documentclass\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}", pre):
        names.append(m.group(1).strip() + ".cls")
    for m in re.finditer(r"\\(?:usepackage|RequirePackage)\s*(\[[^\]]*\])?\s*\{([^}]*)\}", pre):
        for p in m.group(2).split(","):
            names.append(p.strip() + ".sty")
        if "biblatex" in m.group(2):
            opts = m.group(1) or ""
            for om in re.finditer(r"\b(style|citestyle|bibstyle)\s*=\s*([^,\]]+)", opts):
                names.append(om.group(2).strip() + (".cbx" if om.group(1) != "bibstyle" else ".bbx"))
                if om.group(1) in ("style", "citestyle") and _NOTE_STYLES.match(os.path.basename(om.group(2).strip())):
                    doc.note_style = True
                if om.group(1) in ("style", "citestyle") and os.path.basename(om.group(2).strip()).startswith("verbose"):
                    doc.verbose_style = True
            am = re.search(r"\bautocite\s*=\s*(\w+)", opts)
            if am:
                doc.note_style = am.group(1) == "footnote"
    done = set()
    queue = [(n, 0) for n in names]
    while queue:
        name, level = queue.pop(0)
        p = os.path.normpath(os.path.join(main_dir, name))
        if p in done or not os.path.isfile(p) or level > 3:
            continue
        done.add(p)
        try:
            text = decode(read_bytes(p), p).text
        except Exception as exc:  # noqa: BLE001 - a style file that cannot be read teaches nothing
            doc.warnings.append(f"{p}: not read ({exc})")
            continue
        f = _File(doc, p, text, 99, False, True)
        f.in_preamble = True
        f.find_dead()
        f.scan(0, f.n, _Para())
        # styles load more styles; biblatex there sets the style too
        body = re.sub(r"(?<!\\)%[^\n]*", "", text)
        for m in re.finditer(r"\\(?:RequirePackage|usepackage)\s*(\[[^\]]*\])?\s*\{([^}]*)\}", body):
            for q in m.group(2).split(","):
                queue.append((q.strip() + ".sty", level + 1))
            if "biblatex" in m.group(2):
                opts = m.group(1) or ""
                for om in re.finditer(r"\b(style|citestyle|bibstyle)\s*=\s*([^,\]]+)", opts):
                    queue.append((om.group(2).strip() + (".cbx" if om.group(1) != "bibstyle" else ".bbx"), level + 1))
                    if om.group(1) in ("style", "citestyle") and _NOTE_STYLES.match(os.path.basename(om.group(2).strip())):
                        doc.note_style = True
        for m in re.finditer(r"\\input\s*\{([^}]*)\}", body):
            target = m.group(1).strip()
            q = os.path.normpath(os.path.join(main_dir, target))
            if not os.path.isfile(q):
                q += ".tex"
            if os.path.isfile(q):
                try:
                    sub = decode(read_bytes(q), q).text
                except Exception as exc:  # noqa: BLE001 - as above
                    doc.warnings.append(f"{q}: not read ({exc})")
                    continue
                g = _File(doc, q, sub, 99, False, True)
                g.find_dead()
                g.scan(0, g.n, _Para())


# --------------------------------------------------------------------------------------------
# the document


def _read_file(doc: _Doc, path: str, depth: int, subfile: bool = False, in_preamble: bool = False) -> None:
    real = os.path.realpath(path)
    doc.seen.add(real)
    src = decode(read_bytes(path), path)
    f = _File(doc, src.path, src.text, depth, subfile, in_preamble)
    f.encoding = src.encoding
    f.warnings.extend(src.warnings)
    doc.files.append(f)
    doc.stack.append(real)
    try:
        f.run()
    finally:
        doc.stack.pop()


def _source(f: _File, bibliography: tuple = ()) -> Source:
    skip = subtract_spans(merge_spans(f.skips), f.unskips)
    cites = {(a, b): (a, b, refs, mode) for a, b, refs, mode in f.cites}  # a macro's citations once
    marked = tuple(MarkedCitation(a, b, refs, mode) for a, b, refs, mode in sorted(cites.values(), key=lambda c: (c[0], c[1])))
    blocks = tuple(sorted(f.blocks, key=lambda x: (x.start, x.end)))
    return Source(f.path, f.text, f.encoding, tuple(dict.fromkeys(f.warnings)), format="latex", blocks=blocks,
                  notes=tuple(sorted(f.noterefs, key=lambda r: r.start)), marked=marked, skip=tuple(skip),
                  bibliography=bibliography)


def read_latex(path: str | os.PathLike[str]) -> list[Source]:
    """Read a LaTeX manuscript and the files it inputs: one Source per file, the main file
    first (see the module's docstring)."""
    raw = os.fspath(path)
    main_dir = os.path.dirname(raw)
    doc = _Doc(main_dir=main_dir)
    main = decode(read_bytes(raw), raw)
    m = re.search(r"^[^%\n]*\\documentclass\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}", main.text, re.MULTILINE)
    doc.no_thanks = bool(m and os.path.basename(m.group(1).strip()) in _NO_THANKS_CLASSES)
    _local_styles(doc, main.text, main_dir)
    doc.paragraph.clear()
    doc.foot_counter = doc.end_counter = 0
    doc.pending_marks.clear()
    _read_file(doc, raw, 0)
    # citations inside macros the document uses
    for name in sorted(doc.used_macros):
        f, a, b = doc.cite_macros[name]
        if f.depth < 99:
            f.macro_cites(a, b)
    sources = [_source(f) for f in doc.files]
    counters: dict = {}
    renumbered = []
    for src in sources:
        kept = prose_blocks(src.text, src.blocks, src.skip, src.marked)
        blocks = []
        for bl in kept:
            key = (bl.part, bl.note)
            counters[key] = counters.get(key, 0) + 1
            blocks.append(Block(bl.start, bl.end, bl.part, counters[key], bl.note, bl.page, bl.quote, bl.heading,
                                bl.exclude))
        renumbered.append(Source(src.path, src.text, src.encoding, src.warnings, src.format, tuple(blocks), src.notes,
                                 src.marked, src.skip, src.bibliography))
    sources = renumbered
    if sources:
        first = sources[0]
        warnings = list(first.warnings) + doc.warnings
        if doc.bibitems and not doc.bibliography:
            warnings.append(f"{first.path}: the bibliography is embedded (thebibliography, {doc.bibitems} entries); "
                            "no .bib file is named")
        sources[0] = Source(first.path, first.text, first.encoding, tuple(dict.fromkeys(warnings)), first.format,
                            first.blocks, first.notes, first.marked, first.skip, tuple(doc.bibliography))
    return sources
