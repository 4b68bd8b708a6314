"""``DagMigration`` -> the text of the asset module: a header saying where it comes from, the
imports, the task code copied from the original file, one asset per task, and the
``Definitions`` whose ``airflow_dag`` job is the DAG (same id and settings), built with
``build_dags``."""

from __future__ import annotations

import textwrap

from asset2airflow.authoring.airflow_options import AirflowAssetRef
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.migrate.model import DagMigration, TaskMigration
from asset2airflow.migrate.values import py_data, py_str
from asset2airflow.migrate.xcom import default_task_id

_RULE = "# " + "-" * 97


def _section(title: str) -> str:
    return f"# --- {title} " + "-" * max(3, 92 - len(title))


def _key(key: AssetKey) -> str:
    return py_str(key.to_user_string())


def _ref(ref: AirflowAssetRef, name: str) -> str:
    args = [f"name={py_str(ref.name)}"]
    if ref.uri not in (None, ref.name):
        args.append(f"uri={py_str(ref.uri or '')}")
    if ref.group != "asset":
        args.append(f"group={py_str(ref.group)}")
    if ref.extra:
        args.append(f"extra={py_data(dict(ref.extra))}")
    return f"{name}({', '.join(args)})"


def _keywords(pairs: list[tuple[str, str]], indent: str) -> str:
    """``name=value`` arguments on one line, or one per line when long."""
    one_line = ", ".join(f"{k}={v}" for k, v in pairs)
    if len(one_line) + len(indent) < 88 and "\n" not in one_line:
        return one_line
    inner = indent + "    "
    return "\n" + "".join(f"{inner}{k}={v},\n" for k, v in pairs) + indent


def _mapping(entries: list[tuple[str, str]], indent: int, room: int = 60) -> str:
    """``{key: value, ...}`` on one line when short, else one entry per line (the closing
    brace at column ``indent``)."""
    one_line = "{" + ", ".join(f"{k}: {v}" for k, v in entries) + "}"
    if len(one_line) <= room:
        return one_line
    inner = " " * (indent + 4)
    return "{\n" + "".join(f"{inner}{k}: {v},\n" for k, v in entries) + " " * indent + "}"


class _Names:
    """The names our own API gets in the module, chosen after the copied code's."""

    def __init__(self, migration: DagMigration) -> None:
        ns = migration.namespace
        tasks = migration.tasks
        if any(len(t.keys) == 1 for t in tasks):
            self.asset = ns.import_from("asset2airflow", "asset")
        if any(t.inputs for t in tasks):
            self.asset_in = ns.import_from("asset2airflow", "AssetIn")
        self.definitions = ns.import_from("asset2airflow", "Definitions")
        self.build_dags = ns.import_from("asset2airflow.airflow", "build_dags")
        self.airflow_dag = ns.import_from("asset2airflow.migrate", "airflow_dag")
        self.xcom = ns.import_from("asset2airflow.migrate", "XComIOManager")
        if any(t.arguments or t.pinned or t.task_id != t.node_name for t in tasks):
            self.airflow_task = ns.import_from("asset2airflow.migrate", "airflow_task")
        if any(t.pinned for t in tasks):
            self.asset_ref = ns.import_from("asset2airflow.migrate", "AirflowAssetRef")
        if any(len(t.keys) > 1 for t in tasks):
            self.multi_asset = ns.import_from("asset2airflow", "multi_asset")
            self.asset_out = ns.import_from("asset2airflow", "AssetOut")
        self.functions = {
            t.task_id: ns.claim(("asset function", t.task_id), f"{t.node_name}_asset")
            for t in tasks
        }
        self.defs = ns.claim(("defs",), "defs")


def _task_source(task: TaskMigration, names: _Names, group: str) -> str:
    lines: list[str] = []
    airflow: list[tuple[str, str]] = []
    if task.task_id != task.node_name:
        airflow.append(("task_id", py_str(task.task_id)))
    if task.pinned:
        refs = [(_key(k), _ref(r, names.asset_ref)) for k, r in task.pinned]
        airflow.append(("assets", _mapping(refs, 4)))
    airflow.extend(task.arguments)
    if airflow:
        lines.append(f"@{names.airflow_task}({_keywords(airflow, '')})")
    common: list[tuple[str, str]] = []
    if task.inputs:
        ins = [(py_str(p), f"{names.asset_in}({_key(k)})") for p, k in task.inputs]
        common.append(("ins", _mapping(ins, 4)))
    if task.deps:
        common.append(("deps", "[" + ", ".join(_key(k) for k in task.deps) + "]"))
    body = list(task.body)
    if len(task.keys) == 1:
        decorator = [("key", _key(task.keys[0])), ("group_name", py_str(group)), *common]
        lines.append(f"@{names.asset}({_keywords(decorator, '')})")
    else:
        outs = [
            (
                py_str(k.to_python_identifier()),
                f"{names.asset_out}(key={_key(k)}, group_name={py_str(group)})",
            )
            for k in task.keys
        ]
        decorator = [("name", py_str(task.node_name)), ("outs", _mapping(outs, 4)), *common]
        lines.append(f"@{names.multi_asset}({_keywords(decorator, '')})")
        last = body[-1]
        assert last.startswith("return ")
        body[-1] = "value = " + last.removeprefix("return ")
        body.append("return " + ", ".join("value" for _ in task.keys))
    parameters = ", ".join(p for p, _ in task.inputs)
    lines.append(f"def {names.functions[task.task_id]}({parameters}):")
    lines.extend(f"    # {line}" for line in textwrap.wrap(task.comment, 94))
    lines.extend(f"    {line}" for line in body)
    return "\n".join(lines) + "\n"


def render_module(migration: DagMigration, source_label: str) -> str:
    """The asset module for ``migration``; ``source_label`` names the original file."""
    names = _Names(migration)
    group = migration.group
    xcom_ids = {
        k.to_user_string(): t.task_id
        for t in migration.tasks
        for k in t.keys
        if default_task_id(k) != t.task_id
    }
    xcom = f"{names.xcom}()"
    task_ids = ""
    if xcom_ids:  # assets named after an outlet: their XComs are their task's
        constant = migration.namespace.claim(("task ids",), "TASK_IDS")
        entries = "".join(f"    {py_str(k)}: {py_str(v)},\n" for k, v in xcom_ids.items())
        task_ids = (
            "# The task of each asset named after an outlet (its value is that task's XCom).\n"
            f"{constant} = {{\n{entries}}}\n\n"
        )
        xcom = f"{names.xcom}({constant})"
    dag_args = [(k, v) for k, v in migration.dag_arguments]
    header = [
        f'"""DAG {migration.dag_id!r} as assets: written by `asset2airflow migrate` from '
        f"{source_label}.",
        "",
        "The DAG keeps its id, task ids, edges, schedule, default_args, params, retries, owners",
        "and tags, so it takes over the original DAG and its run history. Compare both with",
        f"`asset2airflow migrate --check {source_label} <this file>`, then delete the original.",
        "Each task is one asset; the comment in each asset says how its work runs.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    imports = migration.namespace.import_lines()
    definitions = migration.namespace.definitions
    parts = ["\n".join(header + imports)]
    if definitions:
        parts.append(_section(f"Task code, copied from {source_label}"))
        parts.append("\n\n".join(d.rstrip() + "\n" for d in definitions))
    parts.append(_section("One asset per task"))
    parts.append("\n\n".join(_task_source(t, names, group) for t in migration.tasks))
    assets = "".join(f"        {names.functions[t.task_id]},\n" for t in migration.tasks)
    job_args = "".join(f"            {k}={v},\n" for k, v in dag_args)
    parts.append(
        f"{task_ids}{names.defs} = {names.definitions}(\n"
        f"    assets=[\n{assets}    ],\n"
        f'    resources={{"io_manager": {xcom}}},\n'
        f"    jobs=[\n"
        f"        {names.airflow_dag}(\n"
        f"            {py_str(migration.dag_id)},\n{job_args}"
        f"        )\n"
        f"    ],\n"
        f")\n\n"
        f"{names.build_dags}({names.defs})\n"
    )
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)
