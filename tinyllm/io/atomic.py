"""Atomic file replacement: readers see either the old file or the complete new one.

The recipe: write into a temporary file in the *same directory* (so the final rename
never crosses a file system), flush Python's buffer, ``os.fsync`` so the bytes are on
disk, then ``os.replace`` the temporary over the target (an atomic rename on POSIX and
on Windows). If anything fails before the rename, the temporary file is removed and
the old target is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["atomic_write"]


def _fsync_directory(directory: str) -> None:
    # The rename itself lives in the directory entry; fsync the directory so it survives
    # a power cut too. Not possible on every platform (Windows), hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a binary temporary file next to ``path``; on clean exit it replaces ``path``.

    >>> with atomic_write("model.safetensors") as fh:   # doctest: +SKIP
    ...     fh.write(b"...")
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    if not base:
        raise ValueError(f"atomic_write: path {path!r} names a directory, not a file")
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # O_EXCL: never clobber somebody else's temporary file; mode 0o666 lets the umask decide
    # the final permissions, as a plain open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
