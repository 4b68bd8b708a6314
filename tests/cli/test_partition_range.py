"""``asset2airflow materialize FILE --partition-range START...END``: real runs, one per
partition, checked on disk; a failed partition does not stop the others; bad ranges are one
line, exit 2, and nothing runs."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from asset2airflow.cli.progress import PartitionProgress
from tests.cli.test_cli import run_cli

STATIC = """
from asset2airflow import Config, Definitions, StaticPartitionsDefinition, asset

regions = StaticPartitionsDefinition(["eu", "us", "apac", "latam"])

class Label(Config):
    prefix: str = "sales"

@asset(partitions_def=regions)
def sales(context, config: Label) -> dict:
    return {
        "value": f"{config.prefix} {context.partition_key}",
        "range": context.run.tags.get("asset2airflow/partition_range"),
    }

@asset(partitions_def=regions)
def report(context, sales: dict) -> str:
    return sales["value"].upper()

defs = Definitions(assets=[sales, report])
"""

DAILY = """
from asset2airflow import DailyPartitionsDefinition, Definitions, asset

days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")

@asset(partitions_def=days)
def daily_orders(context) -> str:
    if context.partition_key == "2024-01-02":
        raise ValueError("orders source unreachable")
    return context.partition_key

@asset(partitions_def=days)
def daily_total(daily_orders: str) -> str:
    return "total " + daily_orders

defs = Definitions(assets=[daily_orders, daily_total])
"""

MIXED = """
from asset2airflow import (
    DailyPartitionsDefinition, Definitions, StaticPartitionsDefinition, asset,
)

@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10"))
def by_day(context) -> str:
    return context.partition_key

@asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
def by_region(context) -> str:
    return context.partition_key

@asset
def plain() -> int:
    return 1

defs = Definitions(assets=[by_day, by_region, plain])
"""


def _stored(home: Path, asset: str) -> dict[str, object]:
    folder = home / "storage" / f"{asset}.partitions"
    if not folder.exists():
        return {}
    return {p.stem: pickle.loads(p.read_bytes()) for p in sorted(folder.glob("*.pickle"))}


def _progress(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("[")]


def test_static_range_runs_each_partition_with_the_same_config_and_tags(tmp_path: Path) -> None:
    module = tmp_path / "regional.py"
    module.write_text(STATIC)
    config = '{"ops": {"sales": {"config": {"prefix": "net"}}}}'
    done = run_cli(
        "materialize", str(module), "--partition-range", "us...latam", "--config", config,
        home=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = _progress(done.stdout)
    assert [line.split(" ... ")[0] for line in lines] == [
        "[1/3] partition us",
        "[2/3] partition apac",
        "[3/3] partition latam",
    ]
    assert all(" ... ok (" in line and " s, 2 assets materialized)" in line for line in lines)
    assert done.stdout.splitlines()[-1] == "3 partitions: 3 succeeded"
    assert _stored(tmp_path, "sales") == {
        key: {"value": f"net {key}", "range": "us...latam"} for key in ("apac", "latam", "us")
    }
    assert _stored(tmp_path, "report") == {k: f"NET {k.upper()}" for k in ("apac", "latam", "us")}


def test_daily_range_with_a_failing_partition_runs_the_others_and_exits_1(
    tmp_path: Path,
) -> None:
    module = tmp_path / "daily.py"
    module.write_text(DAILY)
    result = run_cli(
        "materialize", str(module), "--partition-range", "2024-01-01...2024-01-03", home=tmp_path
    )
    assert result.returncode == 1
    lines = _progress(result.stdout)
    assert [line.split(" ... ")[1].split(" (")[0] for line in lines] == ["ok", "FAILED", "ok"]
    assert lines[1].startswith("[2/3] partition 2024-01-02 ... FAILED (")
    assert "0 assets materialized, 1 skipped" in lines[1]
    assert result.stdout.splitlines()[-1] == "3 partitions: 2 succeeded, 1 failed: 2024-01-02"
    assert result.stderr == (
        "error: partition 2024-01-02: asset 'daily_orders' failed: ValueError: orders source "
        "unreachable\n"
    )
    assert _stored(tmp_path, "daily_orders") == {
        "2024-01-01": "2024-01-01",
        "2024-01-03": "2024-01-03",
    }
    assert sorted(_stored(tmp_path, "daily_total")) == ["2024-01-01", "2024-01-03"]
    # Only the range ran: the day before and after are untouched.
    ok = run_cli(
        "materialize", str(module), "--select", "daily_orders",
        "--partition-range", "2024-01-04...2024-01-05", home=tmp_path,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[-1] == "2 partitions: 2 succeeded"
    assert sorted(_stored(tmp_path, "daily_orders")) == [
        "2024-01-01",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]


def _refused(tmp_path: Path, source: str, *args: str) -> str:
    """Run with a bad range: exit 2, one line, no traceback, nothing stored; the message."""
    module = tmp_path / "assets.py"
    module.write_text(source)
    result = run_cli("materialize", str(module), *args, home=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "storage").exists()
    return result.stderr


def test_bad_ranges_are_one_line_quoting_the_key_and_the_valid_keys(tmp_path: Path) -> None:
    missing_dots = _refused(tmp_path, STATIC, "--partition-range", "eu..us")
    assert "--partition-range 'eu..us' is not START...END" in missing_dots
    assert "e.g. 'eu...apac'" in missing_dots
    unknown = _refused(tmp_path, STATIC, "--partition-range", "eu...mars")
    assert "partition key 'mars' is not a partition of asset 'report'" in unknown
    assert "valid keys: eu, us, apac, latam" in unknown
    backwards = _refused(tmp_path, STATIC, "--partition-range", "latam...us")
    assert "partition range 'latam'...'us' ends before it starts" in backwards


def test_bad_daily_ranges_name_the_format_and_the_partitions(tmp_path: Path) -> None:
    bad_format = _refused(tmp_path, DAILY, "--partition-range", "2024/01/01...2024-01-03")
    assert "partition key '2024/01/01' of asset 'daily_orders' does not match the format " in (
        bad_format
    )
    assert "'%Y-%m-%d' (e.g. '2024-01-01')" in bad_format
    outside = _refused(tmp_path, DAILY, "--partition-range", "2023-12-30...2024-01-03")
    assert "partition key '2023-12-30' of asset 'daily_orders' is outside its partitions" in (
        outside
    )
    assert "'2024-01-01' to '2024-01-09'" in outside
    backwards = _refused(tmp_path, DAILY, "--partition-range", "2024-01-05...2024-01-03")
    assert "ends before it starts" in backwards


def test_selection_must_share_one_partitions_definition(tmp_path: Path) -> None:
    differ = _refused(tmp_path, MIXED, "--partition-range", "eu...us")
    assert "assets 'by_day' (DailyPartitionsDefinition(" in differ
    assert "and 'by_region' (StaticPartitionsDefinition(['eu', 'us'])) have different" in differ
    unpartitioned = _refused(tmp_path, MIXED, "--select", "plain", "--partition-range", "eu...us")
    assert "none of the selected assets ['plain'] is partitioned" in unpartitioned
    module = tmp_path / "assets.py"
    ok = run_cli(
        "materialize", str(module), "--select", "by_region,plain", "--partition-range", "eu...us",
        home=tmp_path,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert sorted(_stored(tmp_path, "by_region")) == ["eu", "us"]


def test_partition_and_partition_range_are_mutually_exclusive(tmp_path: Path) -> None:
    module = tmp_path / "regional.py"
    module.write_text(STATIC)
    result = run_cli(
        "materialize", str(module), "--partition", "eu", "--partition-range", "eu...us",
        home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--partition-range: not allowed with argument --partition" in result.stderr


def test_bad_config_fails_before_any_partition_runs(tmp_path: Path) -> None:
    config = '{"ops": {"sales": {"config": {"prefix": 3}}}}'
    error = _refused(tmp_path, STATIC, "--partition-range", "eu...us", "--config", config)
    assert "asset 'sales'" in error and "'prefix'" in error


def test_live_progress_redraws_one_line_per_partition() -> None:
    stream = io.StringIO()
    progress = PartitionProgress(2, stream, live=True)
    progress.start(1, "eu")
    progress.finish(True, 0.123, "1 asset materialized")
    progress.start(2, "us")
    progress.finish(False, 1.5)
    assert stream.getvalue() == (
        "\r\x1b[2K[1/2] partition eu ... ok (0.12 s, 1 asset materialized)\n"
        "\r\x1b[2K[2/2] partition us ... FAILED (1.50 s)\n"
    )
    piped = io.StringIO()
    quiet = PartitionProgress(1, piped, live=False)
    quiet.start(1, "eu")
    quiet.finish(True, 0.5)
    assert piped.getvalue() == "[1/1] partition eu ... ok (0.50 s)\n"
