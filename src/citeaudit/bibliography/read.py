"""Reading .bib files with pybtex: entries with their file and line, LaTeX decoded to
Unicode, names split with particles; a broken file is read block by block, and what
cannot be read becomes a BibProblem with its line."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pybtex.errors
from pybtex.bibtex.utils import split_name_list, split_tex_string
from pybtex.database import BibliographyData, BibliographyDataError, Person
from pybtex.database.input.bibtex import DuplicateField, Parser
from pybtex.scanner import PybtexSyntaxError

from ..errors import CiteauditError
from ..readers import read_bytes
from .model import BibProblem, Bibliography, Entry, Name
from .suffixes import with_suffixes

_BLOCK_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NEXT_BLOCK = re.compile(r"\n[ \t]*@\s*[A-Za-z]+\s*[{(]")
_LINE_IN_ERROR = re.compile(r"line (\d+)")


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


def person_name(person: Person) -> Name:
    """A pybtex Person as a Name, decoded; a name written whole in braces is literal."""

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


_EXTENDED = re.compile(r"^\s*(?:family|given|prefix|suffix|useprefix|family-i|given-i)\s*=", re.IGNORECASE)


def _extended_name(text: str) -> Name:
    """biblatex's extended name format: `family=Mello e Souza, given=André, prefix=de,
    useprefix=true` (values may be braced)."""
    parts: dict[str, str] = {}
    for piece in split_tex_string(text, sep=","):
        key, _eq, value = piece.partition("=")
        value = value.strip()
        if value.startswith("{") and value.endswith("}"):
            value = value[1:-1]
        parts[key.strip().lower()] = decode_latex(value)
    return Name(given=parts.get("given", ""), von=parts.get("prefix", ""), last=parts.get("family", ""),
                jr=parts.get("suffix", ""))


def parse_names(value: str) -> tuple[Name, ...]:
    """A BibTeX name list ("Marx, Karl and Engels, Friedrich", "{Conference of Socialist
    Economists}", biblatex's "family=..., given=...") as Names; " and " inside braces does
    not split. A name pybtex cannot read is kept whole, as a literal."""
    out = []
    for person in split_name_list(value):
        if not person.strip():
            continue
        if _EXTENDED.match(person):
            out.append(_extended_name(person))
            continue
        try:
            with pybtex.errors.capture() as captured:
                parsed = Person(person)
        except Exception:  # noqa: BLE001  (pybtex's name errors: keep the name as written)
            captured = [True]
        out.append(person_name(parsed) if not captured else Name("", "", decode_latex(person), literal=True))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Block:
    """One @-block of a .bib file, as written, with the line it starts on."""

    kind: str
    key: str | None
    text: str
    line: int
    closed: bool = True


def split_blocks(text: str) -> list[Block]:
    """The @-blocks of a .bib file with their first line; text between blocks is a comment.

    An entry left open ends where the next one starts on a line of its own, so one
    missing brace costs one entry, not the rest of the file."""
    blocks: list[Block] = []
    pos = 0
    line = 1  # line number at `counted`; newlines are counted once, moving forward
    counted = 0
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
        line += text.count("\n", counted, m.start())
        counted = m.start()
        blocks.append(Block(kind, key, text[m.start() : end], line, closed))
        pos = max(end, m.end())
    return blocks


def read_bib_text(path: str) -> tuple[str, list[BibProblem]]:
    """A .bib file's text: UTF-8, or else Latin-1 with a problem naming the first bad line."""
    data = read_bytes(path, "no such bibliography file", "is a folder, not a .bib file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return data.decode("latin-1"), [BibProblem(path, line, "not valid UTF-8; read as Latin-1")]


def load_bibliography(paths: list[str | os.PathLike[str]]) -> Bibliography:
    """Read .bib files. Broken entries become problems with their line; the rest is used."""
    entries: list[Entry] = []
    problems: list[BibProblem] = []
    seen: dict[str, Entry] = {}
    for raw_path in paths:
        path = os.fspath(raw_path)
        text, read_problems = read_bib_text(path)
        if text.strip() and not _BLOCK_START.search(text):
            raise CiteauditError("holds no BibTeX entry (@book{...}): a manuscript given as --bib? "
                                 "Manuscripts are named without an option", path)
        problems.extend(read_problems)
        file_entries, file_problems = _entries_of(path, text)
        problems.extend(file_problems)
        for entry in file_entries:
            if entry.key in seen:
                first = seen[entry.key]
                problems.append(
                    BibProblem(path, entry.line, f"entry key {entry.key!r} repeats the one at {first.path}:{first.line}; this one is ignored")
                )
                continue
            seen[entry.key] = entry
            entries.append(entry)
    return Bibliography(tuple(with_suffixes(entries)), tuple(problems))


def _parse(text: str) -> tuple[BibliographyData, list[Exception]]:
    """pybtex's parse, with what it would warn about (a field given twice, a key given twice:
    it keeps the first, as BibTeX does) returned instead of raised or printed."""
    with pybtex.errors.capture() as captured:
        data = Parser(person_fields=()).parse_string(text)  # names are read by parse_names
    for exc in captured:
        if not isinstance(exc, (DuplicateField, BibliographyDataError)):
            raise exc  # a syntax error: the caller reads the file block by block
    return data, list(captured)


def _warnings(path: str, captured: list[Exception], lines: dict[str, int]) -> list[BibProblem]:
    out = []
    for exc in captured:
        message = " ".join(str(exc).split())
        key = re.search(r"key (\S+)", message)
        line = lines.get(key.group(1), 1) if key else 1
        out.append(BibProblem(path, line, f"{message}; the first is used, as BibTeX does"))
    return out


def _entries_of(path: str, text: str) -> tuple[list[Entry], list[BibProblem]]:
    blocks = split_blocks(text)
    lines = {b.key: b.line for b in blocks if b.key}
    try:
        data, captured = _parse(text)
        return [_entry(key, e, path, lines.get(key, 1)) for key, e in data.entries.items()], _warnings(path, captured, lines)
    except Exception:  # pybtex stops at the first problem: read block by block instead
        pass
    problems: list[BibProblem] = []
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
            data, captured = _parse((macros + "\n" if macros else "") + block.text)
            problems.extend(_warnings(path, captured, {block.key: block.line}))
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
    return out, problems


def _error_line(exc: Exception, block: Block, macro_lines: int) -> int:
    m = _LINE_IN_ERROR.search(str(exc))
    if not m:
        return block.line
    return max(block.line, block.line + int(m.group(1)) - 1 - macro_lines)


def _clean_error(exc: Exception) -> str:
    message = " ".join(str(exc).split())
    return re.sub(r"^syntax error in line \d+:\s*", "syntax error: ", message) or type(exc).__name__


def _entry(key: str, e, path: str, line: int) -> Entry:
    raw = {k.lower(): str(v) for k, v in e.fields.items()}
    fields = {k: decode_latex(v) for k, v in raw.items() if k not in ("author", "editor")}
    authors = parse_names(raw.get("author", ""))
    editors = parse_names(raw.get("editor", ""))
    others = {role: parse_names(raw[role]) for role in PERSON_FIELDS if raw.get(role)}
    for role, names in others.items():
        fields[role] = " and ".join(n.display() for n in names)
    return Entry(key, e.type.lower(), fields, raw, authors, editors, path, line, persons=others)


#: Fields beside author and editor that name persons (biblatex's data model).
PERSON_FIELDS = ("translator", "bookauthor", "commentator", "annotator", "introduction", "foreword", "afterword",
                 "editora", "editorb", "editorc", "holder")
