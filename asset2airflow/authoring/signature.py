"""Reading a decorated function's parameters once, at decoration time.

Each parameter is classified as the context, the typed config, an injected resource (annotated
with a ``ConfigurableResource`` subclass; the parameter name is the resource key) or an input
(an upstream asset value). Doing this once keeps per-run overhead low and surfaces mistakes
where the function is declared.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asset2airflow.authoring.config import Config
from asset2airflow.authoring.context import AssetExecutionContext
from asset2airflow.authoring.resources import is_resource_class
from asset2airflow.errors import DefinitionError

_CONTEXT_NAMES = ("context", "_context", "ctx")


@dataclass(frozen=True)
class ComputeSignature:
    """How to call a user function; built by ``read_signature``."""

    fn: Callable[..., Any]
    context_param: str | None
    config_param: str | None
    config_type: type[Config] | None
    resource_params: tuple[str, ...]
    input_params: tuple[str, ...]
    location: str
    unresolved_annotations: tuple[tuple[str, str], ...] = ()

    def call(
        self,
        context: Any,
        config: Any,
        resources: dict[str, Any],
        inputs: dict[str, Any],
    ) -> Any:
        kwargs = dict(inputs)
        if self.context_param is not None:
            kwargs[self.context_param] = context
        if self.config_param is not None:
            kwargs[self.config_param] = config
        for name in self.resource_params:
            kwargs[name] = resources[name]
        result = self.fn(**kwargs)
        if inspect.iscoroutine(result):  # ``async def`` assets are awaited, as in Dagster
            return run_coroutine(result)
        return result


def run_coroutine(coroutine: Any) -> Any:
    """Await ``coroutine`` from synchronous code: on a fresh event loop, in a helper thread when
    this thread already runs one (a notebook, or a test using an async framework)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def location_of(fn: Callable[..., Any]) -> str:
    """``file:line`` of a function, for error messages."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return getattr(fn, "__qualname__", repr(fn))
    return f"{code.co_filename}:{code.co_firstlineno}"


def _resolve_annotation(fn: Callable[..., Any], annotation: Any) -> Any:
    """Evaluate a string annotation in the function's module; unresolvable ones stay strings."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, getattr(fn, "__globals__", {}))
    except Exception:
        return annotation


def _is_context_annotation(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, AssetExecutionContext)


def _is_config_annotation(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Config)


_SIGNATURES: dict[Callable[..., Any], ComputeSignature] = {}


def read_signature(fn: Callable[..., Any], what: str) -> ComputeSignature:
    """Classify ``fn``'s parameters; ``what`` (e.g. "asset 'orders'") names it in errors.

    Cached per function: generated graphs reuse one function for thousands of assets.
    """
    cached = _SIGNATURES.get(fn)
    if cached is None:
        cached = _SIGNATURES[fn] = _read_signature(fn, what)
    return cached


def _read_signature(fn: Callable[..., Any], what: str) -> ComputeSignature:
    where = location_of(fn)
    params = list(inspect.signature(fn).parameters.values())
    context_param = config_param = None
    config_type: type[Config] | None = None
    resources: list[str] = []
    inputs: list[str] = []
    unresolved: list[tuple[str, str]] = []
    for index, param in enumerate(params):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(
                f"{what} ({where}) takes *{param.name}; declare each input as a named parameter."
            )
        annotation = _resolve_annotation(fn, param.annotation)
        if _is_context_annotation(annotation) or (index == 0 and param.name in _CONTEXT_NAMES):
            if index != 0:
                raise DefinitionError(
                    f"{what} ({where}): the context parameter {param.name!r} must come first."
                )
            context_param = param.name
        elif _is_config_annotation(annotation):
            if config_param is not None:
                raise DefinitionError(f"{what} ({where}) has two Config parameters; keep one.")
            config_param, config_type = param.name, annotation
        elif param.name == "config":
            raise DefinitionError(
                f"{what} ({where}): parameter 'config' must be annotated with a Config subclass, "
                "e.g. `config: MyConfig` where `class MyConfig(Config): ...`."
            )
        elif is_resource_class(annotation):
            resources.append(param.name)
        else:
            inputs.append(param.name)
            if isinstance(annotation, str):
                unresolved.append((param.name, annotation))
    return ComputeSignature(
        fn=fn,
        context_param=context_param,
        config_param=config_param,
        config_type=config_type,
        resource_params=tuple(resources),
        input_params=tuple(inputs),
        location=where,
        unresolved_annotations=tuple(unresolved),
    )
