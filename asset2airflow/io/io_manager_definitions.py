"""Dagster's built-in IO manager definitions, ``fs_io_manager`` and ``mem_io_manager``: each builds
one of our IO managers per run (per Airflow task), configured as Dagster's are
(``fs_io_manager.configured({"base_dir": ...})`` or run config ``resources.io_manager.config``).
"""

from __future__ import annotations

from asset2airflow.authoring.io_manager import IOManagerDefinition
from asset2airflow.authoring.resources import InitResourceContext
from asset2airflow.io.filesystem import FilesystemIOManager
from asset2airflow.io.memory import InMemoryIOManager


def _filesystem(init_context: InitResourceContext) -> FilesystemIOManager:
    return FilesystemIOManager(base_dir=init_context.resource_config["base_dir"] or None)


fs_io_manager = IOManagerDefinition(
    _filesystem,
    config_schema={"base_dir": ""},
    description="Pickles values under base_dir (default: the storage directory), as "
    "FilesystemIOManager does; files end in .pickle.",
)

mem_io_manager = IOManagerDefinition(
    lambda _init_context: InMemoryIOManager(),
    description="Keeps values in memory for one run (one Airflow task).",
)
