"""Dagster's small helpers for user code: a logger that ends up in the run's log, and paths
relative to the calling file. Both behave as Dagster's do."""

from __future__ import annotations

import logging
import os
from pathlib import Path


def get_dagster_logger(name: str | None = None) -> logging.Logger:
    """The logger ``dagster.builtin`` (or ``dagster.builtin.<name>``), as in Dagster.

    Its records propagate to the root logger, so they reach the Airflow task log (and the console
    under ``materialize()``). Like Dagster, the base ``dagster`` logger is set to DEBUG.
    """
    base = logging.getLogger("dagster")
    base.setLevel(logging.DEBUG)
    builtin = base.getChild("builtin")
    return builtin.getChild(name) if name else builtin


def file_relative_path(dunderfile: str, relative_path: str) -> str:
    """``relative_path`` resolved against the directory of ``dunderfile`` (pass ``__file__``),
    so a module finds its data files from any working directory (an Airflow worker's too)."""
    for value, label in ((dunderfile, "dunderfile"), (relative_path, "relative_path")):
        if not isinstance(value, str):
            raise TypeError(f"file_relative_path: {label} must be a str, got {value!r}")
    return os.fspath(Path(dunderfile, "..", relative_path).resolve())
