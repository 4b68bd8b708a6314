"""What migrated asset modules call at run time: the original task code, run inside our step.

- ``run_python(fn, *args, **kwargs)``: a TaskFlow function or ``PythonOperator`` callable. In an
  Airflow task it runs through Airflow's ``PythonOperator`` (templates in the arguments are
  rendered, context variables such as ``ti`` or ``ds`` are passed to parameters asking for
  them, ``Metadata`` it yields reaches the outlets); elsewhere (``materialize()``, unit tests)
  it is a plain call.
- ``run_operator(Operator, **arguments)``: an operator-backed asset. The original operator
  class (imported by the module) is built with the original arguments when the step runs, its
  templates rendered with the task's context and its ``execute`` called; what it returns is
  the asset's value.
- ``run_decorated(task.bash(**decorator_arguments), fn, *args, **kwargs)``: a task of a
  ``@task.<kind>`` decorator other than plain ``@task`` (bash, branch, short_circuit,
  virtualenv...): the decorator makes the original task's operator from the copied function,
  which then runs as ``run_operator`` runs its operator.
- ``expand_items``/``expand_kwargs_items``: the items a mapped task maps over, in Airflow's
  map-index order.

Airflow is imported only when a step runs in Airflow.
"""

from __future__ import annotations

import contextvars
import itertools
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from asset2airflow.errors import Asset2AirflowError


class NotInAirflowError(Asset2AirflowError):
    """An operator-backed asset was run outside an Airflow task."""


def airflow_context() -> Any | None:
    """The running Airflow task's context, or ``None`` outside an Airflow task."""
    if "airflow.sdk" not in sys.modules:  # nothing imported Airflow: not in a task
        return None
    from airflow.sdk import get_current_context

    try:
        return get_current_context()
    except RuntimeError:
        return None


class JinjaTemplate(str):
    """A string argument of a task's callable that the original task rendered as a Jinja
    template (it has template syntax, or rendering changes it). ``run_python`` and
    ``run_decorated`` render these and pass every other argument as it is: values read from
    upstream XComs were never rendered by the original task. Outside Airflow it is the string
    itself."""


class _AsIs:
    """An argument Airflow's template rendering passes through unchanged (it resolves it)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def resolve(self, context: Any) -> Any:
        return self.value


def _unrendered(value: Any) -> Any:
    """``value`` for a templated argument: its ``JinjaTemplate`` strings rendered, the rest as
    it is."""
    if isinstance(value, JinjaTemplate):
        return str(value)
    if not _has_template(value):
        return _AsIs(value)
    if isinstance(value, dict):
        return {k: _unrendered(v) for k, v in value.items()}
    return type(value)(_unrendered(v) for v in value)


def _has_template(value: Any) -> bool:
    if isinstance(value, JinjaTemplate):
        return True
    if isinstance(value, dict):
        return any(_has_template(v) for v in value.values())
    if type(value) in (list, tuple, set):
        return any(_has_template(v) for v in value)
    return False


def run_python(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call a task's Python callable as Airflow's ``PythonOperator`` would (in Airflow), or
    plainly (elsewhere)."""
    context = airflow_context()
    if context is None:
        return fn(*args, **kwargs)
    from airflow.providers.standard.operators.python import PythonOperator

    return run_operator(
        PythonOperator,
        python_callable=fn,
        op_args=[_unrendered(a) for a in args],
        op_kwargs={k: _unrendered(v) for k, v in kwargs.items()},
    )


def run_operator(operator: type[Any], /, **arguments: Any) -> Any:
    """Run Airflow operator class ``operator`` with ``arguments`` inside the current Airflow
    task and return what its ``execute`` returns."""
    context = _needed(f"runs the Airflow operator {operator.__name__}")
    return _run(operator(task_id=context["task"].task_id, **arguments), context)


def run_decorated(
    decorator: Callable[[Callable[..., Any]], Any],
    fn: Callable[..., Any],
    /,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Run ``fn`` as the task ``decorator`` (``task.bash(...)``, ``task.short_circuit()``...)
    makes of it, called with ``args`` and ``kwargs``, inside the current Airflow task; return
    what its operator's ``execute`` returns."""
    context = _needed(f"runs the @task decorated function {getattr(fn, '__name__', fn)!r}")
    task = decorator(fn).override(task_id=context["task"].task_id)
    made = task(*(_unrendered(a) for a in args), **{k: _unrendered(v) for k, v in kwargs.items()})
    return _run(made.operator, context)


def _needed(what: str) -> Any:
    context = airflow_context()
    if context is None:
        raise NotInAirflowError(
            f"this asset {what} and needs a running Airflow task: run its DAG in Airflow (or "
            "dag.test()); materialize() can only run the migrated Python callables."
        )
    return context


def _run(op: Any, context: Any) -> Any:
    """Run operator ``op``, built for the running task (same task id, no DAG of its own)."""
    outer = context["task"]
    # The operator sees the task's DAG and neighbours (a branch operator follows its downstream
    # tasks, LatestOnlyOperator reads the DAG's timetable) without being added to the DAG.
    object.__setattr__(op, "_dag", outer.get_dag())
    object.__setattr__(op, "upstream_task_ids", set(outer.upstream_task_ids))
    object.__setattr__(op, "downstream_task_ids", set(outer.downstream_task_ids))
    return _execute(op, context)


def _execute(op: Any, context: Any) -> Any:
    """Render ``op``'s templates with the task's context and DAG template settings and execute
    it the way the task runner does (hooks, then ``execute`` past Airflow's nested-operator
    safeguard)."""
    from airflow.sdk.bases.operator import BaseOperator, ExecutorSafeguard

    dag = getattr(context["task"], "dag", None)
    op.render_template_fields(context, dag.get_template_env() if dag is not None else None)
    if type(op).pre_execute is not BaseOperator.pre_execute:
        op.pre_execute(context)
    run = contextvars.copy_context()
    run.run(ExecutorSafeguard.tracker.set, op)
    result = run.run(op.execute, context)
    if type(op).post_execute is not BaseOperator.post_execute:
        op.post_execute(context, result)
    return result


def expand_items(expand: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The keyword arguments of each map index of ``.expand(**expand)``: the product of the
    values, the last argument varying fastest (Airflow's order); a dict maps over its items."""
    names = list(expand)
    values = [list(v.items()) if isinstance(v, Mapping) else list(v) for v in expand.values()]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def expand_kwargs_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The keyword arguments of each map index of ``.expand_kwargs(items)``."""
    return [dict(item) for item in items]


def zip_items(*sequences: Sequence[Any], fillvalue: Any = None, fill: bool = False) -> list[Any]:
    """``XComArg.zip``: tuples of the sequences' items (padded with ``fillvalue`` if ``fill``)."""
    if fill:
        return [tuple(t) for t in itertools.zip_longest(*sequences, fillvalue=fillvalue)]
    return [tuple(t) for t in zip(*sequences, strict=False)]


def dag_param(name: str, default: Any = None) -> Any:
    """What ``dag.param(name, default)`` (a ``@dag`` function's parameter) was in the task's
    arguments: resolved when the task's templates are rendered, from the run's conf, else the
    default, else the DAG's param."""
    from airflow.sdk.definitions._internal.mixins import ResolveMixin

    class DagParamReference(ResolveMixin):
        def iter_references(self) -> Iterable[tuple[Any, str]]:
            return ()

        def resolve(self, context: Any) -> Any:
            conf = getattr(context.get("dag_run"), "conf", None) or {}
            if name in conf:
                return conf[name]
            if default is not None:
                return default
            return context["params"][name]

        def __repr__(self) -> str:
            return f"dag_param({name!r})"

    return DagParamReference()


_ORIGINALS: dict[tuple[str, str], Any] = {}


def run_original_task(path: str | Path, dag_id: str, task_id: str) -> Any:
    """The fallback for a task whose code could not be carried over: load the kept copy of
    the original DAG file (``path``, not a ``.py`` file, so Airflow does not parse it as a
    second DAG with the same id), and run its task ``task_id`` in this step; its ``XComArg``s
    pull the XComs the migrated upstream tasks pushed."""
    context = airflow_context()
    if context is None:
        raise NotInAirflowError(
            f"this asset runs task {task_id!r} of the original DAG file {Path(path).name} and "
            "needs a running Airflow task: run its DAG in Airflow (or dag.test())."
        )
    dag = _original_dag(Path(path), dag_id)
    return _execute(dag.get_task(task_id), context)


def _original_dag(path: Path, dag_id: str) -> Any:
    key = (str(path), dag_id)
    if key not in _ORIGINALS:
        from importlib.machinery import SourceFileLoader
        from importlib.util import module_from_spec, spec_from_loader

        from airflow.sdk import DAG
        from airflow.sdk.definitions._internal.contextmanager import DagContext

        name = f"asset2airflow_original_{abs(hash(str(path)))}"
        spec = spec_from_loader(name, SourceFileLoader(name, str(path)))
        if spec is None or not path.is_file():
            raise Asset2AirflowError(
                f"the original DAG file {path} is missing; keep it next to the migrated module"
            )
        module = module_from_spec(spec)
        sys.modules[name] = module
        before = DagContext.current_autoregister_module_name
        DagContext.current_autoregister_module_name = name
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        finally:
            DagContext.current_autoregister_module_name = before
        found = [d for d, m in DagContext.autoregistered_dags if m is module]
        found += [v for v in vars(module).values() if isinstance(v, DAG)]
        for dag in found:
            _ORIGINALS[(str(path), dag.dag_id)] = dag
        if key not in _ORIGINALS:
            raise Asset2AirflowError(f"the original DAG file {path} has no DAG {dag_id!r}")
    return _ORIGINALS[key]
