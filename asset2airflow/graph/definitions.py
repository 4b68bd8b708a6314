"""``Definitions``: the set of assets, checks, resources, jobs, schedules and sensors a module
exposes. Constructing it resolves and validates the asset graph, so a mistake is reported where
the module is loaded (in Airflow: as an import error of that one file)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from asset2airflow.definitions.assets import AssetsDefinition
from asset2airflow.definitions.checks import AssetChecksDefinition
from asset2airflow.definitions.jobs import AssetJobDefinition
from asset2airflow.definitions.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.definitions.specs import AssetSpec
from asset2airflow.errors import DefinitionError, DuplicateKeyError, SelectionError
from asset2airflow.graph.asset_graph import AssetGraph


class Definitions:
    """Everything one code location defines. Validated on construction."""

    def __init__(
        self,
        assets: Iterable[AssetsDefinition | AssetSpec] | None = None,
        asset_checks: Iterable[AssetChecksDefinition] | None = None,
        resources: Mapping[str, Any] | None = None,
        jobs: Sequence[Any] | None = None,
        schedules: Sequence[Any] | None = None,
        sensors: Sequence[Any] | None = None,
    ) -> None:
        self.assets = list(assets or [])
        self.asset_checks = list(asset_checks or [])
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
        self.resources = dict(resources or {})
        self.jobs = list(jobs or [])
        self.schedules = list(schedules or [])
        self.sensors = list(sensors or [])
        self.asset_graph = AssetGraph(self.assets, self.asset_checks, self.resources)
        self._check_jobs()

    def _check_jobs(self) -> None:
        """Job names are DAG ids, so unique; their selections must name existing assets."""
        seen: set[str] = set()
        for job in self.jobs:
            if not isinstance(job, AssetJobDefinition):
                raise DefinitionError(
                    f"Definitions(jobs=...) got {job!r}; pass jobs made by define_asset_job"
                )
            if job.name in seen:
                raise DuplicateKeyError(f"job {job.name!r} is defined twice; rename one")
            seen.add(job.name)
            try:
                job.selection.resolve(self.asset_graph)
            except SelectionError as exc:
                raise SelectionError(f"job {job.name!r}: {exc}") from exc

    def get_assets_def(self, key: CoercibleToAssetKey) -> AssetsDefinition:
        return self.asset_graph.get(AssetKey.from_coercible(key))

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
