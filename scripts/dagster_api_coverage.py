"""Check the Dagster API coverage table (docs/dagster-api.toml) and write docs/dagster-api.md.

Every public top-level name of the pinned Dagster is classified once: *supported* (exported in
``asset2airflow.__all__``), *refused* (importable from asset2airflow; using it raises
``NotSupportedError`` naming the alternative) or *not applicable* (with the reason). This script
checks the table against asset2airflow (and, given ``--dagster-python``, against the installed
Dagster), prints the counts, and exits 1 on any unclassified, missing or stale name, or when
docs/dagster-api.md is not what the table generates.

    .venv/bin/python scripts/dagster_api_coverage.py                # make test: the committed table
    .venv/bin/python scripts/dagster_api_coverage.py --dagster-python .venv-dagster/bin/python
    .venv/bin/python scripts/dagster_api_coverage.py --write-md     # after editing the table
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import asset2airflow
from asset2airflow.authoring.refused import REFUSED, RefusedName
from asset2airflow.errors import NotSupportedError

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "dagster-api.toml"
MARKDOWN = ROOT / "docs" / "dagster-api.md"

SUPPORTED, REFUSED_STATUS, NOT_APPLICABLE = "supported", "refused", "not applicable"

DECORATORS = (
    "asset", "multi_asset", "graph_asset", "graph_multi_asset", "op", "job", "graph",
    "asset_check", "sensor", "schedule",
)

_DAGSTER_API = f"""
import inspect, json, dagster
from dagster._symbol_annotations.lifecycle import get_deprecated_params, has_deprecated_params

def keywords(fn):
    names = [p.name for p in inspect.signature(fn).parameters.values() if p.kind != p.VAR_KEYWORD]
    if has_deprecated_params(fn):
        names += [k for k, v in get_deprecated_params(fn).items() if v.hidden]
    return names

print(json.dumps({{
    "version": dagster.__version__,
    "names": sorted(n for n in dir(dagster) if not n.startswith("_")),
    "keywords": {{d: keywords(getattr(dagster, d)) for d in {DECORATORS!r}}},
}}))
"""


@dataclass(frozen=True)
class Entry:
    name: str
    status: str
    note: str
    """supported: a difference users can observe; refused: what to use instead; not
    applicable: why."""


@dataclass(frozen=True)
class Table:
    dagster_version: str
    entries: dict[str, Entry]

    def names(self, status: str) -> list[str]:
        return sorted(n for n, e in self.entries.items() if e.status == status)


def load_table(path: Path = TABLE) -> Table:
    """Read the table; a name classified twice is an error (one name, one answer)."""
    data = tomllib.loads(path.read_text())
    rows: list[Entry] = [Entry(n, SUPPORTED, note) for n, note in data["supported"].items()]
    rows += [Entry(n, REFUSED_STATUS, REFUSED.get(n, "")) for n in data["refused"]]
    for group in data["not_applicable"]:
        rows += [Entry(n, NOT_APPLICABLE, group["reason"]) for n in group["names"]]
    entries: dict[str, Entry] = {}
    for row in rows:
        if row.name in entries:
            sys.exit(f"{path}: {row.name} is classified twice")
        entries[row.name] = row
    return Table(data["dagster_version"], entries)


def load_decorator_keywords(path: Path = TABLE) -> dict[str, dict[str, list[str]]]:
    """``{decorator: {"accepted": [...], "refused": [...]}}`` for Dagster's decorators."""
    recorded: dict[str, dict[str, list[str]]] = tomllib.loads(path.read_text())[
        "decorator_keywords"
    ]
    return recorded


def _refusal_works(name: str) -> bool:
    """Using the refused name raises NotSupportedError (at import or at its first call)."""
    try:
        stub = getattr(asset2airflow, name)
    except NotSupportedError:
        return True
    if not isinstance(stub, RefusedName):
        return False
    try:
        stub()
    except NotSupportedError:
        return True
    return False


def check_against_asset2airflow(table: Table) -> list[str]:
    exported = set(asset2airflow.__all__)
    problems = [
        f"{n} is classified supported but asset2airflow does not export it"
        for n in table.names(SUPPORTED)
        if n not in exported
    ]
    problems += [
        f"{n} is classified refused but has no entry in authoring/refused.py REFUSED"
        for n in table.names(REFUSED_STATUS)
        if n not in REFUSED
    ]
    problems += [
        f"{n} is refused in authoring/refused.py but classified {table.entries[n].status}"
        if n in table.entries
        else f"{n} is refused in authoring/refused.py but missing from the table"
        for n in sorted(REFUSED)
        if table.entries.get(n, Entry(n, "", "")).status != REFUSED_STATUS
    ]
    problems += [
        f"{n} is classified refused but using it does not raise NotSupportedError"
        for n in table.names(REFUSED_STATUS)
        if n in REFUSED and not _refusal_works(n)
    ]
    problems += [
        f"{n} is classified not applicable but asset2airflow exports it"
        for n in table.names(NOT_APPLICABLE)
        if n in exported
    ]
    return problems


@dataclass(frozen=True)
class DagsterApi:
    """What the installed Dagster exposes: its version, public names, decorator keywords."""

    version: str
    names: list[str]
    keywords: dict[str, list[str]]


def read_dagster_api(python: str) -> DagsterApi:
    out = subprocess.run([python, "-c", _DAGSTER_API], check=True, capture_output=True, text=True)
    found = json.loads(out.stdout)
    return DagsterApi(found["version"], found["names"], found["keywords"])


def check_decorator_keywords(
    recorded: dict[str, dict[str, list[str]]], dagster_keywords: dict[str, list[str]]
) -> list[str]:
    """Each Dagster decorator keyword is recorded once, as accepted or refused."""
    problems = []
    for decorator, keywords in dagster_keywords.items():
        entry = recorded.get(decorator, {"accepted": [], "refused": []})
        listed = [*entry["accepted"], *entry["refused"]]
        problems += [
            f"@{decorator}({k}=...) (in Dagster) is unclassified" for k in keywords
            if k not in listed
        ]
        problems += [
            f"@{decorator}({k}=...) is in the table but not in Dagster" for k in listed
            if k not in keywords
        ]
        problems += [f"@{decorator}({k}=...) is listed twice" for k in set(listed)
                     if listed.count(k) > 1]
    return problems


def check_against_dagster(table: Table, version: str, names: list[str]) -> list[str]:
    problems = []
    if version != table.dagster_version:
        problems.append(f"installed Dagster is {version}, the table is for {table.dagster_version}")
    problems += [f"{n} (in Dagster) is unclassified" for n in names if n not in table.entries]
    problems += [f"{n} is in the table but not in Dagster {version}" for n in
                 sorted(set(table.entries) - set(names))]
    return problems


def render_markdown(table: Table, keywords: dict[str, dict[str, list[str]]]) -> str:
    counts = {s: len(table.names(s)) for s in (SUPPORTED, REFUSED_STATUS, NOT_APPLICABLE)}
    lines = [
        f"# Dagster {table.dagster_version}'s public API in asset2airflow",
        "",
        "<!-- Generated from docs/dagster-api.toml by scripts/dagster_api_coverage.py "
        "--write-md; edit the table, not this file. -->",
        "",
        "Every public top-level name of `dagster` (`dir(dagster)`; Dagster has no `__all__`), and "
        "what `from asset2airflow import <name>` gives you:",
        "",
        "- **supported**: the name behaves as Dagster's; a difference you can observe is noted.",
        "- **refused**: the import works, and the first use raises `NotSupportedError` (a "
        "`DefinitionError`) naming what to use instead. Names used as values "
        "(`custom_path_fs_io_manager`, `in_process_executor`) and Dagster's exception classes "
        "are refused at import.",
        "- **not applicable**: the name has no meaning in an Airflow project; the reason says why.",
        "",
        f"{len(table.entries)} names: {counts[SUPPORTED]} supported, {counts[REFUSED_STATUS]} "
        f"refused, {counts[NOT_APPLICABLE]} not applicable.",
        "",
        f"## Supported ({counts[SUPPORTED]})",
        "",
        "| name | difference from Dagster |",
        "|---|---|",
    ]
    lines += [f"| `{n}` | {table.entries[n].note} |" for n in table.names(SUPPORTED)]
    lines += [
        "",
        f"## Refused ({counts[REFUSED_STATUS]})",
        "",
        "| name | use instead |",
        "|---|---|",
    ]
    lines += [f"| `{n}` | {table.entries[n].note} |" for n in table.names(REFUSED_STATUS)]
    lines += ["", f"## Not applicable ({counts[NOT_APPLICABLE]})", ""]
    by_reason: dict[str, list[str]] = {}
    for n in table.names(NOT_APPLICABLE):
        by_reason.setdefault(table.entries[n].note, []).append(n)
    for reason, names in by_reason.items():
        lines += [reason, "", ", ".join(f"`{n}`" for n in names), ""]
    lines += [
        "## Decorator keywords",
        "",
        "Every keyword of Dagster's decorators (hidden deprecated ones included). A refused "
        "keyword raises a `DefinitionError` naming it and what to use instead.",
        "",
        "| decorator | accepted | refused |",
        "|---|---|---|",
    ]
    for decorator, entry in keywords.items():
        accepted, refused = (", ".join(f"`{k}`" for k in entry[s]) for s in ("accepted", "refused"))
        lines.append(f"| `@{decorator}` | {accepted} | {refused} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dagster-python", help="a Python with the pinned Dagster installed")
    parser.add_argument("--write-md", action="store_true", help="regenerate docs/dagster-api.md")
    args = parser.parse_args(argv)

    table = load_table()
    problems = check_against_asset2airflow(table)
    unclassified = 0
    keywords = load_decorator_keywords()
    if args.dagster_python:
        dagster = read_dagster_api(args.dagster_python)
        dagster_problems = check_against_dagster(table, dagster.version, dagster.names)
        unclassified = sum(1 for p in dagster_problems if p.endswith("unclassified"))
        problems += dagster_problems
        problems += check_decorator_keywords(keywords, dagster.keywords)
    markdown = render_markdown(table, keywords)
    if args.write_md:
        MARKDOWN.write_text(markdown)
    elif not MARKDOWN.exists() or MARKDOWN.read_text() != markdown:
        problems.append(f"{MARKDOWN.relative_to(ROOT)} is stale: run this script with --write-md")

    counts = [len(table.names(s)) for s in (SUPPORTED, REFUSED_STATUS, NOT_APPLICABLE)]
    print(
        f"{len(table.entries) + unclassified} names: {counts[0]} supported, {counts[1]} refused, "
        f"{counts[2]} not applicable, {unclassified} unclassified; decorator keywords: "
        f"{sum(len(e['accepted']) for e in keywords.values())} accepted, "
        f"{sum(len(e['refused']) for e in keywords.values())} refused"
    )
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
