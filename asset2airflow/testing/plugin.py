"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:
- ``asset2airflow_home``: an isolated ``ASSET2AIRFLOW_HOME`` so the default IO manager writes to a
  temporary directory, never to the user's home.
- ``filesystem_io_manager``: a ``FilesystemIOManager`` in a temporary directory.
- ``load_definitions``: load the ``Definitions`` of a file or module, as the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from asset2airflow.graph.definitions import Definitions
from asset2airflow.io import FilesystemIOManager
from asset2airflow.loading import load_definitions as _load


@pytest.fixture
def asset2airflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "asset2airflow_home"
    home.mkdir()
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", str(home))
    monkeypatch.delenv("ASSET2AIRFLOW_STORAGE_DIR", raising=False)
    return home


@pytest.fixture
def filesystem_io_manager(tmp_path: Path) -> FilesystemIOManager:
    return FilesystemIOManager(base_dir=str(tmp_path / "storage"))


@pytest.fixture
def load_definitions() -> Callable[[str | Path], Definitions]:
    def load(target: str | Path) -> Definitions:
        return _load(str(target))

    return load
