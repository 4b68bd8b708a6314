"""Turning what an op returned or yielded into its outputs, as in Dagster: a plain value (one
output), a tuple in ``out`` order, ``Output(value, output_name)``, a list of / yielded
``DynamicOutput`` items for a ``DynamicOut``, and ``ExpectationResult``s. Mismatches (unknown
or missing outputs, duplicate mapping keys, values of the wrong ``dagster_type``) are errors
naming the op and the output.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.asset_graph.op_graph import OpStep
from asset2airflow.authoring.dagster_types import type_check
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.authoring.op_results import DynamicOutput, ExpectationResult
from asset2airflow.authoring.ops import Out
from asset2airflow.authoring.results import AssetMaterialization, Output
from asset2airflow.errors import OutputMismatchError, TypeCheckError
from asset2airflow.execution.outputs import YieldedItems


@dataclass
class OpOutputs:
    """``plain``: output name -> value (``None`` for Nothing outputs); ``dynamic``: output name
    -> ``[(mapping key, value), ...]`` in the order yielded."""

    plain: dict[str, Any] = field(default_factory=dict)
    dynamic: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    metadata: dict[tuple[str, str | None], dict[str, MetadataValue]] = field(default_factory=dict)
    expectations: list[ExpectationResult] = field(default_factory=list)
    materializations: list[AssetMaterialization] = field(default_factory=list)


def _items(returned: Any, step: OpStep, what: str) -> list[Any]:
    outs = step.op_def.outs
    if isinstance(returned, types.GeneratorType | YieldedItems):
        return list(returned)
    if len(outs) == 1:
        name, out = next(iter(outs.items()))
        if out.is_dynamic:
            if not isinstance(returned, list | tuple):
                raise OutputMismatchError(
                    f"{what}: dynamic output {name!r} expects a list of DynamicOutput (or yield "
                    f"them), got {type(returned).__name__}"
                )
            return list(returned)
        if isinstance(returned, Output | DynamicOutput):
            return [returned]
        if out.is_nothing:
            if returned is not None:
                raise OutputMismatchError(
                    f"{what}: output {name!r} is Nothing (or the function is annotated -> None) "
                    f"but it returned a {type(returned).__name__}; return None or declare "
                    "out=Out()."
                )
            return [Output(None, name)]
        return [Output(returned, name)]
    if returned is None:
        return []
    if not isinstance(returned, tuple) or len(returned) != len(outs):
        raise OutputMismatchError(
            f"{what} has outputs {list(outs)} and must return a tuple of {len(outs)} values in "
            f"that order (or yield Output(value, output_name=...)); it returned "
            f"{type(returned).__name__}"
        )
    items: list[Any] = []
    for (name, out), value in zip(outs.items(), returned, strict=True):
        if out.is_dynamic:
            items.extend(value if isinstance(value, list | tuple) else [value])
        elif isinstance(value, Output):
            items.append(value)
        else:
            items.append(Output(value, name))
    return items


def normalize_op_outputs(returned: Any, step: OpStep, what: str) -> OpOutputs:
    """Split an op's result into outputs and events; raises on any mismatch (see module doc)."""
    outs = step.op_def.outs
    result = OpOutputs()
    single = next(iter(outs)) if len(outs) == 1 else None
    for item in _items(returned, step, what):
        if isinstance(item, ExpectationResult):
            result.expectations.append(item)
        elif isinstance(item, AssetMaterialization):
            result.materializations.append(item)
        elif isinstance(item, DynamicOutput):
            name = _output(item.output_name, single, outs, what)
            if not outs[name].is_dynamic:
                raise OutputMismatchError(
                    f"{what} yielded a DynamicOutput for output {name!r}, which is not a "
                    "DynamicOut; yield Output(value) for it or declare out=DynamicOut()."
                )
            items = result.dynamic.setdefault(name, [])
            if any(key == item.mapping_key for key, _ in items):
                raise OutputMismatchError(
                    f"{what} yielded mapping_key {item.mapping_key!r} twice for output {name!r}; "
                    "every DynamicOutput of one output needs a unique mapping_key."
                )
            _check_type(outs[name], item.value, f"{what} output {name!r} item {item.mapping_key!r}")
            items.append((item.mapping_key, item.value))
            result.metadata[(name, item.mapping_key)] = dict(item.metadata)
        elif isinstance(item, Output):
            name = _output(item.output_name, single, outs, what)
            if outs[name].is_dynamic:
                raise OutputMismatchError(
                    f"{what}: output {name!r} is a DynamicOut; yield DynamicOutput(value, "
                    "mapping_key=...) items for it instead of Output."
                )
            if name in result.plain:
                raise OutputMismatchError(f"{what} produced output {name!r} twice")
            _check_type(outs[name], item.value, f"{what} output {name!r}")
            result.plain[name] = item.value
            result.metadata[(name, None)] = dict(item.metadata)
        else:
            raise OutputMismatchError(
                f"{what} yielded a bare {type(item).__name__}; yield Output(value, "
                "output_name=...), DynamicOutput(...) or ExpectationResult(...)."
            )
    for name, out in outs.items():
        if out.is_dynamic and out.is_required:
            result.dynamic.setdefault(name, [])  # a required DynamicOut may yield no items
    produced = set(result.plain) | set(result.dynamic)
    missing = [n for n, o in outs.items() if o.is_required and n not in produced]
    if missing:
        raise OutputMismatchError(
            f"{what} did not produce its required outputs {missing}; produce them, or declare "
            "them Out(is_required=False) (whatever consumes them is then skipped)."
        )
    return result


def _output(name: str, single: str | None, outs: dict[str, Out] | Any, what: str) -> str:
    if name == "result" and single is not None:
        return single
    if name not in outs:
        raise OutputMismatchError(
            f"{what} produced output {name!r}, which it does not declare; its outputs are "
            f"{list(outs)}"
        )
    return name


def _check_type(out: Out, value: Any, what: str) -> None:
    if not type_check(out.dagster_type, value):
        raise TypeCheckError(
            f"{what} is a {type(value).__name__}, but it is declared "
            f"{type(out).__name__}({getattr(out.dagster_type, '__name__', out.dagster_type)}); "
            "return a value of that type or change the declared type."
        )
