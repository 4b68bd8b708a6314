"""Fused execution as plain data: the plan's one task, the choices and refusals, and the per-asset
report and resume record a fused task writes (no Airflow DB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow import AssetSpec, Definitions, MetadataValue, asset, define_asset_job
from asset2airflow.airflow.fused_report import Checkpoint, EarlierTries, fused_report
from asset2airflow.airflow.plan import FUSED_TASK_ID, build_dag_plans
from asset2airflow.airflow.record import EventExtra
from asset2airflow.airflow.render import render_dag
from asset2airflow.authoring.airflow_decorators import airflow_task
from asset2airflow.authoring.jobs import ExecutionMode
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.results import AssetMaterialization
from asset2airflow.errors import DefinitionError, ExecutionError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.step import StepOutcome

external = AssetSpec("fp_external")


@asset(group_name="fp", deps=["fp_external"])
def fp_a() -> int:
    return 1


@asset(group_name="fp")
def fp_b(fp_a: int) -> int:
    return fp_a + 1


@asset(group_name="fp")
def fp_c(fp_a: int) -> int:
    return fp_a + 2


DEFS = Definitions(assets=[external, fp_a, fp_b, fp_c])


def test_a_fused_dag_has_one_task_producing_every_asset_in_dependency_order() -> None:
    [plan] = build_dag_plans(DEFS, execution="fused")
    assert plan.execution is ExecutionMode.FUSED
    [task] = plan.tasks
    assert task.task_id == FUSED_TASK_ID
    assert task.asset_keys[0] == "fp_a" and sorted(task.asset_keys) == ["fp_a", "fp_b", "fp_c"]
    assert [o.name for o in task.outlets] == list(task.asset_keys)
    assert [i.name for i in task.inlets] == ["fp_external"]
    assert task.upstream_task_ids == () and task.retries == 0
    # The DAG's schedule and params do not depend on the execution mode.
    [per_asset] = build_dag_plans(DEFS)
    assert plan.schedule == per_asset.schedule and plan.params == per_asset.params
    assert len(per_asset.tasks) == 3 and per_asset.execution is ExecutionMode.PER_ASSET


def test_a_job_chooses_its_mode_over_build_dags() -> None:
    defs = Definitions(
        assets=[external, fp_a, fp_b, fp_c],
        jobs=[define_asset_job("fp_job", ["fp_b"], execution="per_asset")],
    )
    plans = {p.dag_id: p for p in build_dag_plans(defs, execution="fused")}
    assert plans["fp_job"].execution is ExecutionMode.PER_ASSET
    assert [t.task_id for t in plans["fp_job"].tasks] == ["fp_b"]
    assert plans["fp"].execution is ExecutionMode.FUSED


@pytest.mark.parametrize("bad", ["fuse", "per-asset", None, 1])
def test_an_unknown_execution_mode_is_refused_naming_the_modes(bad: object) -> None:
    with pytest.raises(DefinitionError, match="'per_asset', 'fused'"):
        build_dag_plans(DEFS, execution=bad)  # type: ignore[arg-type]
    if bad is not None:
        with pytest.raises(DefinitionError, match=r"define_asset_job\('j'\)"):
            define_asset_job("j", execution=bad)  # type: ignore[arg-type]


def test_pinned_task_options_cannot_be_fused() -> None:
    @airflow_task(pool="db")
    @asset(group_name="fp_pinned")
    def fp_pinned() -> int:
        return 1

    with pytest.raises(DefinitionError, match="fp_pinned.*airflow_task.*per_asset"):
        build_dag_plans(Definitions(assets=[fp_pinned]), execution="fused")


def test_a_rendered_fused_dag_uses_the_fused_operator(tmp_path: Path) -> None:
    [plan] = build_dag_plans(DEFS, execution="fused")
    text = render_dag(plan, tmp_path / "src.py", tmp_path / "out" / "fp_dag.py")
    assert "from asset2airflow.airflow.fused import FusedAssetsOperator" in text
    assert "FusedAssetsOperator.for_step(" in text and "AssetStepOperator" not in text
    assert "TASK_IDS, 'fused', 'job_or_group')" in text
    compile(text, "fp_dag.py", "exec")


def _step(name: str, reads: tuple[str, ...] = ()) -> ExecutionStep:
    return ExecutionStep(
        name, None, (AssetKey([name]),), (), reads=tuple(AssetKey([r]) for r in reads)
    )


def _materialized(step: ExecutionStep) -> StepOutcome:
    return StepOutcome(
        step,
        [
            AssetMaterialization(
                asset_key=step.asset_keys[0], metadata={"rows": MetadataValue.int(3)}
            )
        ],
    )


def test_the_report_gives_each_asset_a_status_and_the_record_resumes_a_failed_try() -> None:
    a, b, c, d = _step("a"), _step("b", ("a",)), _step("c", ("b",)), _step("d", ("a",))
    failed = StepOutcome(b, error=ExecutionError("boom in b"))
    report = fused_report(
        "materialize",
        ["a", "b", "c", "d", "e"],
        [a, b, c, d],
        [_materialized(a), failed, _materialized(d)],
        ["c"],
        EarlierTries(),
        1,
        {},
    )
    statuses = {k: v["status"] for k, v in report.statuses.items()}
    assert statuses == {
        "a": "materialized",
        "b": "failed",
        "c": "skipped",
        "d": "materialized",
        "e": "not_selected",
    }
    assert report.failed == ["b"] and "boom in b" in report.statuses["b"]["error"]
    assert report.extras["a"]["metadata"]["rows"] == {"type": "int", "value": 3}
    record = report.record()
    assert record["outcome"] == "failed" and sorted(record["assets"]) == ["a", "d"]

    earlier = EarlierTries.from_record(record)
    assert earlier.done_steps([a, b, c, d]) == {"a", "d"}
    retry = fused_report(
        "materialize",
        ["a", "b", "c", "d", "e"],
        [a, b, c, d],
        [_materialized(b), _materialized(c)],
        [],
        earlier,
        2,
        {},
    )
    assert not retry.errors
    assert {k: v["try_number"] for k, v in retry.statuses.items() if k != "e"} == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 1,
    }
    assert sorted(retry.extras) == ["a", "b", "c", "d"]  # every event is emitted now
    # After a successful try, clearing the task runs everything again.
    assert EarlierTries.from_record(retry.record()).done_steps([a, b, c, d]) == set()


@pytest.mark.parametrize("record", [None, "garbage", {"outcome": "failed", "materialized": 3}])
def test_an_unreadable_record_means_run_everything(record: object) -> None:
    assert EarlierTries.from_record(record).done_steps([_step("a")]) == set()


def test_a_step_skipped_by_its_code_is_not_a_failure() -> None:
    a = _step("a")
    report = fused_report(
        "materialize",
        ["a"],
        [a],
        [StepOutcome(a, error=ExecutionError("skip"))],
        [],
        EarlierTries(),
        1,
        {"a": "skipped by the asset"},
    )
    assert report.statuses["a"]["status"] == "skipped" and not report.errors


def test_a_checkpoint_saves_what_materialized_at_most_every_interval() -> None:
    saved: list[dict[str, object]] = []
    now = [0.0]
    earlier = EarlierTries({"a": EventExtra(None, {}, ())}, {"a": 1})
    checkpoint = Checkpoint(saved.append, earlier, 2, interval=2.0, clock=lambda: now[0])
    b, c = _step("b", ("a",)), _step("c", ("b",))
    now[0] = 1.0
    checkpoint.finished(_materialized(b))
    assert saved == []  # not yet: a short try never writes mid-way
    now[0] = 2.5
    checkpoint.finished(StepOutcome(c, error=ExecutionError("boom")))
    [record] = saved
    assert record["outcome"] == "interrupted"
    resumed = EarlierTries.from_record(record)
    assert resumed.try_numbers == {"a": 1, "b": 2}  # the failed step is not in it
    assert resumed.done_steps([_step("a"), b, c]) == {"a", "b"}
