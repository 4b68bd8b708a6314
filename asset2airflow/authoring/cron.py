"""Cron strings and timezones, checked where they are written (schedules, ``on_cron``), so a
typo is a definition error naming the schedule instead of an Airflow import error later."""

from __future__ import annotations

import zoneinfo

from asset2airflow.errors import DefinitionError

# The presets Airflow's cron timetables understand (besides five-field expressions).
CRON_PRESETS = ("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually")


def check_cron(cron: object, owner: str) -> str:
    """``cron`` if it is a five-field cron expression or an Airflow preset, else raise."""
    if isinstance(cron, str):
        text = cron.strip()
        if text in CRON_PRESETS:
            return text
        from croniter import croniter

        if len(text.split()) == 5 and croniter.is_valid(text):
            return text
    raise DefinitionError(
        f"{owner}: {cron!r} is not a cron schedule; write five fields 'minute hour day month "
        f"weekday' (e.g. '0 6 * * *') or one of {', '.join(CRON_PRESETS)}."
    )


def check_timezone(timezone: object, owner: str) -> str:
    """``timezone`` if it is an IANA name (``Europe/Paris``, ``UTC``), else raise."""
    if isinstance(timezone, str) and timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return timezone
    raise DefinitionError(
        f"{owner}: timezone {timezone!r} is not an IANA timezone name; write e.g. 'UTC' or "
        "'America/Los_Angeles'."
    )
