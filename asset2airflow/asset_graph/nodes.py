"""The node types of the asset graph that are not definitions themselves."""

from __future__ import annotations

from dataclasses import dataclass

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.keys import AssetCheckKey
from asset2airflow.authoring.specs import AssetCheckSpec


@dataclass(frozen=True)
class CheckNode:
    """One check and where it is computed: inside its asset (``in_asset``) or on its own."""

    spec: AssetCheckSpec
    definition: AssetsDefinition | AssetChecksDefinition

    @property
    def key(self) -> AssetCheckKey:
        return self.spec.key

    @property
    def in_asset(self) -> bool:
        return isinstance(self.definition, AssetsDefinition)
