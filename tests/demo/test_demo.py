"""`make demo` and the standalone harness start only when they can, fail fast with Airflow's
real error, and leave no process behind (real make, real Airflow, real signals)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from asset2airflow.testing.standalone import AirflowStandalone, AirflowStartError, sizing

REPO = Path(__file__).resolve().parents[2]


def run_demo(port: int | str, home: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORT": str(port), "ASSET2AIRFLOW_DEMO_HOME": str(home)}
    return subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def processes_of(home: Path) -> list[psutil.Process]:
    """Every live process whose environment points at ``home`` (Airflow and its children)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("AIRFLOW_HOME") == str(home):
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def test_a_busy_port_stops_the_demo_at_once_naming_the_port(busy_port: int, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_demo(busy_port, tmp_path / "home")
    assert result.returncode != 0
    assert time.monotonic() - started < 20
    assert f"port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=" in result.stderr
    assert not (tmp_path / "home").exists()  # nothing was started


def test_airflows_log_server_ports_are_refused(tmp_path: Path) -> None:
    result = run_demo(8793, tmp_path / "home")
    assert result.returncode != 0
    assert "8793 is one of Airflow's own log-server ports" in result.stderr


def test_sizing_follows_the_cpu_count() -> None:
    assert sizing(2)["AIRFLOW__CORE__PARALLELISM"] == "4"
    assert sizing(16)["AIRFLOW__CORE__PARALLELISM"] == "32"
    assert sizing(1)["AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES"] == "1"
    assert sizing(2)["AIRFLOW__API__WORKERS"] == "1"


@pytest.mark.e2e
def test_a_component_that_dies_fails_the_start_fast_with_its_error(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface here: the api-server cannot bind and exits,
    # while `airflow standalone` itself keeps running and would wait forever.
    standalone = AirflowStandalone(
        tmp_path / "home", tmp_path / "dags", extra_env={"AIRFLOW__API__HOST": "192.0.2.1"}
    )
    started = time.monotonic()
    with pytest.raises(AirflowStartError) as raised:
        standalone.start(timeout=240)
    assert time.monotonic() - started < 150
    message = str(raised.value)
    assert "api-server exited" in message
    assert "assign requested address" in message
    assert processes_of(tmp_path / "home") == []


@pytest.mark.e2e
def test_sigterm_to_make_stops_every_airflow_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    port = AirflowStandalone(home, tmp_path / "unused").port  # a free port
    env = {**os.environ, "PORT": str(port), "ASSET2AIRFLOW_DEMO_HOME": str(home)}
    make = subprocess.Popen(
        ["make", "--no-print-directory", "demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert make.stdout is not None
        output = []
        deadline = time.monotonic() + 300
        for line in make.stdout:
            output.append(line)
            if "Airflow is up" in line or time.monotonic() > deadline:
                break
        assert any("Airflow is up" in line for line in output), "".join(output)
        assert len(processes_of(home)) > 3
        make.send_signal(signal.SIGTERM)  # to make only, as `kill <pid>` does
        make.wait(timeout=30)
        deadline = time.monotonic() + 60
        while processes_of(home) and time.monotonic() < deadline:
            time.sleep(1)
        assert processes_of(home) == []
    finally:
        for process in processes_of(home):
            process.kill()
        if make.poll() is None:
            make.kill()


def test_the_demo_script_imports_nothing_heavy() -> None:
    code = "import runpy, sys; sys.argv=['x']; import scripts.demo; print('airflow' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
