"""What a user sees when the command line is given bad input: one line, exit 2, no traceback;
each error once; counts that read right; a dags folder checked for clashing DAG ids."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import run_cli

CONFIGURED = """
from asset2airflow import Config, Definitions, asset

class Window(Config):
    days: int = 7

@asset
def ran_first() -> int:
    return 1

@asset
def windowed(config: Window, ran_first: int) -> int:
    return config.days

defs = Definitions(assets=[ran_first, windowed])
"""


def test_missing_config_file_is_one_line_exit_2(tmp_path: Path) -> None:
    module = tmp_path / "configured.py"
    module.write_text(CONFIGURED)
    result = run_cli(
        "materialize", str(module), "--config", f"@{tmp_path / 'missing.json'}", home=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "missing.json cannot be read (No such file or directory)" in result.stderr


def test_wrongly_typed_config_fails_before_anything_runs(tmp_path: Path) -> None:
    module = tmp_path / "configured.py"
    module.write_text(CONFIGURED)
    config = '{"ops": {"windowed": {"config": {"days": "a week"}}}}'
    result = run_cli("materialize", str(module), "--config", config, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "asset 'windowed'" in result.stderr and "'days'" in result.stderr
    assert not (tmp_path / "storage" / "ran_first.pickle").exists()  # nothing ran


def test_a_failed_asset_is_reported_once_and_counts_are_pluralised(tmp_path: Path) -> None:
    module = tmp_path / "failing.py"
    module.write_text(
        "from asset2airflow import Definitions, asset\n"
        "@asset\ndef fine() -> int:\n    return 1\n"
        "@asset\ndef boom() -> int:\n    raise ValueError('source unreachable')\n"
        "defs = Definitions(assets=[fine, boom])\n"
    )
    result = run_cli("materialize", str(module), home=tmp_path)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert output.count("source unreachable") == 1
    assert "1 asset materialized, 0 skipped" in result.stdout


def test_validate_a_dags_folder_finds_one_dag_id_made_by_two_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(
            "from asset2airflow import Definitions, asset\n"
            f"@asset(group_name='shared')\ndef {name}_value() -> int:\n    return 1\n"
            f"defs = Definitions(assets=[{name}_value])\n"
        )
    (tmp_path / "plain_airflow_dag.py").write_text("x = 1  # not an asset module\n")
    clash = run_cli("validate", str(tmp_path), home=tmp_path)
    assert clash.returncode == 2
    assert "DAG id 'shared' is made by both a.py and b.py" in clash.stderr
    (tmp_path / "b.py").write_text((tmp_path / "b.py").read_text().replace("shared", "other"))
    ok = run_cli("validate", str(tmp_path), home=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "ok: 2 asset modules, 2 assets, 2 DAGs" in ok.stdout


def test_validate_reports_a_dag_id_airflow_would_refuse(tmp_path: Path) -> None:
    module = tmp_path / "long_group.py"
    module.write_text(
        "from asset2airflow import Definitions, asset\n"
        f"@asset(group_name={'g' * 251!r})\ndef v() -> int:\n    return 1\n"
        "defs = Definitions(assets=[v])\n"
    )
    result = run_cli("validate", str(module), home=tmp_path)
    assert result.returncode == 2
    assert "asset group 'ggg" in result.stderr and "at most 250" in result.stderr
