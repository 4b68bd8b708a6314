"""The top-level names of a generated module: imports and copied definitions, each name bound
once, in the order they were first needed (dependencies first), so the file is stable from run
to run and no two things share a name."""

from __future__ import annotations

import contextlib
import importlib
import keyword
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


class Unsupported(Exception):
    """A construct the migration cannot carry over as code; the message says which and why
    (without memory addresses or load-time module names, so generated files are stable)."""

    def __str__(self) -> str:
        text = re.sub(r" at 0x[0-9a-fA-F]+", "", super().__str__())
        return re.sub(r"unusual_prefix_[0-9a-f]+_", "", text)


@dataclass
class ModuleNamespace:
    """Names bound at the top of the generated module. ``key`` identifies what a name stands
    for (an import path or a copied object), so asking twice returns the same name."""

    _owner: dict[str, Hashable] = field(default_factory=dict)
    _by_key: dict[Hashable, str] = field(default_factory=dict)
    _imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _definitions: list[str] = field(default_factory=list)
    _pending: set[Hashable] = field(default_factory=set)

    def snapshot(self) -> ModuleNamespace:
        """A copy of the names bound so far, to ``restore`` when an attempt is abandoned (a
        task that falls back leaves no unused import behind)."""
        return ModuleNamespace(
            dict(self._owner),
            dict(self._by_key),
            dict(self._imports),
            list(self._definitions),
            set(self._pending),
        )

    def restore(self, snapshot: ModuleNamespace) -> None:
        self._owner = dict(snapshot._owner)
        self._by_key = dict(snapshot._by_key)
        self._imports = dict(snapshot._imports)
        self._definitions = list(snapshot._definitions)
        self._pending = set(snapshot._pending)

    def name_of(self, key: Hashable) -> str | None:
        return self._by_key.get(key)

    def is_free(self, name: str) -> bool:
        return name not in self._owner

    def claim(self, key: Hashable, preferred: str, *, exact: bool = False) -> str:
        """Bind ``preferred`` (or ``preferred_2``...) to ``key``; ``exact``: only ``preferred``
        itself will do (copied code refers to it by that name)."""
        found = self._by_key.get(key)
        if found is not None and (not exact or found == preferred):
            return found
        candidate, n = preferred, 1
        while candidate in self._owner or keyword.iskeyword(candidate):
            if self._owner.get(candidate) == key:
                break
            if exact:
                raise Unsupported(
                    f"the name {preferred!r} is needed for two different things in the "
                    "generated module"
                )
            n += 1
            candidate = f"{preferred}_{n}"
        self._owner[candidate] = key
        self._by_key.setdefault(key, candidate)
        return candidate

    def import_from(
        self, module: str, attribute: str, preferred: str | None = None, *, exact: bool = False
    ) -> str:
        """``from module import attribute [as name]``; returns the bound name. One object
        imported through two paths (``airflow.sdk.Asset`` and its defining module) is one
        name."""
        key: Hashable = ("import", module, attribute)
        with contextlib.suppress(Exception):  # not importable here: keyed by its path
            key = ("object", id(getattr(importlib.import_module(module), attribute)))
        name = self.claim(key, preferred or attribute, exact=exact)
        self._imports.setdefault(name, (module, attribute))
        return name

    def import_module(
        self, module: str, preferred: str | None = None, *, exact: bool = False
    ) -> str:
        """``import module [as name]``; returns the bound name."""
        key = ("module", module)
        name = self.claim(key, preferred or module.rpartition(".")[2], exact=exact)
        self._imports[name] = (module, None)
        return name

    def define(
        self,
        key: Hashable,
        preferred: str,
        write: Callable[[str], str],
        *,
        exact: bool = False,
    ) -> str:
        """Bind a definition written by ``write(name)`` (run once, after its dependencies)."""
        found = self._by_key.get(key)
        if found is not None and (not exact or found == preferred):
            return found
        if key in self._pending:  # a cycle (recursive functions): the name is enough
            return self.claim(key, preferred, exact=exact)
        name = self.claim(key, preferred, exact=exact)
        self._pending.add(key)
        try:
            source = write(name)
        finally:
            self._pending.discard(key)
        self._definitions.append(source.rstrip() + "\n")
        return name

    def import_lines(self) -> list[str]:
        """Sorted import statements: plain imports, then ``from`` imports grouped by module."""
        plain: list[str] = []
        grouped: dict[str, list[str]] = {}
        for name, (module, attribute) in self._imports.items():
            if attribute is None:
                plain.append(f"import {module}" if name == module else f"import {module} as {name}")
            else:
                grouped.setdefault(module, []).append(
                    attribute if name == attribute else f"{attribute} as {name}"
                )
        lines = sorted(set(plain))
        ours: list[str] = []  # asset2airflow's imports last, after a blank line
        for module in sorted(grouped):
            names = ", ".join(sorted(grouped[module]))
            line = f"from {module} import {names}"
            if len(line) > 100:
                inner = "".join(f"    {n},\n" for n in sorted(grouped[module]))
                line = f"from {module} import (\n{inner})"
            (ours if module.partition(".")[0] == "asset2airflow" else lines).append(line)
        return [*lines, *([""] if lines and ours else []), *ours]

    @property
    def definitions(self) -> list[str]:
        return list(self._definitions)
