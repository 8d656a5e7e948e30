"""Crash-safe file writes and bounded, hang-proof reads: the one module every writer shares.

A write goes to a temporary file in the same folder, is flushed (and fsynced unless the file is
throwaway), then replaces the old file in one ``os.replace``: a crash, a full disk or a
read-only folder leaves the previous file as it was. A process killed mid-write leaves only a
``.tmp-*`` file, which ``clean_stale_temps`` removes once it is old enough to be nobody's.
Reads open without blocking and refuse anything that is not a regular file, so a FIFO or a
device planted in a data folder can never hang or flood the game.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

TEMP_PREFIX = ".tmp-"


class AtomicWriteError(Exception):
    """A file that could not be written or read; the message is one line for the player."""


class NotRegularFile(AtomicWriteError):
    """The path names a folder, a FIFO, a device or a socket instead of a file."""


class TooLarge(AtomicWriteError):
    """The file is larger than its reader accepts."""


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves the old or the new file.

    ``data`` may come in pieces, so that a large file never has to be held whole; whatever a piece
    raises leaves the old file in place too. ``durable=False`` skips the fsyncs (a power cut may
    then leave an empty or partial file), for files whose loss costs nothing and whose reader
    checks them, such as the story cache.
    """
    import tempfile  # here, not above: most programs only read through this module (check, a cached start)

    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=path.suffix)
    except OSError as exc:
        raise AtomicWriteError(f"cannot write to {folder}: {why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in (data,) if isinstance(data, bytes) else data:
                out.write(piece)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.replace(temp, path)
        if durable:
            _fsync_folder(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise AtomicWriteError(f"could not save {path.name}: {why(exc)}; the previous save is untouched") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Opened with O_NONBLOCK and checked with fstat before any read, so a FIFO never blocks;
    raises FileNotFoundError when there is no file, NotRegularFile or TooLarge otherwise.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise NotRegularFile(f"{path.name} is a folder, not a file") from None
    except OSError as exc:
        raise AtomicWriteError(f"cannot read {path.name}: {why(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"{path.name} is larger than {limit:,} bytes")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise AtomicWriteError(f"cannot read {path.name}: {why(exc)}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(f"{path.name} is larger than {limit:,} bytes")
    return data


def clean_stale_temps(folder: Path, older_than: float = 3600) -> list[Path]:
    """Remove our own leftover ``.tmp-*`` files (a writer killed mid-save); returns what went.

    Only regular files owned by this user and untouched for ``older_than`` seconds are removed,
    so a write in progress in another game, or anything another user put there, stays.
    """
    removed: list[Path] = []
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        if now - info.st_mtime < older_than:
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX needs the folder fsynced, not just the file)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def why(exc: OSError) -> str:
    """An OSError as a few words a player understands."""
    return {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the folder is on a read-only file system",
        errno.ENAMETOOLONG: "the name is too long",
        errno.ELOOP: "too many symbolic links",
    }.get(exc.errno or 0, exc.strerror or str(exc))
