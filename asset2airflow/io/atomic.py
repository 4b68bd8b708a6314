"""Atomic file writes shared by every file-based IO manager.

The new content is written to a hidden temp file in the target's directory, flushed to disk and
renamed over the target. ``os.replace`` is atomic within one filesystem, so a crash or SIGKILL at
any moment leaves either the previous file or the complete new one at the final path, never a
partial file. A killed writer may leave its hidden temp file behind; readers never look at it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from asset2airflow.io.object_storage import StoragePath, write_object


def temp_path_for(path: Path) -> Path:
    """A unique hidden sibling of ``path``: ``.<name>.tmp-<pid>-<random>`` in the same directory
    (same filesystem, so the final rename is atomic)."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write(path: StoragePath, write: Callable[[Path], object]) -> None:
    """Create ``path`` with the content ``write(tmp)`` puts in ``tmp`` (its result is ignored),
    all or nothing.

    Parent directories are created. If ``write`` (or the flush) raises, the temp file is removed,
    the previous content of ``path`` is untouched and the exception propagates. An object
    storage path is written through ``object_storage.write_object`` (same guarantee).
    """
    if not isinstance(path, Path):
        write_object(path, write)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    try:
        write(tmp)
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable. Best effort: not every platform can open a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
