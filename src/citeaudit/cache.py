"""A cache on disk for CI: a revision that changed one manuscript of a hundred re-reads one.

What is kept, each under the hash of everything it depends on:

- a manuscript's extraction (its `Document`): the file's bytes, the path it is reported
  under, its format, the bibliography names and titles extraction looked for, and the
  version of citeaudit;
- a parsed bibliography, and its names and titles as indexed for extraction: the bytes and
  paths of its .bib files, and the version;
- a manuscript's resolutions and what the per-document rules say of it: its extraction, the
  bibliography, (for the rules) its resolutions and the house style;
- what each manuscript and each source text holds of each quoted wording, and which
  shingles (three words in a row) each manuscript has, so that a wording quoted for the
  first time is looked for only where it may be;
- each manuscript's part of the JSON report, under everything that part is made of;
- what a whole `citeaudit check` wrote (`Recorded`), under the bytes of its manuscripts and
  .bib files, its configuration and options; replayed while the other files it looked for
  (the full texts of sources, found or not) are as they were.

Every key holds the code too (`code_stamp`: the bytes of citeaudit's modules), so that a
changed citeaudit, even at the same version number, never reads what another one kept.

Entries are files named by their key in `DIR/check/` (by default the user's cache folder,
`$XDG_CACHE_HOME/citeaudit` or `~/.cache/citeaudit`; `--cache DIR` or `CITEAUDIT_CACHE_DIR`
elsewhere; `--no-cache` none). Each is written to a temporary file and renamed into place,
so two runs at once never see half an entry; an entry that cannot be read is ignored and
made again. The folder is kept under `MAX_BYTES`: the entries used least recently go first.
Only this user's own cache folder should be used: entries are pickles.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The most the cache folder holds; beyond it the oldest entries are removed.
MAX_BYTES = 512 * 1024 * 1024
_FORMAT = b"citeaudit-cache-1"


def default_dir() -> str:
    base = os.environ.get("CITEAUDIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "citeaudit")
    return base


@functools.cache
def code_stamp() -> bytes:
    """The hash of citeaudit's own modules and data, file by file: the classes a kept value
    is made of, and what made it."""
    root = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            h.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            h.update(hashlib.sha256(data).digest())
    return h.digest()


def digest(*parts: bytes | str) -> str:
    """The key of a kept value: the hash of what it depends on (`parts`) and of the code."""
    h = hashlib.sha256(_FORMAT + code_stamp())
    for p in parts:
        data = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """Values by key in a folder; `hits` and `misses` say what a run found there."""

    def __init__(self, folder: str | None, max_bytes: int = MAX_BYTES) -> None:
        self.folder = os.path.join(folder, "check") if folder else None
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._written = 0
        if self.folder:
            try:
                os.makedirs(self.folder, exist_ok=True)
            except OSError:
                self.folder = None  # a cache that cannot be made is no cache: nothing fails for it

    def get(self, key: str) -> Any | None:
        if not self.folder:
            return None
        path = os.path.join(self.folder, key)
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
            os.utime(path)  # used: the last to be removed
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def has(self, key: str) -> bool:
        """Whether an entry is kept under `key` (it may still fail to load)."""
        return bool(self.folder) and os.path.exists(os.path.join(self.folder, key))

    def put(self, key: str, value: Any) -> None:
        if not self.folder:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, os.path.join(self.folder, key))
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            self._written += len(data)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return

    def get_or_make(self, key: str, make: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def text_memo(self, kind: str) -> Callable[[bytes, Callable[[], str]], str] | None:
        """`memo(inputs, make)`: the text kept under `kind` and `inputs` (bytes holding all it
        depends on), or `make()`'s, then kept; None where there is no cache folder."""
        if not self.folder:
            return None

        def memo(inputs: bytes, make: Callable[[], str]) -> str:
            return self.get_or_make(digest(kind, inputs), make)

        return memo

    def trim(self) -> None:
        """Keep the folder under its size: the least recently used entries go first."""
        if not self.folder or not self._written:
            return
        try:
            entries = []
            total = 0
            for name in os.listdir(self.folder):
                path = os.path.join(self.folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                if name.startswith(".tmp-") and st.st_mtime < time.time() - 3600:
                    os.unlink(path)  # left by a run that was killed
                    continue
                entries.append((st.st_mtime, st.st_size, path))
                total += st.st_size
            entries.sort()
            for _mtime, size, path in entries:
                if total <= self.max_bytes:
                    break
                try:
                    os.unlink(path)
                    total -= size
                except OSError:
                    pass
        except OSError:
            return


# --- a check's whole output, for a run whose inputs are all as they were -------------------

def file_state(path: str) -> tuple[int, int, int] | None:
    """What a file is now, as far as a kept output depends on it: its kind, size and time of
    last change; None if there is nothing there."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mode >> 12, st.st_size, st.st_mtime_ns


def looked_for(paths) -> tuple[tuple[tuple[str, tuple[int, int, int]], ...], tuple[tuple[str, frozenset[str]], ...]]:
    """What a run found of the files it looked for: the state of each that exists, and for
    those that do not, by folder, their names (a folder that does not exist is itself a name
    its own folder lacks). Folders are listed, not their times compared: writing a report
    beside a .bib changes the folder, not what the check could find there."""
    found: dict[str, tuple[int, int, int]] = {}
    missing: dict[str, set[str]] = {}  # folder that exists -> names not in it
    seen: set[str] = set()
    todo = [(path, False) for path in paths]
    while todo:
        path, is_folder = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        state = file_state(path)
        if state is not None:
            if not is_folder:
                found[path] = state
            continue
        folder, name = os.path.split(os.path.normpath(path))
        folder = folder or "."
        if not name or folder == path:
            continue
        missing.setdefault(folder, set()).add(name)
        todo.append((folder, True))
    there = tuple((folder, frozenset(names)) for folder, names in sorted(missing.items()) if file_state(folder) is not None)
    return tuple(sorted(found.items())), there


def _listing(folder: str) -> set[str]:
    try:
        return set(os.listdir(folder))
    except (OSError, ValueError):
        return set()


@dataclass(frozen=True)
class Recorded:
    """What one `citeaudit check` wrote, kept under the hash of everything it read (see
    cli.run_check): the reports, standard output, the lines said on standard error before
    and after them, the exit code, and the state of the other files it looked for."""

    files: dict[str, str | bytes]
    stdout: str
    said: tuple[str, ...]
    said_after: tuple[str, ...]
    code: int
    #: `looked_for` of the files it looked for
    looked: tuple[tuple[tuple[str, tuple[int, int, int]], ...], tuple[tuple[str, frozenset[str]], ...]] = ((), ())

    def current(self) -> bool:
        """Are the files it looked for as they were: those found unchanged, none of the others
        there now?"""
        found, missing = self.looked
        return (all(file_state(path) == state for path, state in found)
                and not any(names & _listing(folder) for folder, names in missing))
