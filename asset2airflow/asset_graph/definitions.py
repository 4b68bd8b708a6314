"""``Definitions``: the set of assets, checks, resources, jobs, schedules and sensors a module
exposes. Constructing it resolves and validates the asset graph, so a mistake is reported where
the module is loaded (in Airflow: as an import error of that one file)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from asset2airflow.asset_graph.asset_jobs import check_asset_job
from asset2airflow.asset_graph.gc_pause import gc_paused
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.asset_graph.instigators import check_instigators, instigator_jobs
from asset2airflow.asset_graph.op_graph import check_job_resources
from asset2airflow.authoring import seams
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.jobs import AssetJobDefinition, define_asset_job
from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import DefinitionError, DuplicateKeyError, SelectionError

if TYPE_CHECKING:
    from asset2airflow.execution.value_loader import AssetValueLoader


class Definitions:
    """Everything one code location defines. Validated on construction.

    The same asset or check object listed twice counts once (as in Dagster).
    """

    @gc_paused
    def __init__(
        self,
        assets: Iterable[AssetsDefinition | AssetSpec] | None = None,
        asset_checks: Iterable[AssetChecksDefinition] | None = None,
        resources: Mapping[str, Any] | None = None,
        jobs: Sequence[Any] | None = None,
        schedules: Sequence[Any] | None = None,
        sensors: Sequence[Any] | None = None,
    ) -> None:
        self.schedules, self.sensors = check_instigators(schedules, sensors)
        self.assets = _unique(assets)
        self.asset_checks = _unique(asset_checks)
        for value in self.assets:
            if isinstance(value, AssetChecksDefinition):
                raise DefinitionError(
                    f"{value!r} was passed in assets=; pass asset checks in asset_checks=[...]"
                )
            if not isinstance(value, (AssetsDefinition, AssetSpec)):
                raise DefinitionError(
                    f"Definitions(assets=...) got {value!r}; pass @asset/@multi_asset functions "
                    "or AssetSpec objects."
                )
        self.resources = _merged_resources(resources or {}, self.assets)
        # Jobs that schedules and sensors start or monitor are defined too (as in Dagster).
        self.jobs = _unique([*(jobs or []), *instigator_jobs(self.schedules, self.sensors)])
        self.asset_graph = AssetGraph(self.assets, self.asset_checks, self.resources)
        self._check_jobs()

    def _check_jobs(self) -> None:
        """Job names are DAG ids, so unique; their selections must name existing assets."""
        seen: set[str] = set()
        for job in self.jobs:
            if not isinstance(job, AssetJobDefinition | JobDefinition):
                raise DefinitionError(
                    f"Definitions(jobs=...) got {job!r}; pass jobs made by define_asset_job, "
                    "@job or GraphDefinition.to_job"
                )
            if job.name in seen:
                raise DuplicateKeyError(f"job {job.name!r} is defined twice; rename one")
            seen.add(job.name)
            if isinstance(job, JobDefinition):  # op job: its resources must be provided
                check_job_resources(job, {**self.resources, **job.resource_defs})
                continue
            try:
                job.selection.resolve(self.asset_graph)
            except SelectionError as exc:
                raise SelectionError(f"job {job.name!r}: {exc}") from exc
            check_asset_job(job, self.asset_graph)  # its config and partitions_def

    @property
    def asset_jobs(self) -> list[AssetJobDefinition]:
        """The jobs made by ``define_asset_job``."""
        return [j for j in self.jobs if isinstance(j, AssetJobDefinition)]

    @property
    def op_jobs(self) -> list[JobDefinition]:
        """The op jobs (``@job``, ``GraphDefinition.to_job``)."""
        return [j for j in self.jobs if isinstance(j, JobDefinition)]

    def get_job_def(self, name: str) -> AssetJobDefinition | JobDefinition:
        """The job named ``name``; an asset job comes bound to these definitions, so its
        ``execute_in_process`` runs their assets."""
        for job in self.jobs:
            if job.name == name:
                if isinstance(job, AssetJobDefinition):
                    return replace(job, definitions=self)
                return job  # type: ignore[no-any-return]
        raise DefinitionError(f"no job named {name!r}; jobs: {sorted(j.name for j in self.jobs)}")

    def get_schedule_def(self, name: str) -> Any:
        """The schedule named ``name``."""
        return _named(self.schedules, name, "schedule")

    def get_sensor_def(self, name: str) -> Any:
        """The sensor named ``name``."""
        return _named(self.sensors, name, "sensor")

    def get_assets_def(self, key: CoercibleToAssetKey) -> AssetsDefinition:
        return self.asset_graph.get(AssetKey.from_coercible(key))

    def get_implicit_global_asset_job_def(self) -> AssetJobDefinition:
        """The job of every asset (Dagster's ``__ASSET_JOB``)."""
        return replace(
            define_asset_job(IMPLICIT_ASSET_JOB_NAME, AssetSelection.all()), definitions=self
        )

    def resolve_implicit_global_asset_job_def(self) -> AssetJobDefinition:
        """Dagster's newer name of ``get_implicit_global_asset_job_def``."""
        return self.get_implicit_global_asset_job_def()

    def load_asset_value(
        self,
        asset_key: CoercibleToAssetKey,
        *,
        partition_key: str | None = None,
    ) -> Any:
        """The stored value of an asset, loaded by its IO manager (resources set up and torn
        down around the load)."""
        with self.get_asset_value_loader() as loader:
            return loader.load_asset_value(asset_key, partition_key=partition_key)

    def get_asset_value_loader(self) -> AssetValueLoader:
        """A context manager loading several values with resources set up once."""
        return seams.asset_value_loader(self)

    @staticmethod
    def merge(*defs: Definitions) -> Definitions:
        """One ``Definitions`` holding everything of several (resources must not conflict)."""
        resources: dict[str, Any] = {}
        for d in defs:
            for key, value in d.resources.items():
                if key in resources and resources[key] is not value:
                    raise DefinitionError(
                        f"Definitions.merge: resource {key!r} is defined differently in two "
                        "Definitions; give one of them another key."
                    )
                resources[key] = value
        return Definitions(
            assets=[a for d in defs for a in d.assets],
            asset_checks=[c for d in defs for c in d.asset_checks],
            resources=resources,
            jobs=[j for d in defs for j in d.jobs],
            schedules=[s for d in defs for s in d.schedules],
            sensors=[s for d in defs for s in d.sensors],
        )


IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"

T = TypeVar("T")


def _unique(values: Iterable[T] | None) -> list[T]:
    """``values`` without repeats of the same object (equal-but-distinct objects stay)."""
    seen: set[int] = set()
    result = []
    for value in values or ():
        if id(value) not in seen:
            seen.add(id(value))
            result.append(value)
    return result


def _merged_resources(
    resources: Mapping[str, Any], assets: Sequence[AssetsDefinition | AssetSpec]
) -> dict[str, Any]:
    """``resources`` checked (instances, not classes or strings), plus those bound to assets
    with ``with_resources``; one key bound to two different objects is an error."""
    merged = dict(resources)
    for key, value in merged.items():
        _check_resource(key, value, "Definitions(resources=...)")
    for assets_def in assets:
        for key, value in getattr(assets_def, "resource_defs", {}).items():
            _check_resource(key, value, f"with_resources for {assets_def!r}")
            if key in merged and merged[key] is not value:
                raise DefinitionError(
                    f"resource {key!r} is given twice with different values: in "
                    f"Definitions(resources=...) or another with_resources, and by with_resources "
                    f"for {assets_def!r}. Bind one object to {key!r}."
                )
            merged[key] = value
    return merged


def _check_resource(key: str, value: Any, where: str) -> None:
    if isinstance(value, type):
        raise DefinitionError(
            f"{where}: resource {key!r} is the class {value.__name__}, not an instance; write "
            f"{value.__name__}(...) (e.g. {{{key!r}: {value.__name__}()}})."
        )
    if isinstance(value, str):
        raise DefinitionError(
            f"{where}: resource {key!r} is the string {value!r}; pass a resource object such as "
            "FilesystemIOManager(base_dir=...) or a ConfigurableResource instance."
        )


def _named(definitions: Sequence[Any], name: str, kind: str) -> Any:
    for definition in definitions:
        if definition.name == name:
            return definition
    raise DefinitionError(
        f"no {kind} named {name!r}; {kind}s: {sorted(d.name for d in definitions)}"
    )
