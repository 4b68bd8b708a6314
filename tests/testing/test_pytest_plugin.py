"""The pytest plugin users get (``asset2airflow.testing.plugin``, loaded in every pytest session
of a project that installs asset2airflow) stays lean: loading it imports neither Airflow nor
Playwright, and it gives users exactly the fixtures the README documents -- this repository's
own harness (browsers, deployments) lives in ``tests/harness``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER_FIXTURES = {
    "asset2airflow_home",
    "filesystem_io_manager",
    "load_definitions",
    "airflow_db",
    "dags_folder",
    "load_dag_file",
    "airflow_standalone",
}

TRIVIAL_TEST = """
import sys

HEAVY = ("airflow", "playwright")
AT_COLLECTION = sorted(m for m in HEAVY if m in sys.modules)


def test_user_fixtures_need_neither(asset2airflow_home, filesystem_io_manager, load_definitions):
    assert AT_COLLECTION == [], f"imported while collecting: {AT_COLLECTION}"
    loaded = sorted(m for m in HEAVY if m in sys.modules)
    assert loaded == [], f"imported by the time a test runs: {loaded}"
"""


def pytest_with_only_our_plugin(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder`` (its own rootdir and ini) with no plugin but ours, as a user's
    project loads it through the ``pytest11`` entry point."""
    (folder / "pytest.ini").write_text("[pytest]\nasset2airflow_isolated_airflow = true\n")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("ASSET2AIRFLOW_ISOLATED_AIRFLOW_HOME", None)  # a fresh session, not ours
    command = [sys.executable, "-m", "pytest", "-p", "asset2airflow.testing.plugin"]
    command += ["-p", "no:cacheprovider", *args]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def test_loading_the_plugin_imports_neither_airflow_nor_playwright(tmp_path: Path) -> None:
    (tmp_path / "test_trivial.py").write_text(TRIVIAL_TEST)
    result = pytest_with_only_our_plugin(tmp_path, "-q", "test_trivial.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_plugin_gives_users_exactly_the_documented_fixtures(tmp_path: Path) -> None:
    result = pytest_with_only_our_plugin(tmp_path, "--fixtures")
    assert result.returncode == 0, result.stdout + result.stderr
    ours = result.stdout.split("fixtures defined from asset2airflow.testing.plugin", 1)[1]
    listed = set(re.findall(r"^(\w+)(?: \[\w+ scope\])? -- ", ours, re.M))
    assert listed == USER_FIXTURES
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Testing your assets", 1)[1].split("\n## ", 1)[0]
    assert {name for name in USER_FIXTURES if f"`{name}`" not in section} == set()
