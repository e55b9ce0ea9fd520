"""Writing what citeaudit produces: whole or not at all, never over an input, never leaving a
temporary file behind.

A report is written to an anonymous file in the target's folder (Linux's O_TMPFILE: it
has no name, so a run killed at any moment leaves nothing), then given a name and moved
over the target in one rename. Where the system has no O_TMPFILE, a named temporary file
is removed on any exit Python sees, SIGTERM included. A target that is a device or a pipe
(/dev/null, /dev/stdout) is written into, never replaced.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import stat
import tempfile

from .errors import CiteauditError, display

_UMASK = os.umask(0o022)
os.umask(_UMASK)
_O_TMPFILE = getattr(os, "O_TMPFILE", None)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_inputs(targets: list[str], inputs: list[str]) -> None:
    """Stop before anything is written if a target is one of the inputs (or the same file
    by another name or link)."""
    for target in targets:
        for source in inputs:
            if source != "-" and os.path.exists(target) and _same_file(target, source):
                raise CiteauditError("is an input of this run; refusing to write the report over it", display(target))


def _special(path: str) -> bool:
    """A target that exists and is not a regular file or folder: a device, a pipe, a socket."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_all(fd: int, data: bytes, path: str) -> None:
    view = memoryview(data)
    try:
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as exc:
        raise CiteauditError(f"cannot write: {exc.strerror or exc}", display(path)) from None


def _linkable(directory: str) -> bool:
    """Whether an unnamed file made in `directory` can be given a name there: O_TMPFILE exists,
    /proc is mounted, and the file system links it (overlayfs, for one, answers EXDEV)."""
    if _O_TMPFILE is None or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        fd = os.open(directory, _O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:
        return False
    probe = os.path.join(directory, f".citeaudit-{secrets.token_hex(6)}")
    try:
        os.link(f"/proc/self/fd/{fd}", probe, follow_symlinks=True)
    except OSError:
        return False
    else:
        os.unlink(probe)
        return True
    finally:
        os.close(fd)


def _stage_anonymous(directory: str, data: bytes, path: str) -> int | None:
    """An unnamed file holding `data` in `directory`, or None where the system cannot make one."""
    if not _linkable(directory):
        return None
    try:
        fd = os.open(directory, _O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666 & ~_UMASK)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):  # not supported here
            return None
        raise CiteauditError(f"cannot write: {exc.strerror or exc}", display(path)) from None
    try:
        _write_all(fd, data, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _publish_anonymous(fd: int, directory: str, path: str) -> None:
    """Give an unnamed file a name, then move it over the target."""
    name = os.path.join(directory, f".citeaudit-{secrets.token_hex(6)}")
    try:
        os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
    except OSError as exc:
        raise CiteauditError(f"cannot write: {exc.strerror or exc}", display(path)) from None
    finally:
        os.close(fd)
    try:
        os.replace(name, path)
    except BaseException:
        os.unlink(name)
        raise


def _encode(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8", "replace")


def write_atomic(files: dict[str, str | bytes], inputs: list[str] | None = None) -> None:
    """Write files whole or not at all. Nothing is written if any target is a folder, is in
    a folder that does not exist, or is one of the run's inputs."""
    for path in files:
        if os.path.isdir(path):
            raise CiteauditError("is a folder; cannot write the report there", display(path))
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise CiteauditError("folder does not exist", display(os.path.dirname(path) or "."))
    refuse_inputs(list(files), inputs or [])
    anonymous: dict[str, int] = {}  # target -> unnamed file holding its content
    named: dict[str, str] = {}  # target -> named temporary file, where there is no O_TMPFILE
    try:
        for path, content in files.items():
            if _special(path):
                continue
            data = _encode(content)
            directory = os.path.dirname(os.path.abspath(path))
            fd = _stage_anonymous(directory, data, path)
            if fd is not None:
                anonymous[path] = fd
                continue
            try:
                tfd, tmp = tempfile.mkstemp(prefix=".citeaudit-", dir=directory)
            except OSError as exc:
                raise CiteauditError(f"cannot write: {exc.strerror or exc}", display(path)) from None
            named[path] = tmp
            try:
                _write_all(tfd, data, path)
                os.fchmod(tfd, 0o666 & ~_UMASK)
            finally:
                os.close(tfd)
        for path, content in files.items():
            if path in anonymous:
                _publish_anonymous(anonymous.pop(path), os.path.dirname(os.path.abspath(path)), path)
            elif path in named:
                try:
                    os.replace(named[path], path)
                except OSError as exc:
                    raise CiteauditError(f"cannot write: {exc.strerror or exc}", display(path)) from None
                del named[path]
            else:
                _write_special(path, content)
    finally:
        for fd in anonymous.values():
            os.close(fd)
        for tmp in named.values():
            if os.path.exists(tmp):
                os.unlink(tmp)


def _write_special(path: str, content: str | bytes) -> None:
    """Into a device or pipe, as a shell redirection would: /dev/null swallows it,
    /dev/stdout shows it, /dev/full says the disk is full, a pipe nobody reads is an error
    rather than a wait."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        why = "nothing reads from it" if exc.errno == errno.ENXIO else (exc.strerror or str(exc))
        raise CiteauditError(f"cannot write: {why}", display(path)) from None
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        _write_all(fd, _encode(content), path)
    finally:
        os.close(fd)
