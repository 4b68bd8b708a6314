"""``asset2airflow migrate --check``: compare an original DAG with its generated one.

Compared: task ids; per task its upstream tasks, trigger rule, retries and retry settings,
owner, pool, queue, priority, timeout, depends_on_past, outlets (the generated task may add
the asset it became when the original had no outlet: that is the point), mapping and
setup/teardown roles; per DAG the timetable (Airflow's own serialized form), params, tags,
every ``DAG(...)`` setting (dates, catchup, run limits and timeout, docs, owner links, access
control, callbacks, template settings...), default_args, task groups and edge labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from asset2airflow.migrate.keys import is_asset
from asset2airflow.migrate.model import Note


@dataclass(frozen=True)
class Difference:
    """One way the generated DAG differs from the original."""

    task_id: str | None
    field: str
    original: str
    generated: str

    def __str__(self) -> str:
        where = f"task {self.task_id!r}" if self.task_id else "DAG"
        return f"{where} {self.field}: {self.original} -> {self.generated}"

    def explained_by(self, notes: Iterable[Note]) -> Note | None:
        """The report note that announced this difference (a fallback), if any."""
        return next(
            (
                n
                for n in notes
                if n.difference and n.field == self.field and n.task_id in (None, self.task_id)
            ),
            None,
        )


_TASK_FIELDS = (
    "trigger_rule", "retries", "retry_delay", "retry_exponential_backoff", "max_retry_delay",
    "owner", "pool", "pool_slots", "queue", "priority_weight", "execution_timeout",
    "depends_on_past", "wait_for_downstream", "max_active_tis_per_dag", "email",
)  # fmt: skip
_DAG_FIELDS = (
    "description", "start_date", "end_date", "catchup", "max_active_runs", "max_active_tasks",
    "max_consecutive_failed_dag_runs", "dagrun_timeout", "is_paused_upon_creation", "doc_md",
    "owner_links", "access_control", "render_template_as_native_obj", "template_searchpath",
    "template_undefined", "jinja_environment_kwargs", "fail_fast", "allowed_run_types",
    "disable_bundle_versioning", "rerun_with_latest_version", "dag_display_name",
    "on_success_callback", "on_failure_callback", "user_defined_macros", "user_defined_filters",
    "deadline",
)  # fmt: skip


def show(value: Any) -> str:
    """A value as a difference shows it (enums by value, long reprs cut)."""
    value = getattr(value, "value", value) if not isinstance(value, (list, dict)) else value
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _attr(task: Any, name: str) -> Any:
    partial = getattr(task, "partial_kwargs", None)
    if partial is not None and name in partial:
        return partial[name]
    return getattr(task, name, None)


def _outlets(task: Any) -> tuple[set[str], set[str]]:
    """(assets as name and uri, other outlets such as aliases)."""
    assets, others = set(), set()
    for outlet in _attr(task, "outlets") or ():
        if is_asset(outlet):
            assets.add(f"Asset(name={outlet.name!r}, uri={outlet.uri!r})")
        elif type(outlet).__name__ == "AssetAlias":
            others.add(f"AssetAlias({outlet.name!r})")
        else:
            others.add(repr(outlet))
    return assets, others


def _timetable(dag: Any) -> Any:
    from airflow.serialization.encoders import encode_timetable

    try:
        return encode_timetable(dag.timetable)
    except Exception:  # a plugin timetable Airflow does not know here: compare its state
        timetable = dag.timetable
        return (type(timetable).__qualname__, getattr(timetable, "__dict__", None))


def _callable_aware(value: Any) -> Any:
    """Values with functions compared by function name (copied functions are new objects)."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"<function {value.__qualname__.rpartition('.')[2]}>"
    if isinstance(value, dict):
        return {k: _callable_aware(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_callable_aware(v) for v in value]
    return value


def _groups(dag: Any) -> list[tuple[str, str]]:
    return sorted(
        (t.task_id, str(getattr(t.task_group, "group_id", None) or "")) for t in dag.tasks
    )


def _edge_labels(dag: Any) -> list[str]:
    info = getattr(dag, "edge_info", None) or {}
    return sorted(f"{u}>>{d}:{i}" for u, downs in info.items() for d, i in downs.items() if i)


def compare_dags(original: Any, generated: Any) -> list[Difference]:
    """Every structural difference between two loaded DAGs, DAG-level first."""
    found: list[Difference] = []

    def check(task_id: str | None, field: str, a: Any, b: Any) -> None:
        try:
            same = bool(a == b)
        except Exception:
            same = repr(a) == repr(b)
        if not same:
            found.append(Difference(task_id, field, show(a), show(b)))

    check(None, "dag_id", original.dag_id, generated.dag_id)
    check(None, "schedule", _timetable(original), _timetable(generated))
    check(None, "params", original.params.dump(), generated.params.dump())
    check(None, "tags", sorted(original.tags), sorted(generated.tags))
    for name in _DAG_FIELDS:
        check(
            None,
            name,
            _callable_aware(getattr(original, name, None)),
            _callable_aware(getattr(generated, name, None)),
        )
    check(
        None,
        "default_args",
        _callable_aware(dict(original.default_args or {})),
        _callable_aware(dict(generated.default_args or {})),
    )
    check(None, "task_groups", _groups(original), _groups(generated))
    check(None, "edge_labels", _edge_labels(original), _edge_labels(generated))
    ours = {t.task_id: t for t in generated.tasks}
    theirs = {t.task_id: t for t in original.tasks}
    for task_id in sorted(theirs.keys() - ours.keys()):
        found.append(Difference(task_id, "task", "present", "missing"))
    for task_id in sorted(ours.keys() - theirs.keys()):
        found.append(Difference(task_id, "task", "missing", "present"))
    for task_id in sorted(theirs.keys() & ours.keys()):
        a, b = theirs[task_id], ours[task_id]
        check(task_id, "upstream", sorted(a.upstream_task_ids), sorted(b.upstream_task_ids))
        for name in _TASK_FIELDS:
            check(task_id, name, _callable_aware(_attr(a, name)), _callable_aware(_attr(b, name)))
        (kept, kept_other), (made, made_other) = _outlets(a), _outlets(b)
        # A task without asset outlets gains the asset it became: that is the point.
        if kept or len(made) != 1 or kept_other != made_other:
            check(task_id, "outlets", sorted(kept | kept_other), sorted(made | made_other))
        check(task_id, "mapped", bool(a.is_mapped), bool(b.is_mapped))
        check(
            task_id,
            "setup_teardown",
            (bool(getattr(a, "is_setup", False)), bool(getattr(a, "is_teardown", False))),
            (bool(getattr(b, "is_setup", False)), bool(getattr(b, "is_teardown", False))),
        )
    return found


def split_expected(
    differences: list[Difference], notes: Iterable[Note]
) -> tuple[list[Difference], list[tuple[Difference, Note]]]:
    """(unexpected differences, differences announced by the migration report)."""
    notes = list(notes)
    unexpected: list[Difference] = []
    expected: list[tuple[Difference, Note]] = []
    for difference in differences:
        note = difference.explained_by(notes)
        if note is None:
            unexpected.append(difference)
        else:
            expected.append((difference, note))
    return unexpected, expected


Loader = Callable[[str], dict[str, Any]]
