"""A real ``airflow standalone`` (api-server, scheduler, dag-processor, triggerer) on a free
loopback port, in its own AIRFLOW_HOME, driven through the REST API. Used by end-to-end tests;
always stopped (the whole process group) when the test session ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

LOG_SERVER_PORTS = (8793, 8794)
"""Airflow's default worker and triggerer log-server ports: never used for the api-server."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether something could listen on ``127.0.0.1:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def sizing(cpus: int | None = None) -> dict[str, str]:
    """Airflow sized to the machine: without this the LocalExecutor runs 32 task processes (and
    the api-server and dag processor as many workers as they like) even on 2 cores."""
    count = max(1, cpus if cpus is not None else os.cpu_count() or 1)
    return {
        "AIRFLOW__CORE__PARALLELISM": str(max(2, 2 * count)),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(max(2, 2 * count)),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": str(max(1, count // 2)),
    }


def standalone_env(
    home: Path,
    dags_folder: Path,
    port: int,
    plugins_folder: Path | None = None,
    log_server_ports: tuple[int, int] | None = None,
    cpus: int | None = None,
) -> dict[str, str]:
    """Environment for a quick, loopback-only standalone that runs new DAGs right away.

    The worker and triggerer log servers get their own ports (free ones unless given), so a
    demo and a test session can run side by side and Airflow's 8793/8794 may be taken.
    """
    plugins = {"AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_folder)} if plugins_folder else {}
    worker_logs, trigger_logs = log_server_ports or (free_port(), free_port())
    return {
        **plugins,
        **os.environ,
        **sizing(cpus),
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
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(worker_logs),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(trigger_logs),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # Cache bytecode as any installation does, also where the caller's environment says
        # not to: every task is a new process, and one compiling asset2airflow (an editable
        # install, so no shipped .pyc) from source paid ~0.2 s per task for it.
        "PYTHONDONTWRITEBYTECODE": "",
    }


def wait_until(what: str, ready: Callable[[], Any], timeout: float = 120) -> Any:
    """``ready()``'s first truthy value, polled every second; ``TimeoutError`` naming ``what``
    after ``timeout`` seconds (for waiting on a real scheduler in tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        time.sleep(1)
    raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")


class AirflowStartError(RuntimeError):
    """Airflow standalone did not come up; the message holds the real error from its log."""


COMPONENTS = ("scheduler", "dag-processor", "api-server", "triggerer")


def die_with_parent(signum: int) -> None:
    """Linux: have the kernel send ``signum`` to this process when its parent dies, so nothing
    outlives whoever started it (e.g. ``make`` killed with SIGTERM)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signum, 0, 0, 0)


def _alive(process: Any) -> bool:
    import psutil

    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def error_excerpt(log: str, limit: int = 40) -> str:
    """The part of a standalone log that says what went wrong: the last traceback up to its
    exception line (or else the last lines mentioning an error), not the whole log."""
    lines = log.splitlines()
    start = max((i for i, line in enumerate(lines) if "Traceback" in line), default=None)
    if start is None:
        errors = [line for line in lines if re.search(r"error|exception|fatal", line, re.I)]
        return "\n".join(errors[-limit:] or lines[-limit:])
    end = start + 1
    while end < len(lines) and end - start < limit:
        end += 1
        if re.search(r"\b[\w.]*(Error|Exception|Exit)\b: ", lines[end - 1]):
            break
    return "\n".join(lines[start:end])


def stop_process_tree(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    """SIGTERM ``process`` (started with ``start_new_session=True``), its process group and every
    descendant; SIGKILL whatever is still alive after ``grace`` seconds, then reap it."""
    import psutil

    try:
        tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
    except psutil.NoSuchProcess:
        tree = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    for member in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _, alive = psutil.wait_procs(tree, timeout=grace)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(alive, timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


class AirflowStandalone:
    """Start with ``start()``, stop with ``stop()``; REST helpers in between."""

    def __init__(
        self,
        home: Path,
        dags_folder: Path,
        port: int | None = None,
        plugins_folder: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.dags_folder = dags_folder
        self.plugins_folder = plugins_folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "standalone.log"
        self.extra_env = dict(extra_env or {})
        self._process: subprocess.Popen[bytes] | None = None
        self._client: httpx.Client | None = None
        self.token = ""

    # --- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 240) -> None:
        """Start and wait until healthy. Fails fast, with the real error from the log and
        every process stopped, when the standalone or one of its components exits first."""
        if not port_is_free(self.port):
            raise AirflowStartError(f"port {self.port} on 127.0.0.1 is already in use")
        self.home.mkdir(parents=True, exist_ok=True)
        self.dags_folder.mkdir(parents=True, exist_ok=True)
        env = standalone_env(self.home, self.dags_folder, self.port, self.plugins_folder)
        with open(self.log_path, "wb") as log:  # the child keeps its own descriptor
            self._process = subprocess.Popen(
                [sys.executable, "-m", "airflow", "standalone"],
                env={**env, **self.extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # If whoever started it dies, standalone gets Ctrl-C and stops its components.
                preexec_fn=lambda: die_with_parent(signal.SIGINT),
            )
        seen: dict[int, str] = {}
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                failure = self._startup_failure(seen)
                if failure:
                    log_text = self.log_path.read_text(errors="replace")
                    raise AirflowStartError(
                        f"{failure}; from {self.log_path}:\n{error_excerpt(log_text)}"
                    )
                if self._healthy():
                    self._connect()
                    return
                time.sleep(1)
            raise AirflowStartError(
                f"airflow standalone was not healthy after {timeout:.0f}s; see {self.log_path}"
            )
        except BaseException:
            self.stop()
            raise

    def _startup_failure(self, seen: dict[int, str]) -> str | None:
        """Why startup failed, if it visibly did: standalone exited, or one of the components it
        started (its direct children, remembered in ``seen`` by pid) has exited -- standalone
        itself keeps running then, so waiting would never end."""
        import psutil

        assert self._process is not None
        if self._process.poll() is not None:
            return f"airflow standalone exited with code {self._process.returncode}"
        try:
            children = psutil.Process(self._process.pid).children()
        except psutil.NoSuchProcess:
            return "airflow standalone exited"
        for child in children:
            if child.pid not in seen:
                with contextlib.suppress(psutil.Error):
                    command = child.cmdline()[1:4]
                    seen[child.pid] = next((c for c in COMPONENTS if c in command), "component")
        alive = {c.pid for c in children if _alive(c)}
        gone = sorted({name for pid, name in seen.items() if pid not in alive})
        return f"the Airflow {', '.join(gone)} exited while starting" if gone else None

    def _healthy(self) -> bool:
        password_file = self.home / "simple_auth_manager_passwords.json.generated"
        try:
            health = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return False
        components = ("metadatabase", "scheduler", "dag_processor")
        ok = all(health.get(c, {}).get("status") == "healthy" for c in components)
        return ok and password_file.exists()

    def _connect(self) -> None:
        """Log in as admin; ``client`` sends the token from now on."""
        self.token = self._token()
        self._client = httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {self.token}"}
        )

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
        if self._client is not None:
            self._client.close()
        process, self._process = self._process, None
        if process is not None:
            stop_process_tree(process)

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

    def trigger(
        self, dag_id: str, conf: dict[str, Any] | None = None, partition_key: str | None = None
    ) -> str:
        body: dict[str, Any] = {"logical_date": None, "conf": conf or {}}
        if partition_key is not None:
            body["partition_key"] = partition_key
        response = self.client.post(f"/api/v2/dags/{dag_id}/dagRuns", json=body)
        response.raise_for_status()
        return str(response.json()["dag_run_id"])

    def _all(self, path: str, field: str) -> list[dict[str, Any]]:
        """Every item of a paged REST collection (Airflow answers at most a page per call)."""
        items: list[dict[str, Any]] = []
        while True:
            response = self.client.get(path, params={"limit": 100, "offset": len(items)})
            response.raise_for_status()
            page = response.json()
            items.extend(page[field])
            if not page[field] or len(items) >= page["total_entries"]:
                return items

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self._all(f"/api/v2/dags/{dag_id}/dagRuns", "dag_runs")

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
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        return {ti["task_id"]: ti["state"] for ti in self._all(path, "task_instances")}
