"""Drop-in parse hygiene: import errors stay per file, parses are stable, workers build one DAG,
no secrets at parse time, files connect through Airflow assets, plain modules and rendered files
load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.airflow.conftest import task_states

pytestmark = pytest.mark.integration

TWO_GROUPS = """
from asset2airflow import ConfigurableResource, Definitions, EnvVar, asset
from asset2airflow.airflow import build_dags

class Api(ConfigurableResource):
    token: str

@asset(group_name="{prefix}_ingest")
def {prefix}_orders(api: Api) -> int:
    return len(api.token)

@asset(group_name="{prefix}_report")
def {prefix}_summary({prefix}_orders: int) -> int:
    return {prefix}_orders * 2

build_dags(Definitions(assets=[{prefix}_orders, {prefix}_summary],
                       resources={{"api": Api(token=EnvVar("UNSET_AT_PARSE_TIME"))}}))
"""


def parse_folder(folder: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Parse ``folder`` with a DagBag in a fresh process; return dag ids, errors, serializations."""
    script = textwrap.dedent(
        """
        import json, sys
        from airflow.dag_processing.dagbag import DagBag
        from airflow.serialization.serialized_objects import DagSerialization
        bag = DagBag(dag_folder=sys.argv[1])
        print(json.dumps({
            "dags": sorted(bag.dags),
            "errors": {k: str(v) for k, v in bag.import_errors.items()},
            "serialized": {d: json.dumps(DagSerialization.serialize_dag(bag.dags[d]),
                                         sort_keys=True, default=str) for d in bag.dags},
        }))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def render(source: Path, out: Path) -> None:
    """``asset2airflow render SOURCE --out OUT`` in a fresh process."""
    command = [sys.executable, "-m", "asset2airflow.cli.main", "render", str(source), "--out"]
    result = subprocess.run([*command, str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_broken_module_is_an_import_error_for_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "good_dags.py").write_text(TWO_GROUPS.format(prefix="good"))
    (tmp_path / "broken_dags.py").write_text(
        "from asset2airflow import Definitions, asset\n"
        "from asset2airflow.airflow import build_dags\n"
        "@asset\ndef cleaned(raw_orderz: int) -> int:\n    return raw_orderz\n"
        "build_dags(Definitions(assets=[cleaned]))\n"
    )
    parsed = parse_folder(tmp_path)
    assert parsed["dags"] == ["good_ingest", "good_report"]
    [(path, error)] = parsed["errors"].items()
    assert path.endswith("broken_dags.py")
    assert "asset 'cleaned'" in error and "raw_orderz" in error and "AssetSpec" in error


def test_serialization_is_identical_across_fresh_parses(tmp_path: Path) -> None:
    (tmp_path / "stable_dags.py").write_text(TWO_GROUPS.format(prefix="stable"))
    first, second = parse_folder(tmp_path), parse_folder(tmp_path)
    assert first["serialized"] == second["serialized"]
    assert first["dags"] == ["stable_ingest", "stable_report"]


def test_worker_builds_only_the_dag_being_run(tmp_path: Path) -> None:
    (tmp_path / "ctx_dags.py").write_text(TWO_GROUPS.format(prefix="ctx"))
    parsed = parse_folder(tmp_path, {"_AIRFLOW_PARSING_CONTEXT_DAG_ID": "ctx_report"})
    assert parsed["dags"] == ["ctx_report"]


def test_cross_file_dependency_schedules_on_the_producers_asset(
    load_dag_file: Callable[..., Any],
) -> None:
    producer = load_dag_file(
        "xfile_producer.py",
        """
        from asset2airflow import Definitions, asset
        from asset2airflow.airflow import build_dags

        @asset(group_name="xfile_producer")
        def xfile_orders() -> int:
            return 3

        build_dags(Definitions(assets=[xfile_orders]))
    """,
    )
    consumer = load_dag_file(
        "xfile_consumer.py",
        """
        from asset2airflow import AssetSpec, Definitions, asset
        from asset2airflow.airflow import build_dags

        @asset(group_name="xfile_consumer")
        def xfile_report(xfile_orders: int) -> int:
            return xfile_orders + 1

        build_dags(Definitions(assets=[AssetSpec("xfile_orders"), xfile_report]))
    """,
    )
    [outlet] = producer["xfile_producer"].get_task("xfile_orders").outlets
    [upstream] = consumer["xfile_consumer"].timetable.asset_condition.objects
    assert upstream.name == outlet.name == "xfile_orders"
    assert type(upstream).__name__ == "AssetNameRef"


def test_plain_modules_folder_loader(
    tmp_path: Path, dags_folder: Path, load_dag_file: Callable[..., Any]
) -> None:
    modules = dags_folder / "plain_assets"
    modules.mkdir(exist_ok=True)
    (modules / "inventory.py").write_text(
        "from asset2airflow import Definitions, asset\n"
        "@asset(group_name='plain_inventory')\ndef stock() -> int:\n    return 5\n"
        "defs = Definitions(assets=[stock])\n"
    )
    (modules / "typo.py").write_text(
        "from asset2airflow import Definitions, asset\n"
        "@asset(group_name='plain_typo')\ndef x(missing_upstream: int) -> int:\n    return 1\n"
        "defs = Definitions(assets=[x])\n"
    )
    with pytest.warns(UserWarning, match="typo.py.*missing_upstream"):
        dags = load_dag_file(
            "plain_loader.py",
            f"""
            from asset2airflow.airflow import load_asset_modules
            load_asset_modules({str(modules)!r})
        """,
        )
    assert sorted(dags) == ["plain_inventory"]
    assert dags["plain_inventory"].test().state == "success"


def test_rendered_file_behaves_like_build_dags(
    dags_folder: Path, load_dag_file: Callable[..., Any]
) -> None:
    source = dags_folder / "render_src" / "render_assets.py"
    source.parent.mkdir(exist_ok=True)
    source.write_text(
        "from asset2airflow import AssetCheckResult, Definitions, asset, asset_check\n"
        "@asset(group_name='rendered')\ndef r_numbers() -> list:\n    return [1, 2]\n"
        "@asset(group_name='rendered')\ndef r_total(r_numbers: list) -> int:\n"
        "    return sum(r_numbers)\n"
        "@asset_check(asset=r_numbers, blocking=True)\n"
        "def r_ok(r_numbers: list) -> AssetCheckResult:\n"
        "    return AssetCheckResult(passed=True)\n"
        "defs = Definitions(assets=[r_numbers, r_total], asset_checks=[r_ok])\n"
    )
    render(source, dags_folder)
    rendered = dags_folder / "rendered_dag.py"
    assert "AssetStepOperator.for_step(" in rendered.read_text()
    dag = load_dag_file("rendered_dag.py", rendered.read_text())["rendered"]
    assert dag.get_task("r_total").upstream_task_ids == {"r_numbers"}
    assert [o.name for o in dag.get_task("r_numbers").outlets] == ["r_numbers"]
    run = dag.test()
    assert run.state == "success"
    assert task_states(run) == {"r_numbers": "success", "r_total": "success"}
    source.write_text(
        source.read_text().replace("def r_total", "def r_sum").replace("r_total", "r_sum")
    )
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(rendered))
    assert "is stale" in str(bag.import_errors)


UNGROUPED_FILE = """
from asset2airflow import Definitions, asset
from asset2airflow.airflow import build_dags

@asset
def {name}() -> int:
    return 1

build_dags(Definitions(assets=[{name}]))
"""


def test_two_files_with_ungrouped_assets_keep_one_dag_each(tmp_path: Path) -> None:
    (tmp_path / "orders_file.py").write_text(UNGROUPED_FILE.format(name="loose_orders"))
    (tmp_path / "users_file.py").write_text(UNGROUPED_FILE.format(name="loose_users"))
    parsed = parse_folder(tmp_path)
    assert parsed["errors"] == {}
    assert parsed["dags"] == ["orders_file.default", "users_file.default"]


def test_two_asset_modules_making_one_dag_id_is_an_import_error_naming_both(
    dags_folder: Path,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    modules = dags_folder / "clashing_assets"
    modules.mkdir(exist_ok=True)
    for name in ("first", "second"):
        (modules / f"{name}.py").write_text(
            "from asset2airflow import Definitions, asset\n"
            f"@asset(group_name='shared_group')\ndef {name}_value() -> int:\n    return 1\n"
            f"defs = Definitions(assets=[{name}_value])\n"
        )
    loader = dags_folder / "clash_loader.py"
    loader.write_text(
        "from asset2airflow.airflow import load_asset_modules\n"
        f"load_asset_modules({str(modules)!r})\n"
    )
    bag = DagBag(dag_folder=str(loader))
    [error] = bag.import_errors.values()
    assert "DAG id 'shared_group'" in error and "first.py" in error and "second.py" in error
    assert not bag.dags


def test_tasks_declare_upstream_assets_as_inlets(
    sales_dag_file: Path, load_dag_file: Callable[..., Any]
) -> None:
    dag = load_dag_file(sales_dag_file.name, sales_dag_file.read_text())["sales"]
    assert dag.get_task("raw_sales").inlets == []
    [inlet] = dag.get_task("cleaned_sales").inlets
    [outlet] = dag.get_task("raw_sales").outlets
    assert inlet == outlet  # the same Airflow asset: name, URI, group and extra
    assert [i.name for i in dag.get_task("daily_sales_summary").inlets] == ["cleaned_sales"]


def test_rendered_file_and_build_dags_make_the_same_airflow_dag(
    dags_folder: Path, load_dag_file: Callable[..., Any]
) -> None:
    """One plan -> Airflow-arguments mapping serves both, so their serializations match."""
    from airflow.serialization.serialized_objects import DagSerialization

    source = dags_folder / "parity_src" / "parity_assets.py"
    source.parent.mkdir(exist_ok=True)
    source.write_text(
        textwrap.dedent(
            """
            from asset2airflow import (AutomationCondition, Backoff, Config, Definitions,
                                       RetryPolicy, asset)

            class Window(Config):
                days: int = 7

            @asset(group_name="parity", retry_policy=RetryPolicy(max_retries=2, delay=5,
                   backoff=Backoff.EXPONENTIAL), owners=["ann@example.com"],
                   automation_condition=AutomationCondition.on_cron("0 6 * * *", "Europe/Paris"))
            def p_orders(config: Window) -> int:
                return config.days

            @asset(group_name="parity", metadata={"owner_team": "sales"})
            def p_report(p_orders: int) -> int:
                return p_orders
            defs = Definitions(assets=[p_orders, p_report])
            """
        )
    )
    render(source, dags_folder)
    rendered = load_dag_file("parity_dag.py", (dags_folder / "parity_dag.py").read_text())
    built = load_dag_file(
        "parity_built.py",
        f"""
        from pathlib import Path
        from asset2airflow.airflow import build_dags
        from asset2airflow.loading import definitions_in, import_file
        build_dags(definitions_in(import_file(Path({str(source)!r})), "parity"))
        """,
    )

    def serialized(dag: Any) -> dict[str, Any]:
        data: dict[str, Any] = DagSerialization.serialize_dag(dag)
        for key in ("fileloc", "relative_fileloc", "_processor_dags_folder"):
            data.pop(key, None)
        return data

    rendered_dag, built_dag = serialized(rendered["parity"]), serialized(built["parity"])
    rendered_tasks, built_tasks = rendered_dag.pop("tasks"), built_dag.pop("tasks")
    assert rendered_dag == built_dag
    assert len(rendered_tasks) == len(built_tasks) == 2
    by_id = lambda task: task["__var"]["task_id"]  # noqa: E731
    for rendered_task, built_task in zip(
        sorted(rendered_tasks, key=by_id), sorted(built_tasks, key=by_id), strict=True
    ):
        assert {k: str(v) for k, v in rendered_task["__var"].items()} == {
            k: str(v) for k, v in built_task["__var"].items()
        }
    task = built["parity"].get_task("p_orders")
    assert (task.retries, task.trigger_rule) == (2, "none_failed")
    assert [i.name for i in built["parity"].get_task("p_report").inlets] == ["p_orders"]
