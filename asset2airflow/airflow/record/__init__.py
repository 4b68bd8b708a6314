"""The one record of what asset2airflow writes into Airflow and reads back (no Airflow imports):

- ``TaskRecord`` / ``AssetRecord`` (``static``): published at parse time on each task
  (serialized field ``asset_docs``): definitions and every upstream asset key;
- ``RunRecord`` / ``AssetRun`` / ``CheckRecord`` (``run``): written once per task try (XCom key
  ``asset2airflow``) by per-asset and fused tasks alike;
- ``EventExtra`` (``run``): the asset event ``extra`` of a materialized asset.

Writers build these dataclasses; the plugin, ``asset2airflow status`` and OpenLineage read them
with ``from_json``. Each carries ``version``; older versions are upgraded on read, newer ones
raise ``RecordError`` saying which version is needed. See ``docs/adr/0001-record.md``.
"""

from asset2airflow.airflow.record.common import (
    VERSION,
    AssetStatus,
    RecordError,
    TaskKind,
    TryOutcome,
)
from asset2airflow.airflow.record.partitions import (
    dynamic_names_in,
    partitions_from_json,
    partitions_to_json,
)
from asset2airflow.airflow.record.run import (
    XCOM_KEY,
    AssetRun,
    CheckRecord,
    EventExtra,
    RunRecord,
)
from asset2airflow.airflow.record.static import (
    FIELD,
    RECORD_EXTRA,
    AssetRecord,
    CheckDefinition,
    TaskRecord,
    asset_record,
    observed_record,
    read_task_record,
    task_record,
)

__all__ = [
    "FIELD",
    "RECORD_EXTRA",
    "VERSION",
    "XCOM_KEY",
    "AssetRecord",
    "AssetRun",
    "AssetStatus",
    "CheckDefinition",
    "CheckRecord",
    "EventExtra",
    "RecordError",
    "RunRecord",
    "TaskKind",
    "TaskRecord",
    "TryOutcome",
    "asset_record",
    "dynamic_names_in",
    "observed_record",
    "partitions_from_json",
    "partitions_to_json",
    "read_task_record",
    "task_record",
]
