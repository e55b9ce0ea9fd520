"""Reading manuscript files into text, with an honest account of how the bytes were decoded."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CiteauditError

#: Extensions read as plain text. Other formats get their own readers later.
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Source:
    """A manuscript as read from disk: the path as the user gave it and its decoded text."""

    path: str
    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


def decode(data: bytes, path: str) -> Source:
    """Decode bytes as UTF-8; fall back to cp1252 then Latin-1 with a warning, never failing."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return Source(path, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        first_bad = f"{path}:{line}: not valid UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        return Source(path, text, "utf-16", (f"{path}: decoded as UTF-16 (byte-order mark)",))
    try:
        text = data.decode("cp1252")
        encoding = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "latin-1"
    return Source(path, text, encoding, (f"{first_bad}; decoded as {encoding}, check accented characters",))


def read_bytes(path: str | os.PathLike[str], missing: str = "no such file or folder", folder: str = "is a folder, not a file") -> bytes:
    """A file's bytes; a missing file, a folder or a read error is a CiteauditError naming it."""
    shown = os.fspath(path)
    p = Path(path)
    if not p.exists():
        raise CiteauditError(missing, shown)
    if p.is_dir():
        raise CiteauditError(folder, shown)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise CiteauditError(f"cannot read: {exc.strerror or exc}", shown) from None


def read_source(path: str | os.PathLike[str]) -> Source:
    """Read one manuscript file. Missing, unreadable or binary files raise CiteauditError."""
    shown = os.fspath(path)
    data = read_bytes(path)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CiteauditError("looks like a binary file, not a text manuscript", shown)
    return decode(data, shown)


def expand_paths(paths: list[str]) -> list[str]:
    """Files named directly, plus every supported manuscript inside named folders, sorted."""
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                str(Path(raw) / f.relative_to(p))
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES and not f.name.startswith(".")
            )
            if not found:
                raise CiteauditError("folder holds no manuscript (.txt, .md)", raw)
            out.extend(found)
        elif not p.exists():
            raise CiteauditError("no such file or folder", raw)
        else:
            out.append(raw)
    seen: set[str] = set()
    unique = []
    for item in out:
        if item not in seen:
            seen.add(item)
            unique.append(item)
    return unique
