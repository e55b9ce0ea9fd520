"""Work started early on another core: what the rules about a large bibliography alone say,
worked out in a forked child while this process extracts, resolves and searches the
manuscripts (which need the bibliography's names first, the rules about the bibliography
nothing but its entries).

The child is forked once the .bib is parsed (from a process with no other thread), so it
has the entries without their being pickled; only its answer (the issues, plain data) comes
back, through a pipe. Where there is no `fork`, or other threads run, or a Dask cluster does
the work, or one job was asked for, or the child fails or dies, the same rules run here when
their answer is wanted: the result is the same either way.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any

#: Below this many entries the rules about the bibliography take less than a fork costs.
MIN_ENTRIES = 2000


class Ahead:
    """`fn(*args)` in a forked child, or here at `result()` where no child could be started."""

    def __init__(self, fn: Callable[..., Any], *args: Any, fork: bool = True) -> None:
        self.fn, self.args = fn, args
        self.pid: int | None = None
        self.reader: int | None = None
        # (never from a process with other threads: one may hold a lock the child would wait on)
        if fork and hasattr(os, "fork") and threading.active_count() == 1:
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: answer, and leave without running anything of the parent's
            code = 0
            try:
                os.close(read)
                try:
                    answer = (True, self.fn(*self.args))
                except Exception as exc:  # noqa: BLE001 - said to the parent, which runs it itself
                    answer = (False, repr(exc))
                data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.reader = pid, read

    def result(self) -> Any:
        """The child's answer, or the same worked out here."""
        if self.reader is not None:
            try:
                with os.fdopen(self.reader, "rb") as fh:
                    self.reader = None
                    data = fh.read()
                ok, value = pickle.loads(data) if data else (False, None)
            except (OSError, EOFError, pickle.UnpicklingError):
                ok, value = False, None
            self._reap()
            if ok:
                return value
        return self.fn(*self.args)

    def _reap(self, stop: bool = False) -> None:
        if self.pid is None:
            return
        try:
            if stop and os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)  # the child has answered (or been stopped): it is ending
        except (ChildProcessError, ProcessLookupError):
            pass
        self.pid = None

    def close(self) -> None:
        """Stop the child if it is still at work (a run that failed meanwhile), and reap it."""
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        self._reap(stop=True)

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
