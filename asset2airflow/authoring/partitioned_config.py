"""``PartitionedConfig``: a job's run config computed from the partition a run is for, with
Dagster's names: ``@partitioned_config``, ``@static_partitioned_config`` and the time ones
(``@daily_partitioned_config``, ``@hourly_...``, ``@weekly_...``, ``@monthly_...``), whose
function takes the ``(start, end)`` of the partition's time window.

Give it as ``@job(config=...)`` or ``define_asset_job(config=...)``: the job takes its
``partitions_def`` from it. The config of a partition is computed when a run for it starts
(locally in ``execute_in_process``, in Airflow in the task), never at definition time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asset2airflow.authoring.config import RunConfig, run_config_dict
from asset2airflow.authoring.partitions import PartitionsDefinition, StaticPartitionsDefinition
from asset2airflow.authoring.time_partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from asset2airflow.errors import ConfigError, DefinitionError, PartitionError

RunConfigFn = Callable[[str], Any]
TagsFn = Callable[[str], Mapping[str, str]]
TimeWindowFn = Callable[[dt.datetime, dt.datetime], Any]


def _name_of(fn: Any) -> str:
    return str(getattr(fn, "__name__", None) or repr(fn))


def _where(fn: Any) -> str:
    code = getattr(fn, "__code__", None)
    return f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""


@dataclass(frozen=True, eq=False)
class PartitionedConfig:
    """Run config (and run tags) per partition of ``partitions_def``.

    ``run_config_for_partition_key_fn(partition_key)`` returns the run config of a partition (a
    dict or ``RunConfig``); ``tags_for_partition_key_fn(partition_key)`` its run tags.
    ``decorated_fn`` is what calling the object calls (the decorators set it). Dagster's
    ``run_config_for_partition_fn``/``tags_for_partition_fn`` (taking a ``Partition`` object) are
    refused: give the ``..._key_fn`` forms.
    """

    partitions_def: PartitionsDefinition
    run_config_for_partition_fn: Any = None
    decorated_fn: Callable[..., Any] | None = None
    tags_for_partition_fn: Any = None
    run_config_for_partition_key_fn: RunConfigFn | None = None
    tags_for_partition_key_fn: TagsFn | None = None

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(self.partitions_def, PartitionsDefinition):
            raise DefinitionError(
                f"PartitionedConfig {name!r}: partitions_def={self.partitions_def!r} is not a "
                "partitions definition; pass e.g. DailyPartitionsDefinition(start_date=...)."
            )
        for old, new in (
            ("run_config_for_partition_fn", "run_config_for_partition_key_fn"),
            ("tags_for_partition_fn", "tags_for_partition_key_fn"),
        ):
            if getattr(self, old) is not None:
                raise DefinitionError(
                    f"PartitionedConfig {name!r}: {old}= (a function of a Partition object, "
                    f"deprecated in Dagster) is not built; pass {new}=, a function of the "
                    "partition key string."
                )
        if self.run_config_for_partition_key_fn is None:
            raise DefinitionError(
                "PartitionedConfig: pass run_config_for_partition_key_fn=, a function from a "
                "partition key to the run config of that partition."
            )
        for argument in ("run_config_for_partition_key_fn", "tags_for_partition_key_fn"):
            value = getattr(self, argument)
            if value is not None and not callable(value):
                raise DefinitionError(
                    f"PartitionedConfig {name!r}: {argument}={value!r} is not a function."
                )

    @property
    def name(self) -> str:
        """The user function's name, used in errors."""
        return _name_of(self.decorated_fn or self.run_config_for_partition_key_fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the decorated function (as Dagster allows, e.g. in tests)."""
        if self.decorated_fn is None:
            raise DefinitionError(
                f"PartitionedConfig {self.name!r} was not made by a decorator, so there is no "
                "function to call; use get_run_config_for_partition_key(key)."
            )
        return self.decorated_fn(*args, **kwargs)

    def _call(self, fn: Callable[[str], Any], partition_key: str, what: str) -> Any:
        where = _where(self.decorated_fn or fn)
        try:
            return fn(partition_key)
        except PartitionError:
            raise  # a key that is not one of the partitions: said as such
        except Exception as exc:
            raise ConfigError(
                f"{what} {self.name!r}{where} raised for partition key {partition_key!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def get_run_config_for_partition_key(self, partition_key: str) -> dict[str, Any]:
        """The run config of ``partition_key`` (``{"ops": ..., "resources": ...}``)."""
        fn = self.run_config_for_partition_key_fn
        assert fn is not None
        value = self._call(fn, partition_key, "partitioned config")
        if not isinstance(value, Mapping | RunConfig):
            raise ConfigError(
                f"partitioned config {self.name!r}{_where(self.decorated_fn)} returned "
                f"{value!r} for partition key {partition_key!r}; return run config as a dict "
                "({'ops': {name: {'config': {...}}}}) or a RunConfig."
            )
        return run_config_dict(value)

    def get_tags_for_partition_key(
        self, partition_key: str, job_name: str | None = None
    ) -> dict[str, str]:
        """The run tags of ``partition_key`` (``{}`` without a tags function)."""
        if self.tags_for_partition_key_fn is None:
            return {}
        value = self._call(self.tags_for_partition_key_fn, partition_key, "tags function of")
        owner = f"tags function of partitioned config {self.name!r}" + (
            f" (job {job_name!r})" if job_name else ""
        )
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{owner} returned {value!r} for partition key {partition_key!r}; return a dict "
                "of string tags."
            )
        bad = [(k, v) for k, v in value.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise ConfigError(
                f"{owner} returned non-string tags {bad!r} for partition key "
                f"{partition_key!r}; tag keys and values are strings."
            )
        return dict(value)

    def __repr__(self) -> str:
        return f"PartitionedConfig({self.name}, partitions_def={self.partitions_def!r})"


def _key_tags(
    tags_for_partition_fn: TagsFn | None, tags_for_partition_key_fn: TagsFn | None, who: str
) -> TagsFn | None:
    if tags_for_partition_fn is not None and tags_for_partition_key_fn is not None:
        raise DefinitionError(
            f"{who}: pass tags_for_partition_key_fn= only (tags_for_partition_fn is its "
            "deprecated name)."
        )
    return tags_for_partition_key_fn or tags_for_partition_fn


def _decorated(fn: Any, who: str) -> None:
    if not callable(fn) or isinstance(fn, type | str):
        raise DefinitionError(f"@{who} decorates a function, not {fn!r}")


def partitioned_config(
    partitions_def: PartitionsDefinition,
    tags_for_partition_fn: TagsFn | None = None,
    tags_for_partition_key_fn: TagsFn | None = None,
) -> Callable[[RunConfigFn], PartitionedConfig]:
    """``fn(partition_key) -> run config`` for the partitions of ``partitions_def``;
    ``tags_for_partition_key_fn(partition_key)`` gives each run's tags."""
    tags = _key_tags(tags_for_partition_fn, tags_for_partition_key_fn, "@partitioned_config")

    def decorate(fn: RunConfigFn) -> PartitionedConfig:
        _decorated(fn, "partitioned_config")
        return PartitionedConfig(
            partitions_def,
            decorated_fn=fn,
            run_config_for_partition_key_fn=fn,
            tags_for_partition_key_fn=tags,
        )

    return decorate


def static_partitioned_config(
    partition_keys: Sequence[str],
    tags_for_partition_fn: TagsFn | None = None,
    tags_for_partition_key_fn: TagsFn | None = None,
) -> Callable[[RunConfigFn], PartitionedConfig]:
    """``fn(partition_key) -> run config`` for a fixed list of keys."""
    if isinstance(partition_keys, str) or not isinstance(partition_keys, Sequence):
        raise DefinitionError(
            f"@static_partitioned_config(partition_keys={partition_keys!r}): pass a list of "
            "partition key strings."
        )
    return partitioned_config(
        StaticPartitionsDefinition(list(partition_keys)),
        tags_for_partition_key_fn=_key_tags(
            tags_for_partition_fn, tags_for_partition_key_fn, "@static_partitioned_config"
        ),
    )


class _WindowCall:
    """A function of a partition key calling ``fn(start, end)`` of its time window."""

    def __init__(self, fn: Callable[..., Any], partitions_def: TimeWindowPartitionsDefinition):
        self.fn = fn
        self.partitions_def = partitions_def
        self.__name__ = _name_of(fn)

    def __call__(self, partition_key: str) -> Any:
        window = self.partitions_def.time_window_for_partition_key(
            partition_key, f"partitioned config {self.__name__!r}"
        )
        return self.fn(window.start, window.end)


def _time_partitioned_config(
    who: str,
    partitions_def: TimeWindowPartitionsDefinition,
    tags_for_partition_fn: Callable[[dt.datetime, dt.datetime], Mapping[str, str]] | None,
    exclusions: Any,
) -> Callable[[TimeWindowFn], PartitionedConfig]:
    if exclusions is not None:
        raise DefinitionError(
            f"@{who}(exclusions=...) is not built: time partitions have no exclusions yet. "
            "Return a config that makes the run a no-op for those dates instead."
        )
    if tags_for_partition_fn is not None and not callable(tags_for_partition_fn):
        raise DefinitionError(
            f"@{who}(tags_for_partition_fn={tags_for_partition_fn!r}): pass a function of "
            "(start, end) returning a dict of string tags."
        )

    def decorate(fn: TimeWindowFn) -> PartitionedConfig:
        _decorated(fn, who)
        tags = (
            _WindowCall(tags_for_partition_fn, partitions_def)
            if tags_for_partition_fn is not None
            else None
        )
        return PartitionedConfig(
            partitions_def,
            decorated_fn=fn,
            run_config_for_partition_key_fn=_WindowCall(fn, partitions_def),
            tags_for_partition_key_fn=tags,
        )

    return decorate


def hourly_partitioned_config(
    start_date: dt.datetime | str,
    minute_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: Callable[[dt.datetime, dt.datetime], Mapping[str, str]] | None = None,
    exclusions: Any = None,
) -> Callable[[TimeWindowFn], PartitionedConfig]:
    """``fn(start, end) -> run config`` for each hour from ``start_date`` on (the partitions of
    ``HourlyPartitionsDefinition`` with the same arguments)."""
    definition = HourlyPartitionsDefinition(
        start_date, minute_offset=minute_offset, timezone=timezone, fmt=fmt, end_offset=end_offset
    )
    return _time_partitioned_config(
        "hourly_partitioned_config", definition, tags_for_partition_fn, exclusions
    )


def daily_partitioned_config(
    start_date: dt.datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: Callable[[dt.datetime, dt.datetime], Mapping[str, str]] | None = None,
    exclusions: Any = None,
) -> Callable[[TimeWindowFn], PartitionedConfig]:
    """``fn(start, end) -> run config`` for each day from ``start_date`` on (local days of
    ``timezone``: 23 or 25 hours long on DST changes)."""
    definition = DailyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _time_partitioned_config(
        "daily_partitioned_config", definition, tags_for_partition_fn, exclusions
    )


def weekly_partitioned_config(
    start_date: dt.datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    day_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: Callable[[dt.datetime, dt.datetime], Mapping[str, str]] | None = None,
    exclusions: Any = None,
) -> Callable[[TimeWindowFn], PartitionedConfig]:
    """``fn(start, end) -> run config`` for each week starting on ``day_offset`` (0 = Sunday)."""
    definition = WeeklyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        day_offset=day_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _time_partitioned_config(
        "weekly_partitioned_config", definition, tags_for_partition_fn, exclusions
    )


def monthly_partitioned_config(
    start_date: dt.datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    day_offset: int = 1,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: Callable[[dt.datetime, dt.datetime], Mapping[str, str]] | None = None,
    exclusions: Any = None,
) -> Callable[[TimeWindowFn], PartitionedConfig]:
    """``fn(start, end) -> run config`` for each month starting on day ``day_offset``."""
    definition = MonthlyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        day_offset=day_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _time_partitioned_config(
        "monthly_partitioned_config", definition, tags_for_partition_fn, exclusions
    )


def job_config_fields(who: str, config: Any, partitions_def: Any) -> dict[str, Any]:
    """A job's ``config``, ``partitioned_config`` and ``partitions_def`` from the arguments of
    ``@job``/``to_job``/``define_asset_job`` (``who`` names the job in errors). A
    ``PartitionedConfig`` gives the job its partitions; an explicit ``partitions_def`` must
    equal them."""
    if config is not None and not isinstance(config, Mapping | RunConfig | PartitionedConfig):
        raise DefinitionError(
            f"{who}: config={config!r} is not built; pass run config as a dict ({{'ops': "
            "{name: {'config': {...}}}}), a RunConfig or a PartitionedConfig (config mappings "
            "are not supported)."
        )
    if partitions_def is not None and not isinstance(partitions_def, PartitionsDefinition):
        raise DefinitionError(
            f"{who}: partitions_def={partitions_def!r} is not a partitions definition."
        )
    if not isinstance(config, PartitionedConfig):
        return {
            "config": run_config_dict(config),
            "partitioned_config": None,
            "partitions_def": partitions_def,
        }
    if partitions_def is not None and partitions_def != config.partitions_def:
        raise DefinitionError(
            f"{who}: partitions_def={partitions_def!r} differs from the partitions of its "
            f"config {config!r}. Drop partitions_def= (the job takes the config's) or make "
            "them equal."
        )
    return {"config": {}, "partitioned_config": config, "partitions_def": config.partitions_def}


__all__ = [
    "PartitionedConfig",
    "daily_partitioned_config",
    "hourly_partitioned_config",
    "job_config_fields",
    "monthly_partitioned_config",
    "partitioned_config",
    "static_partitioned_config",
    "weekly_partitioned_config",
]
