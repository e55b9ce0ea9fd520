"""BibTeX databases read with pybtex: entries with their file and line, names split with
particles, LaTeX decoded to Unicode for matching, and parse errors kept as data."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from dataclasses import dataclass, field

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.database import BibliographyData, Person, parse_string
from pybtex.scanner import PybtexSyntaxError

from .readers import read_bytes

_BLOCK_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_LINE_IN_ERROR = re.compile(r"line (\d+)")


@dataclass(frozen=True, slots=True)
class Name:
    """One person as the entry names them, decoded to Unicode."""

    given: str
    von: str
    last: str
    jr: str = ""
    literal: bool = False  # a body written whole in braces: {Conference of Socialist Economists}

    @property
    def surname(self) -> str:
        """The surname as cited: particles kept ("van der Linden")."""
        return f"{self.von} {self.last}".strip()

    def display(self) -> str:
        parts = [self.surname]
        if self.given:
            parts.append(self.given)
        return ", ".join(parts)


@dataclass(slots=True)
class Entry:
    key: str
    type: str
    fields: dict[str, str]  # decoded to Unicode, braces removed, lower-case field names
    raw: dict[str, str]  # as written in the file
    authors: tuple[Name, ...]
    editors: tuple[Name, ...]
    path: str
    line: int
    suffix: str = ""  # the year suffix ("a", "b") that tells apart works of one author and year
    persons: dict[str, tuple[Name, ...]] = field(default_factory=dict)  # translator, bookauthor, ...

    @property
    def year(self) -> str | None:
        year = self.fields.get("year") or ""
        m = re.match(r"\d{4}", year) or re.match(r"\d{4}", self.fields.get("date", ""))
        return m.group() if m else None

    @property
    def original_year(self) -> str | None:
        m = re.match(r"\d{4}", self.fields.get("origdate", "") or self.fields.get("origyear", ""))
        return m.group() if m else None

    @property
    def creators(self) -> tuple[Name, ...]:
        return self.authors or self.editors

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    def label(self) -> str:
        """ "Althusser 2017a" """
        who = self.fields.get("shortauthor") or (self.creators[0].surname if self.creators else self.key)
        if len(self.creators) == 2:
            who = f"{self.creators[0].surname} and {self.creators[1].surname}"
        elif len(self.creators) > 2:
            who = f"{self.creators[0].surname} et al."
        return f"{who} {self.year or 'n.d.'}{self.suffix}"


@dataclass(slots=True)
class BibProblem:
    """A place in a .bib file that could not be read."""

    path: str
    line: int
    message: str


@dataclass(slots=True)
class Bibliography:
    entries: list[Entry] = field(default_factory=list)
    problems: list[BibProblem] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, Entry]:
        return {e.key: e for e in self.entries}


def fold(text: str) -> str:
    """Compare-key of a name or title: no accents, no case, letters and digits only."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", text.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l"))


def decode_latex(value: str) -> str:
    """LaTeX accents and commands to Unicode, protective braces removed."""
    text = value
    if "\\" in text or "--" in text or "~" in text or "`" in text or "''" in text:
        try:
            text = codecs.decode(text, "ulatex")
        except Exception:  # latexcodec gives up on rare macros: keep the raw text
            text = value
    text = re.sub(r"\\[A-Za-z]+\*?\s*", "", text)  # macros latexcodec does not know
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _name(person: Person) -> Name:
    def part(names: list[str]) -> str:
        return decode_latex(" ".join(names))

    lasts = person.last_names
    literal = (
        not (person.first_names or person.middle_names or person.prelast_names)
        and len(lasts) == 1 and lasts[0].startswith("{") and lasts[0].endswith("}") and " " in lasts[0]
    )
    return Name(
        given=part(person.first_names + person.middle_names),
        von=part(person.prelast_names),
        last=part(person.last_names),
        jr=part(person.lineage_names),
        literal=literal,
    )


@dataclass(slots=True)
class _Block:
    kind: str
    key: str | None
    text: str
    line: int
    closed: bool = True


_NEXT_BLOCK = re.compile(r"\n[ \t]*@\s*[A-Za-z]+\s*[{(]")


def split_blocks(text: str) -> list[_Block]:
    """The @-blocks of a .bib file with their first line; text between blocks is a comment.

    An entry left open ends where the next one starts on a line of its own, so one
    missing brace costs one entry, not the rest of the file."""
    blocks: list[_Block] = []
    pos = 0
    while True:
        m = _BLOCK_START.search(text, pos)
        if not m:
            break
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "%" in text[line_start : m.start()]:  # "%@book{...": commented out, as biber reads it
            pos = m.end()
            continue
        kind = m.group(1).lower()
        opener = m.group(2)
        nxt = _NEXT_BLOCK.search(text, m.end())
        limit = nxt.start() + 1 if nxt else len(text)
        depth = 0
        end = None
        for i in range(m.end() - 1, limit):
            ch = text[i]
            if ch == "{" or (ch == "(" and opener == "("):
                depth += 1
            elif ch == "}" or (ch == ")" and opener == "("):
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
        closed = end is not None
        if end is None:
            end = limit
        key = None
        if kind not in ("string", "preamble", "comment"):
            km = re.match(r"\s*([^,\s]+)\s*,", text[m.end() : end])
            key = km.group(1) if km else None
        blocks.append(_Block(kind, key, text[m.start() : end], text.count("\n", 0, m.start()) + 1, closed))
        pos = max(end, m.end())
    return blocks


def read_bib_text(path: str) -> tuple[str, list[str]]:
    data = read_bytes(path, "no such bibliography file", "is a folder, not a .bib file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return data.decode("latin-1"), [f"{path}:{line}: not valid UTF-8; read as Latin-1"]


def load_bibliography(paths: list[str | os.PathLike[str]]) -> Bibliography:
    """Read .bib files. Broken entries become problems with their line; the rest is used."""
    bib = Bibliography()
    seen: dict[str, Entry] = {}
    for raw_path in paths:
        path = os.fspath(raw_path)
        bib.paths.append(path)
        text, warnings = read_bib_text(path)
        for w in warnings:
            bib.problems.append(BibProblem(path, int(w.split(":")[1]), w.split(": ", 1)[1]))
        for entry in _entries_of(path, text, bib.problems):
            if entry.key in seen:
                first = seen[entry.key]
                bib.problems.append(
                    BibProblem(path, entry.line, f"entry key {entry.key!r} repeats the one at {first.path}:{first.line}; this one is ignored")
                )
                continue
            seen[entry.key] = entry
            bib.entries.append(entry)
    assign_suffixes(bib.entries)
    return bib


def _entries_of(path: str, text: str, problems: list[BibProblem]) -> list[Entry]:
    blocks = split_blocks(text)
    lines = {b.key: b.line for b in blocks if b.key}
    try:
        data = parse_string(text, "bibtex")
        return [_entry(key, e, path, lines.get(key, 1)) for key, e in data.entries.items()]
    except Exception:  # pybtex stops at the first problem: read block by block instead
        pass
    macros = "\n".join(b.text for b in blocks if b.kind == "string")
    macro_lines = macros.count("\n") + 1 if macros else 0
    out: list[Entry] = []
    keys: set[str] = set()
    for block in blocks:
        if block.kind in ("string", "preamble", "comment"):
            continue
        if block.key is None:
            problems.append(BibProblem(path, block.line, f"@{block.kind} entry without a key"))
            continue
        if not block.closed:
            where = "the next entry" if block.text.endswith("\n") or len(block.text) < len(text) else "the end of the file"
            problems.append(BibProblem(path, block.line, f"@{block.kind}{{{block.key}, ...}} is not closed before {where}: a brace is missing"))
            continue
        if block.key in keys:
            problems.append(BibProblem(path, block.line, f"entry key {block.key!r} appears twice; this one is ignored"))
            continue
        try:
            data: BibliographyData = parse_string((macros + "\n" if macros else "") + block.text, "bibtex")
        except PybtexSyntaxError as exc:
            problems.append(BibProblem(path, _error_line(exc, block, macro_lines), _clean_error(exc)))
            continue
        except Exception as exc:  # pybtex's other errors: undefined macros, bad names
            problems.append(BibProblem(path, block.line, _clean_error(exc)))
            continue
        for key, e in data.entries.items():
            keys.add(key)
            out.append(_entry(key, e, path, block.line))
    if not out and not problems:
        problems.append(BibProblem(path, 1, "no entries could be read"))
    return out


def _error_line(exc: Exception, block: _Block, macro_lines: int) -> int:
    m = _LINE_IN_ERROR.search(str(exc))
    if not m:
        return block.line
    return max(block.line, block.line + int(m.group(1)) - 1 - macro_lines)


def _clean_error(exc: Exception) -> str:
    message = " ".join(str(exc).split())
    return re.sub(r"^syntax error in line \d+:\s*", "syntax error: ", message) or type(exc).__name__


def _entry(key: str, e, path: str, line: int) -> Entry:
    raw = {k.lower(): str(v) for k, v in e.fields.items()}
    fields = {k: decode_latex(v) for k, v in raw.items()}
    authors = tuple(_name(p) for p in e.persons.get("author", []))
    editors = tuple(_name(p) for p in e.persons.get("editor", []))
    others = {role.lower(): tuple(_name(p) for p in people) for role, people in e.persons.items()
              if role.lower() not in ("author", "editor")}
    for role in ("translator", "bookauthor"):
        if role in others:
            fields[role] = " and ".join(n.display() for n in others[role])
    return Entry(key, e.type.lower(), fields, raw, authors, editors, path, line, persons=others)


def assign_suffixes(entries: list[Entry]) -> None:
    """Works of the same author(s) and year get a, b, c ...: the suffix a `yearsuffix` field
    gives, otherwise in order of title, as author-date styles sort them."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if not e.year:
            continue
        who = "|".join(fold(n.surname) for n in e.creators) or fold(e.fields.get("shortauthor", e.key))
        groups.setdefault((who, e.year), []).append(e)
    for group in groups.values():
        if len(group) < 2:
            group[0].suffix = ""
            continue
        explicit = [e for e in group if e.fields.get("yearsuffix")]
        if len(explicit) == len(group):
            for e in group:
                e.suffix = e.fields["yearsuffix"].strip().lower()
            continue
        for i, e in enumerate(sorted(group, key=lambda x: (fold(x.title), x.key))):
            e.suffix = "abcdefghijklmnopqrstuvwxyz"[i] if i < 26 else str(i)
