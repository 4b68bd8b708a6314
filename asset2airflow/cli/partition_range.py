"""``asset2airflow materialize FILE --partition-range START...END``: one local run per partition.

The keys come from the selected assets' partitions definition (they must share one), both ends
included, as Dagster's ``--partition-range``. Partitions run one after another with the same
selection, config and tags; a failed partition does not stop the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Collection, Mapping
from typing import Any

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.partitions import PartitionKeyRange, PartitionsDefinition
from asset2airflow.errors import Asset2AirflowError, PartitionError
from asset2airflow.execution.partition_key import KeySource, resolve_partition_key

SEPARATOR = "..."
RANGE_TAG = "asset2airflow/partition_range"
"""Run tag every run of a range carries: the range as given (``START...END``)."""


def shared_partitions_def(
    graph: AssetGraph, keys: Collection[AssetKey]
) -> tuple[PartitionsDefinition, AssetKey]:
    """The one partitions definition of the partitioned assets among ``keys``, and the first
    asset that has it; raise naming two assets whose definitions differ."""
    found = graph.partitions_defs_among(keys)
    if len(found) > 1:
        (first_key, first_def), (key, definition) = found[:2]
        raise PartitionError(
            f"--partition-range needs one partitions definition, but assets "
            f"{first_key.to_user_string()!r} ({_short(first_def)}) and "
            f"{key.to_user_string()!r} ({_short(definition)}) have different ones; "
            "--select assets that share one"
        )
    if not found:
        names = [k.to_user_string() for k in sorted(keys)]
        shown = f"{names[:10]}{' ...' if len(names) > 10 else ''}"
        raise PartitionError(
            f"--partition-range needs a partitioned asset, but none of the selected assets "
            f"{shown} is partitioned; --select partitioned assets or drop --partition-range"
        )
    return found[0][1], found[0][0]


def partition_keys(text: str, graph: AssetGraph, keys: Collection[AssetKey]) -> list[str]:
    """The keys ``START...END`` names, both included, in the definition's order."""
    partitions_def, owner_key = shared_partitions_def(graph, keys)
    parts = text.split(SEPARATOR)
    if len(parts) != 2 or not all(parts):
        known = partitions_def.get_partition_keys()
        example = f"{known[0]}{SEPARATOR}{known[min(2, len(known) - 1)]}" if known else ""
        raise PartitionError(
            f"--partition-range {text!r} is not START{SEPARATOR}END (two partition keys joined "
            f"by three dots, both included)" + (f", e.g. {example!r}" if example else "")
        )
    owner = f"asset {owner_key.to_user_string()!r}"
    for key in parts:  # format, existence, bounds
        resolve_partition_key(key, partitions_def, owner, KeySource.RANGE)
    return partitions_def.get_partition_keys_in_range(PartitionKeyRange(parts[0], parts[1]))


def materialize_range(
    defs: Definitions,
    selection: list[str] | None,
    run_config: Mapping[str, Any] | None,
    text: str,
) -> int:
    """Run every partition of the range; 0 when all succeeded, 1 when any failed."""
    from asset2airflow.asset_graph.selection import resolve_selection
    from asset2airflow.cli.progress import PartitionProgress
    from asset2airflow.cli.validate import plural
    from asset2airflow.execution.runner import execute_definitions

    asset_keys, _ = resolve_selection(defs.asset_graph, selection)
    keys = partition_keys(text, defs.asset_graph, asset_keys)
    progress = PartitionProgress(len(keys))
    tags = {RANGE_TAG: text}
    failed: list[str] = []
    done = 0
    try:
        for index, partition_key in enumerate(keys, start=1):
            progress.start(index, partition_key)
            began = time.perf_counter()
            try:
                result = execute_definitions(
                    defs,
                    selection=selection,
                    run_config=run_config,
                    partition_key=partition_key,
                    raise_on_error=False,
                    listener=progress.on_event,
                    keep_values=False,
                    tags=tags,
                )
            except Asset2AirflowError as exc:
                progress.abandon()
                if done == 0:
                    raise  # refused before anything ran (config, selection): exit 2
                progress.finish(False, time.perf_counter() - began)
                print(f"error: partition {partition_key}: {exc}", file=sys.stderr, flush=True)
                failed.append(partition_key)
                done += 1
                continue
            done += 1
            seconds = time.perf_counter() - began
            stored = len(result.get_asset_materialization_events())
            detail = f"{plural(stored, 'asset')} materialized"
            if result.skipped_steps:
                detail += f", {len(result.skipped_steps)} skipped"
            progress.finish(result.success, seconds, detail)
            if not result.success:
                failed.append(partition_key)
                for error in result.errors:
                    print(f"error: partition {partition_key}: {error}", file=sys.stderr)
                if not result.errors:
                    print(
                        f"error: partition {partition_key}: a blocking check failed",
                        file=sys.stderr,
                    )
                sys.stderr.flush()
    except KeyboardInterrupt:
        progress.abandon()
        left = keys[done:]
        rest = f"; not finished: {plural(len(left), 'partition')} from {left[0]}" if left else ""
        print(f"interrupted: {_summary(keys[:done], failed)}{rest}", flush=True)
        return 130
    print(_summary(keys, failed))
    return 1 if failed else 0


def _summary(keys: list[str], failed: list[str]) -> str:
    from asset2airflow.cli.validate import plural

    text = f"{plural(len(keys), 'partition')}: {len(keys) - len(failed)} succeeded"
    if failed:
        shown = ", ".join(failed[:20]) + (", ..." if len(failed) > 20 else "")
        text += f", {len(failed)} failed: {shown}"
    return text


def _short(partitions_def: PartitionsDefinition) -> str:
    text = repr(partitions_def)
    return text if len(text) <= 120 else text[:117] + "..."
