"""The production topology on one machine, without Docker: a throwaway PostgreSQL (Debian's
server, ``initdb`` in a temporary directory) and ``redis-server`` on free loopback ports, and
Airflow's scheduler, dag-processor, api-server and Celery workers as separate processes sharing
them -- what ``docker/docker-compose.yaml`` runs in containers. This repository's ``deploy``
test tier (``tests/deploy``) runs on it; it is not part of the package users install.

Every process is started in its own session and stopped (SIGTERM, then SIGKILL, the whole
process group) by ``stop()``, which also removes the database; a component that exits while
starting fails ``start()`` at once with the error from its log. REST helpers come from
``AirflowStandalone``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from asset2airflow.testing.standalone import (
    AirflowStandalone,
    AirflowStartError,
    die_with_parent,
    error_excerpt,
    free_port,
    standalone_env,
    stop_process_tree,
)

REPO = Path(__file__).resolve().parents[2]
WORKER_NAME_ENV = "ASSET2AIRFLOW_WORKER_NAME"
SHARED_SECRETS = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
)
"""Secrets every component must share (each would otherwise make up its own): set by
``AirflowDeployment`` and by ``docker/docker-compose.yaml``."""


def worker_hostname() -> str:
    """Airflow ``[core] hostname_callable`` for workers sharing one machine: the worker's name
    (``$ASSET2AIRFLOW_WORKER_NAME``), so each task try records which worker ran it."""
    return os.environ.get(WORKER_NAME_ENV) or socket.getfqdn()


def postgres_bin() -> Path:
    """The newest Debian PostgreSQL server's ``bin`` (``$PG_BIN`` overrides)."""
    explicit = os.environ.get("PG_BIN")
    candidates = [Path(explicit)] if explicit else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    candidates += reversed(versions)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "postgres").is_file():
            return candidate
    raise AirflowStartError(
        "no PostgreSQL server found (looked for /usr/lib/postgresql/<version>/bin/initdb); "
        "install Debian's `postgresql` package (make test does) or set PG_BIN"
    )


class Service:
    """One server process in its own session, logging to ``log_path``."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        ids = pwd.getpwnam(self.user) if self.user else None

        def prepare() -> None:
            die_with_parent(signal.SIGTERM)
            if ids is not None:
                os.setgid(ids.pw_gid)
                os.setuid(ids.pw_uid)

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=prepare,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def failure(self) -> str | None:
        """Why the process is gone (with the error from its log), or None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        return (
            f"{self.name} exited with code {self.process.returncode}; from {self.log_path}:\n"
            f"{error_excerpt(self.log())}"
        )

    def pids(self) -> set[int]:
        """The process and all its descendants."""
        import psutil

        if self.process is None:
            return set()
        try:
            root = psutil.Process(self.process.pid)
            return {root.pid, *(c.pid for c in root.children(recursive=True))}
        except psutil.NoSuchProcess:
            return set()

    def kill(self) -> None:
        """SIGKILL the whole process tree at once, as when its machine dies."""
        import psutil

        pids = self.pids()
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        psutil.wait_procs([p for p in map(_process, pids) if p is not None], timeout=10)
        self.process.wait(timeout=10)

    def stop(self, grace: float = 15) -> None:
        process, self.process = self.process, None
        if process is not None:
            stop_process_tree(process, grace)


def _process(pid: int) -> Any:
    """The ``psutil.Process`` of ``pid``, or None if it is gone."""
    import psutil

    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None


def wait_until(
    ready: Callable[[], bool], services: list[Service], timeout: float, what: str
) -> None:
    """Poll ``ready`` until true; fail at once, with its log, if one of ``services`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in services:
            failure = service.failure()
            if failure:
                raise AirflowStartError(failure)
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.5)
    raise AirflowStartError(f"{what} not ready after {timeout:.0f}s")


class Postgres:
    """A throwaway PostgreSQL cluster on a free loopback port, trust auth for ``airflow``.

    The cluster lives in a fresh directory under the system temp dir (the server refuses to run
    as root, so under root it runs as the ``postgres`` user, who must reach that directory)."""

    USER = "airflow"

    def __init__(self, log_path: Path, databases: tuple[str, ...] = ("airflow",)) -> None:
        self.port = free_port()
        self.databases = databases
        self.log_path = log_path
        self.root: Path | None = None
        self.service: Service | None = None

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{self.USER}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60) -> None:
        bin_dir = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="asset2airflow-pg-"))
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            ids = pwd.getpwnam(user)
            os.chown(self.root, ids.pw_uid, ids.pw_gid)
        data, sockets = self.root / "data", self.root / "run"
        for folder in (data, sockets):
            folder.mkdir()
            if user:
                os.chown(folder, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
        initdb = Service(
            "initdb",
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            self.log_path,
            user=user,
        )
        initdb.start()
        assert initdb.process is not None
        if initdb.process.wait(timeout=120) != 0:
            raise AirflowStartError(f"initdb failed; from {self.log_path}:\n{initdb.log()[-3000:]}")
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(sockets),
            "max_connections": "200",
            # A throwaway cluster: durability of the test database is not under test.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        argv = [str(bin_dir / "postgres"), "-D", str(data)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self.service = Service("postgres", argv, self.log_path, user=user)
        self.service.start()
        wait_until(self._accepts_connections, [self.service], timeout, "PostgreSQL")
        for database in self.databases:
            self.execute(f'CREATE DATABASE "{database}"')

    def _accepts_connections(self) -> bool:
        self.execute("SELECT 1")
        return True

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.USER, dbname=database, connect_timeout=5
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall()) if cursor.description else []
        finally:
            conn.close()

    def stop(self) -> None:
        try:
            if self.service is not None:
                self.service.stop(grace=10)
        finally:
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """``redis-server`` on a free loopback port, nothing persisted."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.service: Service | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise AirflowStartError(
                "redis-server not found; install Debian's `redis-server` package (make test does)"
            )
        argv = [
            executable,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ]
        self.service = Service("redis-server", argv, self.log_path, cwd=self.log_path.parent)
        self.service.start()
        wait_until(self._pong, [self.service], timeout, "Redis")

    def _pong(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop(grace=10)


class AirflowDeployment(AirflowStandalone):
    """Scheduler, dag-processor, api-server and ``workers`` Celery workers (each in a working
    directory of its own) on a throwaway Postgres and Redis. ``start()``/``stop()``; REST
    helpers from ``AirflowStandalone``; ``kill_worker`` crashes one worker."""

    COMPONENTS = ("scheduler", "dag-processor", "api-server")

    def __init__(
        self,
        root: Path,
        dags_folder: Path,
        workers: int = 2,
        worker_concurrency: int = 2,
        extra_env: dict[str, str] | None = None,
        databases: tuple[str, ...] = (),
    ) -> None:
        """``databases``: more Postgres databases to create (e.g. a warehouse for
        ``SQLTableIOManager``); ``airflow`` holds the metadata."""
        super().__init__(root / "home", dags_folder, extra_env=extra_env)
        self.root = root
        self.log_dir = root / "logs"
        self.log_path = self.log_dir / "api-server.log"
        self.worker_names = tuple(f"worker-{i + 1}" for i in range(workers))
        self.worker_concurrency = worker_concurrency
        self.postgres = Postgres(self.log_dir / "postgres.log", ("airflow", *databases))
        self.redis = Redis(self.log_dir / "redis.log")
        self.services: dict[str, Service] = {}
        self.env: dict[str, str] = {}

    def component_env(self) -> dict[str, str]:
        """What every Airflow component shares (docker-compose's ``x-airflow-common``)."""
        from cryptography.fernet import Fernet

        return {
            **standalone_env(self.home, self.dags_folder, self.port),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.postgres.url("airflow"),
            "AIRFLOW__CELERY__BROKER_URL": self.redis.url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self.postgres.url("airflow"),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            **{secret: secrets.token_urlsafe(32) for secret in SHARED_SECRETS},
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            # A crashed worker's task is noticed (and retried) in seconds, not 5 minutes.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "2",
            **self.extra_env,
        }

    def _airflow(self, name: str, args: list[str], env: dict[str, str]) -> Service:
        cwd = self.root / "cwd" / name  # no two components share a working directory
        cwd.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "airflow", *args]
        return Service(name, argv, self.log_dir / f"{name}.log", env=env, cwd=cwd)

    def start(self, timeout: float = 300) -> None:
        """Start everything and wait until the api-server reports the scheduler and dag
        processor healthy and every worker is ready. Fails fast with the failing component's
        error; stops everything it started when it fails."""
        deadline = time.monotonic() + timeout
        self.home.mkdir(parents=True, exist_ok=True)
        self.dags_folder.mkdir(parents=True, exist_ok=True)
        try:
            self.postgres.start()
            self.redis.start()
            self.env = self.component_env()
            self._migrate(deadline - time.monotonic())
            for name in self.COMPONENTS:
                self.services[name] = self._airflow(name, [name], self.env)
            for name in self.worker_names:
                args = [
                    "celery",
                    "worker",
                    "--celery-hostname",
                    f"{name}@%h",
                    "--without-mingle",
                    "--without-gossip",
                ]
                self.services[name] = self._airflow(name, args, self.worker_env(name))
            for service in self.services.values():
                service.start()
            running = list(self.services.values())
            wait_until(self._healthy, running, deadline - time.monotonic(), "Airflow api-server")
            for name in self.worker_names:
                worker = self.services[name]
                wait_until(
                    lambda w=worker: f"{w.name}@" in w.log() and " ready." in w.log(),  # type: ignore[misc]
                    running,
                    deadline - time.monotonic(),
                    f"Celery {name}",
                )
            self._connect()
        except BaseException:
            self.stop()
            raise

    def worker_env(self, name: str) -> dict[str, str]:
        """Worker ``name``'s environment: its own log-server port, and its name as the hostname
        each task try records (``worker_hostname``, imported from this repository by the worker
        and its task processes, whatever their working directory)."""
        path = os.pathsep.join(p for p in (str(REPO), self.env.get("PYTHONPATH", "")) if p)
        return {
            **self.env,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            WORKER_NAME_ENV: name,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname",
            "PYTHONPATH": path,
        }

    def _migrate(self, timeout: float) -> None:
        log = self.log_dir / "db-migrate.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            done = subprocess.run(
                [sys.executable, "-m", "airflow", "db", "migrate"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=max(timeout, 1),
                check=False,
            )
        if done.returncode != 0:
            text = log.read_text(errors="replace")
            raise AirflowStartError(
                f"airflow db migrate failed; from {log}:\n{error_excerpt(text)}"
            )

    def failures(self) -> list[str]:
        """The components that have exited (with their errors)."""
        return [f for s in self.services.values() if (f := s.failure()) is not None]

    def worker_running(self, pid: int) -> str:
        """The name of the worker whose process tree holds ``pid``."""
        for name in self.worker_names:
            if name in self.services and pid in self.services[name].pids():
                return name
        raise LookupError(f"process {pid} belongs to no running Celery worker")

    def kill_worker(self, name: str) -> None:
        """SIGKILL worker ``name`` and every process it started (its running tasks included);
        it no longer counts as a component (``failures``, ``worker_running``)."""
        self.services.pop(name).kill()

    def stop(self) -> None:
        """Stop every component, then Redis and Postgres (removing its data), whatever fails."""
        if self._client is not None:
            self._client.close()
            self._client = None
        try:
            services = [self.services.pop(n) for n in list(self.services)]
            with ThreadPoolExecutor(max(1, len(services))) as pool:  # all at once: faster
                for future in [pool.submit(s.stop) for s in services]:
                    with contextlib.suppress(Exception):
                        future.result()
        finally:
            try:
                self.redis.stop()
            finally:
                self.postgres.stop()
