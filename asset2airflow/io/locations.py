"""Where built-in IO managers put each asset: one injective key -> location mapping, shared.

Two different asset keys (or partitions) never share storage, whatever their separators:

- file managers: ``<base>/<c1>/.../<cn><ext>`` for a value, and
  ``<base>/<c1>/.../<cn>.partitions/<encoded partition key><ext>`` for a partition. Key
  components hold only ``[A-Za-z0-9_-]`` (no dot), so a directory made for a key prefix
  (``sales/`` for ``sales/orders``) can never be the file or partition folder of another asset
  (``sales.pickle``, ``sales.partitions/``).
- partition keys are user data (dates, regions, ``"a|b"``, even ``"../victim"``): they are
  percent-encoded into a single file name (``encode_component``) and never used as a path.
- SQL: see ``sql_location``.
- op outputs (no asset key): ``<base>/.runs/<run id>/<step>/<output><ext>``, and
  ``<base>/.runs/<run id>/<step>/<output>.mapped/<mapping key><ext>`` for one item of a dynamic
  or mapped output; every part percent-encoded. ``.runs`` holds a dot, which no key component
  may, so op outputs never share storage with an asset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from asset2airflow.authoring.io_manager import InputContext, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import IOManagerError, MissingUpstreamValueError, PartitionError
from asset2airflow.io.object_storage import StoragePath

PARTITIONS_SUFFIX = ".partitions"
RUNS_DIR = ".runs"
MAPPED_SUFFIX = ".mapped"
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_MAX_NAME_BYTES = 200  # file systems allow 255 bytes per name; leave room for suffixes


def encode_component(value: str) -> str:
    """``value`` as one safe file-name component, injectively.

    ``[A-Za-z0-9_-]`` are kept, every other UTF-8 byte becomes ``%XX`` (``.``, ``/``, ``%`` and
    NUL included, so the result is never ``.``, ``..`` or a path). Names over ~200 bytes keep a
    readable prefix and end in ``~`` + a SHA-256 digest (``~`` is never left unencoded).
    """
    encoded = "".join(chr(b) if b in _SAFE else f"%{b:02X}" for b in value.encode("utf-8"))
    if len(encoded) <= _MAX_NAME_BYTES:
        return encoded
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
    return f"{encoded[: _MAX_NAME_BYTES - 33]}~{digest}"


def check_partition_key(key: AssetKey, partition: str) -> str:
    """Reject partition keys no storage can name (the empty key), naming the asset."""
    if not isinstance(partition, str) or partition == "":
        raise PartitionError(
            f"asset {key.to_user_string()!r} was given the partition key {partition!r}; a "
            "partition key must be a non-empty string."
        )
    return partition


def asset_path(base: StoragePath, key: AssetKey, partition: str | None, ext: str) -> StoragePath:
    """The file of ``key`` (or of one of its partitions) under ``base``; see the module doc."""
    *prefix, name = key.path
    if partition is None:
        return base.joinpath(*prefix, name + ext)
    check_partition_key(key, partition)
    return base.joinpath(*prefix, name + PARTITIONS_SUFFIX, encode_component(partition) + ext)


def missing_value(key: AssetKey, partition: str | None, where: object) -> MissingUpstreamValueError:
    part = f" partition {partition!r} of" if partition is not None else ""
    return MissingUpstreamValueError(
        f"no stored value for{part} asset {key.to_user_string()!r} (looked in {where}); "
        f"materialize {key.to_user_string()!r} first"
    )


def describe(key: AssetKey, partition: str | None) -> str:
    """``asset 'k'`` or ``partition 'p' of asset 'k'``, for messages."""
    asset = f"asset {key.to_user_string()!r}"
    return asset if partition is None else f"partition {partition!r} of {asset}"


def output_partition(context: OutputContext) -> str | None:
    """The one partition an output writes (``None``: unpartitioned). A run over a range of
    partitions would need one value per partition, which one returned value cannot be."""
    if not context.has_asset_partitions:
        return None
    keys = context.asset_partition_keys
    if len(keys) != 1:
        raise IOManagerError(
            f"asset {context.asset_key.to_user_string()!r} is stored one partition at a time, "
            f"but this run writes {len(keys)} partitions; materialize them one per run."
        )
    return check_partition_key(context.asset_key, keys[0])


def load_partitions(
    context: InputContext, load_one: Callable[[str | None], Any]
) -> tuple[bool, list[Any]]:
    """``(partitioned, values)``: ``[load_one(None)]`` for an unpartitioned input, else one
    value per partition the input reads (after its partition mapping), in partition order."""
    if not context.has_asset_partitions:
        return False, [load_one(None)]
    keys = context.asset_partition_keys
    return True, [load_one(check_partition_key(context.asset_key, k)) for k in keys]


def one_or_by_key(context: InputContext, partitioned: bool, values: list[Any]) -> Any:
    """As Dagster's file IO managers deliver an input: the value itself for one partition (or
    none), ``{partition key: value}`` when the input reads several."""
    if not partitioned or len(values) == 1:
        return values[0] if values else {}
    return dict(zip(context.asset_partition_keys, values, strict=True))


def op_output_path(base: StoragePath, output: OutputContext, ext: str) -> StoragePath:
    """The file of an op output (see the module doc), from ``output.get_identifier()``."""
    run_id, step, name, *mapping = output.get_identifier()
    folder = base / RUNS_DIR / encode_component(run_id) / encode_component(step)
    if mapping:
        items = folder / (encode_component(name) + MAPPED_SUFFIX)
        return items / (encode_component(mapping[0]) + ext)
    return folder / (encode_component(name) + ext)


def upstream_of(context: InputContext) -> OutputContext:
    """The output an op input reads (its ``upstream_output``)."""
    if context.upstream_output is None:
        raise IOManagerError(
            f"input {context.name!r} has neither an asset key nor an upstream output to load"
        )
    return context.upstream_output


def describe_op_output(output: OutputContext) -> str:
    """``output 'result' of op 'x'`` (with its mapping key), for messages."""
    item = f" (item {output.mapping_key!r})" if output.mapping_key is not None else ""
    return f"output {output.name!r} of op {output.step_key!r}{item}"


def missing_op_value(output: OutputContext, where: object) -> MissingUpstreamValueError:
    return MissingUpstreamValueError(
        f"no stored value for {describe_op_output(output)} in run {output.run_id!r} (looked in "
        f"{where}); the op must run (and succeed) in the same run first"
    )
