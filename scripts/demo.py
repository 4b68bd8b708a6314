"""`make demo`: Airflow standalone on SQLite with this repo's dags/ and plugins/, the generated
DAGs unpaused, one run of the sales pipeline.

Starts only when the port is free (``PORT``, default 8080; never Airflow's log-server ports),
fails fast with the real error from Airflow's log, and stops every Airflow process on Ctrl-C,
on SIGTERM, and when its parent (``make``) dies. ``ASSET2AIRFLOW_DEMO_HOME`` chooses the Airflow
home (default ``.airflow`` in the repo).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from asset2airflow.testing.standalone import (
    LOG_SERVER_PORTS,
    AirflowStandalone,
    AirflowStartError,
    die_with_parent,
    port_is_free,
)

REPO = Path(__file__).resolve().parent.parent


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _port() -> int:
    """``PORT`` if it can be used; otherwise exit with one line saying what to do."""
    raw = os.environ.get("PORT", "8080")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.exit(f"make demo: PORT={raw!r} is not a port number; try PORT=8090 make demo")
    port = int(raw)
    if port in LOG_SERVER_PORTS:
        sys.exit(
            f"make demo: port {port} is one of Airflow's own log-server ports "
            f"{LOG_SERVER_PORTS}; choose another, e.g. PORT=8090 make demo"
        )
    if not port_is_free(port):
        sys.exit(
            f"make demo: port {port} on 127.0.0.1 is already in use (another Airflow?); stop "
            f"that process or choose another port, e.g. PORT={port + 10} make demo"
        )
    return port


def main() -> None:
    parent = os.getppid()
    die_with_parent(signal.SIGTERM)  # `kill <make pid>` must stop Airflow too
    if os.getppid() != parent:  # the parent died before the line above took effect
        return
    signal.signal(signal.SIGTERM, _interrupt)
    port = _port()
    home = Path(os.environ.get("ASSET2AIRFLOW_DEMO_HOME") or REPO / ".airflow").absolute()
    airflow = AirflowStandalone(home, REPO / "dags", port=port, plugins_folder=REPO / "plugins")
    print(f"Starting Airflow standalone on http://127.0.0.1:{port} (AIRFLOW_HOME={home}) ...")
    try:
        airflow.start()
        airflow.wait_for_dag("sales")
        run_id = airflow.trigger("sales")
        print(f"\nAirflow is up:  {airflow.url}")
        print(f"Login:          admin / {airflow.admin_password()}")
        print(f"Triggered the sales pipeline (DAG 'sales', run {run_id}); the fused DAG")
        print("'sales_marts' runs once it has materialized cleaned_sales.")
        print(f"Logs: {airflow.log_path}. Press Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except AirflowStartError as exc:
        sys.exit(f"make demo: Airflow did not start: {exc}")
    except KeyboardInterrupt:
        print("\nStopping Airflow ...", flush=True)
    finally:
        airflow.stop()
        print("Airflow stopped.", flush=True)


if __name__ == "__main__":
    main()
