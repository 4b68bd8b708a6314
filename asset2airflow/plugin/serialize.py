"""JSON for the plugin's API: datetimes as ISO-8601, check results and events as plain dicts,
encoded with the standard library's C encoder (FastAPI's generic encoder walks every value and
is too slow for 50,000 partition keys)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections.abc import Iterator
from typing import Any

from starlette.responses import Response

from asset2airflow.plugin.catalog import TaskRef
from asset2airflow.plugin.runs import CheckResult


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.isoformat()


def task_json(task: TaskRef) -> dict[str, str]:
    return {"dag_id": task.dag_id, "task_id": task.task_id}


def check_json(result: CheckResult) -> dict[str, Any]:
    return {
        **result.record.to_json(),
        "state": result.state,
        "dag_id": result.dag_id,
        "task_id": result.task_id,
        "run_id": result.run_id,
        "timestamp": iso(result.timestamp),
    }


def json_response(data: Any, status_code: int = 200) -> Response:
    body = json.dumps(data, separators=(",", ":"), default=str, allow_nan=False)
    return Response(
        body,
        status_code=status_code,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an answer is built.

    An answer allocates tens of thousands of rows and tuples, which triggers full collections;
    in the api-server, whose heap is large, those double the time of a request (measured with
    ``bench/plugin.py``). Nothing built here forms cycles, so collecting after is enough.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
