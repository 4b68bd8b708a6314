"""Run by the kill tests as a real subprocess: store one LARGE value with one built-in IO manager,
so the test can SIGKILL this process in the middle of the write.

    python _writer_process.py filesystem|parquet|sql TARGET ASSET_KEY

TARGET is the base directory (file managers) or the database URL (sql).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from asset2airflow.authoring.io_manager import IOManager, build_output_context
from asset2airflow.io import FilesystemIOManager, ParquetIOManager, SQLTableIOManager


class SlowToPickle:
    """Its pickling stalls, after the bytes before it are already in the temp file: the kill
    then certainly lands in the middle of the write, whatever the disk speed."""

    def __reduce__(self) -> tuple[Any, ...]:
        time.sleep(60)
        return (SlowToPickle, ())


def build(kind: str, target: str) -> tuple[IOManager, Any]:
    if kind == "filesystem":
        return FilesystemIOManager(base_dir=target), [b"v2" * 4_000_000, SlowToPickle()]
    import numpy as np
    import pandas as pd

    if kind == "parquet":  # ~1 s to write
        rows = 20_000_000
        frame = pd.DataFrame({"x": np.random.default_rng(0).random(rows), "n": np.arange(rows)})
        return ParquetIOManager(base_dir=target), frame
    if kind == "sql":  # ~8 s to insert into SQLite
        return SQLTableIOManager(url=target), pd.DataFrame({"n": range(2_000_000), "s": "v2"})
    raise SystemExit(f"unknown kind {kind!r}")


def main() -> None:
    kind, target, key = sys.argv[1:4]
    manager, value = build(kind, target)
    manager.handle_output(build_output_context(key), value)


if __name__ == "__main__":
    main()
