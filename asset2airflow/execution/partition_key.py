"""The one resolver that admits and validates a run's partition key.

Every way a run gets a partition key goes through ``resolve_partition_key``: ``materialize()``
and ``execute_in_process`` (an argument), an Airflow task (the run's key or the trigger form's
param), a schedule's or sensor's ``RunRequest``, and each end of ``--partition-range``. Where
the key came from is a ``KeySource``; it decides how errors tell the user to give or drop a key,
whether a key given to something unpartitioned is an error, and what happens to a new key of a
``DynamicPartitionsDefinition``. The key itself is checked by the definition's ``validate_key``,
whose errors name the owner (asset, job or DAG) and the valid keys or the key format.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection
from typing import overload

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.dynamic_partitions import (
    DynamicPartitionsDefinition,
    admit_run_key,
    check_dynamic_key,
)
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.errors import PartitionError

_LOG = logging.getLogger("asset2airflow.partitions")


class NewDynamicKey(enum.Enum):
    """What a key a ``DynamicPartitionsDefinition`` does not have yet means."""

    ADD = "add"
    """The run is for a new partition: the key is added (Dagster's first run adds it)."""
    DEFER = "defer"
    """Only its form is checked; the run this request triggers adds it."""
    REFUSE = "refuse"
    """It must exist already (a range runs existing partitions)."""


class KeySource(enum.Enum):
    """Where a run's partition key comes from; each case says how the user gives one."""

    ARGUMENT = "argument"
    """``materialize(..., partition_key=)`` / ``execute_in_process(partition_key=)``."""
    AIRFLOW_RUN = "airflow_run"
    """An Airflow task: the DAG run's partition key, or the trigger form's param."""
    RUN_REQUEST = "run_request"
    """A schedule's or sensor's ``RunRequest(partition_key=...)``."""
    RANGE = "range"
    """One end of ``--partition-range START...END``."""

    @property
    def give(self) -> str:
        """How to give a key, said to a user who gave none."""
        return _GIVE[self]

    @property
    def drop(self) -> str:
        """How to drop a key, said to a user whose run is not partitioned."""
        return _DROP[self]

    @property
    def stray_key_is_error(self) -> bool:
        """A key given to something unpartitioned: an error, except in an Airflow task, where
        the DAG run's key reaches its unpartitioned tasks too (they ignore it)."""
        return self is not KeySource.AIRFLOW_RUN

    @property
    def new_dynamic_key(self) -> NewDynamicKey:
        return _NEW_DYNAMIC_KEY[self]


_GIVE = {
    KeySource.ARGUMENT: "pass partition_key=... to say which partition to run",
    KeySource.AIRFLOW_RUN: (
        "trigger it with a partition key (the Partition Key field of the trigger form, or "
        "partition_key in the REST API)"
    ),
    KeySource.RUN_REQUEST: "return RunRequest(partition_key=...) to say which partition to run",
    KeySource.RANGE: "give --partition-range START...END",
}
_DROP = {
    KeySource.ARGUMENT: "drop partition_key or give it a partitions_def",
    KeySource.AIRFLOW_RUN: "trigger it without a partition key",
    KeySource.RUN_REQUEST: "drop partition_key from the RunRequest",
    KeySource.RANGE: "drop --partition-range",
}
_NEW_DYNAMIC_KEY = {
    KeySource.ARGUMENT: NewDynamicKey.ADD,
    KeySource.AIRFLOW_RUN: NewDynamicKey.ADD,
    KeySource.RUN_REQUEST: NewDynamicKey.DEFER,
    KeySource.RANGE: NewDynamicKey.REFUSE,
}


@overload
def resolve_partition_key(
    partition_key: str | None,
    definition: PartitionsDefinition,
    owner: str,
    source: KeySource = ...,
) -> str: ...


@overload
def resolve_partition_key(
    partition_key: str | None,
    definition: PartitionsDefinition | None,
    owner: str,
    source: KeySource = ...,
) -> str | None: ...


def resolve_partition_key(
    partition_key: str | None,
    definition: PartitionsDefinition | None,
    owner: str,
    source: KeySource = KeySource.ARGUMENT,
) -> str | None:
    """The run's partition key, admitted and validated against ``definition`` (``None``: the
    run is not partitioned). ``owner`` names what runs (``"asset 'a'"``, ``"job 'j'"``, ``"DAG
    'd'"``) in errors. Raise ``PartitionError`` when a partitioned run has no key, an
    unpartitioned one has a stray key (see ``KeySource.stray_key_is_error``), or the key is not
    one of the definition's; a new key of a dynamic definition is handled as
    ``source.new_dynamic_key`` says."""
    if partition_key is None:
        if definition is not None:
            raise PartitionError(f"{owner} is partitioned by {definition!r}; {source.give}.")
        return None
    if definition is None:
        if source.stray_key_is_error:
            raise PartitionError(
                f"{owner} is not partitioned, but partition key {partition_key!r} was given; "
                f"{source.drop}."
            )
        return partition_key
    if isinstance(definition, DynamicPartitionsDefinition):
        policy = source.new_dynamic_key
        if policy is NewDynamicKey.DEFER:
            check_dynamic_key(definition.name, partition_key)
            return partition_key
        if policy is NewDynamicKey.ADD and admit_run_key(definition, partition_key):
            _LOG.info("Added partition %r to %r (first run for it)", partition_key, definition)
    definition.validate_key(partition_key, owner)
    return partition_key


def run_partitions_def(
    graph: AssetGraph, keys: Collection[AssetKey]
) -> tuple[PartitionsDefinition | None, str]:
    """The one partitions definition of the partitioned assets among ``keys`` (a run has one
    partition key, so they must share one, as in Dagster) and the owner to name in errors: the
    first partitioned asset, or every selected asset when none is partitioned."""
    found = graph.partitions_defs_among(keys)
    if len(found) > 1:
        (first, first_def), (key, definition) = found[:2]
        raise PartitionError(
            f"assets {first.to_user_string()!r} ({first_def!r}) and {key.to_user_string()!r} "
            f"({definition!r}) have different partitions, and one run "
            "materializes one partition key; materialize them in separate runs."
        )
    if found:
        first, first_def = found[0]
        return first_def, f"asset {first.to_user_string()!r}"
    names = [k.to_user_string() for k in sorted(keys)]
    shown = f"{names[:10]}{' ...' if len(names) > 10 else ''}"
    return None, f"the selection {shown}"
