"""Time-window partitions, with Dagster's names and semantics: ``DailyPartitionsDefinition``,
``HourlyPartitionsDefinition``, ``WeeklyPartitionsDefinition``, ``MonthlyPartitionsDefinition``
and the general ``TimeWindowPartitionsDefinition(cron_schedule, ...)``.

A partition is the window between two consecutive cron ticks, in the definition's timezone; its
key is the window start formatted with ``fmt``. Only finished windows exist (``end_offset``
adds windows after the last finished one, e.g. 1 for "today"). The four common shapes are
computed arithmetically (100,000 hourly keys in a fraction of a second); any other cron is
walked with croniter. DST is handled in the timezone: a daily partition is midnight-to-midnight
local time (23 or 25 hours on change days), hourly keys skip the hour that does not exist and
name the repeated hour once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asset2airflow.authoring.partitions import PartitionKeyRange, PartitionsDefinition
from asset2airflow.authoring.time_keys import key_formatter, parse_key
from asset2airflow.errors import DefinitionError, PartitionError

_UTC = dt.timezone.utc


class Cadence(enum.Enum):
    """The calendar unit of a definition whose cron ticks once per hour, day, week or month
    (``Hourly``... ``Monthly``, or a ``TimeWindowPartitionsDefinition`` on such a cron): what a
    rollup from one to another means. Any other cron has none."""

    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class CadenceStart:
    """Where each window of a cadence starts within its unit (``WEEKLY``: ``day`` is the
    weekday, 0 = Sunday as in cron; ``MONTHLY``: the day of the month)."""

    minute: int = 0
    hour: int = 0
    day: int = 0


@dataclass(frozen=True)
class TimeWindow:
    """``[start, end)`` of one partition, timezone-aware."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class _Shape:
    """A cron the fast path understands: ``unit`` is hour, day, week or month."""

    unit: str
    minute: int
    hour: int = 0
    weekday: int = 0  # cron numbering: 0 = Sunday
    monthday: int = 1


def _shape_of(cron: str) -> _Shape | None:
    fields = cron.split()
    if len(fields) != 5 or not all(f == "*" or f.isdigit() for f in fields):
        return None
    minute, hour, monthday, month, weekday = fields
    if minute == "*" or month != "*":
        return None
    if hour == "*" and monthday == "*" and weekday == "*":
        return _Shape("hour", int(minute))
    if hour == "*":
        return None
    if monthday == "*" and weekday == "*":
        return _Shape("day", int(minute), int(hour))
    if monthday == "*":
        return _Shape("week", int(minute), int(hour), weekday=int(weekday) % 7)
    if weekday == "*" and 1 <= int(monthday) <= 28:
        return _Shape("month", int(minute), int(hour), monthday=int(monthday))
    return None


_CADENCES = {
    "hour": Cadence.HOURLY, "day": Cadence.DAILY, "week": Cadence.WEEKLY, "month": Cadence.MONTHLY,
}  # fmt: skip


def _cadence_of(shape: _Shape | None) -> tuple[Cadence | None, CadenceStart]:
    if shape is None:
        return None, CadenceStart()
    day = {"week": shape.weekday, "month": shape.monthday}.get(shape.unit, 0)
    return _CADENCES[shape.unit], CadenceStart(shape.minute, shape.hour, day)


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions between consecutive ticks of ``cron_schedule`` from ``start`` on."""

    cadence: Cadence | None
    """Derived once, here, from the cron's shape (with ``cadence_start``); readers such as the
    compiler's mapper choice take it from the definition and never parse the cron again."""
    cadence_start: CadenceStart

    def __init__(
        self,
        cron_schedule: str,
        start: str | dt.datetime,
        fmt: str,
        timezone: str | None = None,
        end: str | dt.datetime | None = None,
        end_offset: int = 0,
    ) -> None:
        self.cron_schedule = cron_schedule
        self.fmt = fmt
        self.timezone = timezone or "UTC"
        self.end_offset = end_offset
        try:
            self._tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise DefinitionError(
                f"partitions timezone {self.timezone!r} is not a known IANA timezone; use a name "
                "such as 'UTC' or 'Europe/Paris'."
            ) from None
        self._shape = _shape_of(cron_schedule)
        if self._shape is None:
            self._check_cron()
        self.cadence, self.cadence_start = _cadence_of(self._shape)
        self.start = self._to_datetime(start, "start")
        self.end = self._to_datetime(end, "end") if end is not None else None
        self._cache: tuple[dt.datetime, list[str], list[dt.datetime]] | None = None
        """(valid until, keys, starts) of the last listing at the current time."""

    # --- keys -----------------------------------------------------------------------------

    def get_partition_keys(self, current_time: dt.datetime | None = None) -> list[str]:
        return list(self._keys_and_starts(current_time)[0])

    def get_last_partition_key(self, current_time: dt.datetime | None = None) -> str | None:
        keys = self._keys_and_starts(current_time)[0]
        return keys[-1] if keys else None

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, current_time: dt.datetime | None = None
    ) -> list[str]:
        keys, starts = self._keys_and_starts(current_time)
        first = self.time_window_for_partition_key(partition_key_range.start).start
        last = self.time_window_for_partition_key(partition_key_range.end).start
        if last < first:
            raise PartitionError(
                f"partition range {partition_key_range.start!r}...{partition_key_range.end!r} "
                "ends before it starts; give the earlier key first."
            )
        return keys[bisect.bisect_left(starts, first) : bisect.bisect_right(starts, last)]

    def validate_key(self, partition_key: str, owner: str) -> None:
        """Raise naming ``owner`` unless ``partition_key`` is one of this definition's keys
        (well formatted, on a tick, inside the range, not in the future)."""
        window = self.time_window_for_partition_key(partition_key, owner)
        keys, starts = self._keys_and_starts(None)
        index = bisect.bisect_left(starts, window.start)
        if index == len(starts) or starts[index] != window.start:
            span = f"{keys[0]!r} to {keys[-1]!r}" if keys else "none yet"
            raise PartitionError(
                f"partition key {partition_key!r} of {owner} is outside its partitions "
                f"({span}; start {self._format(self.start)!r}"
                f"{f', end {self._format(self.end)!r}' if self.end else ''})."
            )

    def time_window_for_partition_key(self, partition_key: str, owner: str = "") -> TimeWindow:
        """The window a key names; the key must be formatted with ``fmt`` and start on a tick."""
        where = f" of {owner}" if owner else ""
        try:
            naive = parse_key(partition_key, self.fmt)
        except (TypeError, ValueError):
            raise PartitionError(
                f"partition key {partition_key!r}{where} does not match the format "
                f"{self.fmt!r} (e.g. {self._format(self.start)!r})."
            ) from None
        # The key may leave out the time of day (daily keys with an hour_offset): its window
        # starts at the first tick from the parsed moment that carries the same key.
        start = self._next_tick(self._localize(naive), strict=False)
        if self._format(start) != partition_key:
            raise PartitionError(
                f"partition key {partition_key!r}{where} is not the start of a partition of "
                f"schedule {self.cron_schedule!r} (e.g. {self._format(self.start)!r})."
            )
        return TimeWindow(start, self._next_tick(start, strict=True))

    def keys_overlapping(self, start: dt.datetime, end: dt.datetime) -> tuple[list[str], int, int]:
        """(every key, first index, index after the last) of the partitions whose windows
        overlap ``[start, end)``; a window that merely touches an end does not overlap."""
        keys, starts = self._keys_and_starts(None)
        first = bisect.bisect_right(starts, start) - 1  # the last window starting by ``start``
        if first < 0:
            first = 0
        elif self._next_tick(starts[first], strict=True) <= start:
            first += 1  # it ends by ``start``
        return keys, first, bisect.bisect_left(starts, end)

    # --- ticks ----------------------------------------------------------------------------

    def _keys_and_starts(
        self, current_time: dt.datetime | None
    ) -> tuple[list[str], list[dt.datetime]]:
        """Keys and window starts of every existing partition. Cached until the next partition
        appears, so repeated calls (validation, listing) cost nothing."""
        now = (current_time or dt.datetime.now(_UTC)).astimezone(self._tz)
        cached = self._cache
        if current_time is None and cached is not None and now < cached[0]:
            return cached[1], cached[2]
        limit = now if self.end is None else min(now, self.end)
        keys: list[str] = []
        starts: list[dt.datetime] = []
        extra = max(self.end_offset, 0)
        valid_until = dt.datetime.max.replace(tzinfo=_UTC)  # once ``end`` is reached
        ticks = self._ticks(self._next_tick(self.start, strict=False))
        tick, key = next(ticks)
        for following, following_key in ticks:
            if following > limit:
                if self.end is not None and following > self.end:
                    break
                if extra == 0:
                    valid_until = following
                    break
                extra -= 1
            keys.append(key)
            starts.append(tick)
            tick, key = following, following_key
        if self.end_offset < 0:
            keys, starts = keys[: self.end_offset], starts[: self.end_offset]
        if current_time is None:
            self._cache = (valid_until, keys, starts)
        return keys, starts

    def _ticks(self, first: dt.datetime) -> Iterator[tuple[dt.datetime, str]]:
        """Every tick from ``first`` (itself a tick) on, with its key, in the timezone."""
        shape = self._shape
        if shape is None:
            for tick in self._cron_ticks(first):
                yield tick, self._format(tick)
            return
        tz, name = self._tz, key_formatter(self.fmt, first)
        if shape.unit == "hour":  # step in UTC, name in local time (DST-safe)
            moment, previous = first.astimezone(_UTC), ""
            hour = dt.timedelta(hours=1)
            while True:
                local = moment.astimezone(tz)
                key = name(local)
                if key != previous:
                    yield local, key
                previous = key
                moment += hour
        day = first.date()
        step = dt.timedelta(days=7 if shape.unit == "week" else 1)
        at = dt.time(shape.hour, shape.minute)
        while True:
            tick = self._localize(dt.datetime.combine(day, at))
            yield tick, name(tick)
            if shape.unit == "month":
                month = day.month % 12 + 1
                day = day.replace(year=day.year + (month == 1), month=month)
            else:
                day += step

    def _next_tick(self, after: dt.datetime, *, strict: bool) -> dt.datetime:
        """The first tick at or after ``after`` (strictly after when ``strict``)."""
        shape = self._shape
        local = after.astimezone(self._tz)
        if shape is None:
            return self._cron_next(local, strict)
        if shape.unit == "hour":
            utc = after.astimezone(_UTC)
            candidate = self._hour_tick(utc.replace(minute=0, second=0, microsecond=0), shape)
            # A repeated local hour (DST ends) is one partition: skip its second tick.
            while (
                candidate < utc
                or (strict and candidate == utc)
                or (strict and self._format(candidate) == self._format(after))
            ):
                candidate = self._hour_tick(candidate + dt.timedelta(hours=1), shape)
            return candidate.astimezone(self._tz)
        day = local.date() - dt.timedelta(days=1)
        while True:
            if self._is_tick_day(day, shape):
                tick = self._localize(dt.datetime.combine(day, dt.time(shape.hour, shape.minute)))
                if tick > after or (not strict and tick == after):
                    return tick
            day += dt.timedelta(days=1)

    def _hour_tick(self, hour_start: dt.datetime, shape: _Shape) -> dt.datetime:
        """The tick inside the UTC hour starting at ``hour_start``: the moment whose local
        minute is ``shape.minute`` (zones with half-hour offsets included)."""
        offset = hour_start.astimezone(self._tz).utcoffset() or dt.timedelta()
        offset_minutes = int(offset.total_seconds() // 60) % 60
        return hour_start.replace(minute=0) + dt.timedelta(
            minutes=(shape.minute - offset_minutes) % 60
        )

    @staticmethod
    def _is_tick_day(day: dt.date, shape: _Shape) -> bool:
        if shape.unit == "week":
            return (day.weekday() + 1) % 7 == shape.weekday
        if shape.unit == "month":
            return day.day == shape.monthday
        return True

    def _cron_ticks(self, first: dt.datetime) -> Iterator[dt.datetime]:
        from croniter import croniter

        iterator = croniter(self.cron_schedule, first - dt.timedelta(seconds=1))
        while True:
            yield iterator.get_next(dt.datetime).astimezone(self._tz)

    def _cron_next(self, after: dt.datetime, strict: bool) -> dt.datetime:
        from croniter import croniter

        base = after if strict else after - dt.timedelta(seconds=1)
        tick: dt.datetime = croniter(self.cron_schedule, base).get_next(dt.datetime)
        return tick.astimezone(self._tz)

    def _check_cron(self) -> None:
        from croniter import croniter

        if not croniter.is_valid(self.cron_schedule):
            raise DefinitionError(
                f"partitions cron_schedule {self.cron_schedule!r} is not a valid cron expression "
                "(five fields: minute hour day-of-month month day-of-week)."
            )

    # --- helpers --------------------------------------------------------------------------

    def _localize(self, naive: dt.datetime) -> dt.datetime:
        """``naive`` as a time in the timezone; a time skipped by DST moves forward."""
        local = naive.replace(tzinfo=self._tz)
        return local.astimezone(_UTC).astimezone(self._tz)

    def _format(self, moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.astimezone(self._tz).strftime(self.fmt)

    def _to_datetime(self, value: str | dt.datetime, what: str) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value.astimezone(self._tz) if value.tzinfo else self._localize(value)
        for fmt in (self.fmt, "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return self._localize(parse_key(value, fmt))
            except ValueError:
                continue
        raise DefinitionError(
            f"partitions {what} {value!r} matches neither the format {self.fmt!r} nor "
            "YYYY-MM-DD; give a datetime or a string such as '2024-01-01'."
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeWindowPartitionsDefinition) and self._identity() == (
            other._identity()
        )

    def __hash__(self) -> int:
        return hash(self._identity())

    def _identity(self) -> tuple[object, ...]:
        return (self.cron_schedule, self.start, self.end, self.fmt, self.timezone, self.end_offset)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(cron_schedule={self.cron_schedule!r}, "
            f"start={self._format(self.start)!r}, timezone={self.timezone!r})"
        )


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per hour (keys ``2024-01-01-13:00``)."""

    def __init__(
        self,
        start_date: str | dt.datetime,
        end_date: str | dt.datetime | None = None,
        minute_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            f"{minute_offset} * * * *", start_date, fmt or "%Y-%m-%d-%H:%M", timezone, end_date,
            end_offset,
        )  # fmt: skip


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per day (keys ``2024-01-01``), starting at ``hour_offset:minute_offset``."""

    def __init__(
        self,
        start_date: str | dt.datetime,
        end_date: str | dt.datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            f"{minute_offset} {hour_offset} * * *", start_date, fmt or "%Y-%m-%d", timezone,
            end_date, end_offset,
        )  # fmt: skip


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per week, starting on ``day_offset`` (0 = Sunday, as in cron)."""

    def __init__(
        self,
        start_date: str | dt.datetime,
        end_date: str | dt.datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            f"{minute_offset} {hour_offset} * * {day_offset}", start_date, fmt or "%Y-%m-%d",
            timezone, end_date, end_offset,
        )  # fmt: skip


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per month, starting on day ``day_offset`` (1 to 28) of the month."""

    def __init__(
        self,
        start_date: str | dt.datetime,
        end_date: str | dt.datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 1,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        if not 1 <= day_offset <= 28:
            raise DefinitionError(
                f"MonthlyPartitionsDefinition(day_offset={day_offset}): use a day from 1 to 28, "
                "which every month has."
            )
        super().__init__(
            f"{minute_offset} {hour_offset} {day_offset} * *", start_date, fmt or "%Y-%m-%d",
            timezone, end_date, end_offset,
        )  # fmt: skip
