"""50 assets in one DAG ("fifty"): 10 roots f0..f9, then 4 layers of 10, each asset adding two
assets of the layer above; a blocking check on every root. Values are pickled under the
RELATIVE base_dir "fifty-store": resolved against $ASSET2AIRFLOW_HOME by the dag processor (asset
URIs) and by every Celery worker (writes), whatever their working directories."""

from asset2airflow import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetIn,
    Definitions,
    FilesystemIOManager,
    asset,
    asset_check,
)
from asset2airflow.airflow import build_dags

WIDTH, LAYERS = 10, 5


def root(context: AssetExecutionContext) -> int:
    return int(context.asset_key.path[-1][1:])


def combine(left: int, right: int) -> int:
    return left + right


def is_small(value: int) -> AssetCheckResult:
    return AssetCheckResult(passed=0 <= value < WIDTH, metadata={"value": value})


assets = [asset(name=f"f{i}", group_name="fifty")(root) for i in range(WIDTH)]
for i in range(WIDTH, WIDTH * LAYERS):
    above = i - WIDTH - i % WIDTH
    ins = {
        "left": AssetIn(f"f{above + i % WIDTH}"),
        "right": AssetIn(f"f{above + (i + 1) % WIDTH}"),
    }
    assets.append(asset(name=f"f{i}", group_name="fifty", ins=ins)(combine))
checks = [
    asset_check(asset=f"f{i}", name="is_small", blocking=True)(is_small) for i in range(WIDTH)
]

build_dags(
    Definitions(
        assets=assets,
        asset_checks=checks,
        resources={"io_manager": FilesystemIOManager(base_dir="fifty-store")},
    )
)
