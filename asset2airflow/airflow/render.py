"""``asset2airflow render``: a DAG plan as a static, readable plain-Airflow DAG file, for teams
who want the Airflow code in git. The file declares the DAG, tasks, outlets, schedule and params
explicitly; each task runs the source module's asset code through ``AssetStepOperator`` (no
Airflow imports here: this module only writes text)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.plan import AssetRefPlan, DagPlan, SchedulePlan


def _asset(ref: AssetRefPlan) -> str:
    if ref.uri is None:
        return f"Asset.ref(name={ref.name!r})"
    return f"Asset(name={ref.name!r}, uri={ref.uri!r}, group={ref.group!r}, extra={ref.extra!r})"


def _schedule(schedule: SchedulePlan) -> str:
    assets = (
        "AssetAll(" + ", ".join(_asset(a) for a in schedule.upstream) + ")"
        if schedule.upstream
        else None
    )
    cron = (
        f"CronTriggerTimetable({schedule.cron!r}, timezone={schedule.timezone!r})"
        if schedule.cron
        else None
    )
    if assets and cron:
        return f"AssetOrTimeSchedule(timetable={cron}, assets={assets})"
    return assets or cron or "None"


def _param(plan: ParamPlan) -> str:
    args: list[str] = [repr(plan.default)] if plan.has_default else []
    args.append(f"description={plan.description!r}")
    args += [
        f"{k}={v!r}"
        for k, v in {**plan.schema, "title": plan.title, "section": plan.section}.items()
    ]
    return f"Param({', '.join(args)})"


def _identifier(task_id: str) -> str:
    return "t_" + "".join(c if c.isalnum() else "_" for c in task_id)


def render_dag(plan: DagPlan, source: Path, out_file: Path) -> str:
    """The Python source of a DAG file at ``out_file`` that runs ``plan`` from ``source``."""
    relative = os.path.relpath(source.resolve(), out_file.resolve().parent)
    lines: list[str] = [
        f'"""DAG {plan.dag_id!r}, rendered by `asset2airflow render` from {source.name}.',
        "",
        "Edit the assets in the source module and re-render; a stale file fails to load with a",
        'message saying so."""',
        "",
        "from datetime import datetime, timedelta, timezone",
        "from pathlib import Path",
        "",
        "from airflow.sdk import DAG, Asset, AssetAll, AssetOrTimeSchedule, Param",
        "from airflow.timetables.trigger import CronTriggerTimetable",
        "",
        "from asset2airflow.airflow.compiled import load_compiled_dag",
        "from asset2airflow.airflow.operator import AssetStepOperator",
        "",
        f"SOURCE = Path(__file__).parent / {relative!r}",
        f"TASK_IDS = {[t.task_id for t in plan.tasks]!r}",
        f"COMPILED = load_compiled_dag(SOURCE, {plan.dag_id!r}, TASK_IDS)",
        "",
        "with DAG(",
        f"    dag_id={plan.dag_id!r},",
        f"    schedule={_schedule(plan.schedule)},",
        "    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),",
        "    catchup=False,",
        f"    description={plan.description!r},",
        f"    doc_md={plan.doc_md!r},",
        f"    tags={list(plan.tags)!r},",
        "    params={",
        *[f"        {p.name!r}: {_param(p)}," for p in plan.params],
        "    },",
        f"    default_args={{'owner': {plan.owner!r}}},",
        ") as dag:",
    ]
    for task in plan.tasks:
        retry: list[str] = []
        if task.retries:
            retry = [
                f"        retries={task.retries},",
                f"        retry_delay=timedelta(seconds={task.retry_delay_seconds!r}),",
                f"        retry_exponential_backoff={task.retry_exponential_backoff!r},",
            ]
        lines += [
            f"    {_identifier(task.task_id)} = AssetStepOperator.for_step(",
            "        COMPILED,",
            f"        task_id={task.task_id!r},",
            "        outlets=[" + ", ".join(_asset(o) for o in task.outlets) + "],",
            f"        doc_md={task.doc_md!r},",
            '        trigger_rule="none_failed",',
            *([f"        owner={task.owner!r},"] if task.owner else []),
            *retry,
            "    )",
        ]
    downstream: dict[str, list[str]] = {}
    for task in plan.tasks:
        for up in task.upstream_task_ids:
            downstream.setdefault(up, []).append(_identifier(task.task_id))
    lines += [
        f"    {_identifier(up)} >> [{', '.join(children)}]" for up, children in downstream.items()
    ]
    return "\n".join(lines) + "\n"


def render_files(plans: list[DagPlan], source: Path, out_dir: Path) -> list[Path]:
    """Write one file per DAG (``<dag_id>_dag.py``) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for plan in plans:
        target = out_dir / f"{plan.dag_id}_dag.py"
        target.write_text(render_dag(plan, source, target))
        written.append(target)
    return written


def describe_plans(plans: list[DagPlan]) -> list[dict[str, Any]]:
    """What ``asset2airflow dags`` prints (``--json``)."""
    return [
        {
            "dag_id": p.dag_id,
            "schedule": _schedule(p.schedule),
            "tags": list(p.tags),
            "params": [param.name for param in p.params],
            "tasks": [
                {
                    "task_id": t.task_id,
                    "upstream": list(t.upstream_task_ids),
                    "outlets": [{"name": o.name, "uri": o.uri} for o in t.outlets],
                    "checks": list(t.check_names),
                    "retries": t.retries,
                }
                for t in p.tasks
            ],
        }
        for p in plans
    ]
