"""Values of a loaded DAG written back as Python source: literals, containers, dates and
durations, enums, functions and classes (copied or imported, see ``source``), and the Airflow
objects DAGs are made of (assets and their conditions, params, timetables). A value with no
faithful source form is ``Unsupported``; the message names it."""

from __future__ import annotations

import datetime
import enum
import inspect
import math
import types
from collections.abc import Callable, Mapping
from typing import Any

from asset2airflow.migrate.namespace import ModuleNamespace, Unsupported
from asset2airflow.migrate.source import CodeCopier


class ValueWriter:
    """Writes values as expressions, binding the imports and definitions they need in
    ``namespace``. ``special`` may claim values first (XCom references of the task)."""

    def __init__(
        self,
        namespace: ModuleNamespace,
        copier: CodeCopier,
        special: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.ns = namespace
        self.copier = copier
        self.special = special
        if special is None:  # the copier writes closure values and constants without hooks
            copier.value_code = self.expr
            copier.literal_code = self.literal

    def expr(self, value: Any) -> str:
        """``value`` as an expression; a value with no source form of its own that the DAG
        file binds to a module-level name is that name, its assignment copied."""
        try:
            return self.literal(value)
        except Unsupported:
            name = self.copier.global_name_for(value)
            if name is None:
                raise
            return name

    def literal(self, value: Any) -> str:
        """``value`` written out (no fallback to the DAG file's names at the top level)."""
        if self.special is not None:
            claimed = self.special(value)
            if claimed is not None:
                return claimed
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            return py_str(value)
        if value is None or (
            isinstance(value, (bool, int, bytes)) and not isinstance(value, enum.Enum)
        ):
            return repr(value)
        if isinstance(value, float):
            return repr(value) if math.isfinite(value) else f'float("{value}")'
        if isinstance(value, enum.Enum):
            return self._enum(value)
        if isinstance(value, datetime.datetime):
            return self._datetime(value)
        if isinstance(value, datetime.date):
            module = self.ns.import_module("datetime")
            return f"{module}.date({value.year}, {value.month}, {value.day})"
        if isinstance(value, datetime.timedelta):
            return self._timedelta(value)
        if isinstance(value, datetime.tzinfo):
            return self._timezone(value)
        if isinstance(value, (list, tuple, set, frozenset)):
            return self._collection(value)
        if isinstance(value, Mapping) and type(value).__module__ in ("builtins", "collections"):
            items = ", ".join(f"{self.expr(k)}: {self.expr(v)}" for k, v in value.items())
            return "{" + items + "}"
        if isinstance(value, types.ModuleType):
            return self.ns.import_module(value.__name__)
        if isinstance(value, type) or (callable(value) and not _is_airflow_object(value)):
            return self.copier.callable(value)
        return self._airflow(value)

    # --- plain values -----------------------------------------------------------------------

    def _collection(self, value: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any]) -> str:
        if isinstance(value, (set, frozenset)):
            items = sorted(self.expr(v) for v in value)
            if not items:
                return "set()" if isinstance(value, set) else "frozenset()"
            body = "{" + ", ".join(items) + "}"
            return body if isinstance(value, set) else f"frozenset({body})"
        items = [self.expr(v) for v in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"

    def _enum(self, value: enum.Enum) -> str:
        if isinstance(value, str) and type(value).__module__.startswith("airflow"):
            return py_str(value.value)  # TriggerRule, WeightRule...: Airflow takes the string
        cls = type(value)
        return f"{self.copier.klass(cls)}.{value.name}"

    def _datetime(self, value: datetime.datetime) -> str:
        parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
        parts.append(value.microsecond)
        while len(parts) > 3 and parts[-1] == 0:
            parts.pop()
        numbers = ", ".join(str(p) for p in parts)
        tz = value.tzinfo
        if type(value).__module__.startswith("pendulum"):
            name = getattr(tz, "name", None)
            if name is None:
                raise Unsupported(f"the datetime {value!r} has a timezone without a name")
            return f"{self.ns.import_module('pendulum')}.datetime({numbers}, tz={py_str(name)})"
        module = self.ns.import_module("datetime")
        if tz is None:
            return f"{module}.datetime({numbers})"
        return f"{module}.datetime({numbers}, tzinfo={self._timezone(tz)})"

    def _timezone(self, tz: datetime.tzinfo) -> str:
        if tz is datetime.timezone.utc:
            return f"{self.ns.import_module('datetime')}.timezone.utc"
        name = getattr(tz, "name", None) or getattr(tz, "key", None)
        if type(tz).__module__.startswith("pendulum") and isinstance(name, str):
            return f"{self.ns.import_module('pendulum')}.timezone({py_str(name)})"
        if type(tz).__module__ == "zoneinfo" and isinstance(name, str):
            return f"{self.ns.import_from('zoneinfo', 'ZoneInfo')}({py_str(name)})"
        raise Unsupported(f"the timezone {tz!r} has no source form")

    def _timedelta(self, value: datetime.timedelta) -> str:
        parts = [
            f"{unit}={amount}"
            for unit, amount in (
                ("days", value.days),
                ("seconds", value.seconds),
                ("microseconds", value.microseconds),
            )
            if amount
        ]
        return f"{self.ns.import_module('datetime')}.timedelta({', '.join(parts) or '0'})"

    # --- Airflow objects --------------------------------------------------------------------

    def _sdk(self, name: str) -> str:
        return self.ns.import_from("airflow.sdk", name)

    def _airflow(self, value: Any) -> str:
        kind = type(value).__name__
        if _is_asset(value):
            return self._asset(value)
        if kind == "AssetAlias":
            group = f", group={py_str(value.group)}" if value.group else ""
            return f"{self._sdk('AssetAlias')}(name={py_str(value.name)}{group})"
        if kind in ("AssetAll", "AssetAny"):
            return f"{self._sdk(kind)}({', '.join(self.expr(o) for o in value.objects)})"
        if kind == "AssetNameRef":
            return f"{self._sdk('Asset')}.ref(name={py_str(value.name)})"
        if kind == "AssetUriRef":
            return f"{self._sdk('Asset')}.ref(uri={py_str(value.uri)})"
        if kind == "Param":
            return self._param(value)
        if kind == "ParamsDict":
            items = ", ".join(f"{py_str(k)}: {self._param(value.get_param(k))}" for k in value)
            return "{" + items + "}"
        if kind == "DagParam":
            dag_param = self.ns.import_from("asset2airflow.migrate", "dag_param")
            default = getattr(value, "_default", None)
            if type(default).__name__ == "ArgNotSet":
                return f"{dag_param}({py_str(value._name)})"
            return f"{dag_param}({py_str(value._name)}, {self.expr(default)})"
        if kind == "AssetOrTimeSchedule":
            timetable = self.expr(value.timetable)
            assets = self.expr(value.asset_condition)
            return f"{self._sdk('AssetOrTimeSchedule')}(timetable={timetable}, assets={assets})"
        if _is_timetable(value):
            return self._timetable(value)
        found = self._constructor(value, lambda rebuilt: bool(rebuilt == value))
        if found is not None:
            return found
        if hasattr(value, "serialize") and hasattr(type(value), "deserialize"):
            return self._serializable(value)
        return self._no_arguments(value)

    def _asset(self, value: Any) -> str:
        if getattr(value, "watchers", None):
            raise Unsupported(f"asset {value.name!r} has watchers (event-driven scheduling)")
        args = [f"name={py_str(value.name)}"]
        if value.uri != value.name:
            args.append(f"uri={py_str(value.uri)}")
        if value.group != "asset":
            args.append(f"group={py_str(value.group)}")
        if value.extra:
            args.append(f"extra={self.expr(dict(value.extra))}")
        control = getattr(value, "access_control", None)
        if control is not None and _differs(control, _default_access_control()):
            args.append(f"access_control={self.expr(control)}")
        return f"{self._sdk('Asset')}({', '.join(args)})"

    def _constructor(self, value: Any, same: Callable[[Any], bool]) -> str | None:
        """``Class(...)`` from the class's ``__init__`` signature, each parameter read back from
        the attribute of that name (or ``_name``); ``None`` unless ``same(rebuilt)``."""
        cls = type(value)
        try:
            parameters = (
                list(inspect.signature(cls.__init__).parameters.values())[1:]
                if cls.__init__ is not object.__init__
                else []
            )
        except (TypeError, ValueError):
            return None
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for parameter in parameters:
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                return None
            found, current = _attribute(value, parameter.name)
            if not found:
                if parameter.default is parameter.empty:
                    return None
                continue
            if parameter.name == "timezone" and isinstance(getattr(current, "name", None), str):
                current = current.name  # timetables take the zone's name
            if parameter.default is not parameter.empty and not _differs(
                current, parameter.default
            ):
                continue
            first_required = (
                not positional and not keywords and parameter.default is parameter.empty
            )
            if parameter.kind is parameter.POSITIONAL_ONLY or first_required:
                positional.append(current)
            else:
                keywords[parameter.name] = current
        try:
            if not same(cls(*positional, **keywords)):
                return None
        except Exception:
            return None
        arguments = [self.expr(v) for v in positional]
        arguments += [f"{k}={self.expr(v)}" for k, v in keywords.items()]
        return f"{self.copier.klass(cls)}({', '.join(arguments)})"

    def _timetable(self, value: Any) -> str:
        """A timetable: its constructor when one rebuilds the same serialized timetable, else
        Airflow's serialized form decoded (``decode_timetable({...})``)."""
        from airflow.serialization.decoders import decode_timetable
        from airflow.serialization.encoders import encode_timetable

        try:
            encoded = encode_timetable(value)
        except Exception:  # a plugin timetable Airflow does not know here (not registered)
            return self._no_arguments(value)
        try:
            found = self._constructor(value, lambda rebuilt: encode_timetable(rebuilt) == encoded)
        except Unsupported:
            found = None
        if found is not None:
            return found
        data = _plain(encoded)
        if encode_timetable(decode_timetable(data)) != encoded:
            raise Unsupported(f"timetable {value!r} does not serialize back to itself")
        decode = self.ns.import_from("airflow.serialization.decoders", "decode_timetable")
        return f"{decode}({self.expr(data)})"

    def _no_arguments(self, value: Any) -> str:
        """An object equal to a new instance of its class (a plugin's weight strategy...)."""
        cls = type(value)
        try:
            fresh = cls()
            same = type(fresh) is cls and vars(fresh) == vars(value)
        except Exception:
            same = False
        if not same:
            raise Unsupported(f"{cls.__name__} value {value!r} has no source form")
        return f"{self.copier.klass(cls)}()"

    def _param(self, param: Any) -> str:
        from airflow.sdk.definitions._internal.types import NOTSET

        args = [] if param.value is NOTSET else [self.expr(param.value)]
        if param.description is not None:
            args.append(f"description={py_str(param.description)}")
        for key, item in param.schema.items():
            if key.isidentifier():
                args.append(f"{key}={self.expr(item)}")
            else:
                args.append(f"**{{{py_str(key)}: {self.expr(item)}}}")
        return f"{self._sdk('Param')}({', '.join(args)})"

    def _serializable(self, value: Any) -> str:
        """An Airflow object with ``serialize``/``deserialize`` (a weight strategy...): a new
        instance when that is equal, else ``Class.deserialize({...})``."""
        cls = type(value)
        name = self.copier.klass(cls)
        try:
            data = value.serialize()
            if cls().serialize() == data:
                return f"{name}()"
            same = cls.deserialize(data).serialize() == data
        except Exception:
            same = False
        if not same:
            raise Unsupported(f"{cls.__name__} value {value!r} has no source form")
        return f"{name}.deserialize({self.expr(data)})"


def _is_asset(value: Any) -> bool:
    return any(
        c.__name__ == "Asset" and c.__module__.startswith("airflow") for c in type(value).__mro__
    )


def _is_timetable(value: Any) -> bool:
    return any(
        c.__name__ in ("BaseTimetable", "Timetable") and c.__module__.startswith("airflow")
        for c in type(value).__mro__
    )


def _default_access_control() -> Any:
    from airflow.sdk import Asset

    return getattr(Asset(name="x"), "access_control", None)


def _attribute(value: Any, name: str) -> tuple[bool, Any]:
    aliases = {"cron": "expression"}
    for candidate in (name, f"_{name}", aliases.get(name), f"_{aliases.get(name)}"):
        if candidate and hasattr(value, candidate):
            found = getattr(value, candidate)
            if not callable(found) or isinstance(found, type):
                return True, found
    return False, None


def _plain(value: Any) -> Any:
    """Serialized data with Airflow's str enums (``Encoding.TYPE``) as plain strings."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum) and isinstance(value, str):
        return str(value.value)
    return value


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except Exception:
        return True


def py_data(value: Any) -> str:
    """Plain data (JSON-like: dicts, lists, strings, numbers, booleans, ``None``) as source."""
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_data(k)}: {py_data(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_data(v) for v in value) + "]"
    return repr(value)


def py_str(text: str) -> str:
    """A string literal in double quotes (as formatters write them)."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        return '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _is_airflow_object(value: Any) -> bool:
    return type(value).__module__.startswith("airflow") and not isinstance(
        value, (types.FunctionType, types.BuiltinFunctionType)
    )
