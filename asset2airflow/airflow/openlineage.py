"""OpenLineage for asset tasks (``asset2airflow[openlineage]``: Airflow's OpenLineage provider).

``AssetStepOperator.get_openlineage_facets_on_complete`` delegates to ``operator_lineage``: the
task's upstream assets (its inlets) are the run's input datasets, the assets it materialized
(its outlets) the output datasets, named by OpenLineage's naming spec:

| storage | namespace | name |
|---|---|---|
| local file (``file://``) | ``file`` | absolute path |
| ``s3://bucket/key``, ``gs://bucket/key`` | ``s3://bucket``, ``gs://bucket`` | ``key`` |
| Postgres (``SQLTableIOManager``) | ``postgres://host:port`` | ``database.schema.table`` |
| SQLite | ``sqlite://<database file>`` | ``schema.table`` |
| other databases | ``<dialect>://host:port`` | ``database.schema.table`` |
| unknown at parse time (``EnvVar``) | ``asset2airflow`` | asset key |

(A table whose key has no prefix is in schema ``public`` on Postgres, ``main`` on SQLite.)

Each output also carries what the step reported: ``outputStatistics`` (row count, file size),
``schema`` (read from a Parquet file's footer), ``dataQualityAssertions`` (one assertion per
asset check, with its severity) and an ``asset2airflow`` facet (asset key, partition, metadata
as in the asset event ``extra``, code/data versions), read from the task's run record
(``asset2airflow.airflow.record.RunRecord``, what it also pushes to XCom).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit

import attr
from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.facet_v2 import (
    DatasetFacet,
    data_quality_assertions_dataset,
    output_statistics_output_dataset,
    schema_dataset,
)

from asset2airflow.airflow.dynamic import definition_name_of
from asset2airflow.airflow.record import AssetStatus, CheckRecord, EventExtra, RunRecord

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

FACET = "asset2airflow"
OWN_NAMESPACE = "asset2airflow"
_DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "mssql": 1433, "oracle": 1521}


@dataclass(frozen=True)
class DatasetName:
    namespace: str
    name: str


def dataset_name(uri: str | None, asset_name: str) -> DatasetName:
    """The OpenLineage dataset of an asset stored at ``uri`` (its Airflow ``Asset`` URI or a
    path the IO manager reported); see the module doc. No I/O."""
    if not uri:
        return DatasetName(OWN_NAMESPACE, asset_name)
    if uri.startswith("/"):
        return DatasetName("file", uri)
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    dialect = scheme.split("+", 1)[0]
    if scheme == "file":
        return DatasetName("file", unquote(parts.path))
    if scheme in ("s3", "s3a", "gs", "gcs", "abfs", "abfss", "az", "wasbs"):
        bucket = parts.hostname or parts.netloc
        return DatasetName(
            f"{'gs' if scheme == 'gcs' else scheme}://{bucket}", parts.path.lstrip("/")
        )
    if dialect == "sqlite":
        # storage_uri: sqlite:///<database file>/<schema.>table
        database, _, table = unquote(parts.path)[1:].rpartition("/")  # sqlite:///<path>
        qualified = table if "." in table else f"main.{table}"
        return DatasetName(f"sqlite://{database}", qualified)
    if dialect in ("postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle"):
        namespace = "postgres" if dialect in ("postgresql", "postgres") else dialect
        namespace = "mysql" if namespace == "mariadb" else namespace
        port = parts.port or _DEFAULT_PORTS.get(namespace)
        database, _, table = unquote(parts.path).strip("/").partition("/")
        schema, _, name = table.rpartition(".")
        if namespace != "mysql":
            schema = schema or "public"
        qualified = ".".join(p for p in (database, schema, name) if p)
        return DatasetName(f"{namespace}://{parts.hostname}:{port}", qualified)
    return DatasetName(OWN_NAMESPACE, asset_name)


@attr.define
class Asset2AirflowDatasetFacet(DatasetFacet):
    """What asset2airflow knows about one materialization: the asset key, the partition, the
    metadata (as in the asset event ``extra``) and the code/data versions."""

    assetKey: str
    partition: str | None = None
    metadata: dict[str, Any] = attr.field(factory=dict)
    codeVersion: str | None = None
    dataVersion: str | None = None
    _additional_skip_redact: ClassVar[list[str]] = ["assetKey", "partition"]

    @staticmethod
    def _get_schema() -> str:
        return "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetFacet"


def _metadata_value(metadata: Mapping[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return entry.get("value") if isinstance(entry, Mapping) else None


def _stored_path(metadata: Mapping[str, Any]) -> str | None:
    path = _metadata_value(metadata, "path")
    return str(path) if path else None


def _parquet_schema(path: str | None) -> schema_dataset.SchemaDatasetFacet | None:
    """The columns of a local Parquet file, from its footer (cheap); None when not one."""
    if not path or not path.endswith(".parquet") or not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    with contextlib.suppress(Exception):
        schema = pq.read_schema(path)
        fields = [
            schema_dataset.SchemaDatasetFacetFields(name=f.name, type=str(f.type))
            for f in schema
            if f.name != "__index_level_0__"
        ]
        return schema_dataset.SchemaDatasetFacet(fields=fields)
    return None


def _assertions(
    checks: Iterable[CheckRecord],
) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet | None:
    found = [
        data_quality_assertions_dataset.Assertion(
            assertion=c.name,
            success=c.passed,
            name=c.name,
            severity=c.severity.value.lower(),
            description=c.description,
        )
        for c in checks
    ]
    return (
        data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(assertions=found)
        if found
        else None
    )


def output_dataset(name: str, uri: str | None, extra: EventExtra | None) -> OutputDataset:
    """The output dataset of asset ``name`` (declared at ``uri``) with the facets of its
    materialization (``extra``: the asset event extra; ``None``: not materialized)."""
    metadata: Mapping[str, Any] = extra.metadata if extra is not None else {}
    stored = _stored_path(metadata)
    location = dataset_name(uri if uri and not _is_own(uri) else stored, name)
    facets: dict[str, Any] = {}
    output_facets: dict[str, Any] = {}
    if extra is not None:
        facets[FACET] = Asset2AirflowDatasetFacet(
            assetKey=name,
            partition=extra.partition,
            metadata=dict(metadata),
            codeVersion=extra.code_version,
            dataVersion=extra.data_version,
        )
        if (schema := _parquet_schema(stored)) is not None:
            facets["schema"] = schema
        if (assertions := _assertions(extra.checks)) is not None:
            facets["dataQualityAssertions"] = assertions
        rows = _metadata_value(metadata, "row_count")
        size = None
        if stored and Path(stored).is_file():
            size = Path(stored).stat().st_size
        if rows is not None or size is not None:
            output_facets["outputStatistics"] = (
                output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=int(rows) if rows is not None else None, size=size
                )
            )
    return OutputDataset(
        namespace=location.namespace,
        name=location.name,
        facets=facets,
        outputFacets=output_facets,
    )


def _is_own(uri: str) -> bool:
    return urlsplit(uri).scheme.lower() == OWN_NAMESPACE


def input_dataset(name: str, uri: str | None) -> InputDataset:
    location = dataset_name(None if uri is None or _is_own(uri) else uri, name)
    return InputDataset(namespace=location.namespace, name=location.name)


def _assets(objects: Iterable[Any]) -> list[tuple[str, str]]:
    """(name, uri) of the Airflow ``Asset``s among inlets/outlets, registries left out."""
    from airflow.sdk import Asset

    return [
        (a.name, a.uri)
        for a in objects
        if isinstance(a, Asset) and definition_name_of(str(a.uri)) is None
    ]


def operator_lineage(
    inlets: Iterable[Any], outlets: Iterable[Any], record: RunRecord | None
) -> OperatorLineage[Any, Any]:
    """Inputs and outputs of one asset task; ``record``: its run record (``None``: it did not
    get to run its assets)."""
    from airflow.providers.openlineage.extractors import OperatorLineage

    materialized = {
        a.key: a.event_extra()
        for a in (record.assets if record is not None else ())
        if a.status is AssetStatus.MATERIALIZED
    }
    outputs = [output_dataset(n, u, materialized.get(n)) for n, u in _assets(outlets)]
    produced = {(d.namespace, d.name) for d in outputs}
    inputs = [
        d
        for d in (input_dataset(n, u) for n, u in _assets(inlets))
        if (d.namespace, d.name) not in produced
    ]
    return OperatorLineage(inputs=inputs, outputs=outputs)


def lineage_on_complete(operator: Any, task_instance: Any) -> OperatorLineage[Any, Any]:
    """``get_openlineage_facets_on_complete`` of ``AssetStepOperator``: its results are read
    from the operator (the listener runs in a fork of the task process, where pulling the XCom
    back would hang)."""
    results = operator.step_results
    record = RunRecord.from_json(results) if results is not None else None
    return operator_lineage(operator.inlets, operator.outlets, record)
