"""Time to materialize a generated N-asset tree in-process with the in-memory IO manager.

Prints asset2airflow's total and per-asset time, and the ratio to Dagster on the same shape:
measured in this run when a Python with Dagster installed is given (``--dagster-python``; see
``make bench-dagster``), otherwise against the recorded baseline (Dagster 1.13: about 8.7 ms per
asset on this 2-core machine). Target: under 0.4 ms per asset.

    .venv/bin/python bench/local_materialize.py [--assets 1000] [--dagster-python PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tree import build_tree, plain_python_seconds

RECORDED_DAGSTER_MS_PER_ASSET = 8.7
TARGET_MS_PER_ASSET = 0.4


def time_asset2airflow(n: int, repeats: int) -> list[float]:
    import asset2airflow as a2a

    assets = build_tree(a2a, n)
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = a2a.materialize(assets, resources={"io_manager": a2a.InMemoryIOManager()})
        runs.append(time.perf_counter() - started)
        assert result.success and result.output_for_node(f"a{n - 1}") >= 1
    return runs


def time_dagster(n: int) -> float:
    """Run inside the Dagster interpreter (``--measure-dagster``): one timed materialize."""
    import dagster

    assets = build_tree(dagster, n)
    started = time.perf_counter()
    result = dagster.materialize(assets, resources={"io_manager": dagster.InMemoryIOManager()})
    elapsed = time.perf_counter() - started
    assert result.success
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dagster-python", help="a python with dagster installed")
    parser.add_argument("--measure-dagster", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.assets
    if args.measure_dagster:
        print(json.dumps({"seconds": time_dagster(n)}))
        return
    runs = time_asset2airflow(n, args.repeats)
    best, median = min(runs), statistics.median(runs)
    overhead = (best - plain_python_seconds(n)) / n * 1000
    ms_per_asset = best / n * 1000
    print(f"assets: {n} (binary tree, in-memory IO manager), {args.repeats} runs")
    print(
        f"asset2airflow: best {best:.3f} s, median {median:.3f} s, "
        f"{ms_per_asset:.3f} ms/asset, overhead {overhead:.3f} ms/asset "
        f"(target < {TARGET_MS_PER_ASSET} ms)"
    )
    if args.dagster_python:
        out = subprocess.run(
            [args.dagster_python, __file__, "--assets", str(n), "--measure-dagster"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        dagster_ms = json.loads(out.strip().splitlines()[-1])["seconds"] / n * 1000
        source = "measured in this run"
    else:
        dagster_ms = RECORDED_DAGSTER_MS_PER_ASSET
        source = "recorded baseline; pass --dagster-python to measure"
    print(f"dagster: {dagster_ms:.3f} ms/asset ({source})")
    print(
        f"ratio asset2airflow/dagster: {ms_per_asset / dagster_ms:.3f} "
        f"(dagster is {dagster_ms / ms_per_asset:.1f}x slower)"
    )


if __name__ == "__main__":
    main()
