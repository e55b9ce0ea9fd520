"""Word documents (.docx) as citeaudit reads them: a plain-text rendering with its structure.

The package is opened with `zipfile` and its parts parsed with lxml (no DTDs, no entities,
no network), reading at most `MAX_UNPACKED` bytes in all, so a zip bomb or a damaged,
encrypted or legacy file is one `CiteauditError` naming the file.

The rendering (`Source.text`) is laid out so:

- Body paragraphs and table cells in document order, each one block, separated by one
  blank line ("\\n\\n"). A cell's paragraphs are joined by "\\n". Paragraphs with no text
  are left out and not counted. Leading and trailing white space of a paragraph is dropped;
  a line break inside a paragraph (w:br, w:cr) is "\\n", a tab "\\t".
- Numbered and bulleted paragraphs start with their label as Word computes it from
  numbering.xml ("1. ", "[3] ", "a) ", "• "), so a numbered reference list keeps its numbers.
- A footnote or endnote reference mark is the note's number in superscript digits ("¹²"),
  where Word puts it (glued to the text before it), recorded as a `NoteRef`.
- After the body, a line "Notes", then each footnote as "N. text" (its paragraphs joined by
  "\\n"), notes separated by a blank line. Endnotes follow the footnotes; when a document has
  both, the endnotes come under their own line "Endnotes". Footnotes are numbered 1, 2, …
  and endnotes 1, 2, … separately, each in the order of their reference marks, which is the
  order Word numbers them in (Word shows endnotes as i, ii, … by default: the number here is
  that ordinal). A note's block starts after its "N. ".
- Tracked changes read as accepted: insertions and moved-to text kept, deletions and
  moved-from text dropped, a deleted paragraph mark joins its paragraph to the next.
  Comments, headers, footers, text boxes and drawings are not read; hidden text is left out.
- A field shows its displayed result only. A Zotero (`ADDIN ZOTERO_ITEM CSL_CITATION {…}`)
  or Mendeley (`ADDIN CSL_CITATION {…}`, Mendeley Cite's `MENDELEY_CITATION_v3_…` content
  control) citation becomes a `MarkedCitation` over its displayed result, one `KeyRef` per
  item with the CSL-JSON `itemData` the field embeds. Bibliography fields are read as the
  ordinary paragraphs they display.

Blocks: `part` "body" (paragraph = 1-based among the body's rendered paragraphs),
"table" (paragraph = 1-based among all rendered table cells, row by row), "footnote" /
"endnote" (note = its number, paragraph = 1-based within the note). `heading` by style
(Heading N, Title, an outline level); `quote` by style name (Quote, Intense Quote, Block
Text, Zitat, Citation, Cita, …) or a left indent at least `QUOTE_INDENT` twips beyond the
body's usual one (not list items, not hanging indents). No page numbers: a .docx has none.

Keys of reference-manager items (`key_for`): the item's `citation-key` where it has one;
else its id when the id reads as a key (not a number, a URI or Mendeley's per-citation
"ITEM-n"); else a key made from the item: first author's (or editor's) family name, year,
first significant word of the title, ASCII, lower case — "smith2013comparison". Two
different works that make the same key get "-2", "-3" in order of first citation; the
same work (same URI, else same data) always gets the same key.
"""

from __future__ import annotations

import base64
import io
import json
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..errors import CiteauditError, display
from . import Block, KeyRef, MarkedCitation, NoteRef, Source, read_bytes

#: The most bytes read out of a package's parts, all together (zip bombs stop here).
MAX_UNPACKED = 256 * 1024 * 1024
#: A left indent this many twips (1/1440 inch) beyond the body's usual one is a block quotation.
QUOTE_INDENT = 425

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

# Paragraph style names read as block quotations (compared case-folded, without spaces,
# digits and punctuation), and substrings that make one.
_QUOTE_NAMES = {
    "quote", "intensequote", "blocktext", "quotation", "quotations", "blockquote", "blockquotation",
    "extract", "zitat", "intensiveszitat", "zitat2", "citation", "citationintense", "cita",
    "citadestacada", "citaintensa", "citazione", "citazioneintensa", "citação", "citaçãointensa",
    "citaat", "duidelijkcitaat", "cytat", "cytatintensywny", "citat", "starktcitat", "lainaus",
    "voimakaslainaus", "idézet", "kiemeltidézet", "sitat", "alıntı", "цитата", "выделеннаяцитата",
    "引用", "引用文", "明显引用", "引文", "인용", "강한인용", "ציטוט", "اقتباس", "παράθεση", "citát",
}
_QUOTE_PARTS = ("quote", "quotation", "zitat", "blockquote", "citazione", "citação", "citaat", "cytat")
_HEADING_NAME = re.compile(
    r"^(?:heading|überschrift|titre|título|titolo|kop|rubrik|otsikko|nagłówek|заголовок|"
    r"nadpis|címsor|overskrift|başlık|见出し|标题|제목)\s*\d$",
    re.IGNORECASE,
)
_TITLE_NAMES = {"title", "subtitle", "titel", "untertitel", "titre", "título", "titolo", "sous-titre"}


def read_docx(path: str) -> Source:
    """Read a .docx (also .docm, .dotx): its text rendering, blocks, notes and marked citations."""
    shown = display(path)
    package = Package.open(path)
    doc = WordDocument(package, shown)
    return doc.render().source(shown, "docx", doc.warnings())


# ---------------------------------------------------------------- the package


class Package:
    """A ZIP package read within a budget of unpacked bytes."""

    def __init__(self, data: bytes, shown: str) -> None:
        self.shown = shown
        self.data = data
        self.budget = MAX_UNPACKED
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zip.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise CiteauditError(f"is damaged: not a readable ZIP package ({exc})", shown) from None

    @classmethod
    def open(cls, path: str, kind: str = "Word") -> Package:
        shown = display(path)
        data = read_bytes(path)
        sniff_package(data, shown, kind)
        return cls(data, shown)

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes, counted against the budget while it is inflated."""
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise CiteauditError(f"is damaged: the package has no part {name}", self.shown) from None
        if info.flag_bits & 0x1:
            raise CiteauditError("is password-protected (encrypted): save an unprotected copy", self.shown)
        if info.file_size > self.budget:
            raise CiteauditError(self._too_big(), self.shown)
        out = bytearray()
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > self.budget:
                        raise CiteauditError(self._too_big(), self.shown)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise CiteauditError(f"is damaged: part {name} cannot be unpacked ({exc})", self.shown) from None
        except RuntimeError as exc:  # encrypted member
            raise CiteauditError(f"cannot be read: {exc}", self.shown) from None
        self.budget -= len(out)
        return bytes(out)

    def _too_big(self) -> str:
        return f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB, the most citeaudit reads (a zip bomb?)"

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), self.shown, name)


def parse_xml(data: bytes, shown: str, name: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CiteauditError(f"is damaged: {name} is not well-formed XML ({exc.msg})", shown) from None
    if root is None:
        raise CiteauditError(f"is damaged: {name} is empty", shown)
    return root


def sniff_package(data: bytes, shown: str, kind: str = "Word") -> None:
    """Refuse, with a reason, what is not a ZIP package: an encrypted Office file, a legacy
    binary one, RTF, PDF, plain text."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "EncryptedPackage".encode("utf-16-le") in data[:1 << 20] or b"EncryptionInfo" in data[:1 << 20] \
                or "EncryptionInfo".encode("utf-16-le") in data[:1 << 20]:
            raise CiteauditError("is password-protected (encrypted): save an unprotected copy", shown)
        legacy = ".doc" if kind == "Word" else "legacy binary"
        raise CiteauditError(f"is a {legacy} file (Word 97-2003 or other OLE format), not a package: save it as "
                             + (".docx" if kind == "Word" else ".odt"), shown)
    if data.lstrip()[:5] == b"{\\rtf":
        raise CiteauditError("is an RTF file, not .docx: save it as .docx", shown)
    if data.startswith(b"%PDF"):
        raise CiteauditError(f"is a PDF, not a {kind} document", shown)
    if not data:
        raise CiteauditError("is empty", shown)
    raise CiteauditError(f"is not a {kind} document (not a ZIP package)", shown)


def _rels(package: Package, part: str) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id -> (type, resolved target, target mode)."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if not package.has(name):
        return {}
    out = {}
    for rel in package.xml(name):
        if not isinstance(rel.tag, str) or etree.QName(rel).localname != "Relationship":
            continue
        target = rel.get("Target", "")
        mode = rel.get("TargetMode", "Internal")
        if mode != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), target, mode)
    return out


def _rel_target(rels: dict[str, tuple[str, str, str]], suffix: str) -> str | None:
    for typ, target, mode in rels.values():
        if typ.endswith("/" + suffix) and mode != "External":
            return target
    return None


# ---------------------------------------------------------------- rendering


@dataclass(slots=True)
class Piece:
    """A stretch [start, end) of the rendering that came from a run of a part's XML: `run`
    is the w:r element, `unit` the offset inside it (see `run_units`); `atomic` pieces (a
    note's reference mark, a tab) stand for one unit whatever they render as."""

    start: int
    end: int
    tree: str  # "document" | "footnotes" | "endnotes"
    run: Any
    unit: int
    atomic: bool = False


@dataclass(slots=True)
class _OpenBlock:
    start: int  # where the block's text starts (after the separator and any label)
    save: tuple
    part: str
    note: int | None
    props: dict


@dataclass
class Rendering:
    """A text being rendered, with what is known about its stretches. Shared by the DOCX
    and ODT readers."""

    chunks: list[str] = field(default_factory=list)
    pos: int = 0
    pieces: list[Piece] = field(default_factory=list)
    blocks: list[dict] = field(default_factory=list)
    notes: list[NoteRef] = field(default_factory=list)
    marked: list[MarkedCitation] = field(default_factory=list)
    leading: bool = False
    current: _OpenBlock | None = None
    current_text: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    # -- text

    def emit(self, text: str, tree: str | None = None, run: Any = None, unit: int = 0, atomic: bool = False) -> None:
        if not text:
            return
        if self.leading:
            stripped = text.lstrip()
            if not stripped:
                return
            if not atomic:
                unit += len(text) - len(stripped)
            text = stripped
            self.leading = False
        start = self.pos
        self.chunks.append(text)
        self.pos += len(text)
        if run is not None:
            self.pieces.append(Piece(start, self.pos, tree or "", run, unit, atomic))

    def raw(self, text: str) -> None:
        """Text that is citeaudit's own layout (separators, labels, "Notes")."""
        if text:
            self.chunks.append(text)
            self.pos += len(text)

    def text(self) -> str:
        return "".join(self.chunks)

    def savepoint(self) -> tuple:
        return (len(self.chunks), self.pos, len(self.pieces), len(self.notes), len(self.marked))

    def rollback(self, save: tuple) -> None:
        nchunks, pos, npieces, nnotes, nmarked = save
        del self.chunks[nchunks:]
        self.pos = pos
        del self.pieces[npieces:]
        del self.notes[nnotes:]
        del self.marked[nmarked:]

    def cell_line(self, inline: Callable[[], None], label: str = "") -> None:
        """One paragraph of a table cell: on a line of its own within the cell's block (after a
        line break when the cell has text already), its label, its text by `inline`; nothing
        at all where it has no text."""
        save = self.savepoint()
        if self.pos > self.current.start:
            self.raw("\n")
        self.raw(label)
        mark = self.pos
        self.leading = True
        inline()
        self.trim_tail(mark)
        if self.pos <= mark:
            self.rollback(save)
        self.leading = False

    def trim_tail(self, floor: int = 0) -> None:
        """Drop trailing white space, never below `floor`."""
        while self.chunks and self.pos > floor:
            last = self.chunks[-1]
            kept = last.rstrip()
            if kept == last:
                break
            if self.pos - (len(last) - len(kept)) < floor:
                kept = last[: len(last) - (self.pos - floor)]
            self.pos -= len(last) - len(kept)
            if kept:
                self.chunks[-1] = kept
                break
            self.chunks.pop()
        while self.pieces and self.pieces[-1].end > self.pos:
            p = self.pieces[-1]
            if p.start >= self.pos:
                self.pieces.pop()
                continue
            p.end = self.pos
            break

    # -- blocks

    def begin(self, separator: str, part: str, note: int | None = None, props: dict | None = None,
              label: str = "", prefix: str = "") -> None:
        """Open a block: separator (when text came before), a prefix outside the block (a
        note's "N. "), a label inside it (a list item's "1. "), then its text. The block is
        kept only if its text is not empty."""
        save = self.savepoint()
        if self.pos and separator:
            self.raw(separator)
        self.raw(prefix)
        start = self.pos
        self.raw(label)
        self.current = _OpenBlock(start, save, part, note, props or {})
        self.current_text = self.pos
        self.leading = True

    def end(self) -> dict | None:
        """Close the open block; an empty one is taken back, separator and label with it."""
        blk = self.current
        self.current = None
        self.leading = False
        if blk is None:
            return None
        self.trim_tail(self.current_text)
        if self.pos <= self.current_text:
            self.rollback(blk.save)
            return None
        for i in range(blk.save[4], len(self.marked)):
            if self.marked[i].end > self.pos:
                self.marked[i] = _clamp(self.marked[i], self.pos)
        key = blk.part if blk.note is None else f"{blk.part}:{blk.note}"
        number = self.counts.get(key, 0) + 1
        self.counts[key] = number
        rec = {"start": blk.start, "end": self.pos, "part": blk.part, "paragraph": number, "note": blk.note}
        rec.update(blk.props)
        self.blocks.append(rec)
        return rec

    def mark(self, number: int, part: str, tree: str | None = None, run: Any = None, unit: int = 0) -> None:
        """A note's reference mark, in superscript digits."""
        self.leading = False
        start = self.pos
        self.emit(str(number).translate(SUPERSCRIPT), tree, run, unit, atomic=True)
        self.notes.append(NoteRef(number, start, self.pos, part))

    def source(self, shown: str, fmt: str, warnings: tuple[str, ...] = ()) -> Source:
        text = self.text()
        blocks = tuple(
            Block(b["start"], b["end"], b["part"], b["paragraph"], b["note"], b.get("page"),
                  bool(b.get("quote")), bool(b.get("heading")))
            for b in self.blocks
        )
        marked = []
        for m in self.marked:
            displayed = text[m.start:m.end]
            start = m.start + len(displayed) - len(displayed.lstrip())
            displayed = displayed.strip()
            if displayed:
                marked.append(MarkedCitation(start, start + len(displayed), m.refs, m.mode, displayed))
        marked.sort(key=lambda m: (m.start, m.end))
        return Source(shown, text, "utf-8", warnings, fmt, blocks, tuple(self.notes), tuple(marked))


def _clamp(m: MarkedCitation, end: int) -> MarkedCitation:
    return MarkedCitation(m.start, max(m.start, end), m.refs, m.mode, m.text)


def mark_quotes(blocks: list[dict], min_indent: float) -> None:
    """Set `quote` on body paragraphs indented clearly beyond the body's usual indent
    (the indent that carries most of the body's text)."""
    weights: dict[float, int] = {}
    for b in blocks:
        if b["part"] == "body" and not b.get("heading") and not b.get("listed") and b.get("indent") is not None:
            weights[b["indent"]] = weights.get(b["indent"], 0) + (b["end"] - b["start"])
    if not weights:
        return
    usual = max(weights, key=lambda k: (weights[k], -k))
    for b in blocks:
        if b["part"] != "body" or b.get("heading") or b.get("listed") or b.get("quote"):
            continue
        left = b.get("indent")
        if left is None:
            continue
        first_line = left + b.get("first", 0.0)
        if left - usual >= min_indent and first_line - usual >= min_indent * 0.5:
            b["quote"] = True


def quote_style(name: str) -> bool:
    folded = re.sub(r"[\s\d_\-.,:;()]+", "", name.casefold())
    if not folded:
        return False
    if folded in _QUOTE_NAMES:
        return True
    return any(part in folded for part in _QUOTE_PARTS) and not folded.endswith("char")


def heading_style(name: str) -> bool:
    n = name.strip()
    return bool(_HEADING_NAME.match(n)) or n.casefold() in _TITLE_NAMES


# ---------------------------------------------------------------- reference managers


_LABELS = {
    "page": ("p.", "pp."), "chapter": ("ch.", "chs."), "section": ("sec.", "secs."), "paragraph": ("para.", "paras."),
    "volume": ("vol.", "vols."), "figure": ("fig.", "figs."), "note": ("n.", "nn."), "line": ("l.", "ll."),
    "verse": ("v.", "vv."), "book": ("bk.", "bks."), "column": ("col.", "cols."), "folio": ("fol.", "fols."),
    "number": ("no.", "nos."), "opus": ("op.", "opp."), "part": ("pt.", "pts."), "sub verbo": ("s.v.", "s.vv."),
    "issue": ("iss.", "iss."), "table": ("table", "tables"), "appendix": ("app.", "apps."),
    "canon": ("c.", "cc."), "rule": ("r.", "rr."), "equation": ("eq.", "eqs."), "supplement": ("suppl.", "suppl."),
    "timestamp": ("", ""), "title": ("", ""), "article": ("art.", "arts."), "algorithm": ("alg.", "algs."),
    "chapter-verse": ("", ""), "act": ("act", "acts"), "scene": ("sc.", "scs."), "version": ("v.", "vv."),
    "elocation": ("", ""), "location": ("", ""), "region": ("", ""), "tome": ("t.", "t."), "division": ("div.", "divs."),
}
_PLURAL = re.compile(r"[-–—‑,&]|\band\b")
_STOP = {"a", "an", "the", "on", "of", "in", "and", "for", "to", "de", "la", "le", "les", "der", "die", "das",
         "el", "los", "il", "lo", "un", "une", "ein", "eine", "zur", "zum", "du", "des", "et", "und", "y", "e"}


def format_locator(locator: Any, label: Any) -> str | None:
    """A CSL locator and label as citeaudit writes locators: "p. 5", "pp. 10-20", "ch. 3"."""
    if locator is None or str(locator).strip() == "":
        return None
    loc = " ".join(str(locator).split())
    lab = str(label or "page").strip().lower()
    one, many = _LABELS.get(lab, (lab, lab))
    word = many if _PLURAL.search(loc) else one
    return f"{word} {loc}" if word else loc


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]+", "", folded.encode("ascii", "ignore").decode("ascii").lower())


def _year(data: dict) -> str:
    for fld in ("issued", "original-date", "event-date"):
        issued = data.get(fld)
        if isinstance(issued, dict):
            parts = issued.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                y = str(parts[0][0]).strip()
                if y:
                    return re.sub(r"[^0-9a-z]", "", y.lower())
            for k in ("literal", "raw"):
                m = re.search(r"\d{4}", str(issued.get(k, "")))
                if m:
                    return m.group()
        elif isinstance(issued, str):
            m = re.search(r"\d{4}", issued)
            if m:
                return m.group()
    return "nd"


def _first_name(data: dict) -> str:
    for role in ("author", "editor", "container-author", "translator", "composer", "director", "interviewer"):
        names = data.get(role)
        if isinstance(names, list) and names and isinstance(names[0], dict):
            n = names[0]
            raw = n.get("family") or n.get("literal") or n.get("given") or ""
            text = _ascii(str(raw))
            if text:
                return text
    return _ascii(str(data.get("publisher", "")))[:12] or "anon"


def derived_key(data: dict) -> str:
    title = str(data.get("title") or data.get("container-title") or "")
    words = [w for w in (_ascii(w) for w in re.split(r"[\s\-–—:/]+", title)) if w]
    word = next((w for w in words if w not in _STOP and len(w) > 2), words[0] if words else "")
    return f"{_first_name(data)}{_year(data)}{word}"


_LOCAL_ID = re.compile(r"^(?:ITEM-\d+|\d+|[a-z][a-z0-9+.-]*://.*|urn:.*|doi:.*)$", re.IGNORECASE)


class KeyMaker:
    """Keys for reference-manager items, stable within one document (see the module docstring)."""

    def __init__(self) -> None:
        self.by_identity: dict[str, str] = {}
        self.taken: dict[str, str] = {}  # key -> identity

    def key(self, item: dict, data: dict | None) -> str:
        data = data or {}
        uris = item.get("uris") or item.get("uri") or data.get("URL-zotero") or []
        if isinstance(uris, str):
            uris = [uris]
        if uris:
            identity = "uri:" + str(uris[0])
        elif data:
            identity = "data:" + json.dumps({k: v for k, v in data.items() if k != "id"}, sort_keys=True, ensure_ascii=False)
        else:
            identity = "id:" + str(item.get("id"))
        if identity in self.by_identity:
            return self.by_identity[identity]
        explicit = data.get("citation-key") or data.get("citation_key") or item.get("citation-key")
        raw_id = item.get("id", data.get("id"))
        if explicit:
            base = str(explicit).strip()
        elif isinstance(raw_id, str) and raw_id.strip() and not _LOCAL_ID.match(raw_id.strip()):
            base = raw_id.strip()
        elif data:
            base = derived_key(data)
        else:
            tail = str(uris[0]).rstrip("/").rsplit("/", 1)[-1] if uris else str(raw_id)
            base = "item" + _ascii(tail)
        key = base
        n = 1
        while key in self.taken and self.taken[key] != identity:
            n += 1
            key = f"{base}-{n}"
        self.taken[key] = identity
        self.by_identity[identity] = key
        return key


def csl_citation(payload: dict, keys: KeyMaker) -> tuple[tuple[KeyRef, ...], str]:
    """KeyRefs and a mode from a CSL citation object (Zotero's and Mendeley's field JSON)."""
    items = payload.get("citationItems")
    if not isinstance(items, list):
        return (), "parenthetical"
    refs = []
    author_only = []
    for item in items:
        if not isinstance(item, dict):
            continue
        data = item.get("itemData") if isinstance(item.get("itemData"), dict) else None
        refs.append(KeyRef(
            key=keys.key(item, data),
            prefix=_clean(item.get("prefix")),
            locator=format_locator(item.get("locator"), item.get("label")),
            suffix=_clean(item.get("suffix")),
            suppress_author=bool(item.get("suppress-author")),
            data=data,
        ))
        author_only.append(bool(item.get("author-only")))
    mode = "author" if author_only and all(author_only) else "parenthetical"
    return tuple(refs), mode


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"<[^>]{1,40}>", "", str(value)).strip()
    return text or None


def parse_csl_json(text: str) -> dict | None:
    """The JSON object that starts at the first "{" of a field code or mark name."""
    i = text.find("{")
    if i < 0:
        return None
    try:
        obj, _end = json.JSONDecoder().raw_decode(text[i:])
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


_CSL_FIELD = re.compile(r"^\s*ADDIN\s+(?:ZOTERO_ITEM\s+|Mendeley\s+Citation\{[^}]*\}\s+)?CSL_CITATION\b", re.IGNORECASE)


def is_citation_field(instr: str) -> bool:
    return bool(_CSL_FIELD.match(instr)) or bool(re.match(r"^\s*ADDIN\s+ZOTERO_ITEM\b", instr))


# ---------------------------------------------------------------- the Word document


@dataclass(slots=True)
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    ind: dict = field(default_factory=dict)
    num: tuple[str | None, int | None] | None = None


@dataclass(slots=True)
class _Field:
    instr: list[str] = field(default_factory=list)
    phase: str = "code"
    start: int = 0
    note: int | None = None


class WordDocument:
    """A .docx package's parts and the rendering of them. `trees` may be given (the
    annotated-DOCX writer passes the trees it edits) so pieces point into them."""

    def __init__(self, package: Package, shown: str, trees: dict[str, Any] | None = None) -> None:
        self.package = package
        self.shown = shown
        top = _rels(package, "")
        main = _rel_target(top, "officeDocument")
        if main is None:
            if package.has("content.xml") or package.has("mimetype"):
                raise CiteauditError("is an OpenDocument file, not .docx (give it the .odt extension)", shown)
            if not package.has("word/document.xml"):
                raise CiteauditError("is not a Word document: the package has no main document part", shown)
            main = "word/document.xml"
        self.main = main
        self.rels = _rels(package, main)
        given = trees or {}
        self.trees: dict[str, Any] = {}
        self.part_names: dict[str, str] = {"document": main}
        self.trees["document"] = given.get("document")
        if self.trees["document"] is None:
            self.trees["document"] = package.xml(main)
        root = self.trees["document"]
        ns = etree.QName(root).namespace
        if ns not in (W_NS, W_STRICT):
            raise CiteauditError("is not a Word document: its main part is not WordprocessingML", shown)
        self.ns = ns
        for kind in ("footnotes", "endnotes"):
            target = _rel_target(self.rels, kind)
            if target and package.has(target):
                self.part_names[kind] = target
                self.trees[kind] = given.get(kind)
                if self.trees[kind] is None:
                    self.trees[kind] = package.xml(target)
        self.styles: dict[str, _Style] = {}
        self.default_style: str | None = None
        self.default_ind: dict = {}
        target = _rel_target(self.rels, "styles")
        if target and package.has(target):
            self._read_styles(package.xml(target))
        self.numbering: dict[str, dict] = {}
        target = _rel_target(self.rels, "numbering")
        if target and package.has(target):
            self._read_numbering(package.xml(target))
        self._counters: dict[str, list[int]] = {}
        self._warn: dict[str, int] = {"insertions": 0, "deletions": 0, "comments": 0, "textboxes": 0,
                                      "bad_fields": 0}
        self.keys = KeyMaker()

    # -- names

    def w(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def _val(self, el: Any, child: str, attr: str = "val") -> str | None:
        if el is None:
            return None
        c = el.find(self.w(child))
        return None if c is None else c.get(self.w(attr))

    def _on(self, el: Any) -> bool:
        """A toggle property (w:vanish, w:b): present and not switched off."""
        if el is None:
            return False
        return el.get(self.w("val"), "true").lower() not in ("0", "false", "off", "none")

    # -- styles and numbering

    def _read_styles(self, root: Any) -> None:
        defaults = root.find(self.w("docDefaults"))
        if defaults is not None:
            ppr = defaults.find(f"{self.w('pPrDefault')}/{self.w('pPr')}")
            self.default_ind = self._ind(ppr)
        for st in root.iter(self.w("style")):
            if st.get(self.w("type")) not in ("paragraph", None):
                continue
            sid = st.get(self.w("styleId"), "")
            ppr = st.find(self.w("pPr"))
            outline = self._val(ppr, "outlineLvl")
            num = self._numpr(ppr)
            self.styles[sid] = _Style(
                name=self._val(st, "name") or sid,
                based_on=self._val(st, "basedOn"),
                outline=int(outline) if outline and outline.isdigit() else None,
                ind=self._ind(ppr),
                num=num,
            )
            if self._on_attr(st.get(self.w("default"))):
                self.default_style = sid

    @staticmethod
    def _on_attr(value: str | None) -> bool:
        return value is not None and value.lower() in ("1", "true", "on")

    def _ind(self, ppr: Any) -> dict:
        if ppr is None:
            return {}
        ind = ppr.find(self.w("ind"))
        if ind is None:
            return {}
        out = {}
        for key, names in (("left", ("left", "start")), ("hanging", ("hanging",)), ("firstLine", ("firstLine",))):
            for n in names:
                v = ind.get(self.w(n))
                if v is not None:
                    try:
                        out[key] = float(v)
                    except ValueError:
                        pass
                    break
        return out

    def _numpr(self, ppr: Any) -> tuple[str | None, int | None] | None:
        if ppr is None:
            return None
        numpr = ppr.find(self.w("numPr"))
        if numpr is None:
            return None
        num_id = self._val(numpr, "numId")
        ilvl = self._val(numpr, "ilvl")
        return num_id, int(ilvl) if ilvl and ilvl.isdigit() else None

    def _read_numbering(self, root: Any) -> None:
        abstract: dict[str, dict[int, dict]] = {}
        for an in root.iter(self.w("abstractNum")):
            levels = {}
            for lvl in an.iter(self.w("lvl")):
                levels[int(lvl.get(self.w("ilvl"), "0") or 0)] = self._level(lvl)
            abstract[an.get(self.w("abstractNumId"), "")] = levels
        for num in root.iter(self.w("num")):
            aid = self._val(num, "abstractNumId")
            levels = {k: dict(v) for k, v in abstract.get(aid or "", {}).items()}
            for ov in num.iter(self.w("lvlOverride")):
                ilvl = int(ov.get(self.w("ilvl"), "0") or 0)
                lvl = ov.find(self.w("lvl"))
                if lvl is not None:
                    levels[ilvl] = self._level(lvl)
                start = self._val(ov, "startOverride")
                if start and start.lstrip("-").isdigit():
                    levels.setdefault(ilvl, {"fmt": "decimal", "text": f"%{ilvl + 1}.", "start": 1, "ind": {}})
                    levels[ilvl]["start"] = int(start)
            self.numbering[num.get(self.w("numId"), "")] = {"abstract": aid, "levels": levels}

    def _level(self, lvl: Any) -> dict:
        start = self._val(lvl, "start")
        return {
            "fmt": self._val(lvl, "numFmt") or "decimal",
            "text": self._val(lvl, "lvlText") if lvl.find(self.w("lvlText")) is not None else None,
            "start": int(start) if start and start.lstrip("-").isdigit() else 1,
            "ind": self._ind(lvl.find(self.w("pPr"))),
        }

    def _style_chain(self, sid: str | None) -> Iterator[_Style]:
        seen = set()
        while sid and sid not in seen and sid in self.styles:
            seen.add(sid)
            st = self.styles[sid]
            yield st
            sid = st.based_on

    def _props(self, p: Any) -> dict:
        """Heading, quotation, list and indent of a paragraph, from it and its style chain."""
        ppr = p.find(self.w("pPr"))
        sid = self._val(ppr, "pStyle") or self.default_style
        chain = list(self._style_chain(sid))
        names = [s.name for s in chain] + ([sid] if sid else [])
        outline = self._val(ppr, "outlineLvl")
        level = int(outline) if outline and outline.isdigit() else next(
            (s.outline for s in chain if s.outline is not None), None)
        heading = any(heading_style(n) for n in names) or (level is not None and level < 9)
        quote = not heading and any(quote_style(n) for n in names)
        num = self._numpr(ppr)
        if num is None:
            num = next((s.num for s in chain if s.num is not None), None)
        listed = num is not None and num[0] not in (None, "0")
        ind: dict = dict(self.default_ind)
        for st in reversed(chain):
            ind.update(st.ind)
        if listed:
            lvl = self._num_level(num)
            if lvl:
                ind.update(lvl.get("ind", {}))
        ind.update(self._ind(ppr))
        first = ind.get("firstLine", 0.0) - ind.get("hanging", 0.0)
        return {"heading": heading, "quote": quote, "listed": listed, "num": num if listed else None,
                "indent": ind.get("left", 0.0), "first": first}

    def _num_level(self, num: tuple[str | None, int | None]) -> dict | None:
        info = self.numbering.get(num[0] or "")
        if not info:
            return None
        return info["levels"].get(num[1] or 0)

    def _label(self, num: tuple[str | None, int | None] | None) -> str:
        """The list label Word shows, advancing the list's counters."""
        if not num:
            return ""
        info = self.numbering.get(num[0] or "")
        if not info:
            return ""
        ilvl = num[1] or 0
        levels = info["levels"]
        key = info.get("abstract") or num[0] or ""
        counters = self._counters.setdefault(key, [])
        while len(counters) <= ilvl:
            lv = levels.get(len(counters), {})
            counters.append(lv.get("start", 1) - 1)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = levels.get(deeper, {}).get("start", 1) - 1
        lvl = levels.get(ilvl)
        if not lvl:
            return ""
        fmt = lvl["fmt"]
        text = lvl["text"]
        if fmt == "bullet":
            return "• "
        if fmt == "none" or text is None:
            return (text + " ") if text and "%" not in text else ""

        def repl(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if k >= len(counters):
                return ""
            return _number(counters[k], levels.get(k, {}).get("fmt", "decimal"))

        label = re.sub(r"%([1-9])", repl, text).strip()
        return label + " " if label else ""

    # -- rendering

    def render(self) -> Rendering:
        out = Rendering()
        self._out = out
        self._fields: list[_Field] = []
        self.footnote_ids: dict[str, int] = {}
        self.endnote_ids: dict[str, int] = {}
        self._tree = "document"
        body = self.trees["document"].find(self.w("body"))
        if body is not None:
            self._container(body, "body")
        self._notes(out)
        mark_quotes(out.blocks, QUOTE_INDENT)
        return out

    def _notes(self, out: Rendering) -> None:
        kinds = [(k, numbers) for k, numbers in (("footnote", self.footnote_ids), ("endnote", self.endnote_ids)) if numbers]
        if not kinds:
            return
        out.raw("\n\nNotes" if out.pos else "Notes")
        for kind, numbers in kinds:
            tree = kind + "s"
            if kind == "endnote" and len(kinds) == 2:
                out.raw("\n\nEndnotes")
            notes = {}
            root = self.trees.get(tree)
            if root is not None:
                for n in root.iter(self.w(kind)):
                    if n.get(self.w("type"), "normal") in ("separator", "continuationSeparator", "continuationNotice"):
                        continue
                    notes.setdefault(n.get(self.w("id"), ""), n)
            for note_id, number in sorted(numbers.items(), key=lambda kv: kv[1]):
                self._tree = tree
                self._fields = []
                self._note_label = f"{number}. "
                self._note_first = True
                el = notes.get(note_id)
                if el is not None:
                    self._container(el, kind, number)
                if self._note_first:  # nothing rendered: the number alone
                    out.raw(f"\n\n{number}.")
        self._tree = "document"

    def _container(self, el: Any, part: str, note: int | None = None) -> None:
        """Block-level content: paragraphs, tables, content controls."""
        children = [c for c in el if isinstance(c.tag, str)]
        i = 0
        while i < len(children):
            c = children[i]
            tag = c.tag
            if tag == self.w("p"):
                group = [c]
                while self._mark_deleted(group[-1]) and i + 1 < len(children) and children[i + 1].tag == self.w("p"):
                    i += 1
                    group.append(children[i])
                self._paragraph(group, part, note)
            elif tag == self.w("tbl"):
                self._table(c, part, note)
            elif tag in (self.w("sdt"),):
                content = c.find(self.w("sdtContent"))
                if content is not None:
                    self._container(content, part, note)
            elif tag in (self.w("customXml"), self.w("ins"), self.w("moveTo")):
                self._container(c, part, note)
            i += 1

    def _mark_deleted(self, p: Any) -> bool:
        rpr = p.find(f"{self.w('pPr')}/{self.w('rPr')}")
        if rpr is None:
            return False
        return rpr.find(self.w("del")) is not None or rpr.find(self.w("moveFrom")) is not None

    def _paragraph(self, group: list[Any], part: str, note: int | None) -> None:
        out = self._out
        props = self._props(group[0])
        label = self._label(props.get("num"))
        if part in ("footnote", "endnote"):
            if self._note_first:
                out.begin("\n\n", part, note, props, label, self._note_label)
            else:
                out.begin("\n", part, note, props, label)
            for p in group:
                self._inline(p)
            if out.end() is not None:
                self._note_first = False
            return
        out.begin("\n\n", part, note, props, label)
        for p in group:
            self._inline(p)
        out.end()

    def _table(self, tbl: Any, part: str, note: int | None) -> None:
        out = self._out
        for tr in tbl.iter(self.w("tr")):
            if _ancestor_table(tr, self) is not tbl:
                continue
            trpr = tr.find(self.w("trPr"))
            if trpr is not None and (trpr.find(self.w("del")) is not None):
                continue
            for tc in tr:
                if tc.tag == self.w("sdt"):
                    cells = tc.findall(f"{self.w('sdtContent')}/{self.w('tc')}")
                elif tc.tag == self.w("tc"):
                    cells = [tc]
                else:
                    continue
                for cell in cells:
                    tcpr = cell.find(self.w("tcPr"))
                    if tcpr is not None and tcpr.find(self.w("cellDel")) is not None:
                        continue
                    if part in ("footnote", "endnote"):
                        self._container(cell, part, note)
                        continue
                    out.begin("\n\n", "table", None, {})
                    self._cell(cell)
                    out.end()

    def _cell(self, cell: Any) -> None:
        """A cell's paragraphs (nested tables' too), joined by line breaks, as one block."""
        for p in self._cell_paragraphs(cell):
            self._out.cell_line(lambda p=p: self._inline(p), self._label(self._props(p).get("num")))

    def _cell_paragraphs(self, el: Any) -> Iterator[Any]:
        for c in el:
            if c.tag == self.w("p"):
                yield c
            elif c.tag in (self.w("tbl"), self.w("tr"), self.w("tc"), self.w("customXml")):
                yield from self._cell_paragraphs(c)
            elif c.tag == self.w("sdt"):
                content = c.find(self.w("sdtContent"))
                if content is not None:
                    yield from self._cell_paragraphs(content)

    def _displayed(self) -> bool:
        return all(f.phase == "result" for f in self._fields)

    def _inline(self, el: Any) -> None:
        w = self.w
        for c in el:
            tag = c.tag
            if not isinstance(tag, str):
                continue
            if tag == w("r"):
                self._run(c)
            elif tag in (w("ins"), w("moveTo")):
                self._warn["insertions"] += 1
                self._inline(c)
            elif tag in (w("hyperlink"), w("smartTag"), w("customXml"), w("dir"), w("bdo")):
                self._inline(c)
            elif tag == w("sdt"):
                self._sdt(c)
            elif tag == w("fldSimple"):
                self._fld_simple(c)
            elif tag in (w("del"), w("moveFrom")):
                self._warn["deletions"] += 1
            elif tag == w("commentRangeStart"):
                self._warn["comments"] += 1
            elif tag == f"{{{M_NS}}}oMath" or tag == f"{{{M_NS}}}oMathPara":
                if self._displayed():
                    self._out.emit("".join(t.text or "" for t in c.iter(f"{{{M_NS}}}t")))
            elif tag == f"{{{MC_NS}}}AlternateContent":
                self._warn["textboxes"] += 1

    def _sdt(self, sdt: Any) -> None:
        content = sdt.find(self.w("sdtContent"))
        if content is None:
            return
        tag = self._val(sdt.find(self.w("sdtPr")), "tag") or ""
        if tag.startswith("MENDELEY_CITATION_v3_"):
            start = self._out.pos
            self._inline(content)
            self._citation_payload(_mendeley_v3(tag[len("MENDELEY_CITATION_v3_"):]), start)
            return
        self._inline(content)

    def _fld_simple(self, fld: Any) -> None:
        instr = fld.get(self.w("instr"), "")
        self._fields.append(_Field([instr], "result", self._out.pos))
        self._inline(fld)
        f = self._fields.pop()
        self._field_done(f)

    def _run(self, r: Any) -> None:
        w = self.w
        out = self._out
        rpr = r.find(w("rPr"))
        hidden = rpr is not None and (self._on(rpr.find(w("vanish"))) or self._on(rpr.find(w("specVanish"))))
        unit = 0
        custom = False
        tree = self._tree
        for c in r:
            tag = c.tag
            if not isinstance(tag, str) or tag == w("rPr"):
                continue
            size = run_unit_size(c, w)
            if tag == w("fldChar"):
                kind = c.get(w("fldCharType"))
                if kind == "begin":
                    self._fields.append(_Field())
                elif kind == "separate" and self._fields:
                    self._fields[-1].phase = "result"
                    self._fields[-1].start = out.pos
                elif kind == "end" and self._fields:
                    self._field_done(self._fields.pop())
            elif tag == w("instrText"):
                if self._fields and self._fields[-1].phase == "code":
                    self._fields[-1].instr.append(c.text or "")
            elif self._displayed() and not hidden:
                if tag == w("t"):
                    if custom:
                        custom = False
                    else:
                        out.emit(c.text or "", tree, r, unit)
                elif tag in (w("tab"), w("ptab")):
                    out.emit("\t", tree, r, unit, atomic=True)
                elif tag in (w("br"), w("cr")):
                    out.emit("\n", tree, r, unit, atomic=True)
                elif tag == w("noBreakHyphen"):
                    out.emit("-", tree, r, unit, atomic=True)
                elif tag == w("sym"):
                    ch = _sym(c.get(w("char"), ""), c.get(w("font"), ""))
                    if ch:
                        out.emit(ch, tree, r, unit, atomic=True)
                elif tag in (w("footnoteReference"), w("endnoteReference")):
                    kind = "footnote" if tag == w("footnoteReference") else "endnote"
                    numbers = self.footnote_ids if kind == "footnote" else self.endnote_ids
                    nid = c.get(w("id"), "")
                    if nid not in numbers:
                        numbers[nid] = len(numbers) + 1
                    out.mark(numbers[nid], kind, tree, r, unit)
                    custom = self._on_attr(c.get(w("customMarkFollows")))
                elif tag in (w("drawing"), w("pict"), w("object")) and any(True for _ in c.iter(w("txbxContent"))):
                    self._warn["textboxes"] += 1
            unit += size

    def _field_done(self, f: _Field) -> None:
        if f.phase != "result":
            return
        instr = "".join(f.instr)
        if is_citation_field(instr):
            self._citation_payload(parse_csl_json(instr), f.start, instr)

    def _citation_payload(self, payload: dict | None, start: int, instr: str = "") -> None:
        out = self._out
        end = out.pos
        if payload is None:
            self._warn["bad_fields"] += 1
            return
        refs, mode = csl_citation(payload, self.keys)
        if not refs:
            self._warn["bad_fields"] += 1
            return
        out.marked.append(MarkedCitation(min(start, end), end, refs, mode, None))

    def warnings(self) -> tuple[str, ...]:
        out = []
        if self._warn["comments"]:
            out.append(f"{self.shown}: {self._warn['comments']} Word comment(s) not read")
        if self._warn["insertions"] or self._warn["deletions"]:
            out.append(f"{self.shown}: tracked changes read as accepted (final text)")
        if self._warn["textboxes"]:
            out.append(f"{self.shown}: text boxes and drawings not read")
        if self._warn["bad_fields"]:
            out.append(f"{self.shown}: {self._warn['bad_fields']} citation field(s) with unreadable data read as text")
        return tuple(out)


def _ancestor_table(el: Any, doc: WordDocument) -> Any:
    p = el.getparent()
    while p is not None and p.tag != doc.w("tbl"):
        p = p.getparent()
    return p


def run_unit_size(child: Any, w: Any) -> int:
    """How many units a run's child spans: its characters for w:t, none for w:rPr, one for
    anything else. Pieces' `unit` offsets count in these."""
    tag = child.tag
    if not isinstance(tag, str) or tag == w("rPr"):
        return 0
    if tag == w("t"):
        return len(child.text or "")
    return 1


_SYMBOL_FONT = dict(zip(
    range(0x20, 0x7F),
    " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼",
))
_SYMBOL_FONT.update(zip(
    range(0xA1, 0xFF),
    "ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…⏐⎯↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪ 〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭",
))


def _sym(code: str, font: str) -> str:
    """A w:sym character: Symbol-font codes as the Unicode they show; other symbol fonts'
    (Wingdings…) private code points are left out."""
    try:
        cp = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= cp <= 0xF0FF:
        cp -= 0xF000
    if font.strip().lower() == "symbol":
        return _SYMBOL_FONT.get(cp, "").strip()
    if cp < 0x20 or 0xE000 <= cp <= 0xF8FF or font and cp < 0x100 and font.strip().lower() != "symbol" and \
            font.lower().startswith(("wingdings", "webdings", "zapf")):
        return ""
    return chr(cp)


def _mendeley_v3(data: str) -> dict | None:
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4))
        obj = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return obj if isinstance(obj, dict) else None


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                       (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    letter = chr(ord("a") + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)


def _number(n: int, fmt: str) -> str:
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)
