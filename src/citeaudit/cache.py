"""A cache on disk for CI: a revision that changed one manuscript of a hundred re-reads one.

What is kept, each under the hash of everything it depends on:

- a manuscript's extraction (its `Document`): the file's bytes, the path it is reported
  under, its format, the bibliography names and titles extraction looked for, and the
  version of citeaudit;
- a parsed bibliography: the bytes and paths of its .bib files, and the version;
- a manuscript's resolutions and what the per-document rules say of it: its extraction, the
  bibliography, (for the rules) its resolutions and the house style;
- what each manuscript and each source text holds of each quoted wording.

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
