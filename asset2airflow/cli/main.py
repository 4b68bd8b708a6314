"""``asset2airflow`` command line: list, validate and materialize a code location; backfill a
DAG in a running Airflow and show what each asset of a run did."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asset2airflow.authoring.jobs import EXECUTION_CHOICES
from asset2airflow.errors import Asset2AirflowError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asset2airflow",
        description="Work with asset definitions: list them, validate them, materialize them.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list assets, groups, checks and dependencies")
    listing.add_argument("location", help="a .py file or a dotted module name")
    listing.add_argument("--json", action="store_true", help="print JSON")
    validate = sub.add_parser(
        "validate",
        help="load the definitions (a file, module or a whole dags folder), plan their DAGs and "
        "report every error, including one DAG id made by two files",
    )
    validate.add_argument("location")
    run = sub.add_parser("materialize", help="materialize assets in this process")
    run.add_argument("location")
    run.add_argument(
        "--select",
        action="append",
        default=[],
        help="asset key (e.g. sales/raw_sales); repeat or separate with commas (default: all)",
    )
    run.add_argument("--config", help="run config as JSON, or @path/to/config.json")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--partition", help="partition key to materialize")
    which.add_argument(
        "--partition-range",
        metavar="START...END",
        help="materialize every partition from START to END (both included), one run each",
    )
    dags = sub.add_parser("dags", help="print the Airflow DAGs, tasks, schedules and outlets")
    dags.add_argument("location")
    dags.add_argument("--json", action="store_true", help="print JSON")
    dags.add_argument("--dag-per", default="job_or_group", choices=["job_or_group", "asset"])
    dags.add_argument("--execution", default="per_asset", choices=list(EXECUTION_CHOICES))
    render = sub.add_parser("render", help="write a static Airflow DAG file per DAG")
    render.add_argument("location", help="the .py file holding the Definitions")
    render.add_argument("--out", required=True, help="directory for the rendered files")
    render.add_argument("--dag-per", default="job_or_group", choices=["job_or_group", "asset"])
    render.add_argument(
        "--execution",
        default="per_asset",
        choices=list(EXECUTION_CHOICES),
        help="as build_dags(execution=...) in the module that the rendered files replace",
    )
    from asset2airflow.cli.backfill import add_arguments

    add_arguments(
        sub.add_parser(
            "backfill",
            help="create a backfill of a DAG in a running Airflow (its REST API)",
            description="Create an Airflow backfill through a running Airflow's REST API.",
        )
    )
    from asset2airflow.cli.run_status import add_arguments as add_status_arguments

    add_status_arguments(
        sub.add_parser(
            "status",
            help="what each asset of a DAG run did, from a running Airflow (its REST API)",
            description="Per-asset status of a DAG run (default: the latest), read from a "
            "running Airflow's REST API.",
        )
    )
    from asset2airflow.migrate.cli import add_arguments as add_migrate_arguments

    add_migrate_arguments(
        sub.add_parser(
            "migrate",
            help="write an asset module per DAG of a task DAG file (same dag id, task ids, "
            "edges, schedule), or --check one against the original",
            description="Migrate a task DAG file to asset modules, or compare them (--check).",
        )
    )
    return parser


def _load(location: str) -> Any:
    from asset2airflow.loading import load_definitions

    return load_definitions(location)


def _run_config(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    source = "--config"
    text = raw
    if raw.startswith("@"):
        path = Path(raw[1:])
        source = f"--config file {path}"
        try:
            text = path.read_text()
        except OSError as exc:
            raise Asset2AirflowError(
                f"{source} cannot be read ({exc.strerror or exc}); pass @<path to a JSON file> "
                "or the JSON itself"
            ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Asset2AirflowError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Asset2AirflowError('--config must be a JSON object like {"ops": {...}}')
    return value


def _cmd_list(args: argparse.Namespace) -> int:
    from asset2airflow.cli.listing import describe, format_text

    description = describe(_load(args.location))
    print(json.dumps(description, indent=2) if args.json else format_text(description))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from asset2airflow.cli.validate import validate_folder, validate_location

    folder = Path(args.location)
    if folder.is_dir():
        return validate_folder(folder)
    return validate_location(args.location)


def _cmd_materialize(args: argparse.Namespace) -> int:
    from asset2airflow.asset_graph.selection import resolve_selection
    from asset2airflow.cli.progress import ProgressDisplay
    from asset2airflow.execution.plan import build_plan
    from asset2airflow.execution.runner import execute_definitions

    defs = _load(args.location)
    selected = [s.strip() for item in args.select for s in item.split(",") if s.strip()]
    selection = selected or None
    if args.partition_range is not None:
        from asset2airflow.cli.partition_range import materialize_range

        return materialize_range(defs, selection, _run_config(args.config), args.partition_range)
    plan = build_plan(defs.asset_graph, *resolve_selection(defs.asset_graph, selection))
    display = ProgressDisplay(plan)
    result = execute_definitions(
        defs,
        selection=selection,
        run_config=_run_config(args.config),
        partition_key=args.partition,
        raise_on_error=False,
        listener=display.on_event,
        keep_values=False,
    )
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    from asset2airflow.cli.validate import plural

    stored = len(result.get_asset_materialization_events())
    verdict = "succeeded" if result.success else "FAILED"
    print(
        f"run {result.run_id} {verdict}: {plural(stored, 'asset')} materialized, "
        f"{len(result.skipped_steps)} skipped"
    )
    return 0 if result.success else 1


def _cmd_dags(args: argparse.Namespace) -> int:
    from asset2airflow.airflow.describe import describe_plans
    from asset2airflow.airflow.planner import plan_dags

    defs = _load(args.location)
    described = describe_plans(plan_dags(defs, dag_per=args.dag_per, execution=args.execution))
    if args.json:
        print(json.dumps(described, indent=2))
        return 0
    for dag in described:
        print(f"DAG {dag['dag_id']}  schedule={dag['schedule']}")
        for task in dag["tasks"]:
            upstream = ", ".join(task["upstream"]) or "-"
            print(f"  task {task['task_id']}  <- {upstream}")
            if task.get("mapped_over"):
                print(f"    mapped over the items of {task['mapped_over']}")
            for outlet in task["outlets"]:
                print(f"    outlet {outlet['name']}  {outlet['uri']}")
            for check in task["checks"]:
                print(f"    check {check}")
            for target in task.get("triggers", ()):
                print(f"    triggers {target}")
    return 0


def _cmd_backfill(args: argparse.Namespace) -> int:
    from asset2airflow.cli.backfill import run

    return run(args)


def _cmd_status(args: argparse.Namespace) -> int:
    from asset2airflow.cli.run_status import run

    return run(args)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from asset2airflow.migrate.cli import run

    return run(args)


def _cmd_render(args: argparse.Namespace) -> int:
    from asset2airflow.airflow.planner import plan_dags
    from asset2airflow.airflow.render import render_files

    source = Path(args.location)
    if not source.is_file():
        raise Asset2AirflowError(f"{source}: render needs the path of a .py file")
    defs = _load(args.location)
    plans = plan_dags(defs, dag_per=args.dag_per, execution=args.execution)
    for path in render_files(plans, source, Path(args.out), args.dag_per):
        print(f"wrote {path}")
    return 0


_COMMANDS = {
    "list": _cmd_list,
    "validate": _cmd_validate,
    "materialize": _cmd_materialize,
    "dags": _cmd_dags,
    "render": _cmd_render,
    "backfill": _cmd_backfill,
    "status": _cmd_status,
    "migrate": _cmd_migrate,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except Asset2AirflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
