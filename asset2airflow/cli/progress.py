"""Live progress of a local run: one line per asset with its status and time.

On a terminal the lines are redrawn in place as steps start and finish; otherwise (CI, pipes) a
line is printed per event so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from asset2airflow.execution.plan import ExecutionPlan
from asset2airflow.execution.run_events import StepEventType
from asset2airflow.execution.sequence import AssetRunEvent

_SYMBOLS = {
    "pending": "·",
    "running": "…",
    "ok": "✓",
    "failed": "✗",
    "blocked": "!",
    "skipped": "-",
}


class ProgressDisplay:
    """Receives ``AssetRunEvent``s (pass ``display.on_event`` as the run listener)."""

    def __init__(
        self, plan: ExecutionPlan, stream: TextIO = sys.stdout, live: bool | None = None
    ) -> None:
        self._stream = stream
        self._live = stream.isatty() if live is None else live
        self._names = [step.name for step in plan.steps]
        self._status = dict.fromkeys(self._names, "pending")
        self._detail = dict.fromkeys(self._names, "")
        self._started: dict[str, float] = {}
        self._drawn = 0

    def on_event(self, event: AssetRunEvent) -> None:
        name = event.step.name
        if event.kind is StepEventType.STEP_START:
            self._status[name] = "running"
            self._started[name] = time.perf_counter()
        elif event.kind is StepEventType.STEP_SKIPPED:
            self._status[name] = "skipped"
            self._detail[name] = "upstream failed or blocked"
        elif event.outcome is not None:
            outcome = event.outcome
            self._detail[name] = f"{outcome.duration * 1000:.0f} ms"
            checks = outcome.check_evaluations
            if checks:
                passed = sum(1 for c in checks if c.passed)
                self._detail[name] += f", checks {passed}/{len(checks)} passed"
            if outcome.error is not None:  # the error itself is printed once, after the run
                self._status[name] = "failed"
            elif outcome.blocked_keys:
                self._status[name] = "blocked"
                self._detail[name] += ", blocking check failed"
            else:
                self._status[name] = "ok"
        self._render(name)

    def _line(self, name: str) -> str:
        status = self._status[name]
        detail = f"  {self._detail[name]}" if self._detail[name] else ""
        return f"{_SYMBOLS[status]} {name:<32} {status:<8}{detail}"

    def _render(self, changed: str) -> None:
        if not self._live:
            if self._status[changed] != "running":
                self._stream.write(self._line(changed) + "\n")
            self._stream.flush()
            return
        if self._drawn:
            self._stream.write(f"\x1b[{self._drawn}F")
        for name in self._names:
            self._stream.write("\x1b[2K" + self._line(name) + "\n")
        self._drawn = len(self._names)
        self._stream.flush()


class PartitionProgress:
    """One line per partition of a ``--partition-range`` run: ``[2/3] partition K ... ok
    (0.12 s)``. On a terminal the line shows the running asset until the partition is done;
    otherwise (CI, pipes) only the finished line is printed."""

    def __init__(self, total: int, stream: TextIO = sys.stdout, live: bool | None = None) -> None:
        self._stream = stream
        self._live = stream.isatty() if live is None else live
        self._total = total
        self._prefix = ""
        self._drawn = False

    def start(self, index: int, partition_key: str) -> None:
        """Partition ``index`` (counting from 1) is about to run."""
        self._prefix = f"[{index}/{self._total}] partition {partition_key} ..."
        self._drawn = False

    def on_event(self, event: AssetRunEvent) -> None:
        """The run's listener: on a terminal, show which step is running."""
        if self._live and event.kind is StepEventType.STEP_START:
            self._draw(f"{self._prefix} {_SYMBOLS['running']} {event.step.name}", end="")

    def finish(self, ok: bool, seconds: float, detail: str = "") -> None:
        status = "ok" if ok else "FAILED"
        extra = f", {detail}" if detail else ""
        self._draw(f"{self._prefix} {status} ({seconds:.2f} s{extra})", end="\n")

    def abandon(self) -> None:
        """End a line left open on a terminal (the run raised before finishing)."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False

    def _draw(self, text: str, end: str) -> None:
        if self._live:
            self._stream.write("\r\x1b[2K")
        self._stream.write(text + end)
        self._stream.flush()
        self._drawn = end == ""
