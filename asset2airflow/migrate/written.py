"""What the DAG file wrote: the keyword arguments each operator and DAG was constructed with.

A loaded operator does not say what its DAG file passed. Airflow keeps the constructor
arguments of every class of the operator's hierarchy in one dict (what a subclass passes to
its base, such as the ``bash_command`` ``@task.bash`` gives ``BashOperator``, is mixed in) and
fills them from ``default_args``; the values alone cannot tell an explicit ``False`` from a
default. So while ``load_dag_file`` runs a DAG file, ``recording()`` keeps the arguments of
the outermost constructor call of each operator (what the file, or the ``@task`` decorator on
its behalf, passed) on the operator, and the arguments of each ``DAG(...)`` (or ``@dag``) on
the DAG; ``written_arguments`` reads them back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_ATTRIBUTE = "_asset2airflow_written_arguments"


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Record the constructor arguments of operators and DAGs created inside the block."""
    from airflow.sdk import DAG
    from airflow.sdk.bases.operator import BaseOperatorMeta

    previous = BaseOperatorMeta.__dict__.get("__call__")
    dag_init = DAG.__dict__["__init__"]

    def call(cls: type, *args: Any, **kwargs: Any) -> Any:
        if previous is not None:
            operator = previous(cls, *args, **kwargs)
        else:
            operator = type.__call__(cls, *args, **kwargs)
        _keep(operator, kwargs)
        return operator

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        dag_init(self, *args, **kwargs)
        _keep(self, kwargs)

    BaseOperatorMeta.__call__ = call  # type: ignore[method-assign,assignment]
    DAG.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        DAG.__init__ = dag_init  # type: ignore[method-assign]
        if previous is not None:
            BaseOperatorMeta.__call__ = previous  # type: ignore[method-assign]
        else:
            del BaseOperatorMeta.__call__


def _keep(made: Any, kwargs: dict[str, Any]) -> None:
    with contextlib.suppress(AttributeError, TypeError):
        object.__setattr__(made, _ATTRIBUTE, dict(kwargs))


def written_arguments(task: Any) -> dict[str, Any] | None:
    """The keyword arguments the operator (or DAG) ``task`` was constructed with, each with its
    current value (an attribute assigned after construction counts); ``None`` when it was not
    created under ``recording()``."""
    written = getattr(task, "__dict__", {}).get(_ATTRIBUTE)
    if written is None:
        return None
    current = getattr(task, "_BaseOperator__init_kwargs", {})
    return {name: current.get(name, value) for name, value in written.items()}
