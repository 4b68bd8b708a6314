"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:
- ``asset2airflow_home``: an isolated ``ASSET2AIRFLOW_HOME`` so the default IO manager writes to a
  temporary directory, never to the user's home.
- ``filesystem_io_manager``: a ``FilesystemIOManager`` in a temporary directory.
- ``load_definitions``: load the ``Definitions`` of a file or module, as the CLI does.
- ``airflow_standalone``: a real ``airflow standalone`` for the session (REST helpers; see
  ``asset2airflow.testing.standalone``).
- ``airflow_db``, ``dags_folder``, ``load_dag_file``: a migrated Airflow metadata DB in an
  isolated AIRFLOW_HOME (enable with ``asset2airflow_isolated_airflow = true`` in the pytest
  ini options) and DAG files parsed by a real DagBag, ready for ``dag.test()``.

Loading the plugin imports neither Airflow nor Playwright: it is loaded in every pytest
session of a project that has asset2airflow installed, and Airflow must not be imported before
``pytest_configure`` has pointed AIRFLOW_HOME at the isolated home. Fixtures that need Airflow
(or the standalone's HTTP client) import it when a test asks for them. This repository's own
harness (deployments, browsers) is not here: it lives in its ``tests/harness``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.io import FilesystemIOManager
from asset2airflow.loading import load_definitions as _load

if TYPE_CHECKING:
    from asset2airflow.testing.standalone import AirflowStandalone

_ISOLATED = "ASSET2AIRFLOW_ISOLATED_AIRFLOW_HOME"


@pytest.fixture
def asset2airflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``ASSET2AIRFLOW_HOME`` for the test: the default IO manager writes under it."""
    home = tmp_path / "asset2airflow_home"
    home.mkdir()
    monkeypatch.setenv("ASSET2AIRFLOW_HOME", str(home))
    monkeypatch.delenv("ASSET2AIRFLOW_STORAGE_DIR", raising=False)
    return home


@pytest.fixture
def filesystem_io_manager(tmp_path: Path) -> FilesystemIOManager:
    """A ``FilesystemIOManager`` storing under the test's temporary directory."""
    return FilesystemIOManager(base_dir=str(tmp_path / "storage"))


@pytest.fixture
def load_definitions() -> Callable[[str | Path], Definitions]:
    """Load the ``Definitions`` of a file or module path, the way the CLI does."""
    def load(target: str | Path) -> Definitions:
        return _load(str(target))

    return load


# --- Airflow: an isolated home, a migrated metadata DB, DAG files in its dags folder ----------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "asset2airflow_isolated_airflow",
        "point AIRFLOW_HOME at a fresh temporary directory for the test session",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Airflow reads AIRFLOW_HOME when first imported, so isolation is set up before collection
    (subprocesses started by tests inherit it)."""
    if not config.getini("asset2airflow_isolated_airflow") or os.environ.get(_ISOLATED):
        return
    home = Path(tempfile.mkdtemp(prefix="asset2airflow-airflow-home-"))
    (home / "dags").mkdir()
    os.environ.update(
        {
            _ISOLATED: str(home),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    home = os.environ.pop(_ISOLATED, None)
    if home and config.getini("asset2airflow_isolated_airflow"):
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """AIRFLOW_HOME with a migrated metadata DB (``airflow db migrate`` runs once a session)."""
    home = Path(os.environ["AIRFLOW_HOME"])
    marker = home / ".asset2airflow-migrated"
    if not marker.exists():
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            check=True,
            capture_output=True,
            timeout=600,
        )
        marker.touch()
    return home


@pytest.fixture
def dags_folder(airflow_db: Path) -> Path:
    """Airflow's dags folder; ``dag.test()`` only runs DAGs whose file is in it."""
    return Path(os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", airflow_db / "dags"))


@pytest.fixture
def load_dag_file(dags_folder: Path) -> Callable[[str, str], dict[str, Any]]:
    """Write ``source`` as ``dags_folder/name`` and parse it with a real DagBag.

    Returns the file's DAGs by id; fails the test with the import error if it does not parse.
    """

    def load(name: str, source: str) -> dict[str, Any]:
        from airflow.dag_processing.dagbag import DagBag

        path = dags_folder / name
        path.write_text(textwrap.dedent(source))
        bag = DagBag(dag_folder=str(path))
        assert not bag.import_errors, bag.import_errors
        return dict(bag.dags)

    return load


@pytest.fixture(scope="session")
def airflow_standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStandalone]:
    """One real ``airflow standalone`` per session on a free loopback port, with an empty dags
    folder (``.dags_folder``) tests write DAG files into; always stopped at the end."""
    from asset2airflow.testing.standalone import AirflowStandalone

    root = tmp_path_factory.mktemp("airflow-standalone")
    standalone = AirflowStandalone(root / "home", root / "dags")
    try:
        standalone.start()
        yield standalone
    finally:
        standalone.stop()
