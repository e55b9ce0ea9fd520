"""OpenDocument text (.odt, .ott) read into the same rendering as a Word document (see
`readers.docx`): body paragraphs and table cells as blocks separated by a blank line, note
marks as superscript digits, then "Notes" with each note as "N. text".

content.xml and styles.xml are parsed with lxml. Tracked changes read as accepted (an ODT
keeps deleted text apart, in text:tracked-changes, which is not read); comments
(office:annotation), frames and drawings are left out. LibreOffice's own bibliography
marks (text:bibliography-mark) and Zotero / Mendeley reference marks whose name holds
"CSL_CITATION {…}" become `MarkedCitation`s: a bibliography mark's key is its identifier,
with the fields it carries as CSL-JSON data. Numbered lists do not get their labels (an
.odt does not store them).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import CiteauditError, display
from . import KeyRef, MarkedCitation, Source
from .docx import (
    QUOTE_INDENT,
    KeyMaker,
    Package,
    Rendering,
    csl_citation,
    heading_style,
    mark_quotes,
    parse_csl_json,
    quote_style,
)

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def t(local: str) -> str:
    return f"{{{TEXT}}}{local}"


def o(local: str) -> str:
    return f"{{{OFFICE}}}{local}"


def tb(local: str) -> str:
    return f"{{{TABLE}}}{local}"


def s(local: str) -> str:
    return f"{{{STYLE}}}{local}"


_UNITS = {"cm": 1440 / 2.54, "mm": 144 / 2.54, "in": 1440.0, "pt": 20.0, "pc": 240.0, "px": 15.0}
_BIB_FIELDS = {
    "author": "author", "title": "title", "year": "issued", "journal": "container-title",
    "booktitle": "container-title", "publisher": "publisher", "address": "publisher-place", "pages": "page",
    "volume": "volume", "number": "issue", "url": "URL", "isbn": "ISBN", "edition": "edition", "editor": "editor",
    "doi": "DOI",
}
_SKIP = {o("annotation"), o("annotation-end"), t("tracked-changes"), t("note-citation"), t("bookmark"),
         t("bookmark-start"), t("bookmark-end"), t("change"), t("change-start"), t("change-end"),
         t("soft-page-break"), t("toc-mark"), t("toc-mark-start"), t("toc-mark-end"),
         t("alphabetical-index-mark"), t("user-index-mark"), t("reference-mark"), t("hidden-text"),
         t("hidden-paragraph"), t("sequence-decls"), t("variable-decls"), t("user-field-decls"),
         o("forms"), t("index-title-template")}


def read_odt(path: str) -> Source:
    """Read an OpenDocument text file: its rendering, blocks, notes and marked citations."""
    shown = display(path)
    package = Package.open(path, kind="OpenDocument")
    if package.has("mimetype"):
        mime = package.read("mimetype").decode("ascii", "replace").strip()
        if mime and not mime.startswith("application/vnd.oasis.opendocument.text"):
            raise CiteauditError(f"is not an OpenDocument text ({mime})", shown)
    if package.has("META-INF/manifest.xml"):
        manifest = package.xml("META-INF/manifest.xml")
        if any(True for _ in manifest.iter(f"{{{MANIFEST}}}encryption-data")):
            raise CiteauditError("is password-protected (encrypted): save an unprotected copy", shown)
    if not package.has("content.xml"):
        raise CiteauditError("is not an OpenDocument text: the package has no content.xml", shown)
    reader = OdtDocument(package, shown)
    return reader.render().source(shown, "odt", reader.warnings())


class OdtDocument:
    def __init__(self, package: Package, shown: str) -> None:
        self.shown = shown
        self.content = package.xml("content.xml")
        self.styles: dict[str, dict] = {}
        if package.has("styles.xml"):
            self._read_styles(package.xml("styles.xml"))
        self._read_styles(self.content)
        self.keys = KeyMaker()
        self.comments = 0
        self.frames = 0

    def _read_styles(self, root: Any) -> None:
        for st in root.iter(s("style")):
            if st.get(s("family")) != "paragraph":
                continue
            name = st.get(s("name"), "")
            props = st.find(s("paragraph-properties"))
            self.styles[name] = {
                "name": st.get(s("display-name")) or name.replace("_20_", " "),
                "parent": st.get(s("parent-style-name")),
                "left": _length(props.get(f"{{{FO}}}margin-left")) if props is not None else None,
                "first": _length(props.get(f"{{{FO}}}text-indent")) if props is not None else None,
                "outline": st.get(s("default-outline-level")),
            }

    def _props(self, p: Any) -> dict:
        names = []
        left = first = None
        outline = None
        sid = p.get(t("style-name"))
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            st = self.styles[sid]
            names.append(st["name"])
            names.append(sid.replace("_20_", " "))
            if left is None and st["left"] is not None:
                left = st["left"]
            if first is None and st["first"] is not None:
                first = st["first"]
            if outline is None and st["outline"]:
                outline = st["outline"]
            sid = st["parent"]
        heading = p.tag == t("h") or any(heading_style(n) for n in names)
        quote = not heading and any(quote_style(n) for n in names)
        return {"heading": heading, "quote": quote, "listed": False, "indent": left or 0.0, "first": first or 0.0}

    def render(self) -> Rendering:
        out = Rendering()
        self._out = out
        self._notes: list[tuple[str, int, Any]] = []
        self._counts = {"footnote": 0, "endnote": 0}
        self._marks: dict[str, tuple[int, dict]] = {}
        body = self.content.find(f"{o('body')}/{o('text')}")
        if body is None:
            raise CiteauditError("is not an OpenDocument text: content.xml has no office:text", self.shown)
        self._blocks(body, "body")
        if self._notes:
            out.raw("\n\nNotes" if out.pos else "Notes")
            kinds = {k for k, _n, _b in self._notes}
            for kind in ("footnote", "endnote"):
                if kind == "endnote" and len(kinds) == 2:
                    out.raw("\n\nEndnotes")
                for k, number, note_body in self._notes:
                    if k != kind:
                        continue
                    self._note_label = f"{number}. "
                    self._note_first = True
                    if note_body is not None:
                        self._blocks(note_body, kind, number)
                    if self._note_first:
                        out.raw(f"\n\n{number}.")
        mark_quotes(out.blocks, QUOTE_INDENT)
        return out

    def _blocks(self, el: Any, part: str, note: int | None = None) -> None:
        for c in el:
            tag = c.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag in (t("p"), t("h")):
                self._paragraph(c, part, note)
            elif tag == tb("table"):
                self._table(c, part, note)
            elif tag in (t("list"), t("list-item"), t("list-header"), t("section"), t("index-body"),
                         t("numbered-paragraph")):
                self._blocks(c, part, note)
            elif tag.startswith(f"{{{TEXT}}}") and c.find(t("index-body")) is not None:
                self._blocks(c.find(t("index-body")), part, note)

    def _paragraph(self, p: Any, part: str, note: int | None) -> None:
        out = self._out
        props = self._props(p)
        if part in ("footnote", "endnote"):
            if self._note_first:
                out.begin("\n\n", part, note, props, "", self._note_label)
            else:
                out.begin("\n", part, note, props)
            self._inline(p)
            if out.end() is not None:
                self._note_first = False
            return
        out.begin("\n\n", part, note, props)
        self._inline(p)
        out.end()

    def _table(self, table: Any, part: str, note: int | None) -> None:
        out = self._out
        for row in table.iter(tb("table-row")):
            if _nearest(row, tb("table")) is not table:
                continue
            for cell in row:
                if cell.tag != tb("table-cell"):
                    continue
                if part in ("footnote", "endnote"):
                    self._blocks(cell, part, note)
                    continue
                out.begin("\n\n", "table", None, {})
                for p in cell.iter(t("p"), t("h")):
                    out.cell_line(lambda p=p: self._inline(p))
                out.end()

    def _inline(self, el: Any) -> None:
        out = self._out
        out.emit(el.text or "")
        for c in el:
            tag = c.tag
            if isinstance(tag, str) and tag not in _SKIP:
                self._element(c)
            elif tag == o("annotation"):
                self.comments += 1
            out.emit(c.tail or "")

    def _element(self, c: Any) -> None:
        out = self._out
        tag = c.tag
        if tag == t("s"):
            count = c.get(t("c"), "1")
            out.emit(" " * (int(count) if count.isdigit() else 1))
        elif tag == t("tab"):
            out.emit("\t")
        elif tag == t("line-break"):
            out.emit("\n")
        elif tag == t("note"):
            kind = "endnote" if c.get(t("note-class")) == "endnote" else "footnote"
            self._counts[kind] += 1
            number = self._counts[kind]
            out.mark(number, kind)
            self._notes.append((kind, number, c.find(t("note-body"))))
        elif tag == t("bibliography-mark"):
            start = out.pos
            self._inline(c)
            key = c.get(t("identifier")) or ""
            if key:
                out.marked.append(MarkedCitation(start, out.pos, (KeyRef(key, data=_bib_data(c)),)))
        elif tag == t("reference-mark-start"):
            name = c.get(t("name"), "")
            if "CSL_CITATION" in name:
                payload = parse_csl_json(name)
                if payload is not None:
                    self._marks[name] = (out.pos, payload)
        elif tag == t("reference-mark-end"):
            name = c.get(t("name"), "")
            if name in self._marks:
                start, payload = self._marks.pop(name)
                refs, mode = csl_citation(payload, self.keys)
                if refs:
                    out.marked.append(MarkedCitation(start, out.pos, refs, mode))
        elif tag.startswith("{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"):
            self.frames += 1
        elif tag.startswith((f"{{{TEXT}}}", f"{{{OFFICE}}}")):
            self._inline(c)

    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.comments:
            out.append(f"{self.shown}: {self.comments} comment(s) not read")
        if self.frames:
            out.append(f"{self.shown}: frames and drawings not read")
        return tuple(out)


def _nearest(el: Any, tag: str) -> Any:
    p = el.getparent()
    while p is not None and p.tag != tag:
        p = p.getparent()
    return p


def _length(value: str | None) -> float | None:
    if not value:
        return None
    m = re.match(r"^\s*(-?[\d.]+)\s*([a-z]*)\s*$", value)
    if not m:
        return None
    try:
        number = float(m.group(1))
    except ValueError:
        return None
    return number * _UNITS.get(m.group(2) or "pt", 20.0)


def _bib_data(mark: Any) -> dict:
    """A LibreOffice bibliography mark's fields as CSL-JSON."""
    data: dict = {"id": mark.get(t("identifier"), "")}
    kind = mark.get(t("bibliography-type"))
    if kind:
        data["type"] = {"article": "article-journal", "book": "book", "www": "webpage", "inproceedings": "paper-conference",
                        "incollection": "chapter", "thesis": "thesis", "phdthesis": "thesis", "techreport": "report"
                        }.get(kind, kind)
    for attr, csl in _BIB_FIELDS.items():
        value = mark.get(t(attr))
        if not value:
            continue
        if csl in ("author", "editor"):
            data[csl] = [_name(n) for n in re.split(r"\s*;\s*|\s+and\s+", value) if n.strip()]
        elif csl == "issued":
            data[csl] = {"date-parts": [[value]]} if value.isdigit() else {"literal": value}
        else:
            data[csl] = value
    return data


def _name(text: str) -> dict:
    text = text.strip()
    if "," in text:
        family, given = text.split(",", 1)
        return {"family": family.strip(), "given": given.strip()}
    parts = text.split()
    if len(parts) > 1:
        return {"family": parts[-1], "given": " ".join(parts[:-1])}
    return {"family": text}
