"""DagBag parse time of one dags-folder file holding N generated assets, three ways, measured
side by side in one run (each parse in a fresh process, best of --repeats):

- asset2airflow: ``@asset`` functions + ``build_dags`` (one DAG, checks on 10% of assets);
- hand-written: the same graph as plain Airflow ``@task``s with the same outlets (one DAG);
- Airflow's own ``@asset`` (one DAG per asset).

Targets: asset2airflow <= 1.2x hand-written; 10,000 assets under 5 s.

    .venv/bin/python bench/parse.py [--sizes 1000,5000,10000] [--shapes tree,fanout] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _parse_shapes import WRITERS

MEASURE = """
import json, sys, time
started = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
imported = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
done = time.perf_counter()
assert not bag.import_errors, bag.import_errors
print(json.dumps({"seconds": done - imported, "dags": len(bag.dags),
                  "tasks": sum(len(d.tasks) for d in bag.dags.values())}))
"""


def parse_once(path: Path, home: Path) -> dict[str, float]:
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "ASSET2AIRFLOW_HOME": str(home / "a2a"), "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
           # Bytecode cached, as in an installed Airflow (else only our column, an editable
           # install, pays for compiling itself in every process).
           "PYTHONDONTWRITEBYTECODE": ""}
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], env=env, check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--shapes", default="tree,fanout")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("DagBag parse time, seconds (best of", args.repeats, "fresh processes)")
    print(f"{'shape':<7} {'N':>6} | {'asset2airflow':>13} {'hand @task':>10} {'af @asset':>10} | "
          f"{'ours/hand':>9} {'ours/@asset':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for shape in args.shapes.split(","):
            for n in sizes:
                best: dict[str, float] = {}
                for label, writer in WRITERS.items():
                    path = home / f"{label.split()[0].replace('-', '_')}_{shape}_{n}.py"
                    path.write_text(writer(n, shape))
                    runs = [parse_once(path, home) for _ in range(args.repeats)]
                    best[label] = min(r["seconds"] for r in runs)
                ours, hand, native = (best[k] for k in WRITERS)
                print(f"{shape:<7} {n:>6} | {ours:>13.2f} {hand:>10.2f} {native:>10.2f} | "
                      f"{ours / hand:>9.2f} {ours / native:>11.2f}", flush=True)
    print("targets: asset2airflow <= 1.2x hand-written; 10,000 assets < 5 s")


if __name__ == "__main__":
    main()
