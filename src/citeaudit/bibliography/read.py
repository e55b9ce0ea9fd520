"""Reading .bib files: entries with their file and line, LaTeX decoded to Unicode, names
split with particles; a broken file is read block by block, and what cannot be read becomes a
BibProblem with its line.

A file is read by a fast parser that gives what pybtex's parser gives (the same entries,
fields, values and warnings) for files it reads without an error; at the first thing it is not
sure of, the file is read by pybtex instead, as before. pybtex and latexcodec are imported
only when a .bib is read: a run without one does not load them."""

from __future__ import annotations

import gc
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from functools import lru_cache
from string import ascii_letters, digits

from ..errors import CiteauditError
from ..readers import read_bytes
from .model import BibProblem, Bibliography, Entry, Name
from .suffixes import with_suffixes

if TYPE_CHECKING:
    from pybtex.database import Person

_BLOCK_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NEXT_BLOCK = re.compile(r"\n[ \t]*@\s*[A-Za-z]+\s*[{(]")
_LINE_IN_ERROR = re.compile(r"line (\d+)")


def decode_latex(value: str) -> str:
    """LaTeX accents and commands to Unicode, protective braces removed."""
    # short values (journals, publishers, places, pages, names) repeat: those are kept
    return _decode_short(value) if len(value) <= 120 else _decode(value)


def _decode(value: str) -> str:
    text = value
    if "\\" in text or "--" in text or "~" in text or "`" in text or "''" in text:
        from .latex import ulatex  # latexcodec's decoding, token for token

        try:
            text = ulatex(text)
        except Exception:  # latexcodec gives up on rare macros: keep the raw text
            text = value
    if "\\" in text:
        text = _MACRO.sub("", text)  # macros latexcodec does not know
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


_decode_short = lru_cache(maxsize=1 << 15)(_decode)
_MACRO = re.compile(r"\\[A-Za-z]+\*?\s*")


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
    from pybtex.bibtex.utils import split_tex_string

    parts: dict[str, str] = {}
    for piece in split_tex_string(text, sep=","):
        key, _eq, value = piece.partition("=")
        value = value.strip()
        if value.startswith("{") and value.endswith("}"):
            value = value[1:-1]
        parts[key.strip().lower()] = decode_latex(value)
    return Name(given=parts.get("given", ""), von=parts.get("prefix", ""), last=parts.get("family", ""),
                jr=parts.get("suffix", ""))


@lru_cache(maxsize=1 << 16)
def parse_names(value: str) -> tuple[Name, ...]:
    """A BibTeX name list ("Marx, Karl and Engels, Friedrich", "{Conference of Socialist
    Economists}", biblatex's "family=..., given=...") as Names; " and " inside braces does
    not split. A name pybtex cannot read is kept whole, as a literal."""
    if not value:
        return ()
    if "{" in value or "}" in value:
        from pybtex.bibtex.utils import split_name_list

        persons = split_name_list(value)
    else:  # pybtex's split_name_list, where no braces can hide an "and"
        persons = [p.strip() for p in _AND.split(value)]
    return tuple(_one_name(person) for person in persons if person.strip())


_AND = re.compile(" [Aa][Nn][Dd] ")
#: What a name may hold for it to be split here rather than by pybtex: no braces, no
#: backslashes, no ties (pybtex's word splitting differs from whitespace only on those).
_PLAIN_NAME = re.compile(r"[^{}\\~]*")


@lru_cache(maxsize=1 << 16)
def _one_name(person: str) -> Name:
    if _EXTENDED.match(person):
        return _extended_name(person)
    if _PLAIN_NAME.fullmatch(person):
        parts = _plain_person(person.strip())
        if parts is not None:
            first, von, last, jr = parts
            return Name(_plain_part(first), _plain_part(von), _plain_part(last), _plain_part(jr))
    import pybtex.errors
    from pybtex.database import Person

    try:
        with pybtex.errors.capture() as captured:
            parsed = Person(person)
    except Exception:  # noqa: BLE001  (pybtex's name errors: keep the name as written)
        captured = [True]
    return person_name(parsed) if not captured else Name("", "", decode_latex(person), literal=True)


def _plain_part(words: list[str]) -> str:
    """`person_name`'s part() for words without braces, backslashes or ties: joined by single
    spaces, so decode_latex changes them only where a dash or quotes ask it to."""
    text = " ".join(words)
    if "--" in text or "`" in text or "''" in text:
        return decode_latex(text)
    return text


def _is_von(word: str) -> bool:
    """pybtex's is_von_name, for a word without braces or backslashes."""
    if word[0].isupper():
        return False
    if word[0].islower():
        return True
    for ch in word:
        if ch.isalpha():
            return ch.islower()
    return False


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """pybtex's process_von_last: (von, last)."""
    von_last = words[:-1]
    if not von_last:
        return [], words[-1:]
    pos = len(von_last)
    while pos and not _is_von(von_last[pos - 1]):
        pos -= 1
    return von_last[:pos], von_last[pos:] + words[-1:]


def _plain_person(name: str) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """pybtex's Person(name) for a name without braces, backslashes or ties (BibTeX's
    "First von Last", "von Last, First", "von Last, Jr, First"), as (first and middle names,
    von, last, jr); None where pybtex would report an error (more than two commas), for
    pybtex to be asked instead. Words are split at whitespace, which is all pybtex splits such
    a name at."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) > 3:
        return None
    jr: list[str] = []
    if len(parts) == 1:
        words = name.split()
        i = 0
        while i < len(words) and not _is_von(words[i]):
            i += 1
        first, rest = words[:i], words[i:]
        if not rest and first:
            rest.append(first.pop())
        von, last = _von_last(rest)
    else:
        von, last = _von_last(parts[0].split())
        if len(parts) == 3:
            jr = parts[1].split()
        first = parts[-1].split()
    return first, von, last, jr


@dataclass(frozen=True, slots=True)
class Block:
    """One @-block of a .bib file, as written, with the line it starts on."""

    kind: str
    key: str | None
    text: str
    line: int
    closed: bool = True


_BRACES = re.compile(r"[{}]")
_BRACES_PARENS = re.compile(r"[{}()]")
_BALANCED = re.compile(r"\{[^{}]*(?:\{[^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*\}[^{}]*)*\}")
_KEY_IN_BLOCK = re.compile(r"\s*([^,\s]+)\s*,")


def split_blocks(text: str) -> list[Block]:
    """The @-blocks of a .bib file with their first line; text between blocks is a comment.

    An entry left open ends where the next one starts on a line of its own, so one
    missing brace costs one entry, not the rest of the file."""
    return [Block(kind, key, text[start:end], line, closed) for kind, key, start, end, line, closed in _scan_blocks(text)]


def _block_lines(text: str) -> dict[str, int]:
    """The line of each key's block (of its last block, for a key given twice), as
    `split_blocks` finds them, without making the blocks."""
    return {key: line for _kind, key, _start, _end, line, _closed in _scan_blocks(text) if key}


def _scan_blocks(text: str):
    """(kind, key, start, end, line, closed) of each block, for `split_blocks`."""
    pos = 0
    line = 1  # line number at `counted`; newlines are counted once, moving forward
    counted = 0
    search = _BLOCK_START.search
    while True:
        m = search(text, pos)
        if not m:
            break
        start = m.start()
        if text.find("%", text.rfind("\n", 0, start) + 1, start) >= 0:  # "%@book{...": commented out, as biber reads it
            pos = m.end()
            continue
        kind = m.group(1).lower()
        opener = m.group(2)
        nxt = _NEXT_BLOCK.search(text, m.end())
        limit = nxt.start() + 1 if nxt else len(text)
        depth = 0
        end = None
        whole = _BALANCED.match(text, m.end() - 1, limit) if opener == "{" else None
        if whole:  # the usual case: at most three levels of braces inside
            end = whole.end()
        else:  # only braces count (and parentheses, in a block opened by one): from one to the next
            for b in (_BRACES_PARENS if opener == "(" else _BRACES).finditer(text, m.end() - 1, limit):
                if b.group() in "{(":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        end = b.end()
                        break
        closed = end is not None
        if end is None:
            end = limit
        key = None
        if kind not in ("string", "preamble", "comment"):
            km = _KEY_IN_BLOCK.match(text, m.end(), end)
            key = km.group(1) if km else None
        line += text.count("\n", counted, start)
        counted = start
        yield kind, key, start, end, line, closed
        pos = max(end, m.end())


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
    # Reading makes many small objects that all live on (tens of thousands of entries, their
    # fields and names): the cyclic garbage collector, run again and again over them while they
    # are made, would find nothing to free and cost a fifth of the time. It is paused meanwhile.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(paths)
    finally:
        if paused:
            gc.enable()


def load_cached(paths: list[str], cache) -> tuple[Bibliography, str | None]:
    """The .bib files, parsed, or their parse from `cache` (cache.Cache); and the key it is
    kept under (the hash of their paths and bytes; None without a cache folder)."""
    if cache is None or cache.folder is None:
        return load_bibliography(paths), None
    from .._version import __version__
    from ..cache import digest

    parts: list[bytes | str] = [__version__]
    for p in paths:
        try:
            parts += [p, read_bytes(p, "no such bibliography file", "is a folder, not a bibliography file")]
        except CiteauditError:
            return load_bibliography(paths), None  # the error, as load_bibliography words it
    key = "bib-" + digest(*parts)
    return cache.get_or_make(key, lambda: load_bibliography(paths)), key


def _load(paths: list[str | os.PathLike[str]]) -> Bibliography:
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


def _parse(text: str):
    """pybtex's parse, with what it would warn about (a field given twice, a key given twice:
    it keeps the first, as BibTeX does) returned instead of raised or printed."""
    import pybtex.errors
    from pybtex.database import BibliographyDataError
    from pybtex.database.input.bibtex import DuplicateField, Parser

    with pybtex.errors.capture() as captured:
        data = Parser(person_fields=()).parse_string(text)  # names are read by parse_names
    for exc in captured:
        if not isinstance(exc, (DuplicateField, BibliographyDataError)):
            raise exc  # a syntax error: the caller reads the file block by block
    return data, list(captured)


# ---- the fast parser: pybtex's grammar (pybtex.database.input.bibtex.LowLevelParser) for
# files without errors; None at anything else, and the file goes to pybtex.

_NAME_CHARS = ascii_letters + "@!$&*+-./:;<>?[\\]^_`|~\x7f"
_WS = re.compile(r"\s*")
_NAME = re.compile(rf"[{re.escape(_NAME_CHARS)}][{re.escape(_NAME_CHARS + digits)}]*")
_KEY_BRACE = re.compile(r"[^\s,}]+")
_KEY_PAREN = re.compile(r"[^\s,]+")
_NUMBER = re.compile(r"[0-9]+")
_PLAIN_BRACED = re.compile(r"[^{}]*\}")  # a braced value without inner braces, up to its end
_PLAIN_QUOTED = re.compile(r'[^"{}]*"')
_BRACE = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'["{}]')
_MONTHS = {"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
           "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December"}


_NAME_RE = _NAME.pattern
#: A braced value with at most two levels of braces inside.
_BRACED_RE = r"[^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*"
_VALUE_RE = rf'(?:\{{{_BRACED_RE}\}}|"[^"{{}}]*"|[0-9]+|{_NAME_RE})'
#: An entry of the common form, whole: @type{key, name = value, ...} with each value braced,
#: quoted (no braces inside), a number or a macro, and no concatenation. Others are read step
#: by step (`_command`).
_ENTRY = re.compile(rf"@\s*({_NAME_RE})\s*\{{\s*([^\s,}}]+)\s*((?:,\s*{_NAME_RE}\s*=\s*{_VALUE_RE}\s*)*),?\s*\}}")
_FIELD = re.compile(rf',\s*({_NAME_RE})\s*=\s*(?:\{{({_BRACED_RE})\}}|"([^"{{}}]*)"|([0-9]+)|({_NAME_RE}))\s*')


class _Unsure(Exception):
    """Something the fast parser leaves to pybtex: a syntax error, an undefined macro."""


def _fast_parse(text: str) -> tuple[list[tuple[str, str, list[tuple[str, str]]]], list[str], dict[str, int]] | None:
    """The entries of a .bib as pybtex's parser reads them: (key, type, [(field, value)]) in
    the order of the file, the first of a repeated key, the first of a repeated field, values
    with their whitespace normalised and macros expanded; with the messages of pybtex's
    warnings (DuplicateField, repeated entry), in order; and the line of each key's entry (of
    its last, for a key given twice, as `_block_lines` gives them). None where pybtex would
    report an error (or anything else unusual): the caller then reads the file with pybtex."""
    try:
        return _fast_parse_or_raise(text)
    except (_Unsure, IndexError):
        return None


def _fast_parse_or_raise(text: str):
    macros = dict(_MONTHS)  # lower-case names, as pybtex's CaseInsensitiveDict
    entries: list[tuple[str, str, list[tuple[str, str]]]] = []
    messages: list[str] = []
    keys: set[str] = set()
    lines: dict[str, int] = {}
    line, counted = 1, 0  # the line at `counted`: newlines are counted once, moving forward
    entry_match = _ENTRY.match
    pos = 0
    while True:
        at = text.find("@", pos)
        if at < 0:
            break
        m = entry_match(text, at)
        if m and m.group(1).lower() not in ("comment", "string", "preamble"):
            pos = m.end()
            key = m.group(2)
            kind = m.group(1).lower()
            # whitespace normalised once for the whole entry: each value then needs a strip only
            body = " ".join(m.group(3).split())
            fields = [(name, (braced or quoted or number).strip()) if not macro else (name, " ".join(_macro(macros, macro).split()))
                      for name, braced, quoted, number, macro in _FIELD.findall(body)]
        else:
            found, pos = _command(text, at, macros)
            if found is None:
                continue
            key, kind, fields = found
            fields = [(name, " ".join(value.split())) for name, value in fields]  # pybtex's normalize_whitespace
        if len({name.lower() for name, _value in fields}) < len(fields):  # a field given twice: the first is kept
            seen: set[str] = set()
            kept = []
            for name, value in fields:
                low = name.lower()
                if low in seen:
                    messages.append(f"entry with key {key} has a duplicate {name} field")
                    continue
                seen.add(low)
                kept.append((name, value))
            fields = kept
        line += text.count("\n", counted, at)
        counted = at
        lines[key] = line
        low_key = key.lower()
        if low_key in keys:
            messages.append(f"repeated bibliography entry: {key}")
            continue
        keys.add(low_key)
        entries.append((key, kind, fields))
    return entries, messages, lines


def _macro(macros: dict[str, str], name: str) -> str:
    value = macros.get(name.lower())
    if value is None:
        raise _Unsure("undefined string")
    return value


def _command(text: str, at: int, macros: dict[str, str]) -> tuple[tuple[str, str, list[tuple[str, str]]] | None, int]:
    """One command from its "@", step by step as pybtex's LowLevelParser reads it: an entry
    as (key, type, fields) or None (@string, @preamble, @comment), and where reading goes on."""
    n = len(text)
    ws = _WS.match

    def skip(pos: int) -> int:
        pos = ws(text, pos).end()
        if pos >= n:
            raise _Unsure("premature end of file")
        return pos

    def value(pos: int) -> tuple[str, int]:
        parts = []
        while True:
            pos = skip(pos)
            ch = text[pos]
            if ch == "{" or ch == '"':
                start = pos + 1
                m = (_PLAIN_BRACED if ch == "{" else _PLAIN_QUOTED).match(text, start)
                pos = m.end() if m else _string_end(text, start, ch)
                parts.append(text[start : pos - 1])
            else:
                m = _NUMBER.match(text, pos)
                if m:
                    parts.append(m.group())
                    pos = m.end()
                else:
                    m = _NAME.match(text, pos)
                    if not m:
                        raise _Unsure("field value expected")
                    macro = macros.get(m.group().lower())
                    if macro is None:
                        raise _Unsure("undefined string")
                    parts.append(macro)
                    pos = m.end()
            pos = skip(pos)
            if text[pos] != "#":
                return "".join(parts), pos
            pos += 1

    pos = skip(at + 1)
    m = _NAME.match(text, pos)
    if not m:
        raise _Unsure("a valid name expected")
    command = m.group()
    pos = skip(m.end())
    opener = text[pos]
    if opener == "{":
        closer = "}"
    elif opener == "(":
        closer = ")"
    else:
        raise _Unsure("'(' or '{' expected")
    pos += 1
    kind = command.lower()
    if kind == "comment":
        return None, pos  # pybtex goes on looking for "@" right after the opening brace
    found = None
    if kind == "string":
        pos = skip(pos)
        m = _NAME.match(text, pos)
        if not m:
            raise _Unsure("a valid name expected")
        pos = skip(m.end())
        if text[pos] != "=":
            raise _Unsure("'=' expected")
        macro, pos = value(pos + 1)
        macros[m.group().lower()] = macro
    elif kind == "preamble":
        _preamble, pos = value(pos)
    else:
        pos = skip(pos)
        m = (_KEY_BRACE if closer == "}" else _KEY_PAREN).match(text, pos)
        if not m:
            raise _Unsure("entry key expected")
        key = m.group()
        pos = m.end()
        fields: list[tuple[str, str]] = []
        while True:
            pos = skip(pos)
            m = _NAME.match(text, pos)
            if m:
                pos = skip(m.end())
                if text[pos] != "=":
                    raise _Unsure("'=' expected")
                val, pos = value(pos + 1)
                fields.append((m.group(), val))
            pos = skip(pos)
            if text[pos] != ",":
                break
            pos += 1
        found = (key, kind, fields)
    pos = skip(pos)
    if text[pos] != closer:
        raise _Unsure(f"'{closer}' expected")
    return found, pos + 1


def _string_end(text: str, pos: int, delimiter: str) -> int:
    """Just after the end of a braced (`delimiter` "{") or quoted ('"') value starting at `pos`,
    nested braces skipped; pybtex's rules: a quote inside braces does not end it, a closing
    brace at the top of a quoted value is an error, no more than 100 levels."""
    depth = 0
    pattern = _QUOTE_OR_BRACE if delimiter == '"' else _BRACE
    while True:
        m = (pattern if depth == 0 else _BRACE).search(text, pos)
        if not m:
            raise _Unsure("premature end of file")
        ch = m.group()
        pos = m.end()
        if ch == "{":
            depth += 1
            if depth >= 100:  # pybtex's limit is about here: let it say
                raise _Unsure("too many nested braces")
        elif ch == "}":
            if depth == 0:
                if delimiter == '"':
                    raise _Unsure("unbalanced braces")
                return pos
            depth -= 1
        else:  # the closing quote, at the top level
            return pos


def _warnings(path: str, captured: list, lines: dict[str, int]) -> list[BibProblem]:
    out = []
    for exc in captured:
        message = " ".join(str(exc).split())
        key = re.search(r"key (\S+)", message)
        line = lines.get(key.group(1), 1) if key else 1
        out.append(BibProblem(path, line, f"{message}; the first is used, as BibTeX does"))
    return out


def _entries_of(path: str, text: str) -> tuple[list[Entry], list[BibProblem]]:
    try:
        parsed = _fast_parse(text)
        if parsed is not None:
            found, messages, lines = parsed
        else:
            lines = _block_lines(text)
            data, messages = _parse(text)
            found = [(key, e.type, [(k, str(v)) for k, v in e.fields.items()]) for key, e in data.entries.items()]
        decoded: dict[str, str] = {}
        return ([_entry(key, etype, fields, path, lines.get(key, 1), decoded) for key, etype, fields in found],
                _warnings(path, messages, lines))
    except Exception:  # pybtex stops at the first problem: read block by block instead
        pass
    from pybtex.scanner import PybtexSyntaxError

    blocks = split_blocks(text)
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
            out.append(_entry(key, e.type, [(k, str(v)) for k, v in e.fields.items()], path, block.line))
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


def _entry(key: str, etype: str, items: list[tuple[str, str]], path: str, line: int,
           decoded: dict[str, str] | None = None) -> Entry:
    """`decoded`: values already decoded while reading this file (journals, publishers and
    places repeat), kept only as long as the reading."""
    raw = {k.lower(): v for k, v in items}
    if decoded is None:
        fields = {k: decode_latex(v) for k, v in raw.items() if k not in ("author", "editor")}
    else:
        fields = {}
        for k, v in raw.items():
            if k != "author" and k != "editor":
                d = decoded.get(v)
                if d is None:
                    d = decoded[v] = _decode(v)
                fields[k] = d
    authors = parse_names(raw.get("author", ""))
    editors = parse_names(raw.get("editor", ""))
    others = {role: parse_names(raw[role]) for role in PERSON_FIELDS if raw.get(role)}
    for role, names in others.items():
        fields[role] = " and ".join(n.display() for n in names)
    return Entry(key, etype.lower(), fields, raw, authors, editors, path, line, persons=others)


#: Fields beside author and editor that name persons (biblatex's data model).
PERSON_FIELDS = ("translator", "bookauthor", "commentator", "annotator", "introduction", "foreword", "afterword",
                 "editora", "editorb", "editorc", "holder")
