"""The asset2airflow command, run as a real subprocess like a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BROKEN = """
from asset2airflow import Definitions, asset

@asset
def orders(raw_order):
    return raw_order

defs = Definitions(assets=[orders])
"""


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asset2airflow.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSET2AIRFLOW_HOME": str(home), **(env or {})},
        timeout=120,
    )


def test_list_text_and_json(sales_pipeline_path: Path, asset2airflow_home: Path) -> None:
    text = run_cli("list", str(sales_pipeline_path), home=asset2airflow_home)
    assert text.returncode == 0, text.stderr
    assert "group sales" in text.stdout
    assert "cleaned_sales  <- raw_sales" in text.stdout
    assert "check amounts_are_positive" in text.stdout
    listed = run_cli("list", str(sales_pipeline_path), "--json", home=asset2airflow_home)
    data = json.loads(listed.stdout)
    by_key = {a["key"]: a for a in data["assets"]}
    assert by_key["daily_sales_summary"]["deps"] == ["cleaned_sales"]
    assert data["checks"][0] == {
        "key": "cleaned_sales:amounts_are_positive",
        "asset": "cleaned_sales",
        "name": "amounts_are_positive",
        "blocking": True,
        "in_asset": False,
        "description": "Every cleaned sale has a positive amount.",
    }


def test_materialize_shows_progress_and_stores(
    sales_pipeline_path: Path, asset2airflow_home: Path
) -> None:
    done = run_cli("materialize", str(sales_pipeline_path), home=asset2airflow_home)
    assert done.returncode == 0, done.stderr
    # Progress lines start with a status symbol; user log lines may be interleaved.
    lines = [line for line in done.stdout.splitlines() if line[:1] in "✓✗!-·…r"]
    assert [line.split()[1] for line in lines[:3]] == [
        "raw_sales",
        "cleaned_sales",
        "daily_sales_summary",
    ]
    assert all(" ok " in line and " ms" in line for line in lines[:3])
    assert "checks 1/1 passed" in lines[1]
    assert "3 assets materialized" in lines[-1]
    assert (asset2airflow_home / "storage" / "daily_sales_summary.parquet").exists()
    selected = run_cli(
        "materialize",
        str(sales_pipeline_path),
        "--select",
        "daily_sales_summary",
        home=asset2airflow_home,
    )
    assert selected.returncode == 0 and "1 asset materialized" in selected.stdout


def test_materialize_bad_config_and_selection_exit_2(
    sales_pipeline_path: Path, asset2airflow_home: Path
) -> None:
    bad = run_cli(
        "materialize", str(sales_pipeline_path), "--select", "nope", home=asset2airflow_home
    )
    assert bad.returncode == 2 and "'nope'" in bad.stderr
    config = run_cli(
        "materialize",
        str(sales_pipeline_path),
        "--config",
        '{"ops": {"raw_sale": {"config": {}}}}',
        home=asset2airflow_home,
    )
    assert config.returncode == 2 and "['raw_sale']" in config.stderr


def test_validate_reports_errors_with_non_zero_exit(
    tmp_path: Path, asset2airflow_home: Path
) -> None:
    broken = tmp_path / "broken_assets.py"
    broken.write_text(BROKEN)
    result = run_cli("validate", str(broken), home=asset2airflow_home)
    assert result.returncode == 2
    assert "asset 'orders'" in result.stderr and "broken_assets.py:4" in result.stderr
    good = run_cli("validate", "dags/sales_pipeline.py", home=asset2airflow_home)
    assert good.returncode == 0 and "3 assets, 1 check, 1 DAG in" in good.stdout


def test_failed_run_exits_1(tmp_path: Path, asset2airflow_home: Path) -> None:
    failing = tmp_path / "failing_assets.py"
    failing.write_text(
        "from asset2airflow import Definitions, asset\n"
        "@asset\ndef boom():\n    raise ValueError('source unreachable')\n"
        "defs = Definitions(assets=[boom])\n"
    )
    result = run_cli("materialize", str(failing), home=asset2airflow_home)
    assert result.returncode == 1
    assert "asset 'boom' failed: ValueError: source unreachable" in result.stderr


def test_dags_prints_dags_tasks_schedules_and_outlets(
    sales_pipeline_path: Path, asset2airflow_home: Path
) -> None:
    text = run_cli("dags", str(sales_pipeline_path), home=asset2airflow_home)
    assert text.returncode == 0, text.stderr
    assert "DAG sales  schedule=None" in text.stdout
    assert "task cleaned_sales  <- raw_sales" in text.stdout
    assert "check cleaned_sales:amounts_are_positive" in text.stdout
    listed = run_cli("dags", str(sales_pipeline_path), "--json", home=asset2airflow_home)
    [dag] = json.loads(listed.stdout)
    outlet = dag["tasks"][0]["outlets"][0]
    assert outlet["name"] == "raw_sales"
    assert outlet["uri"] == f"file://{asset2airflow_home}/storage/raw_sales.parquet"
