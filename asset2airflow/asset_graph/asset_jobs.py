"""Checks of ``define_asset_job(config=..., partitions_def=...)`` against the assets the job
selects, run when the ``Definitions`` is built (so a mistake is an import error of the module)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asset2airflow.authoring import seams
from asset2airflow.authoring.config import check_default_config
from asset2airflow.errors import ConfigError, DefinitionError

if TYPE_CHECKING:
    from asset2airflow.asset_graph.graph import AssetGraph
    from asset2airflow.authoring.jobs import AssetJobDefinition
    from asset2airflow.authoring.keys import AssetKey


def check_asset_job(job: AssetJobDefinition, graph: AssetGraph) -> None:
    """The job's partitions are its partitioned assets' and its config fits their ``Config``."""
    keys = job.selection.resolve(graph) & set(graph.materializable_keys)
    _check_partitions(job, graph, keys)
    if job.config:
        _check_config(job, graph, keys)


def _check_partitions(job: AssetJobDefinition, graph: AssetGraph, keys: set[AssetKey]) -> None:
    definition = job.partitions_def
    if definition is None:
        return
    source = "its PartitionedConfig" if job.partitioned_config is not None else "partitions_def="
    partitioned = [(k, graph.spec(k).partitions_def) for k in sorted(keys)]
    partitioned = [(k, d) for k, d in partitioned if d is not None]
    if not partitioned:
        raise DefinitionError(
            f"job {job.name!r} is partitioned by {definition!r} ({source}), but none of its "
            "assets is: a partitioned job of unpartitioned assets is not built (its DAG takes "
            f"its partitions from its assets). Give the assets partitions_def={definition!r}, "
            "or give the job a plain config."
        )
    for key, own in partitioned:
        if own != definition:
            assets_def = graph.get(key)
            raise DefinitionError(
                f"job {job.name!r} is partitioned by {definition!r} ({source}), but its asset "
                f"{key.to_user_string()!r} ({assets_def.location}) is partitioned by {own!r}. "
                "Give them the same partitions definition, or select other assets."
            )


def _check_config(job: AssetJobDefinition, graph: AssetGraph, keys: set[AssetKey]) -> None:
    nodes = {graph.get(k).node_name: graph.get(k) for k in keys}
    try:
        parsed = seams.parse_run_config(job.config, sorted(nodes))
    except ConfigError as exc:
        message = str(exc).replace("assets of this run", f"assets of job {job.name!r}")
        raise ConfigError(f"job {job.name!r}: config: {message}") from exc
    for name, given in sorted(parsed.node_config.items()):
        compute = nodes[name].compute
        config_type = compute.config_type if compute is not None else None
        if config_type is None:
            if given:
                raise ConfigError(
                    f"job {job.name!r}: config gives config to asset {name!r} "
                    f"({nodes[name].location}), which takes none; remove it or add a "
                    "`config: MyConfig` parameter to the asset."
                )
            continue
        if given is None or isinstance(given, config_type):
            continue
        try:
            check_default_config(config_type, given, f"asset {name!r} ({nodes[name].location})")
        except ConfigError as exc:
            raise ConfigError(f"job {job.name!r}: {exc}") from exc
