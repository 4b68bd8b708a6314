"""``asset2airflow render``: a DAG plan as a static, readable plain-Airflow DAG file, for teams
who want the Airflow code in git. Every kind of DAG ``build_dags`` builds is written (asset,
fused, op job with mapped tasks, schedule/sensor, with run status callbacks): the file declares
the DAG, tasks, outlets, schedule and params explicitly, with the operators and arguments of
``arguments`` (the mapping ``build_dags`` uses), and runs the source module's code through its
compiled view (``compiled.load_compiled``). No Airflow imports: this module writes text."""

from __future__ import annotations

import ast
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from asset2airflow.airflow.arguments import (
    DEFINITIONS,
    SOURCES,
    dag_arguments,
    names_used,
    task_call,
)
from asset2airflow.airflow.dag_plan import DagPlan, TaskPlan
from asset2airflow.authoring.airflow_options import LIST_ARGUMENTS


def _identifier(task_id: str) -> str:
    return "t_" + "".join(c if c.isalnum() else "_" for c in task_id)


def _imports(names: set[str]) -> list[str]:
    """``from module import name`` lines for the callables and constants the file uses (and
    its compiled view): Python's and Airflow's first, then asset2airflow's."""
    by_module: dict[str, set[str]] = {
        "asset2airflow.airflow.compiled": {"COMPILED_ATTRIBUTE", "load_compiled"}
    }
    for name in names:
        module, attribute = SOURCES[name]
        if module == "builtins":
            continue
        by_module.setdefault(module, set()).add(attribute.split(".")[0])
    lines: dict[bool, list[str]] = {False: [], True: []}
    for module, attributes in sorted(by_module.items()):
        line = f"from {module} import {', '.join(sorted(attributes))}"
        lines[module.startswith("asset2airflow.")].append(line)
    return [*lines[False], "", *lines[True]]


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


def render_dag(plan: DagPlan, source: Path, out_file: Path, dag_per: str = "job_or_group") -> str:
    """The Python source of a DAG file at ``out_file`` that runs ``plan`` from ``source``
    (planned with ``dag_per`` and the plan's execution mode, as ``build_dags`` did)."""
    relative = os.path.relpath(source.resolve(), out_file.resolve().parent)
    dag = _with_pinned(dag_arguments(plan), plan.arguments, "PINNED")
    calls = [
        replace(made, arguments=_with_pinned(made.arguments, t.arguments, f"TASKS[{t.task_id!r}]"))
        if isinstance(t, TaskPlan)
        else made
        for t, made in ((t, task_call(t)) for t in plan.tasks)
    ]
    params = dag.pop("params")  # set once the tasks exist, as ``builder.build_dag`` does
    load = (
        f"load_compiled(SOURCE, {plan.dag_id!r}, TASK_IDS, {plan.execution.value!r}, {dag_per!r})"
    )
    lines: list[str] = [
        f'"""DAG {plan.dag_id!r}, rendered by `asset2airflow render` from {source.name}.',
        "",
        "Edit the definitions in the source module and re-render; a stale file fails to load",
        'with a message saying so."""',
        "",
        "from pathlib import Path",
        "",
        *_imports(names_used([dag, calls, params]) | {"DAG"}),
        "",
        f"SOURCE = Path(__file__).parent / {relative!r}",
        f"TASK_IDS = {[t.task_id for t in plan.tasks]!r}",
        f"COMPILED = {load}",
        f"{DEFINITIONS!r} = COMPILED.defs",
        # Values pinned with airflow_dag/airflow_task that have no literal form.
        "PINNED = dict(COMPILED.plan.arguments)",
        "TASKS = {t.task_id: dict(t.arguments) for t in COMPILED.plan.asset_tasks}",
        "",
        "with DAG(",
        *_keyword_lines(dag, "    "),
        ") as dag:",
        "    setattr(dag, COMPILED_ATTRIBUTE, COMPILED)",
    ]
    for task, made in zip(plan.tasks, calls, strict=True):
        name = _identifier(task.task_id)
        if made.expand_over is None:
            lines += [f"    {name} = {made.operator!r}.for_step(", "        COMPILED,"]
            lines += [*_keyword_lines(made.arguments, "        "), "    )"]
        else:
            over = _identifier(made.expand_over)
            lines += [f"    {name} = {made.operator!r}.partial("]
            lines += [*_keyword_lines(made.arguments, "        ")]
            lines += [f"    ).expand(mapping_key={over}.output)"]
    downstream: dict[str, list[str]] = {}
    for task in plan.tasks:
        for up in task.upstream_task_ids:
            downstream.setdefault(up, []).append(_identifier(task.task_id))
    lines += [
        f"    {_identifier(up)} >> [{', '.join(children)}]" for up, children in downstream.items()
    ]
    lines.append(f"dag.params = {params!r}")
    return "\n".join(lines) + "\n"


def render_files(
    plans: list[DagPlan], source: Path, out_dir: Path, dag_per: str = "job_or_group"
) -> list[Path]:
    """Write one file per DAG (``<dag_id>_dag.py``) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for plan in plans:
        target = out_dir / f"{plan.dag_id}_dag.py"
        target.write_text(render_dag(plan, source, target, dag_per))
        written.append(target)
    return written
