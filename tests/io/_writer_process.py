"""Run as a subprocess by the kill tests: store a big value with one IO manager, slowly enough
that the test can SIGKILL it in the middle of the write.

    python _writer_process.py filesystem|parquet|sql TARGET
"""

from __future__ import annotations

import sys
import time
from typing import Any

from asset2airflow import (
    FilesystemIOManager,
    IOManager,
    ParquetIOManager,
    SQLTableIOManager,
    build_output_context,
)


class SlowToPickle:
    """Pickling writes a first chunk, then stalls: the kill lands mid-write."""

    def __reduce__(self) -> tuple[Any, ...]:
        time.sleep(60)
        return (SlowToPickle, ())


def main() -> None:
    kind, target = sys.argv[1], sys.argv[2]
    manager: IOManager
    value: Any
    if kind == "filesystem":
        manager = FilesystemIOManager(base_dir=target)
        value = [b"x" * 1_000_000, SlowToPickle()]
    elif kind == "parquet":
        import pandas as pd

        manager = ParquetIOManager(base_dir=target)
        value = pd.DataFrame({"n": range(30_000_000)})
    else:
        import pandas as pd

        manager = SQLTableIOManager(url=target)
        value = pd.DataFrame({"n": range(3_000_000), "s": "row"})
    manager.handle_output(build_output_context("victim"), value)


if __name__ == "__main__":
    main()
