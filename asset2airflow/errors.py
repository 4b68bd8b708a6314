"""The one exception hierarchy users see.

Every error a user can cause is an ``Asset2AirflowError``. Messages name the culprit (asset, check,
resource, file:line where known) and say what to change, because they are read in an Airflow
import-error banner or a task log, far from the code that raised them.
"""

from __future__ import annotations


class Asset2AirflowError(Exception):
    """Base class of every error asset2airflow raises on purpose."""


# --- definition time -------------------------------------------------------------------------


class DefinitionError(Asset2AirflowError):
    """A decorator, spec or ``Definitions`` is malformed; raised when it is declared."""


class InvalidNameError(DefinitionError):
    """A name or key path component has characters Airflow or we cannot use."""


class DuplicateKeyError(DefinitionError):
    """Two definitions produce the same asset key (or the same check)."""


class CycleError(DefinitionError):
    """Assets depend on each other in a loop (a self-dependency is a loop of one)."""


class UnknownUpstreamError(DefinitionError):
    """An asset depends on a key no definition produces and no ``AssetSpec`` declares."""


class MissingResourceError(DefinitionError):
    """An asset or check needs a resource key that is not provided."""


class InvalidMetadataError(DefinitionError, TypeError):
    """A metadata value cannot be stored as JSON in Airflow (raised where it is written)."""


class UnknownCheckTargetError(DefinitionError):
    """An asset check targets an asset that is not defined."""


class NotSupportedError(DefinitionError):
    """A Dagster name or argument asset2airflow does not build; the message names what to use
    instead (docs/dagster-api.md lists every Dagster name)."""


# --- run time --------------------------------------------------------------------------------


class ConfigError(Asset2AirflowError):
    """Run config names an unknown asset or has a value of the wrong type."""


class EnvVarNotSetError(Asset2AirflowError):
    """An ``EnvVar`` was read at execution time and the variable is not set."""


class SelectionError(Asset2AirflowError):
    """A selection names assets or checks that do not exist."""


class PartitionError(Asset2AirflowError):
    """A partition key is missing, unknown, or given for unpartitioned assets."""


class ExecutionError(Asset2AirflowError):
    """Running an asset or check failed."""


class UserCodeError(ExecutionError):
    """User code raised; the original exception is chained as ``__cause__``."""

    user_exception: BaseException | None = None
    """The exception the asset's or op's own function raised (not an IO manager's or a
    resource's): ``execute_in_process`` raises it as Dagster does."""

    def __init__(self, message: str, node_name: str) -> None:
        super().__init__(message)
        self.node_name = node_name

    def users_own(self) -> BaseException | None:
        """The user's exception, with a note naming the node (Python 3.11+), or ``None``."""
        own = self.user_exception
        if own is not None and hasattr(own, "add_note"):
            own.add_note(f"asset2airflow: {self}")
        return own


class OutputMismatchError(ExecutionError):
    """An asset returned outputs that do not match what it declares."""


class MissingUpstreamValueError(ExecutionError):
    """An input was loaded from an upstream asset that was never materialized."""


class BlockingCheckFailedError(ExecutionError):
    """A blocking asset check failed, so downstream assets were not run."""


class ResourceError(ExecutionError):
    """A resource could not be set up or torn down; names the resource and who needed it."""


class IOManagerError(ExecutionError):
    """An IO manager cannot store or load a value (wrong type, unreachable storage)."""


class FailureError(UserCodeError):
    """User code raised ``Failure``: carries its metadata, and whether retries may run
    (``allow_retries=False`` fails an Airflow task without retrying)."""

    def __init__(
        self,
        message: str,
        node_name: str,
        metadata: dict[str, object] | None = None,
        allow_retries: bool = True,
    ) -> None:
        super().__init__(message, node_name)
        self.metadata = dict(metadata or {})
        self.allow_retries = allow_retries


class TypeCheckError(ExecutionError):
    """An op input or output value does not have the ``dagster_type`` it declares."""
