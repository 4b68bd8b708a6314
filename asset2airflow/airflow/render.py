"""``asset2airflow render``: a DAG plan as a static, readable plain-Airflow DAG file, for teams
who want the Airflow code in git. The file declares the DAG, tasks, outlets, schedule and params
explicitly; each task runs the source module's asset code through ``AssetStepOperator`` (a fused
DAG's one task through ``FusedAssetsOperator``). No Airflow imports: this module writes text."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any

from asset2airflow.airflow.arguments import (
    SOURCES,
    dag_arguments,
    names_used,
    schedule_argument,
    task_arguments,
)
from asset2airflow.airflow.plan import DagPlan
from asset2airflow.authoring.airflow_options import LIST_ARGUMENTS


def _identifier(task_id: str) -> str:
    return "t_" + "".join(c if c.isalnum() else "_" for c in task_id)


def _imports(names: set[str]) -> list[str]:
    """``from module import name`` lines for the callables and constants the file uses."""
    by_module: dict[str, set[str]] = {}
    for name in names:
        module, attribute = SOURCES[name]
        if module == "builtins":
            continue
        by_module.setdefault(module, set()).add(attribute.split(".")[0])
    return [f"from {m} import {', '.join(sorted(a))}" for m, a in sorted(by_module.items())]


def _keyword_lines(arguments: dict[str, Any], indent: str) -> list[str]:
    """One ``name=value,`` line per argument; a dict value gets one line per entry."""
    lines = []
    for name, value in arguments.items():
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{name}={{")
            lines += [f"{indent}    {k!r}: {v!r}," for k, v in value.items()]
            lines.append(f"{indent}}},")
        else:
            lines.append(f"{indent}{name}={value!r},")
    return lines


class _Read(str):
    """Source code reading a pinned value (``airflow_dag``/``airflow_task``) from the compiled
    plan, for values that have no literal source form (timetables, ``Param``s, dates)."""

    def __repr__(self) -> str:
        return str(self)


def _literal(value: Any) -> bool:
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _with_pinned(
    arguments: dict[str, Any], pinned: tuple[tuple[str, Any], ...], source: str
) -> dict[str, Any]:
    """``arguments`` whose pinned values without a literal form are read from ``source``
    (``PINNED`` or ``TASKS[id]``) by the rendered file; merged lists and params keep the
    derived part written out."""
    written = dict(arguments)
    for name, value in pinned:
        if _literal(value):
            continue
        read = f"{source}[{name!r}]"
        merged = written[name]
        if name in LIST_ARGUMENTS:
            derived = merged[: len(merged) - len(value)]
            written[name] = _Read(f"{derived!r} + {read}" if derived else read)
        elif name == "params" and isinstance(merged, dict) and len(merged) > len(value):
            derived = {k: v for k, v in merged.items() if k not in value}
            written[name] = _Read(f"{{**{derived!r}, **{read}}}")
        else:
            written[name] = _Read(read)
    return written


def render_dag(plan: DagPlan, source: Path, out_file: Path) -> str:
    """The Python source of a DAG file at ``out_file`` that runs ``plan`` from ``source``."""
    relative = os.path.relpath(source.resolve(), out_file.resolve().parent)
    dag = _with_pinned(dag_arguments(plan), plan.arguments, "PINNED")
    tasks = [
        _with_pinned(task_arguments(t), t.arguments, f"TASKS[{t.task_id!r}]") for t in plan.tasks
    ]
    params = dag.pop("params")  # set once the tasks exist, as ``builder.build_dag`` does
    operator_module, operator = _OPERATORS[plan.execution]
    lines: list[str] = [
        f'"""DAG {plan.dag_id!r}, rendered by `asset2airflow render` from {source.name}.',
        "",
        "Edit the assets in the source module and re-render; a stale file fails to load with a",
        'message saying so."""',
        "",
        "from pathlib import Path",
        "",
        *_imports(names_used([dag, tasks, params]) | {"DAG"}),
        "",
        "from asset2airflow.airflow.compiled import load_compiled_dag",
        f"from {operator_module} import {operator}",
        "",
        f"SOURCE = Path(__file__).parent / {relative!r}",
        f"TASK_IDS = {[t.task_id for t in plan.tasks]!r}",
        f"COMPILED = load_compiled_dag(SOURCE, {plan.dag_id!r}, TASK_IDS, {plan.execution!r})",
        # Values pinned with airflow_dag/airflow_task that have no literal form.
        "PINNED = dict(COMPILED.plan.arguments)",
        "TASKS = {t.task_id: dict(t.arguments) for t in COMPILED.plan.tasks}",
        "",
        "with DAG(",
        *_keyword_lines(dag, "    "),
        ") as dag:",
    ]
    for task, arguments in zip(plan.tasks, tasks, strict=True):
        lines += [
            f"    {_identifier(task.task_id)} = {operator}.for_step(",
            "        COMPILED,",
            *_keyword_lines(arguments, "        "),
            "    )",
        ]
    downstream: dict[str, list[str]] = {}
    for task in plan.tasks:
        for up in task.upstream_task_ids:
            downstream.setdefault(up, []).append(_identifier(task.task_id))
    lines += [
        f"    {_identifier(up)} >> [{', '.join(children)}]" for up, children in downstream.items()
    ]
    lines.append(f"dag.params = {params!r}")
    return "\n".join(lines) + "\n"


# The operator of a rendered task by execution mode: (module, class).
_OPERATORS = {
    "per_asset": ("asset2airflow.airflow.operator", "AssetStepOperator"),
    "fused": ("asset2airflow.airflow.fused", "FusedAssetsOperator"),
}


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
            "schedule": repr(schedule_argument(p.schedule)),
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
