"""Wall time from trigger to DAG-run success through a real ``airflow standalone`` (LocalExecutor
sized by ``asset2airflow.testing.standalone.sizing()``), for a graph of N tiny assets (each
returns an int computed from its inputs; filesystem IO manager), side by side in one run:

- per-asset: ``build_dags(defs)``, one Airflow task per asset;
- fused: ``build_dags(defs, execution="fused")``, one task materializing the whole graph in
  dependency order ("not available" when this asset2airflow's ``build_dags`` rejects it);
- hand-written: the same graph as plain Airflow ``@task``s, values passed by XCom;
- materialize: ``asset2airflow.materialize()`` of the same graph in this process, no Airflow
  (for reference; timed before Airflow starts, excludes interpreter start-up and imports).

Shapes (``bench/_e2e_modules.py``): ``chain`` (each asset reads the previous one) and ``tree``
(binary fan-in: half the assets are leaves, asset 0 reads everything). One standalone serves the
whole benchmark; every DAG file is written and parsed up front, then each DAG is triggered alone
(never two runs at once) and its run state polled every 0.2 s. Both the time seen by the client
(trigger request -> state ``success`` observed) and the run's own start_date -> end_date are
printed. Every run must succeed with all its tasks, and the sink's stored value (the IO
manager's file, or the hand-written task's XCom) must be right, or the cell says ``FAILED``.
The dag processor re-parses files only every ``--reparse-interval`` seconds (Airflow's default
is 30), so parsing does not compete with the runs measured; bench/parse.py measures parsing.
Airflow's processes cache bytecode even if PYTHONDONTWRITEBYTECODE is set (``standalone_env``),
and one 2-asset DAG of each kind runs first, unmeasured, so the first measured run does not pay
for compiling modules.

Targets: fused / per-asset <= 0.1; per-asset / hand-written <= 1.1.

On 2 cores a 200-task per-asset chain takes minutes (each task is a fresh task process that
parses its DAG file); progress goes to stderr.

    .venv/bin/python bench/e2e.py [--sizes 200] [--shapes chain,tree] [--repeats 1] [--keep]
                                  [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asset2airflow.testing.standalone import AirflowStandalone, sizing

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _e2e_modules import SHAPES, asset_module, build_assets, hand_written_module, sink

BENCH = Path(__file__).resolve().parent
POLL_SECONDS = 0.2
PROGRESS_SECONDS = 15.0
VARIANTS = ("per-asset", "fused", "hand-written")
ABBREVIATION = {"per-asset": "pa", "fused": "fu", "hand-written": "hw"}
STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass
class Case:
    """One DAG to run: a variant of one shape and size."""

    variant: str
    shape: str
    n: int
    dag_id: str
    group: str
    prefix: str
    storage: Path

    @property
    def sink_name(self) -> str:
        return f"{self.prefix}{sink(self.shape, self.n)}"


@dataclass
class Timing:
    wall: float | None = None  # trigger request -> success observed by the client
    run: float | None = None  # the run's own start_date -> end_date
    tasks: int = 0
    error: str | None = None
    all_walls: list[float] = field(default_factory=list)


def cases_for(
    shape: str, n: int, root: Path, fused: str | None, label: str = "e2e"
) -> list[Case]:
    """The DAGs of one row; ``fused`` is the DAG id format of fused DAGs (None: unavailable)."""
    cases = []
    for variant in VARIANTS:
        if variant == "fused" and fused is None:
            continue
        group = f"{label}_{variant.replace('-', '_')}_{shape}_{n}"
        dag_id = fused.format(group) if fused and variant == "fused" else group
        prefix = f"{label[0]}{ABBREVIATION[variant]}_{shape}_{n}_a"
        cases.append(Case(variant, shape, n, dag_id, group, prefix, root / "storage" / group))
    return cases


# --- materialize (in-process, no Airflow) -----------------------------------------------------


def time_materialize(shape: str, n: int, root: Path, repeats: int) -> Timing:
    """Best of ``repeats`` in-process runs (cheap, so ``main`` asks for at least 3)."""
    import asset2airflow as a2a

    base = root / "materialize" / f"{shape}_{n}"
    prefix = f"mat_{shape}_{n}_a"
    assets = build_assets(shape, n, prefix)
    timing = Timing(tasks=0)
    for _ in range(repeats):
        shutil.rmtree(base, ignore_errors=True)
        started = time.perf_counter()
        result = a2a.materialize(
            assets, resources={"io_manager": a2a.FilesystemIOManager(base_dir=str(base))}
        )
        elapsed = time.perf_counter() - started
        value = pickle.loads((base / f"{prefix}{sink(shape, n)}.pickle").read_bytes())
        if not result.success or value != n:
            timing.error = f"materialize: success={result.success}, sink value {value!r} != {n}"
            progress(f"  materialize {shape} {n} FAILED: {timing.error}")
            return timing
        timing.all_walls.append(elapsed)
    timing.wall = min(timing.all_walls)
    return timing


# --- fused availability -----------------------------------------------------------------------

PROBE = """
import json
import sys
sys.path.insert(0, sys.argv[1])
from _e2e_modules import build_definitions
from asset2airflow.airflow import build_dags
from asset2airflow.errors import DefinitionError
try:
    dags = build_dags(build_definitions("chain", 3, "probe_a", "probe", sys.argv[2]),
                      execution="fused")
except (TypeError, DefinitionError) as exc:
    print("unavailable:", type(exc).__name__, exc)
else:
    print("ok", json.dumps({dag_id: len(dag.tasks) for dag_id, dag in dags.items()}))
"""


def fused_dag_id_format(root: Path) -> str | None:
    """Whether ``build_dags(defs, execution="fused")`` works here (asked in a subprocess with a
    throw-away AIRFLOW_HOME, so this process never imports Airflow): ``None`` if not, else the
    DAG id it gives asset group ``{}`` (a format string)."""
    home = root / "probe"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "ASSET2AIRFLOW_HOME": str(home / "asset2airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(BENCH), str(home / "storage")],
        env=env,
        capture_output=True,
        text=True,
    )
    out = done.stdout.strip().splitlines()
    answer = out[-1] if out else f"probe exited {done.returncode}: {done.stderr[-2000:]}"
    progress(f"fused probe: {answer}")
    if done.returncode or not answer.startswith("ok "):
        return None
    dag_ids = list(json.loads(answer[3:]))
    if len(dag_ids) != 1 or "probe" not in dag_ids[0]:
        progress(f"fused probe: expected one DAG named after group 'probe', got {dag_ids}")
        return None
    return str(dag_ids[0]).replace("probe", "{}")


# --- Airflow ----------------------------------------------------------------------------------


def write_modules(airflow: AirflowStandalone, cases: list[Case]) -> None:
    for case in cases:
        if case.variant == "hand-written":
            source = hand_written_module(case.shape, case.n, case.dag_id, case.prefix)
        else:
            execution = "fused" if case.variant == "fused" else None
            source = asset_module(
                case.shape, case.n, case.group, case.prefix, case.storage, execution
            )
        (airflow.dags_folder / f"{case.group}.py").write_text(source)


def wait_for_dags(airflow: AirflowStandalone, cases: list[Case], timeout: float) -> None:
    """Until every case's DAG is parsed; fails at once on an import error of one of our files."""
    waiting = {case.dag_id for case in cases}
    deadline = time.monotonic() + timeout
    last_report = 0.0
    while waiting:
        for dag_id in sorted(waiting):
            if airflow.client.get(f"/api/v2/dags/{dag_id}").status_code == 200:
                waiting.discard(dag_id)
        errors = airflow.client.get("/api/v2/importErrors", params={"limit": 100}).json()
        for error in errors.get("import_errors", []):
            raise RuntimeError(f"import error in {error['filename']}:\n{error['stack_trace']}")
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"DAGs not parsed within {timeout:.0f}s: {sorted(waiting)}")
        if time.monotonic() - last_report > PROGRESS_SECONDS:
            last_report = time.monotonic()
            progress(f"waiting for {len(waiting)} DAG(s) to be parsed: {sorted(waiting)}")
        time.sleep(1)
    for case in cases:
        response = airflow.client.patch(f"/api/v2/dags/{case.dag_id}", json={"is_paused": False})
        response.raise_for_status()


def task_count(airflow: AirflowStandalone, case: Case, run_id: str, state: str | None) -> int:
    """Task instances of the run (in ``state``), counted by the API (``total_entries``)."""
    params: dict[str, Any] = {"limit": 1}
    if state:
        params["state"] = state
    response = airflow.client.get(
        f"/api/v2/dags/{case.dag_id}/dagRuns/{run_id}/taskInstances", params=params
    )
    response.raise_for_status()
    return int(response.json()["total_entries"])


def failed_tasks(airflow: AirflowStandalone, case: Case, run_id: str) -> list[str]:
    response = airflow.client.get(
        f"/api/v2/dags/{case.dag_id}/dagRuns/{run_id}/taskInstances",
        params={"limit": 100, "state": ["failed", "upstream_failed"]},
    )
    return [ti["task_id"] for ti in response.json().get("task_instances", [])]


def sink_value(airflow: AirflowStandalone, case: Case, run_id: str) -> Any:
    if case.variant != "hand-written":
        return pickle.loads((case.storage / f"{case.sink_name}.pickle").read_bytes())
    response = airflow.client.get(
        f"/api/v2/dags/{case.dag_id}/dagRuns/{run_id}/taskInstances/{case.sink_name}"
        "/xcomEntries/return_value",
        params={"deserialize": True},
    )
    response.raise_for_status()
    return response.json()["value"]


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run_once(airflow: AirflowStandalone, case: Case, timeout: float) -> tuple[float, float | None,
                                                                            int, str | None]:
    """Trigger ``case``'s DAG and wait: (wall seconds, run seconds, tasks, error or None)."""
    sink_file = case.storage / f"{case.sink_name}.pickle"
    sink_file.unlink(missing_ok=True)  # a stale value must not pass the check
    started = time.perf_counter()
    run_id = airflow.trigger(case.dag_id)
    last_report = time.monotonic()
    while True:
        response = airflow.client.get(f"/api/v2/dags/{case.dag_id}/dagRuns/{run_id}")
        response.raise_for_status()
        run = response.json()
        if run["state"] in ("success", "failed"):
            wall = time.perf_counter() - started
            break
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"run {run_id} of {case.dag_id} not finished in {timeout:.0f}s")
        if time.monotonic() - last_report > PROGRESS_SECONDS:
            last_report = time.monotonic()
            done = task_count(airflow, case, run_id, "success")
            progress(f"  {case.dag_id}: {run['state']}, {done} task(s) succeeded, "
                     f"{time.perf_counter() - started:.0f}s since trigger")
        time.sleep(POLL_SECONDS)
    run_seconds = seconds_between(run.get("start_date"), run.get("end_date"))
    total = task_count(airflow, case, run_id, None)
    succeeded = task_count(airflow, case, run_id, "success")
    if run["state"] != "success":
        failed = failed_tasks(airflow, case, run_id)
        return wall, run_seconds, total, f"run {run_id} {run['state']}; failed tasks: {failed}"
    if succeeded != total or total == 0:
        return wall, run_seconds, total, f"only {succeeded} of {total} tasks succeeded"
    try:
        value = sink_value(airflow, case, run_id)
    except Exception as exc:  # a missing file or XCom is a failed check, reported as such
        return wall, run_seconds, total, f"no stored sink value ({type(exc).__name__}: {exc})"
    if str(value) != str(case.n):
        return wall, run_seconds, total, f"sink {case.sink_name} is {value!r}, expected {case.n}"
    return wall, run_seconds, total, None


def time_case(airflow: AirflowStandalone, case: Case, repeats: int, timeout: float) -> Timing:
    timing = Timing()
    runs: list[tuple[float, float | None]] = []
    for repeat in range(repeats):
        progress(f"triggering {case.dag_id} (run {repeat + 1}/{repeats})")
        wall, run_seconds, tasks, error = run_once(airflow, case, timeout)
        timing.tasks = tasks
        if error:
            timing.error = error
            progress(f"  {case.dag_id} FAILED after {wall:.1f}s: {error}")
            return timing
        progress(f"  {case.dag_id}: success, {tasks} task(s), {wall:.1f}s after trigger "
                 f"(run start->end {run_seconds or 0:.1f}s)")
        runs.append((wall, run_seconds))
        timing.all_walls.append(wall)
    timing.wall, timing.run = min(runs, key=lambda r: r[0])
    return timing


# --- report -----------------------------------------------------------------------------------


def cell(timing: Timing | None, unavailable: str = "not available") -> str:
    if timing is None:
        return unavailable
    if timing.error or timing.wall is None:
        return "FAILED"
    run = f" ({timing.run:.1f})" if timing.run is not None else ""
    return f"{timing.wall:.1f}{run}"


def ratio(top: Timing | None, bottom: Timing | None) -> str:
    if not top or not bottom or top.wall is None or bottom.wall is None or top.error \
            or bottom.error:
        return "-"
    return f"{top.wall / bottom.wall:.3f}"


def print_header(repeats: int, cpus: int, env: dict[str, str]) -> None:
    print(
        f"trigger -> run success, seconds (best of {repeats}; in parentheses the run's own "
        f"start->end); LocalExecutor parallelism {env['AIRFLOW__CORE__PARALLELISM']} "
        f"({cpus} cores)"
    )
    print(
        f"{'shape':<6} {'N':>5} | {'per-asset':>14} {'fused':>14} {'hand @task':>14} "
        f"{'materialize':>11} | {'fused/per-asset':>15} {'per-asset/hand':>14}"
    )


def print_row(shape: str, n: int, results: dict[str, Timing | None]) -> None:
    per_asset, fused, hand = (results[v] for v in VARIANTS)
    materialized = results["materialize"]
    local = "FAILED" if materialized is None or materialized.wall is None \
        else f"{materialized.wall:.2f}"
    print(
        f"{shape:<6} {n:>5} | {cell(per_asset):>14} {cell(fused):>14} {cell(hand):>14} "
        f"{local:>11} | {ratio(fused, per_asset):>15} {ratio(per_asset, hand):>14}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200", help="comma list of asset counts")
    parser.add_argument("--shapes", default="chain,tree", help=f"comma list of {SHAPES}")
    parser.add_argument("--repeats", type=int, default=1, help="runs per DAG (best is printed)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (printed)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1,
                        help="size Airflow for this many cores (sizing())")
    parser.add_argument("--reparse-interval", type=int, default=3600,
                        help="[dag_processor] min_file_process_interval, seconds")
    parser.add_argument("--timeout", type=float, default=3600, help="per run, seconds")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    for shape in shapes:
        if shape not in SHAPES:
            parser.error(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")
    signal.signal(signal.SIGTERM, interrupt)

    root = Path(tempfile.mkdtemp(prefix="asset2airflow-e2e-"))
    os.environ["ASSET2AIRFLOW_HOME"] = str(root / "materialize-home")  # for materialize()
    env = {
        **sizing(args.cpus),
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": str(args.reparse_interval),
    }
    airflow = AirflowStandalone(root / "home", root / "dags", extra_env=env)
    results: dict[tuple[str, int], dict[str, Timing | None]] = {}
    try:
        grid = [(shape, n) for shape in shapes for n in sizes]
        for shape, n in grid:
            progress(f"materialize {shape} {n} in-process")
            timing = time_materialize(shape, n, root, max(3, args.repeats))
            results[(shape, n)] = {"materialize": timing}
        fused = fused_dag_id_format(root)
        cases = [c for shape, n in grid for c in cases_for(shape, n, root, fused)]
        warmup = cases_for("chain", 2, root, fused, label="warmup")
        progress(f"starting airflow standalone (AIRFLOW_HOME={airflow.home})")
        airflow.start()
        write_modules(airflow, warmup + cases)
        progress(f"wrote {len(warmup + cases)} DAG files to {airflow.dags_folder}; waiting for "
                 "parsing")
        wait_for_dags(airflow, warmup + cases, timeout=600)
        progress("all DAGs parsed; warm-up runs (not measured)")
        for case in warmup:  # first task processes compile and cache bytecode, warm the DB
            time_case(airflow, case, 1, args.timeout)
        print_header(args.repeats, args.cpus, {**os.environ, **env})
        for shape, n in grid:
            row = results[(shape, n)]
            for variant in VARIANTS:
                row[variant] = None
                for case in cases:
                    if (case.variant, case.shape, case.n) == (variant, shape, n):
                        row[variant] = time_case(airflow, case, args.repeats, args.timeout)
            print_row(shape, n, row)
        print("targets: fused/per-asset <= 0.1; per-asset/hand-written <= 1.1; materialize "
              "(in-process, no Airflow) for reference")
        if args.json:
            print(json.dumps([
                {"shape": shape, "n": n, **{
                    variant: asdict(timing) if timing else None
                    for variant, timing in row.items()
                }} for (shape, n), row in results.items()
            ]))
    except KeyboardInterrupt:
        progress("interrupted; stopping Airflow")
        sys.exit(130)
    finally:
        airflow.stop()
        if args.keep:
            progress(f"kept {root} (Airflow log: {airflow.log_path})")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
