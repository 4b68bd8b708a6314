"""What op code yields or raises besides plain values, with Dagster's names: ``DynamicOutput``
(one item of a ``DynamicOut``), ``ExpectationResult`` (a recorded data expectation) and
``Failure`` (fail on purpose, with metadata, optionally without retries)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from asset2airflow.authoring.metadata import normalize_metadata
from asset2airflow.errors import DefinitionError

T = TypeVar("T")

MAPPING_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
MAX_MAPPING_KEY_LENGTH = 250


def check_mapping_key(mapping_key: object, where: str) -> str:
    """``mapping_key`` if valid (letters, digits, underscores, as in Dagster), else an error
    naming ``where``. Keys become file names and Airflow map-index labels."""
    if (
        not isinstance(mapping_key, str)
        or not MAPPING_KEY_PATTERN.match(mapping_key)
        or len(mapping_key) > MAX_MAPPING_KEY_LENGTH
    ):
        raise DefinitionError(
            f"{where}: mapping_key {mapping_key!r} is invalid; use a non-empty string of at most "
            f"{MAX_MAPPING_KEY_LENGTH} letters, digits and underscores (e.g. replace '.' and '-' "
            "with '_')."
        )
    return mapping_key


class DynamicOutput(Generic[T]):
    """One item of a ``DynamicOut``: ``yield DynamicOutput(path, mapping_key="file_1")``.

    Downstream ops mapped over the output (``.map``) run once per item; ``.collect()`` gathers
    the values in the order they were yielded. Mapping keys must be unique within the output.
    """

    def __init__(
        self,
        value: T,
        mapping_key: str,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.value = value
        self.mapping_key = check_mapping_key(mapping_key, "DynamicOutput")
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata)

    def __repr__(self) -> str:
        return f"DynamicOutput(mapping_key={self.mapping_key!r}, output_name={self.output_name!r})"


class ExpectationResult:
    """The outcome of a data expectation an op checked (``yield ExpectationResult(...)``).

    Recorded on the run (``result.all_node_events``; in Airflow the task's XCom); a failed
    expectation does not fail the op, as in Dagster.
    """

    def __init__(
        self,
        success: bool,
        label: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.success = bool(success)
        self.label = label
        self.description = description
        self.metadata = normalize_metadata(metadata)

    def __repr__(self) -> str:
        return f"ExpectationResult(success={self.success}, label={self.label!r})"


class Failure(Exception):
    """Raise from op (or asset) code to fail it with a description and metadata.

    ``allow_retries=False`` fails at once, without the retry policy's retries (in Airflow the
    task fails without retrying: ``AirflowFailException``).
    """

    def __init__(
        self,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        allow_retries: bool | None = None,
    ) -> None:
        super().__init__(description or "Failure raised")
        self.description = description
        self.metadata = normalize_metadata(metadata)
        self.allow_retries = True if allow_retries is None else bool(allow_retries)
