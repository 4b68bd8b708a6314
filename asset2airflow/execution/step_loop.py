"""The one step loop both engines run on: assets (``step``/``sequence``) and ops (``op_step``/
``op_sequence``) differ in what a step is, what it reads and what it produces, and share here
how user code is retried, how values go through IO managers, and how steps are run in order
with their events.

- ``call_user_code``: call an asset, check or op function; retry it per its ``RetryPolicy`` (or
  ``RetryRequested``) when the run retries in process; wrap its errors naming the step.
- ``load_with``/``store_with``: one IO manager call, its errors wrapped naming the value.
- ``run_steps``: each step in the given order is skipped (an input was not produced), or run;
  the listener gets ``STEP_START`` then ``STEP_SUCCESS``/``STEP_FAILURE``, or ``STEP_SKIPPED``.
  With ``stop_on_error`` the first failure is raised. A ``StepDriver`` says per engine how to
  tell a skip, run a step and record what it did.
"""

from __future__ import annotations

import logging
import time
import types
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from asset2airflow.authoring.context import AssetExecutionContext
from asset2airflow.authoring.io_manager import InputContext, IOManager, OutputContext
from asset2airflow.authoring.op_results import Failure
from asset2airflow.authoring.policy import RetryRequested
from asset2airflow.errors import (
    Asset2AirflowError,
    FailureError,
    InvalidMetadataError,
    IOManagerError,
    MissingUpstreamValueError,
    UserCodeError,
)
from asset2airflow.execution.outputs import YieldedItems
from asset2airflow.execution.run_events import Listener, RunEvent, StepEventType

StepT = TypeVar("StepT")
OutcomeT = TypeVar("OutcomeT")
StepC = TypeVar("StepC", contravariant=True)

_LOGGERS: dict[str, logging.Logger] = {}


def node_logger(node_name: str) -> logging.Logger:
    logger = _LOGGERS.get(node_name)
    if logger is None:
        logger = _LOGGERS[node_name] = logging.getLogger(f"asset2airflow.{node_name}")
    return logger


class UserCode(Protocol):
    """What ``call_user_code`` runs: an asset, check or op step (``retry_policy`` optional)."""

    @property
    def node_name(self) -> str: ...

    @property
    def compute(self) -> Any: ...


class RetrySetting(Protocol):
    retry_in_process: bool


def call_user_code(
    env: RetrySetting,
    definition: UserCode,
    context: AssetExecutionContext,
    config: Any,
    resources: dict[str, Any],
    inputs: dict[str, Any],
    what: str,
) -> Any:
    """Call the function (retrying per its retry policy, and when it raises RetryRequested);
    wrap its errors naming ``what``. ``Failure(allow_retries=False)`` is not retried."""
    assert definition.compute is not None
    policy = getattr(definition, "retry_policy", None) if env.retry_in_process else None
    attempts = 1 + (policy.max_retries if policy else 0)
    attempt = requested = 0
    while True:
        context.retry_number = attempt + requested
        try:
            returned = definition.compute.call(context, config, resources, inputs)
            if isinstance(returned, types.GeneratorType):
                returned = YieldedItems(returned)
            return returned
        except InvalidMetadataError as exc:  # e.g. Output(metadata=...) built in user code
            raise InvalidMetadataError(f"{what}: {exc}") from exc
        except Asset2AirflowError:
            raise
        except RetryRequested as exc:
            if requested >= exc.max_retries:
                raise UserCodeError(
                    f"{what} raised RetryRequested again after {requested} "
                    f"retr{'y' if requested == 1 else 'ies'} (max_retries={exc.max_retries})",
                    definition.node_name,
                ) from exc
            requested += 1
            delay = float(exc.seconds_to_wait or 0.0)
            context.log.warning("%s requested a retry; retry %d in %.1fs", what, requested, delay)
            time.sleep(delay)
        except Failure as exc:
            attempt += 1
            if not exc.allow_retries or policy is None or attempt >= attempts:
                failure = FailureError(
                    f"{what} raised Failure: {exc.description or 'no description'}",
                    definition.node_name,
                    dict(exc.metadata),
                    exc.allow_retries,
                )
                failure.user_exception = exc
                raise failure from exc
            delay = policy.delay_before_attempt(attempt)
            context.log.warning("%s failed (%s); retry %d in %.1fs", what, exc, attempt, delay)
            time.sleep(delay)
        except Exception as exc:
            attempt += 1
            if policy is None or attempt >= attempts:
                error = UserCodeError(
                    f"{what} failed: {type(exc).__name__}: {exc}", definition.node_name
                )
                error.user_exception = exc
                raise error from exc
            delay = policy.delay_before_attempt(attempt)
            context.log.warning("%s failed (%s); retry %d in %.1fs", what, exc, attempt, delay)
            time.sleep(delay)


def load_with(
    manager: IOManager,
    manager_key: str,
    context: InputContext,
    loaded: str,
    node_name: str,
    what: str,
) -> Any:
    """``manager.load_input(context)`` for input ``context.name`` of ``what``; ``loaded``
    names the value (an asset key, an op output) in the error of a failing IO manager."""
    try:
        return manager.load_input(context)
    except (MissingUpstreamValueError, IOManagerError) as exc:
        raise type(exc)(f"{what} cannot load its input {context.name!r}: {exc}") from exc
    except Asset2AirflowError:
        raise
    except Exception as exc:
        raise UserCodeError(
            f"IO manager {manager_key!r} failed to load {loaded} for {what}: "
            f"{type(exc).__name__}: {exc}",
            node_name,
        ) from exc


def store_with(
    manager: IOManager,
    manager_key: str,
    context: OutputContext,
    value: Any,
    stored: str,
    node_name: str,
) -> None:
    """``manager.handle_output(context, value)``; ``stored`` names the value in the error of
    a failing IO manager."""
    try:
        manager.handle_output(context, value)
    except Asset2AirflowError:
        raise
    except Exception as exc:
        raise UserCodeError(
            f"IO manager {manager_key!r} failed to store {stored}: {type(exc).__name__}: {exc}",
            node_name,
        ) from exc


class StepDriver(Protocol[StepC, OutcomeT]):
    """What ``run_steps`` asks an engine about each step."""

    def skip_reason(self, step: StepC) -> str | None:
        """Why ``step`` cannot run (an input it reads was not produced); ``None``: it runs."""

    def skipped(self, step: StepC, reason: str) -> None:
        """Record that ``step`` was skipped."""

    def run(self, step: StepC) -> OutcomeT:
        """Run ``step``; its errors are in the outcome, never raised (except interrupts)."""

    def finished(self, step: StepC, outcome: OutcomeT) -> Asset2AirflowError | None:
        """Record ``outcome``; the error that makes it a failure (``None``: it succeeded)."""


def run_steps(
    steps: Iterable[StepT],
    driver: StepDriver[StepT, OutcomeT],
    *,
    stop_on_error: bool,
    listener: Listener[StepT, OutcomeT] | None = None,
) -> None:
    """Skip or run each of ``steps`` (in dependency order, and consumed one at a time, so an
    engine may derive later steps from what earlier ones produced), emitting their events.
    With ``stop_on_error`` the first failure is raised after its event."""
    for step in steps:
        reason = driver.skip_reason(step)
        if reason is not None:
            driver.skipped(step, reason)
            if listener is not None:
                listener(RunEvent(StepEventType.STEP_SKIPPED, step))
            continue
        if listener is not None:
            listener(RunEvent(StepEventType.STEP_START, step))
        outcome = driver.run(step)
        error = driver.finished(step, outcome)
        if listener is not None:
            listener(RunEvent(StepEventType.ended(error is None), step, outcome))
        if stop_on_error and error is not None:
            raise error
