"""One asset ("crash_payload", DAG "crash") whose second version is pickled slowly: its first
attempt writes a 4 MiB blob to the temp file, records its pid and then hangs mid-write, so a
test can SIGKILL the Celery worker running it. The retry (on another worker) does not hang."""

import os
import time
from pathlib import Path
from typing import Any

from asset2airflow import Config, Definitions, RetryPolicy, asset
from asset2airflow.airflow import build_dags

BLOB_BYTES = 4 << 20


def marker() -> Path:
    return Path(os.environ["ASSET2AIRFLOW_HOME"]) / "crash" / "writing.pid"


class HangsWhilePickledOnce:
    """Pickles as the string "tail"; the first time, only after hanging (the blob before it is
    already in the temp file by then)."""

    def __reduce__(self) -> tuple[Any, ...]:
        if not marker().exists():
            marker().parent.mkdir(parents=True, exist_ok=True)
            marker().write_text(str(os.getpid()))
            time.sleep(600)
        return (str, ("tail",))


class Payload(Config):
    version: int = 1


@asset(group_name="crash", retry_policy=RetryPolicy(max_retries=2, delay=1))
def crash_payload(config: Payload) -> dict[str, Any]:
    tail: Any = HangsWhilePickledOnce() if config.version > 1 else "tail"
    return {"version": config.version, "blob": bytes([config.version]) * BLOB_BYTES, "tail": tail}


build_dags(Definitions(assets=[crash_payload]))
