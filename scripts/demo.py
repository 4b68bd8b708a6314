"""`make demo`: Airflow standalone on SQLite with this repo's dags/ and plugins/, the generated
DAGs unpaused, one run of the sales pipeline; stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from asset2airflow.testing.standalone import AirflowStandalone

REPO = Path(__file__).resolve().parent.parent


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops Airflow too, not just Ctrl-C
    port = int(os.environ.get("PORT", "8080"))
    airflow = AirflowStandalone(
        REPO / ".airflow", REPO / "dags", port=port, plugins_folder=REPO / "plugins"
    )
    print(f"Starting Airflow standalone on http://127.0.0.1:{port} (AIRFLOW_HOME=.airflow) ...")
    airflow.start()
    try:
        airflow.wait_for_dag("sales")
        run_id = airflow.trigger("sales")
        print(f"\nAirflow is up:  {airflow.url}")
        print(f"Login:          admin / {airflow.admin_password()}")
        print(f"Triggered the sales pipeline (DAG 'sales', run {run_id}).")
        print(f"Logs: {airflow.log_path}. Press Ctrl-C to stop.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping Airflow ...")
    finally:
        airflow.stop()


if __name__ == "__main__":
    main()
