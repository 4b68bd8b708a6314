"""Atomic file writes: write a hidden temp file beside the target, fsync, rename over it.

A crash or kill at any moment leaves either the previous file or the new one at the final path,
never a partial file (``os.replace`` is atomic within one filesystem).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def temp_path_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` to produce the content, then move it to ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
