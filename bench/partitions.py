"""Cost of time-window partitions, asset2airflow side by side with Dagster in one run. Each
number is the median (and the best) over --repeats fresh processes, the variants interleaved
so that load from other processes hits them alike:

1. ``HourlyPartitionsDefinition(start_date, end_date).get_partition_keys()`` on 100,000 hourly
   partitions: the first call on a new definition, and a repeated call on the same one.
   Target: first call under 0.2 s.
2. A module of 20 assets (a tree: chains and fans) sharing one ``HourlyPartitionsDefinition``
   of 50,000 hours, against the same module without ``partitions_def``; in one group (one DAG,
   ``CronPartitionTimetable``) and in 4 groups (4 DAGs, the downstream three scheduled by
   ``PartitionedAssetTimetable``). Measured: Airflow's ``DagBag`` parse of the file, and the
   part of it after the imports (assets, ``Definitions``, ``build_dags``); for Dagster the
   same module's ``Definitions`` load (assets, ``Definitions``, ``get_repository_def()``).
   Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX, after one warm-up parse per file),
   as in a deployed Airflow. Target: partitioning adds under 10 % to the parse (judged on the
   best-of, as in ``bench/parse.py``: other processes' load only ever adds time).

Dagster runs in its own interpreter (``--dagster-python``, e.g. ``.venv-dagster/bin/python``
from ``make .venv-dagster/.installed``); without it the Dagster columns are skipped. About 90 s
on 2 cores with Dagster, 40 s without.

    .venv/bin/python bench/partitions.py [--repeats 5] [--dagster-python PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _partitioned_module import PARTITION_HOURS, module_source

KEYS = 100_000
KEYS_START = dt.datetime(2010, 1, 1)
KEYS_END = KEYS_START + dt.timedelta(hours=KEYS)  # exclusive: the last window ends here
KEY_FORMAT = "%Y-%m-%d-%H:%M"
ASSETS = 20
GROUPS = (1, 4)
TARGET_KEYS_SECONDS = 0.2
TARGET_OVERHEAD = 0.10


# --- measurements, each run in a fresh process --------------------------------------------


def measure_keys(api_name: str, repeats: int) -> dict[str, Any]:
    """``get_partition_keys`` on a new definition (first call), then ``repeats`` more calls."""
    api = __import__(api_name)
    definition = api.HourlyPartitionsDefinition(
        start_date=KEYS_START.strftime(KEY_FORMAT), end_date=KEYS_END.strftime(KEY_FORMAT)
    )
    started = time.perf_counter()
    keys = definition.get_partition_keys()
    first = time.perf_counter() - started
    again = []
    for _ in range(repeats):
        started = time.perf_counter()
        same = definition.get_partition_keys()
        again.append(time.perf_counter() - started)
        assert same == keys
    return {
        "first": first,
        "repeated": statistics.median(again),
        "count": len(keys),
        "span": f"{keys[0]} .. {keys[-1]}",
    }


def _module_globals(path: str) -> dict[str, Any]:
    """The namespace of the module DagBag imported from ``path`` (it stays in sys.modules)."""
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if namespace is not None and namespace.get("__file__") == path:
            return dict(namespace)
    raise LookupError(f"DagBag did not import {path}")


def _check_keys(namespace: dict[str, Any], check: bool) -> None:
    """After the timing: the shared definition really has ``PARTITION_HOURS`` keys."""
    if check and namespace["PARTITIONS"] is not None:
        count = len(namespace["PARTITIONS"].get_partition_keys())
        assert count == PARTITION_HOURS, count


def measure_dagbag(path: str, count_keys: bool) -> dict[str, Any]:
    """Airflow's DagBag parse of one file (Airflow itself imported first, untimed)."""
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(dag_folder=path)
    parse = time.perf_counter() - started
    assert not bag.import_errors, bag.import_errors
    namespace = _module_globals(path)
    result = {
        "parse": parse,
        "build": namespace["BENCH_SECONDS"],
        "dags": {d.dag_id: type(d.timetable).__name__ for d in bag.dags.values()},
        "tasks": sum(len(d.tasks) for d in bag.dags.values()),
    }
    _check_keys(namespace, count_keys)
    return result


def measure_dagster_defs(path: str, count_keys: bool) -> dict[str, Any]:
    """Dagster's load of the same module (dagster imported first, untimed)."""
    import runpy

    import dagster  # noqa: F401

    started = time.perf_counter()
    namespace = runpy.run_path(path)
    load = time.perf_counter() - started
    _check_keys(namespace, count_keys)
    return {"load": load, "build": namespace["BENCH_SECONDS"]}


# --- driver -------------------------------------------------------------------------------


def run(python: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run([python, __file__, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{python} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def stats(runs: list[dict[str, Any]], field: str) -> tuple[float, float]:
    """(median, best) of one field over the runs."""
    values = [r[field] for r in runs]
    return statistics.median(values), min(values)


def cells(pair: tuple[float, float] | None) -> str:
    if pair is None:
        return f"{'skipped':>8} {'':>8}"
    return f"{pair[0]:>8.4f} {pair[1]:>8.4f}"


def bench_keys(args: argparse.Namespace, env: dict[str, str]) -> None:
    sides = [("asset2airflow", sys.executable)]
    if args.dagster_python:
        sides.append(("dagster", args.dagster_python))
    runs: dict[str, list[dict[str, Any]]] = {api: [] for api, _ in sides}
    for _ in range(args.repeats):  # interleaved, so load from elsewhere hits both alike
        for api, python in sides:
            runs[api].append(run(python, "--measure-keys", api, str(args.call_repeats), env=env))
    print(
        f"1. HourlyPartitionsDefinition(start_date={KEYS_START.strftime(KEY_FORMAT)!r}, "
        f"end_date={KEYS_END.strftime(KEY_FORMAT)!r}).get_partition_keys()"
    )
    for api, results in runs.items():
        print(f"   {api + ':':<14} {results[0]['count']:,} keys, {results[0]['span']}")
    print(
        f"   seconds over {args.repeats} fresh processes; 'repeated' is the median of "
        f"{args.call_repeats} more calls on the same definition"
    )
    print(f"   {'':<14} {'asset2airflow':>17}  {'dagster':>17}  {'ours/dagster':>12}")
    print(
        f"   {'call':<14} {'median':>8} {'best':>8}  {'median':>8} {'best':>8}  {'(medians)':>12}"
    )
    for field, label in (("first", "first (cold)"), ("repeated", "repeated")):
        mine = stats(runs["asset2airflow"], field)
        other = stats(runs["dagster"], field) if "dagster" in runs else None
        ratio = f"{mine[0] / other[0]:>12.4f}" if other else ""
        print(f"   {label:<14} {cells(mine)}  {cells(other)}  {ratio}".rstrip())
    first = stats(runs["asset2airflow"], "first")[0]
    verdict = "met" if first < TARGET_KEYS_SECONDS else "MISSED"
    print(f"   target: first call < {TARGET_KEYS_SECONDS} s (median): {verdict}")


def bench_modules(args: argparse.Namespace, home: Path, env: dict[str, str]) -> None:
    print()
    print(
        f"2. {ASSETS} assets sharing HourlyPartitionsDefinition ({PARTITION_HOURS:,} hours) "
        "vs the same module without partitions_def"
    )
    print(
        f"   seconds over {args.repeats} fresh processes each, after one warm-up that caches "
        "the bytecode; overhead = partitioned / unpartitioned - 1"
    )
    print(f"   {'':>6}  {'':<46} {'unpartitioned':>17}  {'partitioned':>17}  {'overhead':>15}")
    print(
        f"   {'groups':>6}  {'measure':<46} {'median':>8} {'best':>8}  {'median':>8} {'best':>8}"
        f"  {'median':>7} {'best':>7}"
    )
    sides = [("asset2airflow", sys.executable, "--measure-dagbag")]
    if args.dagster_python:
        sides.append(("dagster", args.dagster_python, "--measure-dagster-defs"))
    parse_overheads: list[tuple[float, float]] = []
    for groups in GROUPS:
        paths: dict[tuple[str, bool], Path] = {}
        for api, python, mode in sides:
            for partitioned in (False, True):
                path = home / api / f"{'partitioned' if partitioned else 'plain'}_{groups}.py"
                path.parent.mkdir(exist_ok=True)
                path.write_text(
                    module_source(api, assets=ASSETS, groups=groups, partitioned=partitioned)
                )
                paths[api, partitioned] = path
                run(python, mode, str(path), "True", env=env)  # warm-up; checks the key count
        # Interleaved, so load from elsewhere on the machine hits both variants alike.
        runs: dict[tuple[str, bool], list[dict[str, Any]]] = {key: [] for key in paths}
        for _ in range(args.repeats):
            for api, python, mode in sides:
                for partitioned in (False, True):
                    path = paths[api, partitioned]
                    runs[api, partitioned].append(run(python, mode, str(path), "False", env=env))
        rows = [
            ("asset2airflow DagBag parse (whole file)", "asset2airflow", "parse"),
            ("asset2airflow assets+Definitions+build_dags", "asset2airflow", "build"),
            ("dagster assets+Definitions+get_repository_def", "dagster", "load"),
        ]
        for name, api, field in rows:
            if (api, False) not in runs:
                print(f"   {groups:>6}  {name:<46} {cells(None)}  {cells(None)}".rstrip())
                continue
            plain = stats(runs[api, False], field)
            part = stats(runs[api, True], field)
            change = ((part[0] - plain[0]) / plain[0], (part[1] - plain[1]) / plain[1])
            if field == "parse":
                parse_overheads.append(change)
            print(
                f"   {groups:>6}  {name:<46} {cells(plain)}  {cells(part)}  "
                f"{change[0]:>+7.1%} {change[1]:>+7.1%}"
            )
        dags = runs["asset2airflow", True][0]["dags"]
        tables = ", ".join(f"{d}: {t}" for d, t in sorted(dags.items()))
        print(f"   {'':>6}  partitioned DAGs: {tables}")
    worst_best = max(best for _, best in parse_overheads)
    worst_median = max(median for median, _ in parse_overheads)
    verdict = "met" if worst_best < TARGET_OVERHEAD else "MISSED"
    print(
        f"   target: partitioning adds < {TARGET_OVERHEAD:.0%} to the DagBag parse: {verdict} "
        f"(worst best-of {worst_best:+.1%}, worst median {worst_median:+.1%}; best-of as in "
        "bench/parse.py, since load from other processes only ever adds time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per number")
    parser.add_argument(
        "--call-repeats", type=int, default=2, help="repeated get_partition_keys calls per process"
    )
    parser.add_argument("--dagster-python", help="a python with dagster installed")
    parser.add_argument("--measure-keys", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure-dagbag", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure-dagster-defs", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_keys:
        print(json.dumps(measure_keys(args.measure_keys[0], int(args.measure_keys[1]))))
        return
    if args.measure_dagbag:
        path, count = args.measure_dagbag
        print(json.dumps(measure_dagbag(path, count == "True")))
        return
    if args.measure_dagster_defs:
        path, count = args.measure_dagster_defs
        print(json.dumps(measure_dagster_defs(path, count == "True")))
        return
    started = time.perf_counter()
    print(f"machine: nproc {len(os.sched_getaffinity(0))}, Python {sys.version.split()[0]}")
    if not args.dagster_python:
        print(
            "dagster: skipped (pass --dagster-python .venv-dagster/bin/python to measure it "
            "side by side)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "dagster").mkdir()
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            {
                # Bytecode is cached (as in a deployed Airflow), outside the source trees.
                "PYTHONPYCACHEPREFIX": str(home / "pycache"),
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
                "ASSET2AIRFLOW_HOME": str(home / "a2a"),
                "DAGSTER_HOME": str(home / "dagster"),
            }
        )
        bench_keys(args, env)
        bench_modules(args, home, env)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
