"""Dagster's fs_io_manager and mem_io_manager, and instance_for_test, as Dagster's docs use them
(each snippet also run under Dagster 1.13.29: same values; our files end in .pickle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asset2airflow import (
    ConfigError,
    DynamicPartitionsDefinition,
    NotSupportedError,
    asset,
    fs_io_manager,
    instance_for_test,
    materialize,
    mem_io_manager,
)


@asset
def a() -> int:
    return 1


@asset
def b(a: int) -> int:
    return a + 1


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_fs_io_manager_configured_with_a_base_dir(tmp_path: Path) -> None:
    io = fs_io_manager.configured({"base_dir": str(tmp_path)})
    assert materialize([a, b], resources={"io_manager": io}).success
    assert _files(tmp_path) == ["a.pickle", "b.pickle"]  # Dagster: ["a", "b"]


def test_fs_io_manager_base_dir_from_run_config(tmp_path: Path) -> None:
    result = materialize(
        [a, b],
        resources={"io_manager": fs_io_manager},
        run_config={"resources": {"io_manager": {"config": {"base_dir": str(tmp_path)}}}},
    )
    assert result.success and _files(tmp_path) == ["a.pickle", "b.pickle"]


def test_run_config_for_a_configured_io_manager_is_an_error(tmp_path: Path) -> None:
    # Dagster ignores the run config silently; here it is named.
    with pytest.raises(ConfigError, match="fixed with .configured"):
        materialize(
            [a],
            resources={"io_manager": fs_io_manager.configured({"base_dir": str(tmp_path)})},
            run_config={"resources": {"io_manager": {"config": {"base_dir": "elsewhere"}}}},
        )


def test_mem_io_manager_passes_values_within_a_run() -> None:
    result = materialize([a, b], resources={"io_manager": mem_io_manager})
    assert result.success and result.output_for_node("b") == 2


fruits = DynamicPartitionsDefinition(name="fruits")


@asset(partitions_def=fruits)
def fruit(context: object) -> str:
    return context.partition_key  # type: ignore[attr-defined,no-any-return]


def test_instance_for_test_holds_dynamic_partitions_for_materialize() -> None:
    with instance_for_test() as instance:
        instance.add_dynamic_partitions("fruits", ["apple"])
        result = materialize(
            [fruit],
            instance=instance,
            partition_key="apple",
            resources={"io_manager": mem_io_manager},
        )
        assert result.success and result.output_for_node("fruit") == "apple"
        assert instance.get_dynamic_partitions("fruits") == ["apple"]
    with pytest.raises(NotSupportedError, match="overrides"), instance_for_test(
        overrides={"run_launcher": {}}
    ):
        pass
