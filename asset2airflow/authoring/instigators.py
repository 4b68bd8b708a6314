"""What schedules and sensors share: reading their function's parameters once (the context,
resources, an asset sensor's event), calling it, and the evaluation context base.

A schedule or sensor function is only called when it is evaluated (in Airflow: in the task of
its DAG), never when a module is imported or a DAG file parsed. No Airflow imports.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsStore, active_store
from asset2airflow.authoring.resources import Resources, is_resource_class
from asset2airflow.authoring.signature import location_of, run_coroutine
from asset2airflow.errors import DefinitionError, PartitionError, UserCodeError

_LOG = logging.getLogger("asset2airflow.instigators")
_CONTEXT_NAMES = ("context", "_context", "ctx")


class EvaluationContext:
    """The base of ``ScheduleEvaluationContext`` and ``SensorEvaluationContext``: resources,
    a logger (the task log in Airflow) and ``instance`` (dynamic partitions)."""

    def __init__(
        self,
        *,
        name: str | None,
        resources: Mapping[str, Any] | None = None,
        instance: DynamicPartitionsStore | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self._name = name
        self.resources = Resources(resources or {})
        self._instance = instance
        self.log = log or _LOG

    @property
    def instance(self) -> DynamicPartitionsStore:
        """Where dynamic partition keys live (Airflow's metadata DB in a sensor's task)."""
        store = self._instance or active_store()
        if store is None:
            raise PartitionError(
                f"{self._name or 'this evaluation'}: context.instance is available while the "
                "schedule or sensor is evaluated; in a test pass instance=DagsterInstance() to "
                "build_sensor_context/build_schedule_context."
            )
        return store


def _is_context(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, EvaluationContext)


@dataclass(frozen=True)
class InstigatorSignature:
    """How to call a schedule/sensor function: ``context_param`` (first), ``event_param`` (an
    asset sensor's second parameter) and resource parameters by key."""

    fn: Callable[..., Any]
    context_param: str | None
    event_param: str | None
    resource_params: tuple[str, ...]
    location: str

    def call(self, what: str, context: Any, resources: Mapping[str, Any], event: Any = None) -> Any:
        """Call the function; an exception it raises becomes a ``UserCodeError`` naming
        ``what`` and the function's ``file:line`` (the original chained)."""
        kwargs: dict[str, Any] = {}
        if self.context_param is not None:
            kwargs[self.context_param] = context
        if self.event_param is not None:
            kwargs[self.event_param] = event
        for key in self.resource_params:
            if key not in resources:
                raise DefinitionError(
                    f"{what} ({self.location}) needs resource {key!r}, which is not provided; "
                    f"provided: {sorted(resources)}."
                )
            kwargs[key] = resources[key]
        try:
            result = self.fn(**kwargs)
            if inspect.iscoroutine(result):
                result = run_coroutine(result)
            if inspect.isgenerator(result):
                result = list(result)  # run it to the end here, so errors are reported here
        except Exception as exc:
            raise UserCodeError(
                f"{what} ({self.location}) raised {type(exc).__name__}: {exc}", what
            ) from exc
        return result


def read_instigator_signature(
    fn: Callable[..., Any], what: str, *, takes_event: bool = False
) -> InstigatorSignature:
    """Classify ``fn``'s parameters where it is declared; a parameter that is neither the
    context, a ``ConfigurableResource`` nor (asset sensors) the event is an error."""
    if not callable(fn):
        raise DefinitionError(f"{what}: {fn!r} is not a function")
    where = location_of(fn)
    params = list(inspect.signature(fn).parameters.values())
    context_param = event_param = None
    resources: list[str] = []
    for index, param in enumerate(params):
        annotation = param.annotation
        if isinstance(annotation, str):
            with contextlib.suppress(Exception):
                annotation = eval(annotation, getattr(fn, "__globals__", {}))
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(f"{what} ({where}) takes *{param.name}; name each parameter.")
        if is_resource_class(annotation):
            resources.append(param.name)
        elif index == 0 and (_is_context(annotation) or param.name in _CONTEXT_NAMES):
            context_param = param.name
        elif takes_event and event_param is None and index <= 1:
            event_param = param.name
        elif index == 0 and not takes_event:
            context_param = param.name  # Dagster passes the context to the first parameter
        else:
            raise DefinitionError(
                f"{what} ({where}): parameter {param.name!r} is neither the context nor a "
                "resource (annotate resources with their ConfigurableResource class)."
            )
    return InstigatorSignature(fn, context_param, event_param, tuple(resources), where)


def description_of(fn: Callable[..., Any] | None, given: str | None) -> str | None:
    if given is not None or fn is None:
        return given
    doc = inspect.getdoc(fn)
    return doc.strip() if doc else None
