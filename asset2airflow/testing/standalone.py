"""A real ``airflow standalone`` (api-server, scheduler, dag-processor, triggerer) on a free
loopback port, in its own AIRFLOW_HOME, driven through the REST API. Used by end-to-end tests;
always stopped (the whole process group) when the test session ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def standalone_env(
    home: Path, dags_folder: Path, port: int, plugins_folder: Path | None = None
) -> dict[str, str]:
    """Environment for a quick, loopback-only standalone that runs new DAGs right away."""
    plugins = {"AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_folder)} if plugins_folder else {}
    return {
        **plugins,
        **os.environ,
        # standalone starts its components as `airflow ...` subprocesses: use this interpreter's.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "AIRFLOW_HOME": str(home),
        "ASSET2AIRFLOW_HOME": str(home / "asset2airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }


class AirflowStandalone:
    """Start with ``start()``, stop with ``stop()``; REST helpers in between."""

    def __init__(
        self,
        home: Path,
        dags_folder: Path,
        port: int | None = None,
        plugins_folder: Path | None = None,
    ) -> None:
        self.home = home
        self.dags_folder = dags_folder
        self.plugins_folder = plugins_folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "standalone.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._client: httpx.Client | None = None
        self.token = ""

    # --- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 240) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.dags_folder.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - kept open for the process's lifetime
        self._process = subprocess.Popen(
            [sys.executable, "-m", "airflow", "standalone"],
            env=standalone_env(self.home, self.dags_folder, self.port, self.plugins_folder),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"airflow standalone exited; see {self.log_path}:\n"
                    + self.log_path.read_text()[-3000:]
                )
            if self._healthy():
                self.token = self._token()
                self._client = httpx.Client(
                    base_url=self.url,
                    timeout=30,
                    headers={"Authorization": f"Bearer {self.token}"},
                )
                return
            time.sleep(1)
        self.stop()
        raise TimeoutError(f"airflow standalone not healthy after {timeout}s; see {self.log_path}")

    def _healthy(self) -> bool:
        password_file = self.home / "simple_auth_manager_passwords.json.generated"
        try:
            health = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return False
        components = ("metadatabase", "scheduler", "dag_processor")
        ok = all(health.get(c, {}).get("status") == "healthy" for c in components)
        return ok and password_file.exists()

    def admin_password(self) -> str:
        passwords = json.loads(
            (self.home / "simple_auth_manager_passwords.json.generated").read_text()
        )
        return str(passwords["admin"])

    def _token(self) -> str:
        response = httpx.post(
            f"{self.url}/auth/token",
            json={"username": "admin", "password": self.admin_password()},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def stop(self) -> None:
        """SIGTERM every process of the standalone (children included), SIGKILL stragglers."""
        import psutil

        if self._client is not None:
            self._client.close()
        process, self._process = self._process, None
        if process is None:
            return
        try:
            tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
        except psutil.NoSuchProcess:
            tree = []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        for member in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.terminate()
        _, alive = psutil.wait_procs(tree, timeout=20)
        for member in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        psutil.wait_procs(alive, timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    # --- REST helpers -----------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        assert self._client is not None, "call start() first"
        return self._client

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> dict[str, Any]:
        """Wait until the dag processor has parsed ``dag_id``; return its REST representation."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.client.get(f"/api/v2/dags/{dag_id}")
            if response.status_code == 200:
                return dict(response.json())
            time.sleep(1)
        errors = self.client.get("/api/v2/importErrors").json()
        raise TimeoutError(f"DAG {dag_id!r} did not appear; import errors: {errors}")

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        response = self.client.post(
            f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}}
        )
        response.raise_for_status()
        return str(response.json()["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v2/dags/{dag_id}/dagRuns")
        response.raise_for_status()
        return list(response.json()["dag_runs"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 180) -> dict[str, Any]:
        """Wait until the run finishes (success or failed) and return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.client.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            response.raise_for_status()
            run = dict(response.json())
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(1)
        raise TimeoutError(f"run {run_id} of {dag_id!r} did not finish in {timeout}s")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        response = self.client.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        response.raise_for_status()
        return {ti["task_id"]: ti["state"] for ti in response.json()["task_instances"]}
