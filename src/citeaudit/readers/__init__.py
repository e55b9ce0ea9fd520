"""Reading manuscript files into text, with an honest account of how the bytes were decoded.

Every file citeaudit reads goes through `read_bytes`: only regular files (a FIFO, a device
or a socket is refused at once rather than waited on), no more than a cap of bytes, and
every failure a CiteauditError naming the file as it can be shown on one line.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CiteauditError, display

#: Extensions read as plain text.
TEXT_SUFFIXES = (".txt", ".text")
#: Extensions with a reader of their own (the module that reads them).
FORMAT_SUFFIXES = {
    ".md": "markdown", ".markdown": "markdown", ".rmd": "markdown", ".qmd": "markdown", ".rmarkdown": "markdown",
    ".tex": "latex", ".ltx": "latex", ".latex": "latex",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
    ".odt": "odt", ".ott": "odt",
    ".pdf": "pdf",
}
#: Every extension a folder check picks up.
SUFFIXES = TEXT_SUFFIXES + tuple(FORMAT_SUFFIXES)
#: The largest manuscript or .bib file read: beyond it, the run stops and says so.
MAX_BYTES = 256 * 1024 * 1024
#: The path a manuscript read from standard input is reported under.
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, table cell, heading or note of a document whose format says where they
    are (DOCX, ODT, Markdown, LaTeX, PDF), as a stretch [start, end) of `Source.text`."""

    start: int
    end: int
    part: str = "body"  # body | footnote | endnote | table
    paragraph: int = 1  # 1-based within its part (within its note, for notes)
    note: int | None = None  # the number of the note it belongs to
    page: int | None = None  # PDF: 1-based page index
    quote: bool = False  # set off as a block quotation (paragraph style or indent)
    heading: bool = False
    exclude: tuple[tuple[int, int], ...] = ()  # stretches inside it that are not its prose (a LaTeX \footnote{...})


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A note's reference mark in the text: where it stands and which note it calls."""

    number: int
    start: int
    end: int
    part: str = "footnote"  # footnote | endnote


@dataclass(frozen=True, slots=True)
class KeyRef:
    """One work in a citation the format marks itself, by its key."""

    key: str
    prefix: str | None = None  # "see"
    locator: str | None = None  # "p. 5", "ch. 2"
    suffix: str | None = None  # text after the locator
    suppress_author: bool = False  # [-@key], \citeyear
    data: dict | None = None  # the CSL-JSON item a reference manager embedded (Zotero, Mendeley)


@dataclass(frozen=True, slots=True)
class MarkedCitation:
    r"""A citation the format marks: [@a; @b, p. 5], \citep[p. 5]{a}, a Zotero field."""

    start: int
    end: int
    refs: tuple[KeyRef, ...]
    mode: str = "parenthetical"  # parenthetical | narrative | author | year | title | nocite
    text: str | None = None  # what a reference manager rendered for it, where there is such text


@dataclass(frozen=True, slots=True)
class Source:
    """A manuscript as read: the path as the user gave it and the text citeaudit reads —
    the file itself for plain text, Markdown and LaTeX (so lines and columns are the file's
    own), a text rendering for DOCX, ODT and PDF. Formats that know their structure say so:
    their paragraphs, notes, marked citations and the stretches that are not prose."""

    path: str
    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())
    format: str = "text"  # text | markdown | latex | docx | odt | pdf
    blocks: tuple[Block, ...] = ()  # empty: the paragraphs are found from the text itself
    notes: tuple[NoteRef, ...] = ()
    marked: tuple[MarkedCitation, ...] = ()
    skip: tuple[tuple[int, int], ...] = ()  # not prose: code, math, comments, URLs, markup
    bibliography: tuple[str, ...] = ()  # .bib files the document names (YAML bibliography:, \bibliography{})


def decode(data: bytes, path: str) -> Source:
    """Decode bytes as UTF-8 (a BOM is dropped); UTF-16 when a byte-order mark says so; else
    cp1252 or Latin-1 with a warning naming the first line that is not UTF-8."""
    shown = display(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            why = "odd number of bytes" if len(data) % 2 else "a lone surrogate"
            line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
            raise CiteauditError(f"not valid UTF-16 despite its byte-order mark ({why})", shown, line) from None
        return Source(shown, text, "utf-16", (f"{shown}: decoded as UTF-16 (byte-order mark)",))
    try:
        return Source(shown, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        first_bad = f"{shown}:{line}: not valid UTF-8"
    try:
        text = data.decode("cp1252")
        encoding = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "latin-1"
    return Source(shown, text, encoding, (f"{first_bad}; decoded as {encoding}, check accented characters",))


def read_bytes(path: str | os.PathLike[str], missing: str = "no such file or folder",
               folder: str = "is a folder, not a file", limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes. A missing file, a folder, a pipe or device, a file over
    `limit` bytes or a read error is a CiteauditError naming it."""
    shown = display(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise CiteauditError(missing, shown) from None
    except IsADirectoryError:
        raise CiteauditError(folder, shown) from None
    except OSError as exc:
        raise CiteauditError(f"cannot read: {exc.strerror or exc}", shown) from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CiteauditError(folder, shown)
        if not stat.S_ISREG(mode):
            raise CiteauditError("is not a regular file (a pipe, device or socket)", shown)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise CiteauditError(f"cannot read: {exc.strerror or exc}", shown) from None
    if len(data) > limit:
        raise CiteauditError(f"is larger than {limit // (1024 * 1024)} MB, the most citeaudit reads", shown)
    return data


def read_stdin(limit: int = MAX_BYTES) -> bytes:
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise CiteauditError(f"is larger than {limit // (1024 * 1024)} MB, the most citeaudit reads", "<stdin>")
    return data


def read_sources(path: str | os.PathLike[str]) -> list[Source]:
    """Read one manuscript file by its extension: plain text, Markdown, LaTeX (the file and
    every file it inputs, the main one first), DOCX, ODT or PDF. Missing, unreadable or
    damaged files raise CiteauditError naming them."""
    raw = os.fspath(path)
    fmt = FORMAT_SUFFIXES.get(Path(raw).suffix.lower()) if raw != STDIN else None
    if fmt == "markdown":
        from .markdown import read_markdown

        return [read_markdown(raw)]
    if fmt == "latex":
        from .latex import read_latex

        return read_latex(raw)
    if fmt == "docx":
        from .docx import read_docx

        return [read_docx(raw)]
    if fmt == "odt":
        from .odt import read_odt

        return [read_odt(raw)]
    if fmt == "pdf":
        from .pdf import read_pdf

        return [read_pdf(raw)]
    return [read_source(raw)]


def read_source(path: str | os.PathLike[str]) -> Source:
    """Read one plain-text manuscript file ("-": standard input). Missing, unreadable or
    binary files raise CiteauditError."""
    raw = os.fspath(path)
    data = read_stdin() if raw == STDIN else read_bytes(path)
    shown = display(raw)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind = _binary_kind(data)
        raise CiteauditError(f"looks like a binary file, not a text manuscript{kind}", shown)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _looks_like_bibtex(head):
        raise CiteauditError("is a BibTeX database, not a manuscript: give it with --bib", shown)
    return decode(data, raw)


def _binary_kind(data: bytes) -> str:
    """What a binary file named as text seems to be, for the message."""
    if data.startswith(b"%PDF"):
        return " (a PDF: give it a .pdf name)"
    if data.startswith(b"PK\x03\x04"):
        return " (a zip package such as .docx or .odt: give it that extension)"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return " (an old Word .doc: save it as .docx)"
    return ""


def _looks_like_bibtex(head: bytes) -> bool:
    """A file that opens with BibTeX entries (comments aside) is a database, not prose."""
    lines = [ln.strip() for ln in head.split(b"\n") if ln.strip() and not ln.strip().startswith(b"%")]
    return bool(lines) and lines[0].startswith(b"@") and b"{" in lines[0] and any(b"=" in ln for ln in lines[:6])


#: Manuscript formats citeaudit does not read, named when a folder holds them.
UNREAD_SUFFIXES = {".doc": "save it as .docx", ".dot": "save it as .docx", ".rtf": "save it as .docx",
                   ".wpd": "save it as .docx", ".pages": "export it as .docx", ".fodt": "save it as .odt",
                   ".epub": "give the text as .txt, .md or .docx"}


def unread_in(paths: list[str]) -> list[tuple[str, str]]:
    """(file, what to do) for each manuscript-like file inside the named folders that no
    reader takes, so that a folder check is never silent about what it left out."""
    out = []
    for raw in paths:
        p = Path(raw)
        if raw != STDIN and p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in UNREAD_SUFFIXES and not f.name.startswith((".", "~$")):
                    out.append((str(Path(raw) / f.relative_to(p)), UNREAD_SUFFIXES[f.suffix.lower()]))
    return out


def expand_paths(paths: list[str]) -> list[str]:
    """Files named directly, plus every supported manuscript inside named folders, sorted."""
    out: list[str] = []
    for raw in paths:
        if raw == STDIN:
            out.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                str(Path(raw) / f.relative_to(p))
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))
            )
            if not found:
                raise CiteauditError("folder holds no manuscript (.txt, .md, .tex, .docx, .odt, .pdf)", display(raw))
            out.extend(found)
        elif not p.exists():
            raise CiteauditError("no such file or folder", display(raw))
        else:
            out.append(raw)
    return list(dict.fromkeys(out))


from ..frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
