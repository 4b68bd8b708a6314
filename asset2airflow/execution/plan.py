"""The execution plan: which steps run, in which order, each step being one computed definition
(or the selected subset of a multi-asset) followed by the checks on its assets.

Running an asset's checks in the same step as the asset is what lets a failed blocking check stop
everything downstream, locally and in Airflow, where a step is one task whose asset event is only
emitted when the step succeeds.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.asset_graph.nodes import CheckNode
from asset2airflow.asset_graph.validation import toposort
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.errors import SelectionError


@dataclass(frozen=True)
class ExecutionStep:
    """One unit of work: materialize ``asset_keys`` of ``assets_def`` (if any), then ``checks``."""

    name: str
    assets_def: AssetsDefinition | None
    asset_keys: tuple[AssetKey, ...]
    checks: tuple[CheckNode, ...]
    upstream_steps: tuple[str, ...] = ()
    reads: tuple[AssetKey, ...] = ()

    @property
    def selected_output_names(self) -> list[str]:
        if self.assets_def is None:
            return []
        selected = set(self.asset_keys)
        return [n for n, s in self.assets_def.specs_by_output.items() if s.key in selected]


@dataclass(frozen=True)
class ExecutionPlan:
    steps: tuple[ExecutionStep, ...]


def _subset_keys(assets_def: AssetsDefinition, selected: Set[AssetKey]) -> tuple[AssetKey, ...]:
    keys = tuple(k for k in assets_def.keys if k in selected)
    if keys and len(keys) != len(assets_def.keys) and not assets_def.can_subset:
        missing = [k.to_user_string() for k in assets_def.keys if k not in selected]
        raise SelectionError(
            f"the selection includes only part of multi_asset {assets_def.node_name!r} (not "
            f"{missing}); select all of its assets, or declare it with can_subset=True"
        )
    return keys


def _reads(
    graph: AssetGraph,
    assets_def: AssetsDefinition | None,
    keys: tuple[AssetKey, ...],
    checks: tuple[CheckNode, ...],
) -> tuple[AssetKey, ...]:
    read: dict[AssetKey, None] = {}
    for key in keys:
        if assets_def is not None:
            for parent in assets_def.upstream_keys(key):
                if parent not in keys:  # a sibling output of a multi-asset is made here
                    read.setdefault(parent, None)
    for check in checks:
        definition = check.definition
        upstream: list[AssetKey] = (
            definition.upstream_keys()
            if not isinstance(definition, AssetsDefinition)
            else [check.spec.asset_key, *(d.asset for d in check.spec.additional_deps)]
        )
        for upstream_key in upstream:
            if upstream_key not in keys:
                read.setdefault(upstream_key, None)
    return tuple(read)


def build_step(
    graph: AssetGraph,
    assets_def: AssetsDefinition,
    asset_keys: Set[AssetKey],
    check_keys: Set[AssetCheckKey],
) -> ExecutionStep | None:
    """The step of ``assets_def`` in the plan of ``asset_keys`` and ``check_keys`` (``None``
    when none of its assets is selected), as ``build_plan`` makes it but with no
    ``upstream_steps`` (only the order of a whole plan needs them): what one Airflow task runs,
    without planning the other assets of its DAG."""
    keys = _subset_keys(assets_def, asset_keys)
    if not keys:
        return None
    checks = tuple(c for k in keys for c in graph.checks_for(k) if c.key in check_keys)
    return ExecutionStep(
        assets_def.node_name,
        assets_def,
        keys,
        checks,
        reads=_reads(graph, assets_def, keys, checks),
    )


def build_plan(
    graph: AssetGraph, asset_keys: Set[AssetKey], check_keys: Set[AssetCheckKey]
) -> ExecutionPlan:
    """Steps for the selected assets and checks, ordered so every step follows what it reads."""
    steps: dict[str, ExecutionStep] = {}
    producer: dict[AssetKey, str] = {}
    for assets_def in graph.toposorted_nodes:
        step = build_step(graph, assets_def, asset_keys, check_keys)
        if step is None:
            continue
        steps[assets_def.node_name] = step
        producer.update((k, assets_def.node_name) for k in step.asset_keys)
    orphans: dict[AssetKey, list[CheckNode]] = {}
    for check_key in sorted(check_keys):
        if check_key.asset_key not in producer:
            orphans.setdefault(check_key.asset_key, []).append(graph.checks[check_key])
    for asset_key, orphan_checks in orphans.items():
        name = f"{asset_key.to_python_identifier()}__checks"
        steps[name] = ExecutionStep(
            name,
            None,
            (),
            tuple(orphan_checks),
            reads=_reads(graph, None, (), tuple(orphan_checks)),
        )
    upstream = {
        name: sorted({producer[k] for k in step.reads if k in producer} - {name})
        for name, step in steps.items()
    }
    ordered = toposort(upstream)
    return ExecutionPlan(
        tuple(
            ExecutionStep(
                name,
                steps[name].assets_def,
                steps[name].asset_keys,
                steps[name].checks,
                tuple(upstream[name]),
                steps[name].reads,
            )
            for name in ordered
        )
    )
