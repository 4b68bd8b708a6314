"""Benchmark of the Airflow plugin (``asset2airflow.plugin``) on a large Airflow metadata DB.

Builds a throwaway AIRFLOW_HOME (SQLite) holding:
- 2,000 assets in 20 groups (20 DAGs; a tree inside each group, groups linked in a tree),
  a check on every 10th asset, parsed and serialized by Airflow (``airflow dags reserialize``);
- 20 runs of every DAG: 40,000 task instances, 40,000 asset events with metadata, 4,000 step
  reports in XCom (the checks), some failures;
- one hourly-partitioned asset with 50,000 partitions: 50,000 partitioned runs, events for 99%
  of them, failures and failed checks for the rest.

Runs and events are inserted directly into Airflow's tables (running 90,000 tasks would take
hours); the DAGs, assets and references come from Airflow's own parsing. Then it times the
JSON API through Airflow's api-server app (median of 5 warm calls, plus the first call, which
computes the layout) and, in headless Chromium, how long the lineage page takes from navigation
until the graph is drawn, how long one redraw takes while zooming, and the partition grid.

    .venv/bin/python bench/plugin.py [--assets 2000] [--events 20] [--partitions 50000]
                                     [--no-browser] [--screenshot docs/plugin-lineage-2000.png]
                                     [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the browser comes from the repository's harness (tests/harness)

GROUPS = 20
CHECK_EVERY = 10

DAGS_FILE = """
from asset2airflow import (AssetCheckResult, AssetIn, Definitions, HourlyPartitionsDefinition,
                           MaterializeResult, asset, asset_check)
from asset2airflow.airflow import build_dags

N, GROUPS, CHECK_EVERY = {n}, {groups}, {check_every}
PER = N // GROUPS
hours = HourlyPartitionsDefinition(start_date={start!r})


def _root():
    return MaterializeResult(value=1, metadata={{"rows": 1}})


def _child(parent):
    return MaterializeResult(value=1, metadata={{"rows": 1}})


def _asset(i, parent):
    group = f"bench_group_{{i // PER:02d}}"
    ins = {{"parent": AssetIn(parent)}} if parent else None
    return asset(name=f"bench_asset_{{i:04d}}", group_name=group, ins=ins, kinds={{"python"}},
                 description=f"Benchmark asset {{i}} of group {{group}}.")(
        _child if parent else _root)


def _parent(i):
    group, j = divmod(i, PER)
    if j:
        return f"bench_asset_{{group * PER + (j - 1) // 2:04d}}"
    if group:
        return f"bench_asset_{{(group - 1) // 2 * PER + 1:04d}}"
    return None


def _check(target, i):
    def check():
        return AssetCheckResult(passed=True)

    check.__name__ = f"bench_check_{{i:04d}}"
    return asset_check(asset=target, name=check.__name__, blocking=i % 20 == 0)(check)


assets = [_asset(i, _parent(i)) for i in range(N)]
checks = [_check(assets[i], i) for i in range(0, N, CHECK_EVERY)]


@asset(group_name="bench_hourly", partitions_def=hours)
def bench_hourly_events() -> int:
    return 1


build_dags(Definitions(assets=[*assets, bench_hourly_events], asset_checks=checks))
"""


def setup_home(home: Path, n: int, partitions: int) -> None:
    (home / "dags").mkdir(parents=True)
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    start = (now - dt.timedelta(hours=partitions)).strftime("%Y-%m-%d-%H:%M")
    source = DAGS_FILE.format(n=n, groups=GROUPS, check_every=CHECK_EVERY, start=start)
    (home / "dags" / "bench_plugin_dags.py").write_text(textwrap.dedent(source))
    for command in (["db", "migrate"], ["dags", "reserialize"]):
        subprocess.run(
            [sys.executable, "-m", "airflow", *command],
            check=True,
            capture_output=True,
            timeout=1800,
        )


def insert_history(events_per_asset: int) -> dict[str, Any]:
    """Runs, task instances, asset events and step reports, straight into Airflow's tables."""
    from airflow.models.asset import AssetEvent, AssetModel, TaskOutletAssetReference
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import insert, select

    started = time.perf_counter()
    with create_session() as session:
        outlets = session.execute(
            select(
                TaskOutletAssetReference.dag_id,
                TaskOutletAssetReference.task_id,
                AssetModel.id,
                AssetModel.name,
            ).join(AssetModel, AssetModel.id == TaskOutletAssetReference.asset_id)
        ).all()
        by_dag: dict[str, list[tuple[str, int, str]]] = {}
        for dag_id, task_id, asset_id, name in outlets:
            by_dag.setdefault(dag_id, []).append((task_id, asset_id, name))
        base = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
        counts = {"runs": 0, "task_instances": 0, "events": 0, "xcoms": 0}
        for dag_id, tasks in sorted(by_dag.items()):
            hourly = dag_id == "bench_hourly"
            keys = _hourly_keys() if hourly else []
            total = len(keys) if hourly else events_per_asset
            runs = [
                {
                    "dag_id": dag_id,
                    "run_id": f"bench__{r:06d}",
                    "run_type": "manual",
                    "state": "success",
                    "run_after": base + dt.timedelta(minutes=r),
                    "start_date": base + dt.timedelta(minutes=r),
                    "end_date": base + dt.timedelta(minutes=r, seconds=30),
                    "conf": {},
                    "partition_key": keys[r] if hourly else None,
                    "clear_number": 0,
                }
                for r in range(total)
            ]
            session.execute(insert(DagRun.__table__), runs)
            run_ids = dict(
                session.execute(
                    select(DagRun.run_id, DagRun.id).where(DagRun.dag_id == dag_id)
                ).all()
            )
            tis, events, xcoms = [], [], []
            for r, run in enumerate(runs):
                for task_id, asset_id, name in tasks:
                    number = int(name.rsplit("_", 1)[-1]) if not hourly else r
                    failed = (hourly and r % 100 == 7) or (
                        not hourly and r == total - 1 and number % 97 == 0
                    )
                    check_failed = hourly and r % 100 == 13
                    end = run["end_date"]
                    tis.append(
                        {
                            "id": uuid.uuid4(),
                            "task_id": task_id,
                            "dag_id": dag_id,
                            "run_id": run["run_id"],
                            "map_index": -1,
                            "state": "failed" if failed or check_failed else "success",
                            "try_number": 1,
                            "max_tries": 0,
                            "pool": "default_pool",
                            "pool_slots": 1,
                            "start_date": run["start_date"],
                            "end_date": end,
                            "operator": "AssetStepOperator",
                        }
                    )
                    has_check = not hourly and number % CHECK_EVERY == 0
                    check = {
                        "asset": name,
                        "name": f"bench_check_{number:04d}",
                        "passed": not (has_check and number % 200 == 0 and r == total - 1),
                        "severity": "ERROR",
                        "blocking": number % 20 == 0,
                        "description": None,
                        "metadata": {"rows": {"type": "int", "value": 1}},
                    }
                    if hourly:
                        check = {
                            **check,
                            "name": "bench_hourly_complete",
                            "passed": not check_failed,
                        }
                    checks = [check] if has_check or check_failed else []
                    extra = {
                        "metadata": {
                            "rows": {"type": "int", "value": r},
                            "preview": {
                                "type": "md",
                                "value": f"| run | rows |\n|---|---|\n| {r} | {r} |",
                            },
                        },
                        "checks": checks,
                        "partition": run["partition_key"],
                    }
                    if not failed and not check_failed:
                        events.append(
                            {
                                "asset_id": asset_id,
                                "extra": extra,
                                "source_task_id": task_id,
                                "source_dag_id": dag_id,
                                "source_run_id": run["run_id"],
                                "source_map_index": -1,
                                "timestamp": end,
                                "partition_key": run["partition_key"],
                            }
                        )
                    if checks:
                        xcoms.append(
                            {
                                "dag_run_id": run_ids[run["run_id"]],
                                "task_id": task_id,
                                "map_index": -1,
                                "key": "asset2airflow",
                                "dag_id": dag_id,
                                "run_id": run["run_id"],
                                "value": {
                                    "step": task_id,
                                    "materializations": {name: extra},
                                    "checks": checks,
                                    "error": None,
                                    "duration_seconds": 0.01,
                                },
                                "timestamp": end,
                            }
                        )
            session.execute(insert(TaskInstance.__table__), tis)
            if events:
                session.execute(insert(AssetEvent.__table__), events)
            if xcoms:
                session.execute(insert(XComModel.__table__), xcoms)
            counts["runs"] += len(runs)
            counts["task_instances"] += len(tis)
            counts["events"] += len(events)
            counts["xcoms"] += len(xcoms)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _hourly_keys() -> list[str]:
    from airflow.utils.session import create_session

    from asset2airflow.airflow.record import partitions_from_json
    from asset2airflow.plugin.catalog import load_catalog

    with create_session() as session:
        catalog = load_catalog(session)
    [node] = [a for a in catalog.assets.values() if a.name == "bench_hourly_events"]
    assert node.doc is not None
    definition = partitions_from_json(node.doc.partitions)
    assert definition is not None
    return definition.get_partition_keys()


def time_api(client: Any, headers: dict[str, str], path: str, repeat: int = 5) -> dict[str, Any]:
    """Wall and CPU time of a call (the app runs in this process: CPU time is the work done,
    whatever else the machine is busy with)."""
    wall, cpu = [], []
    size = 0
    for _ in range(repeat + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (path, response.text[:300])
        size = len(response.content)
    return {
        "first_ms": wall[0],
        "median_ms": statistics.median(wall[1:]),
        "cpu_ms": statistics.median(cpu[1:]),
        "bytes": size,
    }


def serve(app: Any) -> tuple[str, Any]:
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def time_browser(url: str, token: str, hourly_id: int, screenshot: str | None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from tests.harness.browser import launch_chromium

    results: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.add_cookies([{"name": "_token", "value": token, "url": url}])
        page = context.new_page()
        drawn = []
        for _ in range(3):
            page.goto(f"{url}/asset2airflow/lineage")
            page.wait_for_selector("body[data-graph-drawn]", timeout=60000)
            drawn.append(
                page.evaluate("performance.getEntriesByName('a2a-graph-drawn')[0].startTime")
            )
        results["graph_drawn_ms"] = statistics.median(drawn)
        results["graph_drawn_first_ms"] = drawn[0]
        box = page.locator("canvas.graph").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        frames = page.evaluate(
            """async () => {
                const times = [];
                const canvas = document.querySelector('canvas.graph');
                for (let i = 0; i < 60; i++) {
                    const rect = canvas.getBoundingClientRect();
                    canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: i < 30 ? -60 : 60,
                        clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2,
                        bubbles: true, cancelable: true}));
                    const t0 = performance.now();
                    await new Promise(r => requestAnimationFrame(() => r()));
                    times.push(window.A2ALineage.lastDrawMs);
                }
                return times;
            }"""
        )
        results["redraw_median_ms"] = statistics.median(frames)
        results["redraw_max_ms"] = max(frames)
        if screenshot:
            page.goto(f"{url}/asset2airflow/lineage")
            page.wait_for_selector("body[data-graph-drawn]")
            page.screenshot(path=screenshot)
        grid = []
        for _ in range(3):
            page.goto(f"{url}/asset2airflow/assets/{hourly_id}")
            page.wait_for_selector(".partitions[data-partitions]", timeout=60000)
            grid.append(
                page.evaluate("performance.getEntriesByName('a2a-grid-drawn')[0].startTime")
            )
        results["grid_drawn_ms"] = statistics.median(grid)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20, help="runs (and events) per asset")
    parser.add_argument("--partitions", type=int, default=50000)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--screenshot", help="save the 2,000-asset lineage page here")
    parser.add_argument("--keep", action="store_true", help="keep the AIRFLOW_HOME it built")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="asset2airflow-bench-plugin-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__API_AUTH__JWT_SECRET": "bench-" + "x" * 64,
            "ASSET2AIRFLOW_HOME": str(home / "asset2airflow"),
        }
    )
    print(f"AIRFLOW_HOME={home}", flush=True)
    started = time.perf_counter()
    setup_home(home, args.assets, args.partitions)
    print(f"parsed and serialized the DAGs in {time.perf_counter() - started:.0f} s", flush=True)
    counts = insert_history(args.events)
    print(f"inserted {counts}", flush=True)

    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    app = create_app(apps="core")
    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
    headers = {"Authorization": f"Bearer {token}"}
    client = TestClient(app)
    lineage = client.get("/asset2airflow/api/lineage", headers=headers).json()
    ids = {a["name"]: a["id"] for a in lineage["assets"]}
    from asset2airflow.plugin import lineage as lineage_module

    lineage_module._LAYOUTS.clear()  # the first timed call lays the graph out again
    hourly, some = ids["bench_hourly_events"], ids["bench_asset_0100"]
    api = "/asset2airflow/api"
    graph = f"lineage ({len(lineage['assets'])} assets, {len(lineage['edges'])} edges)"
    paths = {
        graph: f"{api}/lineage",
        "checks (200 checks)": f"{api}/checks",
        "asset page": f"{api}/assets/{some}",
        "asset materializations (20)": f"{api}/assets/{some}/materializations",
        "check history": f"{api}/assets/{some}/checks/bench_check_0100",
        f"partition grid ({args.partitions:,} partitions)": f"{api}/assets/{hourly}/partitions",
        "DAG assets tab (100 assets)": f"{api}/dags/bench_group_05/assets",
    }
    print(f"\n{'API call':<44} {'first ms':>9} {'median ms':>10} {'CPU ms':>7} {'KB':>6}")
    for label, path in paths.items():
        found = time_api(client, headers, path)
        print(
            f"{label:<44} {found['first_ms']:>9.0f} {found['median_ms']:>10.0f} "
            f"{found['cpu_ms']:>7.0f} {found['bytes'] / 1024:>6.0f}"
        )
    if not args.no_browser:
        url, server = serve(app)
        try:
            found = time_browser(url, str(token), hourly, args.screenshot)
        finally:
            server.should_exit = True
        print("\nChromium (headless, median of 3 loads)")
        print(
            f"  lineage page: graph drawn {found['graph_drawn_ms']:.0f} ms after navigation "
            f"(first load {found['graph_drawn_first_ms']:.0f} ms)"
        )
        print(
            f"  zooming: one redraw {found['redraw_median_ms']:.1f} ms median, "
            f"{found['redraw_max_ms']:.1f} ms max"
        )
        print(f"  partition grid page: grid drawn {found['grid_drawn_ms']:.0f} ms after navigation")
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
