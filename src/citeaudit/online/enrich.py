"""Proposed field edits written into a .bib file, touching nothing else.

The file is edited as text, not re-serialised: a changed field gets a new value between its
own delimiters, an added field a new line after the entry's last field, indented and aligned
like it. Comments, order, spacing, line endings, encoding and every other byte stay as they
were. `diff()` is the unified diff of the change; `write()` copies the file to a backup and
then replaces it atomically (a temporary file in the same folder, fsync, rename).
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

from ..errors import CiteauditError
from .verify import FieldEdit

# -- finding an entry's fields in the text -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str  # lower case
    start: int  # where the field name starts
    value_start: int
    value_end: int
    comma: int | None  # the comma after the value, if any


@dataclass(frozen=True, slots=True)
class _EntrySpan:
    start: int  # the "@"
    body: int  # just after "key,"
    close: int  # the closing brace or parenthesis
    fields: tuple[_Field, ...]


_NAME = re.compile(r"[A-Za-z0-9_\-:.+/]+")


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def find_entry(text: str, key: str, line: int | None = None) -> _EntrySpan | None:
    """The entry `key` in `text` (the one starting on `line` if there are several)."""
    pattern = re.compile(r"@\s*[A-Za-z]+\s*([{(])\s*" + re.escape(key) + r"\s*,")
    found = []
    for m in pattern.finditer(text):
        if "%" in text[_line_start(text, m.start()) : m.start()]:
            continue  # commented out
        found.append(m)
    if not found:
        return None
    if line is not None:
        on_line = [m for m in found if text.count("\n", 0, m.start()) + 1 == line]
        if on_line:
            found = on_line
    m = found[0]
    return _scan(text, m.start(), m.end(), ")" if m.group(1) == "(" else "}")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text[pos] == "%" and text[_line_start(text, pos) : pos].strip() == "":
            end = text.find("\n", pos)  # a comment line inside the entry
            pos = len(text) if end < 0 else end + 1
        else:
            break
    return pos


def _scan_value(text: str, pos: int, closer: str) -> int | None:
    """The end of one value: {..} or ".." or a number/macro, joined with #."""
    while True:
        if pos >= len(text):
            return None
        ch = text[pos]
        if ch == "{":
            depth = 0
            i = pos
            while i < len(text):
                if text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if i >= len(text):
                return None
            pos = i + 1
        elif ch == '"':
            depth = 0
            i = pos + 1
            while i < len(text):
                c = text[i]
                if c == "\\":
                    i += 2
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == '"' and depth == 0:
                    break
                i += 1
            if i >= len(text):
                return None
            pos = i + 1
        else:
            m = re.compile(r"[^\s,#{}()\"=]+").match(text, pos)
            if not m:
                return None
            pos = m.end()
        after = _skip_space(text, pos)
        if after < len(text) and text[after] == "#":
            pos = _skip_space(text, after + 1)
            continue
        return pos


def _scan(text: str, start: int, body: int, closer: str) -> _EntrySpan | None:
    fields: list[_Field] = []
    pos = body
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            return None
        if text[pos] == closer:
            return _EntrySpan(start, body, pos, tuple(fields))
        if text[pos] == ",":  # a stray comma
            pos += 1
            continue
        m = _NAME.match(text, pos)
        if not m:
            return None
        name_start = pos
        pos = _skip_space(text, m.end())
        if pos >= len(text) or text[pos] != "=":
            return None
        value_start = _skip_space(text, pos + 1)
        value_end = _scan_value(text, value_start, closer)
        if value_end is None:
            return None
        pos = _skip_space(text, value_end)
        comma = None
        if pos < len(text) and text[pos] == ",":
            comma = pos
            pos += 1
        fields.append(_Field(m.group().lower(), name_start, value_start, value_end, comma))


# -- rendering values --------------------------------------------------------------------------

_VERBATIM = {"doi", "url", "isbn", "issn", "eprint"}
_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": "", "}": "", "\\": "", "~": r"\~{}",
            "^": r"\^{}"}


def render_value(name: str, value: str, ascii_only: bool) -> str | None:
    """`value` as the text between the braces of a BibTeX field, or None if it cannot be."""
    value = " ".join(str(value).split())
    if not value:
        return None
    if name in _VERBATIM:
        return value if value.count("{") == value.count("}") and "}" not in value else None
    out = []
    for ch in value:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ascii_only and ord(ch) > 127:
            try:
                enc = codecs.encode(ch, "ulatex+ascii").strip()
            except Exception:
                return None
            out.append("{" + enc + "}" if enc.startswith("\\") else enc)
        else:
            out.append(ch)
    return "".join(out)


# -- applying edits ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skipped:
    edit: FieldEdit
    why: str


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def apply_edit(text: str, edit: FieldEdit) -> tuple[str, str | None]:
    """(new text, None), or (the text unchanged, why not)."""
    span = find_entry(text, edit.key, edit.line or None)
    if span is None:
        return text, f"entry {edit.key} not found, or its fields could not be read"
    ascii_only = text.isascii()
    value = render_value(edit.field, edit.new, ascii_only)
    if value is None:
        return text, f"{edit.new!r} cannot be written as a BibTeX value"
    existing = [f for f in span.fields if f.name == edit.field]
    if existing:
        f = existing[0]
        old = text[f.value_start : f.value_end]
        if old.startswith('"') and old.endswith('"') and '"' not in value:
            new_value = f'"{value}"'
        elif old.isdigit() and value.isdigit():
            new_value = value
        else:
            new_value = "{" + value + "}"
        if old == new_value:
            return text, "the field already has that value"
        return text[: f.value_start] + new_value + text[f.value_end :], None
    if edit.old is not None:
        return text, f"the field {edit.field} is no longer in the entry"
    return _insert(text, span, edit.field, "{" + value + "}"), None


def _insert(text: str, span: _EntrySpan, name: str, value: str) -> str:
    nl = _newline(text)
    if not span.fields:  # "@book{key,}": the field on a line of its own
        inside = text[span.body : span.close].lstrip(" \t\r\n")
        return text[: span.body] + f"{nl}  {name} = {value}{nl}" + inside + text[span.close :]
    last = span.fields[-1]
    line_start = _line_start(text, last.start)
    prefix = text[line_start : last.start]
    name_end = last.start + len(last.name)
    between = text[name_end : last.value_start]  # "       = " between the last field's name and value
    eq = between.index("=")
    before_eq, after_eq = between[:eq], between[eq + 1 :]
    if "\n" in before_eq or "\n" in after_eq:
        before_eq, after_eq = " ", " "
    width = len(last.name) + len(before_eq)
    pad = " " * (width - len(name)) if width - len(name) >= 1 and before_eq.strip() == "" and len(before_eq) > 1 else " "
    assignment = f"{name}{pad}={after_eq}{value}"
    if prefix.strip() == "":  # one field a line: a new line like the last one
        if last.comma is not None:
            return text[: last.comma + 1] + f"{nl}{prefix}{assignment}," + text[last.comma + 1 :]
        return text[: last.value_end] + f",{nl}{prefix}{assignment}" + text[last.value_end :]
    # fields on one line: "@book{k, author = {A}, title = {T}}"
    if last.comma is not None:
        return text[: last.comma + 1] + f" {assignment}," + text[last.comma + 1 :]
    return text[: last.value_end] + f", {assignment}" + text[last.value_end :]


def apply_edits(text: str, edits: Iterable[FieldEdit]) -> tuple[str, list[FieldEdit], list[Skipped]]:
    """Apply edits one by one; an edit that cannot be applied is skipped with its reason."""
    applied: list[FieldEdit] = []
    skipped: list[Skipped] = []
    seen: set[tuple[str, str]] = set()
    for edit in edits:
        if (edit.key, edit.field) in seen:
            skipped.append(Skipped(edit, "another edit of the same field comes first"))
            continue
        seen.add((edit.key, edit.field))
        new, why = apply_edit(text, edit)
        if why is None:
            text = new
            applied.append(edit)
        else:
            skipped.append(Skipped(edit, why))
    return text, applied, skipped


# -- files -------------------------------------------------------------------------------------


@dataclass(slots=True)
class EnrichResult:
    path: str
    old_text: str
    new_text: str
    encoding: str
    applied: list[FieldEdit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    original: bytes = b""  # the file as read, to notice a change before writing

    @property
    def changed(self) -> bool:
        return self.new_text != self.old_text

    def diff(self) -> str:
        """The unified diff of the change ("" when nothing changes)."""
        name = self.path.replace(os.sep, "/")
        lines = difflib.unified_diff(self.old_text.splitlines(keepends=True), self.new_text.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}")
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _read(path: str) -> tuple[bytes, str, str]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise CiteauditError("no such bibliography file", path) from None
    except OSError as exc:
        raise CiteauditError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        return data, data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data, data.decode("latin-1"), "latin-1"


def enrich_file(path: str | os.PathLike[str], edits: Iterable[FieldEdit]) -> EnrichResult:
    """The file with the edits meant for it (edits for other files are ignored)."""
    path = os.fspath(path)
    mine = [e for e in edits if not e.path or os.path.abspath(e.path) == os.path.abspath(path)]
    data, text, encoding = _read(path)
    new, applied, skipped = apply_edits(text, mine)
    if encoding == "latin-1":
        try:
            new.encode("latin-1")
        except UnicodeEncodeError:
            new, applied = text, []
            skipped = [Skipped(e, "the file is Latin-1 and the value is not") for e in mine]
    return EnrichResult(path, text, new, encoding, applied, skipped, data)


def write(result: EnrichResult, backup_suffix: str = ".bak") -> str | None:
    """Back the file up (FILE.bak, or FILE.bak.1, ... if taken), then replace it atomically.
    Returns the backup's path (None when nothing changed and nothing was written)."""
    if not result.changed:
        return None
    target = os.path.realpath(result.path)  # a symbolic link keeps pointing at the edited file
    current, _, _ = _read(target)
    if current != result.original:
        raise CiteauditError("the file changed since it was read; nothing written, run enrich again", result.path)
    backup = result.path + backup_suffix
    n = 0
    while os.path.exists(backup):
        n += 1
        backup = f"{result.path}{backup_suffix}.{n}"
    folder = os.path.dirname(target) or "."
    tmp = None
    try:
        shutil.copy2(target, backup)
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(result.new_text.encode(result.encoding))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise CiteauditError(f"cannot write: {exc.strerror or exc}", result.path) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return backup
