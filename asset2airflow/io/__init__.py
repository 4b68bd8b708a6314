"""Built-in IO managers (no Airflow imports)."""

from asset2airflow.io.filesystem import FilesystemIOManager
from asset2airflow.io.memory import InMemoryIOManager
from asset2airflow.io.parquet import ParquetIOManager
from asset2airflow.io.sql import SQLTableIOManager
from asset2airflow.io.storage_dir import default_storage_dir


def default_io_manager() -> FilesystemIOManager:
    """The IO manager used when none is configured: pickles under ``default_storage_dir()``."""
    return FilesystemIOManager()


__all__ = [
    "FilesystemIOManager",
    "InMemoryIOManager",
    "ParquetIOManager",
    "SQLTableIOManager",
    "default_io_manager",
    "default_storage_dir",
]
