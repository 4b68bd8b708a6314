"""One task of a loaded DAG -> one asset step (``TaskMigration``).

- ``@task`` and ``PythonOperator`` given only a callable and its arguments: an asset calling
  the copied callable with ``run_python``; ``XComArg`` arguments become asset inputs
  (``XComIOManager`` keeps them XComs).
- other ``@task.<kind>`` decorators (bash, branch, short_circuit, virtualenv...): the copied
  function run by the same public decorator with the same arguments (``run_decorated``).
- any other operator (Bash, SQL, sensors, provider operators): an operator-backed asset,
  ``run_operator(Operator, **arguments)``, the class imported by its public name.
- mapped tasks (``.expand``, and tasks of mapped task groups): fallback, the items run one
  after another in one task (the value is the list of results, as a mapped task's XCom).

Arguments are what the DAG file wrote (``written``), falsy ones included, never compared with
the class's defaults. Task-level Airflow settings the file wrote, or that differ from what the
DAG's ``default_args`` give (trigger rule, retries, pool, owner, callbacks, docs...), are
pinned with ``airflow_task``; outlets that are not plain assets (aliases) and the original
inlets are kept too.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.airflow.arguments import TRIGGER_RULE
from asset2airflow.authoring.airflow_options import TASK_ATTRIBUTES
from asset2airflow.migrate import layout
from asset2airflow.migrate.keys import TaskAssets, is_asset, key_from_task_id
from asset2airflow.migrate.model import Note, TaskKind, TaskMigration
from asset2airflow.migrate.namespace import ModuleNamespace, Unsupported
from asset2airflow.migrate.source import CodeCopier
from asset2airflow.migrate.values import ValueWriter, py_str
from asset2airflow.migrate.written import written_arguments

# BaseOperator settings compared with what the DAG's default_args give a new task.
OUTER_ATTRIBUTES = (
    "owner", "email", "email_on_retry", "email_on_failure", "retries", "retry_delay",
    "retry_exponential_backoff", "max_retry_delay", "retry_policy", "start_date", "end_date",
    "depends_on_past", "ignore_first_depends_on_past", "wait_for_past_depends_before_skipping",
    "wait_for_downstream", "priority_weight", "weight_rule", "queue", "pool", "pool_slots",
    "execution_timeout", "on_execute_callback", "on_failure_callback", "on_success_callback",
    "on_retry_callback", "on_skipped_callback", "trigger_rule", "resources", "run_as_user",
    "map_index_template", "max_active_tis_per_dag", "max_active_tis_per_dagrun", "executor",
    "executor_config", "do_xcom_push", "multiple_outputs", "doc", "doc_md", "doc_json",
    "doc_yaml", "doc_rst",
)  # fmt: skip
# Constructor arguments that are the task's identity or plumbing, never passed on.
_PLUMBING = {
    "task_id", "dag", "task_group", "default_args", "params", "kwargs_to_upstream",
    "is_setup", "is_teardown", "on_failure_fail_dagrun",
}  # fmt: skip
_PYTHON_ARGUMENTS = {"python_callable", "op_args", "op_kwargs"}
# What a @task decorator passes its operator itself (the function, the call's arguments).
_DECORATOR_ARGUMENTS = {*_PYTHON_ARGUMENTS, "multiple_outputs"}
RUNTIME = "asset2airflow.migrate"


@dataclass
class TaskContext:
    """What translating one task needs from its DAG."""

    dag: Any
    assets: Mapping[str, TaskAssets]
    baseline: Mapping[str, Any]
    base_parameters: frozenset[str]
    namespace: ModuleNamespace
    copier: CodeCopier
    notes: list[Note] = field(default_factory=list)
    original_name: str = ""
    """File name of the kept copy of the original DAG file, for fallback tasks."""
    uses_original: bool = False

    def original_file(self) -> str:
        """The name of the module constant holding the kept original's path."""
        self.uses_original = True
        path = self.namespace.import_from("pathlib", "Path")
        return self.namespace.define(
            ("original dag file",),
            "ORIGINAL_DAG_FILE",
            lambda n: f"{n} = {path}(__file__).with_name({py_str(self.original_name)})",
        )


class _Inputs:
    """The task's upstream values: each upstream task read through XCom is one parameter."""

    def __init__(self, task: Any, context: TaskContext, group_index: str | None) -> None:
        self.task = task
        self.context = context
        self.params: dict[str, str] = {}  # upstream task id -> parameter name
        self.group_index = group_index  # loop variable of a mapped task group's items
        self.group = _mapped_group(task)

    def parameter(self, task_id: str) -> str:
        if task_id not in self.params:
            base = key_from_task_id(task_id).to_python_identifier()  # named after the task
            if base in ("context", "_context", "ctx", "config") or base[0].isdigit():
                base = f"{base}_value" if not base[0].isdigit() else f"t_{base}"
            name, n = base, 1
            while name in self.params.values():
                n += 1
                name = f"{base}_{n}"
            self.params[task_id] = name
        return self.params[task_id]

    def special(self, value: Any) -> str | None:
        kind = type(value).__name__
        if kind == "PlainXComArg":
            upstream = value.operator
            name = self.parameter(upstream.task_id)
            if self.group is not None and _mapped_group(upstream) is self.group:
                name = f"{name}[{self.group_index}]"
            if value.key == "return_value":
                return name
            if getattr(upstream, "multiple_outputs", False):
                return f"{name}[{py_str(value.key)}]"
            raise Unsupported(f"reads XCom key {value.key!r} of task {upstream.task_id!r}")
        if kind == "MapXComArg":
            inner = self.writer.expr(value.arg)
            for fn in value.callables:  # XComArg.map(fn)
                inner = f"[{self.writer.copier.callable(fn)}(value) for value in {inner}]"
            return inner
        if kind == "ZipXComArg":
            zip_items = self.context.namespace.import_from(RUNTIME, "zip_items")
            args = ", ".join(self.writer.expr(a) for a in value.args)
            fill = value.fillvalue
            if type(fill).__name__ == "ArgNotSet":
                return f"{zip_items}({args})"
            return f"{zip_items}({args}, fillvalue={self.writer.expr(fill)}, fill=True)"
        if kind == "ConcatXComArg":
            return "[" + ", ".join(f"*{self.writer.expr(a)}" for a in value.args) + "]"
        if kind == "MappedArgument":
            return f"item[{py_str(value._key)}]"
        return None

    @property
    def writer(self) -> ValueWriter:
        return ValueWriter(self.context.namespace, self.context.copier, self.special)

    def call_writer(self, template_ext: tuple[str, ...]) -> ValueWriter:
        """The writer of a callable's arguments: strings that rendering would change are
        ``JinjaTemplate``s (the only arguments ``run_python``/``run_decorated`` render)."""

        def special(value: Any) -> str | None:
            claimed = self.special(value)
            if claimed is None and _rendering_changes(value, template_ext):
                template = self.context.namespace.import_from(RUNTIME, "JinjaTemplate")
                return f"{template}({py_str(value)})"
            return claimed

        return ValueWriter(self.context.namespace, self.context.copier, special)


def _rendering_changes(value: Any, template_ext: tuple[str, ...]) -> bool:
    """Whether Airflow's rendering of string ``value`` may give something else: template
    syntax, the trailing newline Jinja drops, a template file extension."""
    if not isinstance(value, str) or isinstance(value, enum.Enum):
        return False
    syntax = any(mark in value for mark in ("{{", "{%", "{#"))
    return syntax or value.endswith("\n") or bool(template_ext and value.endswith(template_ext))


def _mapped_group(task: Any) -> Any:
    group = getattr(task, "task_group", None)
    while group is not None:
        if type(group).__name__ == "MappedTaskGroup":
            return group
        group = getattr(group, "parent_group", None)
    return None


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except Exception:
        return True


def outer_arguments(task: Any, context: TaskContext, writer: ValueWriter) -> list[tuple[str, str]]:
    """``airflow_task`` keywords: the task's settings the DAG file wrote, or that a new task in
    the DAG would not get from its ``default_args``, and the trigger rule when it is not our
    default."""
    partial = getattr(task, "partial_kwargs", None)
    written = set(written_arguments(task) or ())
    if _decorator(_operator_class(task)) is not None:
        written -= _DECORATOR_ARGUMENTS  # passed by the decorator, not by the file
    found: list[tuple[str, str]] = []
    for name in OUTER_ATTRIBUTES:
        value = (
            partial.get(name, context.baseline.get(name))
            if partial is not None
            else (getattr(task, name, None))
        )
        if name == "trigger_rule":
            if name in written or str(getattr(value, "value", value)) != TRIGGER_RULE:
                found.append((name, writer.expr(value)))
            continue
        if name in written or (
            _differs(value, context.baseline.get(name))
            and not (name.startswith("on_") and not value and not context.baseline.get(name))
        ):
            found.append((name, writer.expr(value)))
    display = getattr(task, "task_display_name", task.task_id)
    if display != task.task_id:
        found.append(("task_display_name", writer.expr(display)))
    params = getattr(task, "params", None)
    if params is not None and _differs(_dump(params), _dump(context.dag.params)):
        found.append(("params", writer.expr(params)))
    return found


def _dump(params: Any) -> Any:
    dump = getattr(params, "dump", None)
    return dump() if dump is not None else params


def _nested_arguments(task: Any, context: TaskContext) -> dict[str, Any]:
    """The operator's own constructor arguments (not BaseOperator's) as the DAG file wrote
    them: a mapped task's ``partial`` arguments, else the recorded constructor call."""
    given = getattr(task, "partial_kwargs", None)
    if given is None:
        given = written_arguments(task)
        if given is None:
            raise Unsupported(
                "the arguments it was created with were not recorded (load the DAG file with "
                "asset2airflow.migrate.generate.load_dag_file)"
            )
    nested = {
        k: v for k, v in given.items() if k not in _PLUMBING and k not in context.base_parameters
    }
    if _decorator(_operator_class(task)) is not None:
        # The decorator passes the call's arguments even when there are none.
        nested = {k: v for k, v in nested.items() if k not in _PYTHON_ARGUMENTS or v}
    return nested


def _operator_class(task: Any) -> type:
    return getattr(task, "operator_class", None) or type(task)


def _decorator(cls: type) -> str | None:
    """``"@task.bash"``... for the operator class a ``@task`` decorator makes."""
    name = getattr(cls, "custom_operator_name", None)
    return name if isinstance(name, str) and name.startswith("@task") else None


def _decorator_code(cls: type, name: str, arguments: list[str], context: TaskContext) -> str:
    """``task.bash(arguments)``: the public decorator that makes operator class ``cls``."""
    from airflow import sdk

    path = name.removeprefix("@").split(".")[1:]
    found: Any = sdk.task
    try:
        for part in path:
            found = getattr(found, part)
        made = found(python_callable=lambda: None).operator_class
    except Exception as exc:
        raise Unsupported(f"its decorator {name} is not available here ({exc})") from None
    if made is not cls:
        raise Unsupported(f"its operator {cls.__name__} is not what {name} makes")
    task_name = context.namespace.import_from("airflow.sdk", "task")
    return f"{'.'.join([task_name, *path])}({', '.join(arguments)})"


def _work(
    task: Any,
    context: TaskContext,
    inputs: _Inputs,
    nested: dict[str, Any],
    cls: type,
    group: Any,
) -> tuple[TaskKind, str, str]:
    """(kind, body, comment): how the asset runs the task's work."""
    writer = inputs.writer
    operator = cls.__name__
    expand = _expand(task, group)
    # Mapped TaskFlow tasks map over the callable's keyword arguments.
    item_target = (
        "op_kwargs" if getattr(task, "_expand_input_attr", "") == "op_kwargs_expand_input" else None
    )
    decorator = _decorator(cls)
    python_operator = operator == "PythonOperator" and cls.__module__.startswith("airflow.")
    plain = (decorator == "@task" or python_operator) and set(nested) <= _PYTHON_ARGUMENTS
    # The task's own template extensions (``@task(templates_exts=[".sql"])`` sets them).
    arguments = inputs.call_writer(tuple(getattr(task, "template_ext", None) or ()))
    if decorator is not None and "python_callable" in nested:
        callable_ = context.copier.callable(nested["python_callable"])
        call_args = [arguments.expr(a) for a in nested.get("op_args") or ()]
        call_args += [
            f"{k}={arguments.expr(v)}" for k, v in (nested.get("op_kwargs") or {}).items()
        ]
        if expand is not None and group is None:
            call_args.append("**item")
        if plain:
            kind = TaskKind.PYTHON
            run = context.namespace.import_from(RUNTIME, "run_python")
            call_args.insert(0, callable_)
            comment = f"TaskFlow task {task.task_id!r}: calls the original function."
        else:
            kind = TaskKind.DECORATED
            run = context.namespace.import_from(RUNTIME, "run_decorated")
            settings = [
                f"{k}={writer.expr(v)}" for k, v in nested.items() if k not in _PYTHON_ARGUMENTS
            ]
            call_args[:0] = [_decorator_code(cls, decorator, settings, context), callable_]
            comment = (
                f"{decorator} task {task.task_id!r}: the same decorator runs the original "
                "function with the original arguments."
            )
    elif plain and "python_callable" in nested:
        kind = TaskKind.PYTHON
        run = context.namespace.import_from(RUNTIME, "run_python")
        call_args = [context.copier.callable(nested["python_callable"])]
        call_args += [arguments.expr(a) for a in nested.get("op_args") or ()]
        call_args += [
            f"{k}={arguments.expr(v)}" for k, v in (nested.get("op_kwargs") or {}).items()
        ]
        if expand is not None and group is None:
            call_args.append("**item")
        comment = f"PythonOperator task {task.task_id!r}: calls the original function."
    else:
        kind = TaskKind.OPERATOR
        run = context.namespace.import_from(RUNTIME, "run_operator")
        call_args = [context.copier.klass(cls)]
        for name, value in nested.items():
            code = writer.expr(value)
            if name == item_target and expand is not None and group is None:
                code = "{**" + code + ", **item}"
            call_args.append(f"{name}={code}")
        if expand is not None and group is None and item_target is None:
            call_args.append("**item")
        comment = (
            f"Operator-backed: runs the original {operator} of task {task.task_id!r} with its "
            "original arguments."
        )
    if expand is not None:
        kind = TaskKind.MAPPED
        comment += " Mapped task: fallback, its map items run one after another here."
        items_fn, items_value = expand
        items = f"{context.namespace.import_from(RUNTIME, items_fn)}({writer.expr(items_value)})"
        loop = "item in " + items if group is None else f"i, item in enumerate({items})"
        body = layout.comprehension(layout.call(run, call_args, 8), loop, 4, "return ")
        where = "mapped task" if group is None else f"task of mapped task group {group.group_id!r}"
        context.notes.append(
            Note(
                task.task_id,
                f"{where}: its map items run one after another in one task instance (its value "
                "is the list of results, under no map index: xcom_pull(map_indexes=[...]) of it "
                "gets None; the UI shows one task instance; one failing item fails them all)",
                difference=True,
                field="mapped",
            )
        )
    else:
        body = layout.call(run, call_args, 4, "return ")
    return kind, body, comment


def translate_task(task: Any, context: TaskContext) -> TaskMigration:
    assets = context.assets[task.task_id]
    group = _mapped_group(task)
    inputs = _Inputs(task, context, "i" if group is not None else None)
    writer = inputs.writer
    cls = _operator_class(task)
    operator = getattr(cls, "custom_operator_name", None) or cls.__name__  # "@task.branch"
    nested = _nested_arguments(task, context)
    if getattr(task, "is_mapped", False) and hasattr(task, "python_callable"):
        nested = {**nested, "python_callable": task.python_callable}
    if nested.get("deferrable") is True:
        nested["deferrable"] = False
        context.notes.append(
            Note(
                task.task_id,
                "deferrable=True became False: a deferred task cannot resume inside an asset step",
            )
        )
    before = context.namespace.snapshot()
    frozen = len(context.copier.frozen)
    try:
        kind, body, comment = _work(task, context, inputs, nested, cls, group)
    except Unsupported as exc:
        if getattr(task, "is_mapped", False) or group is not None:
            raise
        context.namespace.restore(before)
        del context.copier.frozen[frozen:]
        inputs.params.clear()  # the original task pulls its XComs itself
        kind = TaskKind.ORIGINAL
        original = context.namespace.import_from(RUNTIME, "run_original_task")
        path = context.original_file()
        arguments_ = [path, py_str(context.dag.dag_id), py_str(task.task_id)]
        body = layout.call(original, arguments_, 4, "return ")
        comment = (
            f"Fallback: runs task {task.task_id!r} of the original DAG file (kept next to this "
            f"module), because its code could not be copied: {exc}."
        )
        context.notes.append(
            Note(task.task_id, f"fallback, runs the original task from the kept DAG file: {exc}")
        )
    arguments = outer_arguments(task, context, writer)
    callable_ = nested.get("python_callable")
    doc = getattr(task, "doc_md", None)
    if kind is not TaskKind.ORIGINAL and doc and doc == getattr(callable_, "__doc__", None):
        # TaskFlow tasks show their function's docstring
        doc = f"{context.copier.callable(callable_)}.__doc__"
        arguments = [(k, doc if k == "doc_md" else v) for k, v in arguments]
    extra_outlets = [o for o in _outlets(task) if not is_asset(o)]
    if extra_outlets:
        arguments.append(("outlets", writer.expr(extra_outlets)))
    inlets = list(getattr(task, "inlets", None) or _partial(task, "inlets") or [])
    if inlets:
        arguments.append(("inlets", writer.expr(inlets)))
    for role in TASK_ATTRIBUTES:  # setup/teardown roles
        if getattr(task, role, False) or (_partial(task, role) or False):
            arguments.append((role, "True"))
    ins = tuple(
        (name, context.assets[t].keys[0])
        for t, name in sorted(inputs.params.items(), key=lambda item: item[1])
    )
    deps = tuple(
        context.assets[t].keys[0] for t in sorted(task.upstream_task_ids) if t not in inputs.params
    )
    return TaskMigration(
        task_id=task.task_id,
        kind=kind,
        operator=operator,
        keys=assets.keys,
        node_name=assets.node_name,
        inputs=ins,
        deps=deps,
        body=(body,),
        comment=comment,
        arguments=tuple(arguments),
        pinned=assets.pinned,
    )


def _partial(task: Any, name: str) -> Any:
    partial = getattr(task, "partial_kwargs", None)
    return partial.get(name) if partial is not None else None


def _outlets(task: Any) -> list[Any]:
    return list(getattr(task, "outlets", None) or _partial(task, "outlets") or [])


def _expand(task: Any, group: Any) -> tuple[str, Any] | None:
    """(items function, value) when the task is mapped: its own expand input, or its mapped
    task group's."""
    expand_input = None
    if getattr(task, "is_mapped", False):
        expand_input = task._get_specified_expand_input()
    elif group is not None:
        expand_input = group._expand_input
    if expand_input is None:
        return None
    if type(expand_input).__name__ == "ListOfDictsExpandInput":
        return "expand_kwargs_items", expand_input.value
    return "expand_items", dict(expand_input.value)
