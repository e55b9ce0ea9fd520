"""Writing what citeaudit produces: whole or not at all, never over an input, never leaving a
temporary file behind.

A report is written to an anonymous file in the target's folder (Linux's O_TMPFILE: it
has no name, so a run killed at any moment leaves nothing), then given a name and moved
over the target in one rename. Where the system cannot name such a file (no O_TMPFILE, or a
sandboxed kernel that answers EXDEV), the report is staged in a named file in the system's
temporary folder when that is on the same file system as the target, else beside the
target; it is removed on any exit Python sees, SIGTERM included. Only a SIGKILL can leave
one behind, and then in the temporary folder, not among the user's files; the next write
there removes those whose run has ended. A target that is a device or a pipe (/dev/null,
/dev/stdout) is written into, never replaced.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import tempfile
import time

from .errors import CiteauditError, display

_UMASK = os.umask(0o022)
os.umask(_UMASK)
_O_TMPFILE = getattr(os, "O_TMPFILE", None)
_STAGED = re.compile(r"\.citeaudit-(\d+)-")  # a staged report's name: .citeaudit-PID-random
_STALE_AFTER = 600.0  # seconds: a staged file this old whose run has ended is swept away
_swept: set[str] = set()


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


def _cannot_write(path: str, exc: OSError) -> CiteauditError:
    return CiteauditError(f"cannot write: {exc.strerror or exc}", display(path))


def _write_all(fd: int, data: bytes, path: str) -> None:
    view = memoryview(data)
    try:
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _linkable(directory: str) -> bool:
    """Whether an unnamed file made in `directory` can be given a name there: O_TMPFILE exists,
    /proc is mounted, and the file system links it (overlayfs, for one, answers EXDEV)."""
    if _O_TMPFILE is None or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        fd = os.open(directory, _O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:
        return False
    probe = os.path.join(directory, f".citeaudit-{os.urandom(6).hex()}")
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
        raise _cannot_write(path, exc) from None
    try:
        _write_all(fd, data, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _publish_anonymous(fd: int, directory: str, path: str) -> None:
    """Give an unnamed file a name, then move it over the target."""
    name = os.path.join(directory, f".citeaudit-{os.urandom(6).hex()}")
    try:
        os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        os.close(fd)
    try:
        os.replace(name, path)
    except BaseException:
        os.unlink(name)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _sweep(folder: str) -> None:
    """Remove staged files left in `folder` by runs that were killed (SIGKILL): ours (same
    user), their process gone, and untouched for ten minutes, so that a writer in another
    PID namespace is never disturbed. Once per folder per process."""
    if folder in _swept:
        return
    _swept.add(folder)
    now = time.time()
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".citeaudit-")]
    except OSError:
        return
    for name in names:
        m = _STAGED.match(name)
        if not m or _alive(int(m.group(1))):
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and now - st.st_mtime > _STALE_AFTER:
                os.unlink(path)
        except OSError:
            continue


def _staging_folder(directory: str) -> str:
    """Where a named temporary file for a report in `directory` is made: the system's
    temporary folder when a rename from there lands on the same file system, else `directory`
    (and `directory` when it is set-group-ID, so that the report takes the folder's group)."""
    temp = tempfile.gettempdir()
    try:
        here = os.stat(directory)
        if (os.stat(temp).st_dev == here.st_dev and not here.st_mode & stat.S_ISGID
                and os.access(temp, os.W_OK | os.X_OK)):
            return temp
    except OSError:
        pass
    return directory


def _stage_named(folder: str, data: bytes, path: str) -> str:
    """A named temporary file in `folder` holding `data`, readable as a report is."""
    _sweep(folder)
    try:
        tfd, tmp = tempfile.mkstemp(prefix=f".citeaudit-{os.getpid()}-", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        _write_all(tfd, data, path)
        os.fchmod(tfd, 0o666 & ~_UMASK)
    except BaseException:
        os.close(tfd)
        os.unlink(tmp)
        raise
    os.close(tfd)
    return tmp


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
            named[path] = _stage_named(_staging_folder(directory), data, path)
        for path, content in files.items():
            if path in anonymous:
                _publish_anonymous(anonymous.pop(path), os.path.dirname(os.path.abspath(path)), path)
            elif path in named:
                try:
                    os.replace(named[path], path)
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise _cannot_write(path, exc) from None
                    # the same device but another mount (a bind mount): stage beside the target
                    os.unlink(named.pop(path))
                    named[path] = _stage_named(os.path.dirname(os.path.abspath(path)), _encode(content), path)
                    try:
                        os.replace(named[path], path)
                    except OSError as exc:
                        raise _cannot_write(path, exc) from None
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
