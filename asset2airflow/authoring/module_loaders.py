"""``load_assets_from_modules`` and friends: collect the assets a module (or package) defines,
optionally giving them a group and a key prefix, as Dagster does."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from types import ModuleType
from typing import Any

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKeyPrefix, coerce_key_prefix
from asset2airflow.authoring.names import check_key_component, check_name
from asset2airflow.authoring.policy import AutomationCondition
from asset2airflow.authoring.specs import DEFAULT_GROUP, AssetCheckSpec, AssetDep, AssetSpec
from asset2airflow.errors import Asset2AirflowError, DefinitionError, DuplicateKeyError

LoadedAsset = AssetsDefinition | AssetSpec


def load_assets_from_modules(
    modules: Iterable[ModuleType],
    group_name: str | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    *,
    automation_condition: AutomationCondition | None = None,
    include_specs: bool = False,
) -> list[LoadedAsset]:
    """The ``@asset``/``@multi_asset`` definitions found at the top level of ``modules`` (also
    inside module-level lists, e.g. what ``with_resources`` returns); each object once.

    ``group_name`` puts the assets in that group (an asset already in another, non-default group
    is an error); ``key_prefix`` is prepended to their keys, and to the dependencies between the
    loaded assets, so they still find each other (dependencies on other assets keep their keys);
    ``automation_condition`` replaces the assets' condition. The returned assets are copies; the
    modules are not changed. With ``include_specs=True`` module-level ``AssetSpec``s are loaded
    too (given the group, never the prefix, as in Dagster).
    """
    module_list = list(modules)
    for module in module_list:
        if not isinstance(module, ModuleType):
            raise DefinitionError(
                f"load_assets_from_modules: {module!r} is not a module; pass imported modules, "
                "e.g. `from my_project import raw_assets` then [raw_assets]"
            )
    if group_name is not None:
        check_name(group_name, "group", "load_assets_from_modules")
    prefix = coerce_key_prefix(key_prefix)
    for part in prefix:
        check_key_component(part, repr("/".join(prefix)))
    found = _collect(module_list, include_specs)
    replacements = (
        {
            key: key.with_prefix(prefix)
            for d in found.values()
            if isinstance(d, AssetsDefinition)
            for key in d.keys
        }
        if prefix
        else {}
    )
    where = "load_assets_from_modules"
    return [
        _with_attributes(value, replacements, group_name, automation_condition, where)
        for value in found.values()
    ]


def load_assets_from_package_module(
    package_module: ModuleType,
    group_name: str | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    *,
    automation_condition: AutomationCondition | None = None,
    include_specs: bool = False,
) -> list[LoadedAsset]:
    """``load_assets_from_modules`` over a package and all its sub-modules (imported here)."""
    return load_assets_from_modules(
        list(modules_in_package(package_module)),
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        include_specs=include_specs,
    )


def load_assets_from_current_module(
    group_name: str | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    *,
    automation_condition: AutomationCondition | None = None,
    include_specs: bool = False,
) -> list[LoadedAsset]:
    """``load_assets_from_modules`` for the module that calls it."""
    return load_assets_from_modules(
        [calling_module()],
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        include_specs=include_specs,
    )


def calling_module(depth: int = 2) -> ModuleType:
    """The module whose code called the function that calls this (``*_current_module``)."""
    frame = sys._getframe(depth)
    name = frame.f_globals.get("__name__")
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is None:
        raise DefinitionError(
            f"cannot tell which module called this (module {name!r} is not imported); pass "
            "the module to load_assets_from_modules([...]) instead"
        )
    return module


def load_assets_from_package_name(
    package_name: str,
    group_name: str | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    *,
    automation_condition: AutomationCondition | None = None,
    include_specs: bool = False,
) -> list[LoadedAsset]:
    """``load_assets_from_package_module`` for the package importable as ``package_name``."""
    return load_assets_from_package_module(
        import_module_named(package_name),
        group_name,
        key_prefix,
        automation_condition=automation_condition,
        include_specs=include_specs,
    )


# --- finding ---------------------------------------------------------------------------------


def _is_assets(value: object) -> bool:
    return isinstance(value, AssetsDefinition) and not value.is_external


def _loadable(value: object, include_specs: bool) -> bool:
    return _is_assets(value) or (include_specs and isinstance(value, AssetSpec))


def _collect(modules: list[ModuleType], include_specs: bool) -> dict[int, LoadedAsset]:
    """Loadable objects by id (each once, in module then name order); two different definitions
    of one key are an error naming both modules."""
    found: dict[int, LoadedAsset] = {}
    owner: dict[AssetKey, tuple[LoadedAsset, str]] = {}
    for module in modules:
        for name in dir(module):
            value = getattr(module, name)
            candidates = value if isinstance(value, list) else [value]
            if not candidates or not all(_loadable(c, include_specs) for c in candidates):
                continue
            for candidate in candidates:
                keys = (
                    list(candidate.keys)
                    if isinstance(candidate, AssetsDefinition)
                    else [candidate.key]
                )
                for key in keys:
                    other = owner.get(key)
                    if other is not None and other[0] is not candidate and other[0] != candidate:
                        raise DuplicateKeyError(
                            f"asset {key.to_user_string()!r} is defined twice: in module "
                            f"{other[1]} and in module {module.__name__}; rename one, or load "
                            "the modules in separate calls with different key_prefix."
                        )
                    owner.setdefault(key, (candidate, module.__name__))
                found.setdefault(id(candidate), candidate)
    return found


def modules_in_package(package: ModuleType) -> Iterator[ModuleType]:
    if not isinstance(package, ModuleType):
        raise DefinitionError(
            f"load_assets_from_package_module: {package!r} is not a module; pass an imported "
            "package, e.g. `import my_project.assets` then my_project.assets"
        )
    yield package
    path = getattr(package, "__path__", None)
    if path is None:
        return  # a plain module: nothing below it
    for info in sorted(pkgutil.iter_modules(path), key=lambda i: i.name):
        module = import_module_named(f"{package.__name__}.{info.name}")
        if info.ispkg:
            yield from modules_in_package(module)
        else:
            yield module


def import_module_named(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Asset2AirflowError:
        raise
    except Exception as exc:
        raise DefinitionError(
            f"importing module {name!r} to load its assets failed: {type(exc).__name__}: {exc}"
        ) from exc


# --- rewriting -------------------------------------------------------------------------------


def _with_attributes(
    value: LoadedAsset,
    replacements: Mapping[AssetKey, AssetKey],
    group_name: str | None,
    automation_condition: AutomationCondition | None,
    where: str,
) -> LoadedAsset:
    if isinstance(value, AssetSpec):
        return _spec(value, {}, group_name, automation_condition, where)

    def new(key: AssetKey) -> AssetKey:
        return replacements.get(key, key)

    if not replacements and group_name is None and automation_condition is None:
        return value
    return replace(
        value,
        specs_by_output={
            output: _spec(spec, replacements, group_name, automation_condition, where)
            for output, spec in value.specs_by_output.items()
        },
        inputs=tuple(replace(i, key=new(i.key)) for i in value.inputs),
        check_specs=tuple(_check_spec(c, replacements) for c in value.check_specs),
        internal_asset_deps={
            output: tuple(new(k) for k in keys)
            for output, keys in value.internal_asset_deps.items()
        },
    )


def _spec(
    spec: AssetSpec,
    replacements: Mapping[AssetKey, AssetKey],
    group_name: str | None,
    automation_condition: AutomationCondition | None,
    where: str,
) -> AssetSpec:
    if group_name is not None and spec.group_name not in (None, DEFAULT_GROUP, group_name):
        raise DefinitionError(
            f"{where}(group_name={group_name!r}): asset {spec.key.to_user_string()!r} is already "
            f"in group {spec.group_name!r}; drop one of the two group names."
        )
    changes: dict[str, Any] = {}
    if replacements:
        changes["key"] = replacements.get(spec.key, spec.key)
        changes["deps"] = _deps(spec.deps, replacements)
    if group_name is not None:
        changes["group_name"] = group_name
    if automation_condition is not None:
        changes["automation_condition"] = automation_condition
    return spec.replace_attributes(**changes) if changes else spec


def _deps(
    deps: tuple[AssetDep, ...], replacements: Mapping[AssetKey, AssetKey]
) -> tuple[AssetDep, ...]:
    return tuple(
        AssetDep(replacements.get(d.asset, d.asset), partition_mapping=d.partition_mapping)
        for d in deps
    )


def _check_spec(spec: AssetCheckSpec, replacements: Mapping[AssetKey, AssetKey]) -> AssetCheckSpec:
    if not replacements:
        return spec
    return AssetCheckSpec(
        spec.name,
        asset=replacements.get(spec.asset_key, spec.asset_key),
        description=spec.description,
        blocking=spec.blocking,
        additional_deps=_deps(spec.additional_deps, replacements),
        metadata=spec.metadata,
    )
