"""What a schedule or sensor starts: its ``job``/``jobs``/``target``, resolved to jobs once,
where it is declared.

A job (``define_asset_job``, or an op job) is used as is. Anything else Dagster accepts as a
``target`` (an asset, a list of assets or keys, an ``AssetSelection``, a selection string)
becomes an asset job named ``<schedule or sensor name>_job`` holding that selection, as
``define_asset_job`` would make it; in Airflow that job is one DAG. No Airflow imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asset2airflow.authoring.jobs import AssetJobDefinition, define_asset_job
from asset2airflow.errors import DefinitionError

IMPLICIT_JOB_SUFFIX = "_job"


def is_job(value: Any) -> bool:
    """Whether ``value`` is a job: an asset job, or an op job (anything runnable by name)."""
    if isinstance(value, AssetJobDefinition):
        return True
    return isinstance(getattr(value, "name", None), str) and callable(
        getattr(value, "execute_in_process", None)
    )


def job_name(job: Any) -> str:
    return str(job.name)


def resolve_jobs(
    what: str,
    name: str,
    *,
    job: Any = None,
    jobs: Sequence[Any] | None = None,
    target: Any = None,
    job_name_arg: str | None = None,
    required: bool = True,
) -> tuple[Any, ...]:
    """The jobs ``what`` (e.g. "schedule 'daily'") starts, from Dagster's arguments."""
    if job_name_arg is not None:
        raise DefinitionError(
            f"{what}: job_name={job_name_arg!r} is not built: pass the job object itself "
            "(job=my_job), so the schedule and the job cannot drift apart."
        )
    given = [n for n, v in (("job", job), ("jobs", jobs), ("target", target)) if v is not None]
    if len(given) > 1:
        raise DefinitionError(f"{what} got {' and '.join(given)}; pass only one of them.")
    if job is not None:
        if not is_job(job):
            raise DefinitionError(
                f"{what}: job={job!r} is not a job; pass a job made by define_asset_job or "
                "@job, or pass the assets as target=[...]."
            )
        return (job,)
    if jobs is not None:
        found = tuple(jobs)
        bad = [j for j in found if not is_job(j)]
        if bad or not found:
            raise DefinitionError(
                f"{what}: jobs={list(found)!r} must be a non-empty list of jobs "
                "(define_asset_job or @job)."
            )
        names = [job_name(j) for j in found]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{what}: jobs={names} names a job twice")
        return found
    if target is not None:
        if is_job(target):
            return (target,)
        implicit = f"{name}{IMPLICIT_JOB_SUFFIX}"
        try:
            return (define_asset_job(implicit, selection=_selection(target)),)
        except DefinitionError as exc:
            raise DefinitionError(f"{what}: target={target!r}: {exc}") from exc
    if required:
        raise DefinitionError(
            f"{what} has no job: pass job=my_job or target=[assets...] (a selection)."
        )
    return ()


def _selection(target: Any) -> Any:
    """A target as ``define_asset_job`` reads selections (one asset definition is a list)."""
    from asset2airflow.authoring.assets import AssetsDefinition

    if isinstance(target, AssetsDefinition):
        return [target]
    return target
