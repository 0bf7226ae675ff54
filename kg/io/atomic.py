"""Atomic writes: a file or a folder appears whole at its path, or not at all.

Everything kg writes (``kg extract -o``, ``kg export``) goes first to a
temporary name in the same folder, ``.NAME.tmp-PID-RANDOM``, is flushed to disk
(``fsync``) and only then renamed over ``NAME``; a full disk, an error or a
kill leaves the old file as it was. A file that is replaced keeps the
permissions it had; a new one gets the usual ``0666 & ~umask``.

A killed run cannot remove its temporary file. The next write of the same
``NAME`` removes those whose process is gone (``clean_leftovers``), and reports
them.

Example:
    >>> with atomic_file("out/e.jsonl") as f:  # doctest: +SKIP
    ...     f.write("{}\\n")
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TMP_INFIX = ".tmp-"
_OLD_INFIX = ".old-"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)-[0-9a-f]+$")


def temp_path(path: Path, infix: str = TMP_INFIX) -> Path:
    """A fresh hidden name beside ``path`` that says which process made it."""
    return path.with_name(f".{path.name}{infix}{os.getpid()}-{secrets.token_hex(4)}")


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs (or exists under another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(path: Path) -> list[Path]:
    """Temporary files or folders for ``path`` left by processes that are gone."""
    path = Path(path)
    found = []
    with contextlib.suppress(OSError):
        for entry in path.parent.iterdir():
            match = _LEFTOVER.match(entry.name)
            if match and match["name"] == path.name and not pid_alive(int(match["pid"])):
                found.append(entry)
    return sorted(found)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            entry.unlink()


def clean_leftovers(path: Path) -> list[Path]:
    """Remove the leftovers of killed writes of ``path`` (see ``leftovers``); returns what was removed."""
    found = leftovers(path)
    for entry in found:
        _remove(entry)
    return found


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """An open file that replaces ``path`` only when the block ends without error.

    Args:
        path: the file to write; its folder is made when missing.
        mode: ``"w"`` (text) or ``"wb"`` (bytes).
        encoding: the text encoding (ignored for bytes).
        newline: as ``open``'s.

    Raises:
        OSError: the folder cannot be written, or the disk is full (the old file is kept).
    """
    path = Path(path)
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file writes with mode 'w' or 'wb', not {mode!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    tmp = temp_path(path)
    keep = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _new_file_mode()
    binary = "b" in mode
    handle = open(tmp, mode, **({} if binary else {"encoding": encoding, "newline": newline}))  # noqa: SIM115
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, keep)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_tree(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_file():
            fd = os.open(entry, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _owned_by_export(folder: Path, owned: re.Pattern[str]) -> bool:
    """True when every entry of ``folder`` is a file a previous export of the same kind wrote."""
    return all(entry.is_file() and owned.match(entry.name) for entry in folder.iterdir())


@contextlib.contextmanager
def atomic_dir(path: str | Path, owned: re.Pattern[str]) -> Iterator[Path]:
    """A new folder whose files replace those of ``path`` only when the block ends without error.

    The files are written into a temporary folder beside ``path``. When ``path``
    is missing or holds only files matching ``owned`` (a previous export), the
    folders are swapped by renames and the old one deleted: the result appears at
    once. When ``path`` holds other files too, those are left alone: the new files
    are renamed into it one by one, and its old files matching ``owned`` that the
    new export did not write are removed.

    Raises:
        OSError: ``path`` is a file, cannot be written, or the disk is full (the old folder is kept).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    tmp = temp_path(path)
    tmp.mkdir()
    try:
        yield tmp
        _fsync_tree(tmp)
        if not path.exists():
            os.replace(tmp, path)  # made by mkdir: 0777 & ~umask, as any new folder
        elif _owned_by_export(path, owned):
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
            old = temp_path(path, _OLD_INFIX)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            written = {entry.name for entry in tmp.iterdir()}
            for entry in sorted(tmp.iterdir()):
                os.replace(entry, path / entry.name)
            for entry in path.iterdir():
                if entry.is_file() and owned.match(entry.name) and entry.name not in written:
                    entry.unlink()
            tmp.rmdir()
        _fsync_dir(path.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
