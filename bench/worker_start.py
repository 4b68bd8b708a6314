"""What an Airflow worker pays to start one task of a dags-folder file holding N generated assets,
before the task's own code runs, measured side by side (each run in a fresh process, best of
--repeats):

- asset2airflow: the ``bench/parse.py`` module (``@asset`` functions + ``build_dags``, one DAG,
  checks on 10% of assets);
- hand-written: the same graph as N plain ``PythonOperator`` tasks in one DAG, same edges, same
  outlets, each calling a function doing the same tiny work.

What is timed is what Airflow's task runner does (``airflow/sdk/execution_time/task_runner.py``,
``startup()`` and ``parse()``), called through the same functions: set the parsing context to the
DAG id and task id (``_airflow_parsing_context_manager``), parse just that file with a
``BundleDagBag(safe_mode=False, load_op_links=False)``, look up ``dag.task_dict[task_id]`` and
walk the DAG's tasks for XCom model classes (``_register_deserialization_allowed_classes``); then
the task's ``execute(context)``. Airflow imported before the clock starts, as in a worker whose
task runner has already started; importing asset2airflow (or the standard provider's
``PythonOperator``) is part of parsing the file, as on a worker.

``execute`` runs with a minimal context (params, a dag_run with ``run_id``/``conf``, Airflow's
own ``OutletEventAccessors``, a ``ti`` whose ``xcom_push`` is a no-op): the runner's template
rendering and API round trips are the same for both files and are left out; our operator's one
extra XCom push (its step results) is a round trip in a real worker that this does not count.
The task executed is the root asset ``a0`` (its user function takes no input: a middle asset
would read its parent through the IO manager, which is empty in a fresh process); ``--task``
picks another task for the parse/lookup columns only. The user functions are trivial, so
``execute`` is the framework's cost up to (and around) the user call.

The breakdown (one more fresh process, asset2airflow only, task ``a0``) splits the parse into:
importing asset2airflow, the module body up to ``Definitions()`` (the ``@asset``/``@asset_check``
decorators), ``Definitions()`` (incl. the asset graph), ``plan_dags``, the DAG and its
tasks (``build_dag``), DagBag's own work after the module ran, then ``execute``: the step lookup
(``CompiledDag.step_for``, incl. planning the steps) and the rest of ``execute``.

Target: asset2airflow <= 1.2x hand-written, 10,000 assets.

    .venv/bin/python bench/worker_start.py [--sizes 1000,10000] [--shapes tree,fanout]
        [--repeats 3] [--task middle|root|leaf]
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

from _parse_shapes import ours, parent_expr

HAND_DAG_ID = "hand_written"


def hand_written(n: int, shape: str) -> str:
    """The same graph as ``PythonOperator`` tasks with the same outlets, edges by ``>>``."""
    return f'''# airflow dag: the same graph as plain Airflow PythonOperator tasks, same outlets
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset


def root():
    return 0


def child():
    return 1


with DAG(dag_id="{HAND_DAG_ID}", schedule=None):
    tasks = []
    for i in range({n}):
        current = PythonOperator(
            task_id=f"a{{i}}",
            python_callable=child if i else root,
            outlets=[Asset(name=f"a{{i}}", uri=f"asset2airflow://a{{i}}")],
        )
        if i:
            tasks[{parent_expr(shape)}] >> current
        tasks.append(current)
'''


MEASURE = r"""
import json, sys, time
from pathlib import Path
from types import SimpleNamespace

path, dag_id, task_id, exec_task_id, breakdown = sys.argv[1:6]
breakdown = breakdown == "1"

import structlog
from airflow.dag_processing.dagbag import BundleDagBag
from airflow.sdk.definitions._internal.dag_parsing_context import _airflow_parsing_context_manager
from airflow.sdk.execution_time.context import OutletEventAccessors
from airflow.sdk.execution_time.task_runner import _register_deserialization_allowed_classes

log = structlog.get_logger()
phases = {}
marks = {}


def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        marks.setdefault(name + ":first", started)
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
    return wrapper


started = time.perf_counter()
if breakdown:
    import asset2airflow.airflow.builder as builder
    import asset2airflow.airflow.compiled as compiled
    import asset2airflow.asset_graph.definitions as definitions
    import asset2airflow.airflow as package

    phases["import asset2airflow"] = time.perf_counter() - started
    definitions.Definitions.__init__ = timed("Definitions()", definitions.Definitions.__init__)
    builder.plan_dags = timed("plan_dags", builder.plan_dags)
    builder.build_dag = timed("DAG + tasks (build_dag)", builder.build_dag)
    compiled.CompiledDag.step_for = timed("step lookup", compiled.CompiledDag.step_for)
    package.build_dags = timed("build_dags", builder.build_dags)
    module_started = time.perf_counter()

with _airflow_parsing_context_manager(dag_id=dag_id, task_id=task_id):
    bag = BundleDagBag(dag_folder=path, safe_mode=False, load_op_links=False,
                       bundle_path=Path(path).parent, bundle_name="bench")
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags[dag_id]
    task = dag.task_dict[task_id]
    _register_deserialization_allowed_classes(dag, log)
parsed = time.perf_counter()
tasks_built = len(dag.tasks)

if exec_task_id != task_id:  # the worker of the executed task parses with its own task id
    with _airflow_parsing_context_manager(dag_id=dag_id, task_id=exec_task_id):
        bag = BundleDagBag(dag_folder=path, safe_mode=False, load_op_links=False,
                           bundle_path=Path(path).parent, bundle_name="bench")
        task = bag.dags[dag_id].task_dict[exec_task_id]

pushed = []
dag_run = SimpleNamespace(run_id="bench", conf={}, dag_id=dag_id, run_type="manual",
                          partition_key=None)
context = {
    "params": {},
    "dag_run": dag_run,
    "run_id": "bench",
    "ti": SimpleNamespace(xcom_push=lambda key, value: pushed.append(key)),
    "outlet_events": OutletEventAccessors(),
    "inlet_events": None,
    "task": task,
}
execute_started = time.perf_counter()
task.execute(context)
done = time.perf_counter()

result = {"parse": parsed - started, "execute": done - execute_started, "tasks": tasks_built}
if breakdown:
    definitions_started = marks["Definitions():first"]
    in_build = phases["build_dags"]
    result["breakdown"] = {
        "import asset2airflow": phases["import asset2airflow"],
        "module body (@asset decorators)": definitions_started - module_started,
        "Definitions()": phases.get("Definitions()", 0.0),
        "plan_dags": phases.get("plan_dags", 0.0),
        "DAG + tasks (build_dag)": phases.get("DAG + tasks (build_dag)", 0.0),
        "rest of build_dags": in_build - phases.get("plan_dags", 0.0)
        - phases.get("DAG + tasks (build_dag)", 0.0),
        "DagBag after the module": parsed - marks["build_dags:first"] - in_build,
        "step lookup (in execute)": phases.get("step lookup", 0.0),
        "rest of execute": done - execute_started - phases.get("step lookup", 0.0),
    }
print(json.dumps(result))
"""


def run_once(
    path: Path, home: Path, dag_id: str, task_id: str, exec_task_id: str, breakdown: bool = False
) -> dict[str, object]:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(path.parent),
        "ASSET2AIRFLOW_HOME": str(home / "a2a"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
        # Bytecode cached, as on an installed worker (an editable install compiled from source
        # in every process would add ~0.2 s to our column only).
        "PYTHONDONTWRITEBYTECODE": "",
    }
    command = [
        sys.executable,
        "-c",
        MEASURE,
        str(path),
        dag_id,
        task_id,
        exec_task_id,
        "1" if breakdown else "0",
    ]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def pick_task(n: int, which: str) -> str:
    return {"root": "a0", "middle": f"a{n // 2}", "leaf": f"a{n - 1}"}[which]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--shapes", default="tree,fanout")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--task",
        choices=("root", "middle", "leaf"),
        default="middle",
        help="the task whose worker start is timed (execute always runs a0)",
    )
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"Worker start of one task (task {args.task!r}; execute of a0), seconds, best of "
        f"{args.repeats} fresh processes"
    )
    print(
        f"{'shape':<7} {'N':>6} | {'ours parse':>10} {'exec':>6} {'total':>6} {'tasks':>6} | "
        f"{'hand parse':>10} {'exec':>6} {'total':>6} | {'ours/hand':>9}"
    )
    breakdowns: list[tuple[str, int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        dags = home / "dags"
        dags.mkdir()
        for shape in args.shapes.split(","):
            for n in sizes:
                task_id = pick_task(n, args.task)
                ours_path = dags / f"ours_{shape}_{n}.py"
                ours_path.write_text(ours(n, shape))
                hand_path = dags / f"hand_{shape}_{n}.py"
                hand_path.write_text(hand_written(n, shape))
                ours_dag = f"{ours_path.stem}.default"  # ungrouped assets: <module>.default
                rows = {}
                for label, path, dag_id in (
                    ("ours", ours_path, ours_dag),
                    ("hand", hand_path, HAND_DAG_ID),
                ):
                    runs = [
                        run_once(path, home, dag_id, task_id, "a0") for _ in range(args.repeats)
                    ]
                    rows[label] = {
                        "parse": min(float(str(r["parse"])) for r in runs),
                        "execute": min(float(str(r["execute"])) for r in runs),
                        "tasks": runs[0]["tasks"],
                    }
                ours_total = rows["ours"]["parse"] + rows["ours"]["execute"]
                hand_total = rows["hand"]["parse"] + rows["hand"]["execute"]
                print(
                    f"{shape:<7} {n:>6} | {rows['ours']['parse']:>10.2f} "
                    f"{rows['ours']['execute']:>6.3f} {ours_total:>6.2f} "
                    f"{rows['ours']['tasks']:>6} | {rows['hand']['parse']:>10.2f} "
                    f"{rows['hand']['execute']:>6.3f} {hand_total:>6.2f} | "
                    f"{ours_total / hand_total:>9.2f}",
                    flush=True,
                )
                if not args.no_breakdown:
                    result = run_once(ours_path, home, ours_dag, "a0", "a0", True)
                    breakdown = result["breakdown"]
                    assert isinstance(breakdown, dict)
                    breakdowns.append((shape, n, breakdown))
    print("target: asset2airflow <= 1.2x hand-written (total = parse + execute)")
    if breakdowns:
        print("\nasset2airflow breakdown, seconds (one run each, task a0 parsed and executed)")
        names = list(breakdowns[0][2])
        header = " ".join(f"{shape + ' ' + str(n):>12}" for shape, n, _ in breakdowns)
        print(f"{'phase':<33} {header}")
        for name in names:
            cells = " ".join(f"{b[name]:>12.3f}" for _, _, b in breakdowns)
            print(f"{name:<33} {cells}")


if __name__ == "__main__":
    main()
