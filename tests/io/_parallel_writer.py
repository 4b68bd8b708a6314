"""Run by the parallel-writer test as a real process: wait for the start signal, then store one
large DataFrame with SQLTableIOManager, as an Airflow task on the LocalExecutor would.

    python _parallel_writer.py URL ASSET_KEY TAG ROWS START_FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from asset2airflow.authoring.io_manager import build_output_context
from asset2airflow.io import SQLTableIOManager


def main() -> None:
    url, key, tag, rows, start = sys.argv[1:6]
    frame = pd.DataFrame({"n": range(int(rows)), "tag": tag})
    while not Path(start).exists():
        time.sleep(0.001)
    SQLTableIOManager(url=url).handle_output(build_output_context(key), frame)


if __name__ == "__main__":
    main()
