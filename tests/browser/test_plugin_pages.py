"""The plugin in a real browser (headless Chromium) on a real ``airflow standalone``: the
navigation entry opens the lineage graph with the sales pipeline's states, a click leads to the
asset and its checks, a failed check shows as failed, the partition grid shows each partition's
status, the DAG page has an "Assets" tab, and user strings never run as code.

Set ``ASSET2AIRFLOW_SCREENSHOTS=docs`` to refresh the screenshots the README shows."""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from asset2airflow.testing.standalone import AirflowStandalone
from tests.plugin.sources import (
    DAY_CHECK_FAILS,
    DAY_FAILS,
    DAYS_OK,
    FUSED,
    PARTITIONS,
    QUALITY,
    XSS,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DAG_IDS = ("sales", "sales_marts", "plugin_quality", "plugin_quality_reports", "plugin_days")
MARTS_EDGES = {
    ("cleaned_sales", "sales_by_region"),
    ("cleaned_sales", "largest_orders"),
    ("sales_by_region", "best_region"),
    *(("cleaned_sales", f"{region}_sales") for region in ("north", "south", "east", "west")),
}


def trigger(airflow: AirflowStandalone, dag_id: str, **kwargs: Any) -> tuple[str, str]:
    """Trigger a run, retrying a few times: SQLite may be locked by the scheduler (500)."""
    import httpx

    for attempt in range(5):
        try:
            return dag_id, airflow.trigger(dag_id, **kwargs)
        except httpx.HTTPStatusError as error:
            if error.response.status_code < 500 or attempt == 4:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def wait_all(airflow: AirflowStandalone, runs: list[tuple[str, str]]) -> dict[str, str]:
    return {run: airflow.wait_for_run(dag, run, timeout=240)["state"] for dag, run in runs}


@pytest.fixture(scope="module")
def airflow(airflow_standalone: AirflowStandalone) -> AirflowStandalone:
    """The sales pipeline run once; ``plugin_orders`` run twice, its blocking check failing
    the second time; five days of ``plugin_daily_sales`` (one fails, one fails its check)."""
    airflow = airflow_standalone
    folder = airflow.dags_folder
    shutil.copytree(REPO / "dags" / "data", folder / "data", dirs_exist_ok=True)
    shutil.copy(REPO / "dags" / "sales_pipeline.py", folder / "sales_pipeline.py")
    shutil.copy(REPO / "dags" / "sales_marts.py", folder / "sales_marts.py")  # the demo's marts
    (folder / "plugin_quality.py").write_text(textwrap.dedent(QUALITY))
    (folder / "plugin_partitions.py").write_text(textwrap.dedent(PARTITIONS))
    for dag_id in DAG_IDS:
        airflow.wait_for_dag(dag_id, timeout=240)
    first = [trigger(airflow, "sales"), trigger(airflow, "plugin_quality")]
    days = [
        trigger(airflow, "plugin_days", partition_key=day)
        for day in (*DAYS_OK, DAY_CHECK_FAILS, DAY_FAILS)
    ]
    states = wait_all(airflow, first)
    assert list(states.values()) == ["success", "success"], states
    failing = trigger(airflow, "plugin_quality", conf={"plugin_orders__fail_check": True})
    assert wait_all(airflow, [failing]) == {failing[1]: "failed"}
    day_states = list(wait_all(airflow, days).values())
    assert day_states == ["success"] * len(DAYS_OK) + ["failed", "failed"], day_states
    return airflow


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("ASSET2AIRFLOW_SCREENSHOTS")
    folder = (REPO / target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(airflow: AirflowStandalone, airflow_page: Any) -> Iterator[Any]:
    errors: list[str] = []

    def record(error: Any) -> None:
        if "asset2airflow" in str(getattr(error, "stack", "") or ""):
            errors.append(f"{error}\n{error.stack}")

    airflow_page.on("pageerror", record)
    yield airflow_page
    assert not errors, errors  # no error in the plugin's scripts


def plugin_frame(page: Any, title: str) -> Any:
    """The plugin's frame inside Airflow's UI (an external view is an iframe)."""
    page.wait_for_selector(f"iframe[title='{title}']")
    frame = page.frame_locator(f"iframe[title='{title}']")
    frame.locator("main#app").wait_for()
    return frame


def js_frame(page: Any) -> Any:
    [frame] = [f for f in page.frames if urlparse(f.url).path.startswith("/asset2airflow/")]
    return frame


def asset_ids(airflow: AirflowStandalone) -> dict[str, int]:
    response = airflow.client.get("/asset2airflow/api/lineage")
    response.raise_for_status()
    return {a["name"]: a["id"] for a in response.json()["assets"]}


def test_lineage_nav_shows_the_sales_pipeline_and_leads_to_the_asset_and_its_checks(
    airflow: AirflowStandalone, page: Any, shots: Path
) -> None:
    page.goto(f"{airflow.url}/")
    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Asset lineage").click()
    frame = plugin_frame(page, "Asset lineage")
    frame.locator("body[data-graph-drawn]").wait_for()
    nodes = {n["name"]: n for n in js_frame(page).evaluate("window.A2ALineage.nodes")}
    for name in ("raw_sales", "cleaned_sales", "daily_sales_summary"):
        assert nodes[name]["state"] == "materialized", nodes[name]
    assert nodes["cleaned_sales"]["checks"] == "passed"
    assert (nodes["plugin_orders"]["state"], nodes["plugin_orders"]["checks"]) == (
        "failed",
        "failed",
    )
    assert not [n for n in nodes if n.startswith("asset2airflow-partitions")]
    # The demo's fused marts (another file, one task) are drawn connected to cleaned_sales and
    # among themselves.
    drawn = {tuple(e) for e in js_frame(page).evaluate("window.A2ALineage.drawnEdges")}
    assert drawn >= MARTS_EDGES, MARTS_EDGES - drawn
    assert ("raw_sales", "cleaned_sales") in drawn
    page.screenshot(path=str(shots / "plugin-lineage.png"))

    # Click the node on the canvas: its lineage lights up and the side panel describes it.
    inner = js_frame(page).evaluate("window.A2ALineage.screenPosition('cleaned_sales')")
    box = page.locator("iframe[title='Asset lineage']").bounding_box()
    page.mouse.click(box["x"] + inner["x"], box["y"] + inner["y"])
    panel = frame.locator("#selection")
    panel.get_by_role("heading", name="cleaned_sales").wait_for()
    assert "1 upstream, 8 downstream" in panel.inner_text()  # the summary and the 7 marts
    assert "Materialized" in panel.inner_text()
    page.screenshot(path=str(shots / "plugin-lineage-selected.png"))
    panel.get_by_role("link", name="Open asset page").click()

    frame.get_by_role("heading", name="cleaned_sales", exact=True).wait_for()
    row = frame.locator("tr.check-row[data-check='amounts_are_positive']")
    assert "Passed" in row.inner_text() and "blocking" in row.inner_text()
    assert "non_positive_rows" in row.inner_text()
    assert "/plugin/asset-lineage/asset2airflow/assets/" in page.url  # deep link in Airflow's URL
    assert frame.get_by_text("Transform: drop nulls and normalize column names.").count() == 1
    events = frame.locator("#materializations article.event")
    events.first.wait_for()
    assert "row_count" in events.first.inner_text()
    page.screenshot(path=str(shots / "plugin-asset.png"), full_page=True)


def test_search_selects_an_asset_and_markdown_metadata_renders_as_a_table(
    airflow: AirflowStandalone, page: Any
) -> None:
    page.goto(f"{airflow.url}/plugin/asset-lineage")
    frame = plugin_frame(page, "Asset lineage")
    frame.locator("body[data-graph-drawn]").wait_for()
    search = frame.get_by_role("searchbox", name="Search assets")
    search.fill("daily_sales_sum")
    assert frame.locator("#search-count").inner_text() == "1 match"
    search.press("Enter")
    frame.locator("#selection").get_by_role("heading", name="daily_sales_summary").wait_for()
    frame.locator("#open-asset").click()
    preview = frame.locator("div.markdown table")
    preview.first.wait_for()
    assert "order_date" in preview.first.inner_text()  # the DataFrame's to_markdown()


def test_a_failed_check_shows_as_failed_with_its_history(
    airflow: AirflowStandalone, page: Any, shots: Path
) -> None:
    page.goto(f"{airflow.url}/plugin/asset-checks")
    frame = plugin_frame(page, "Asset checks")
    row = frame.locator("tr.check-row[data-check='plugin_orders_positive']")
    row.wait_for()
    assert "Failed" in row.inner_text() and "blocking" in row.inner_text()
    warning = frame.locator("tr.check-row[data-check='plugin_orders_volume']")
    assert "Warning" in warning.inner_text() and "WARN" in warning.inner_text()
    assert "Passed" in frame.locator("tr.check-row[data-check='amounts_are_positive']").inner_text()
    page.screenshot(path=str(shots / "plugin-checks.png"))

    frame.locator("#filter-state").select_option("failed")
    assert frame.locator("tr.check-row[data-check='amounts_are_positive']").count() == 0
    assert row.is_visible()
    row.get_by_role("button", name="History").click()
    history = frame.locator("tr.history:not([hidden]) > td > table")
    history.wait_for()
    results = history.locator(":scope > tbody > tr")
    assert results.count() == 2
    assert "Failed" in results.nth(0).inner_text() and "Passed" in results.nth(1).inner_text()

    row.get_by_role("link", name="plugin_orders").click()  # on to the asset page
    frame.get_by_role("heading", name="plugin_orders", exact=True).wait_for()
    failed = frame.locator("tr.check-row[data-check='plugin_orders_positive']")
    assert "Failed" in failed.inner_text() and "negative_rows" in failed.inner_text()
    assert "Checks failed" in frame.locator(".page-header").inner_text()
    frame.locator("#materializations article.event").first.wait_for()
    page.screenshot(path=str(shots / "plugin-asset-failed-check.png"))


def test_partition_grid_shows_each_partitions_status_and_its_runs(
    airflow: AirflowStandalone, page: Any, shots: Path
) -> None:
    daily = asset_ids(airflow)["plugin_daily_sales"]
    started = time.monotonic()
    page.goto(f"{airflow.url}/plugin/asset-lineage/asset2airflow/assets/{daily}")
    frame = plugin_frame(page, "Asset lineage")
    grid = frame.locator(".partitions[data-partitions]")
    grid.wait_for()
    assert time.monotonic() - started < 15
    assert int(grid.get_attribute("data-partitions")) > 1000  # every day since 2024-01-01
    counts = {
        code: int(frame.locator(f".legend-toggle[data-status='{code}'] strong").inner_text())
        for code in ("m", "c", "f")
    }
    assert counts["c"] == 1 and counts["f"] == 1 and counts["m"] >= len(DAYS_OK)
    header = frame.locator(".page-header").inner_text()
    assert "Checks failed on 1 partition" in header, header
    row = frame.locator("tr.check-row[data-check='plugin_daily_sales_complete']")
    assert f"failed on 1 partition: {DAY_CHECK_FAILS}" in row.inner_text()
    page.screenshot(path=str(shots / "plugin-partitions.png"), full_page=True)

    finder = frame.get_by_role("searchbox", name="Find a partition")
    finder.fill(DAY_FAILS)
    finder.press("Enter")
    detail = frame.locator("#partition-detail")
    detail.get_by_role("heading", name=f"Partition {DAY_FAILS}").wait_for()
    detail.get_by_role("cell", name="failed").wait_for()
    assert "Never materialized." in detail.inner_text()
    assert "null" not in detail.inner_text()  # no check results: nothing shown for them
    finder.fill(DAYS_OK[0])
    finder.press("Enter")
    detail.get_by_role("heading", name="Latest materialization").wait_for()
    assert "[object" not in detail.inner_text() and "null" not in detail.inner_text()
    finder.fill(DAY_CHECK_FAILS)
    finder.press("Enter")
    detail.get_by_role("heading", name=f"Partition {DAY_CHECK_FAILS}").wait_for()
    detail.get_by_text("plugin_daily_sales_complete").wait_for()
    assert "check failed" in detail.inner_text()
    # The badge has the colour of the legend's swatch for "check failed".
    swatch = frame.locator(".legend-toggle[data-status='c'] .swatch")
    badge = detail.locator(".badge", has_text="check failed").first
    colour = "(e) => getComputedStyle(e).backgroundColor"
    assert badge.evaluate(colour) == swatch.evaluate(colour)
    section = frame.locator("section.card", has=frame.locator(".partitions"))
    section.screenshot(path=str(shots / "plugin-partition-detail.png"))


def test_the_dag_page_has_an_assets_tab(airflow: AirflowStandalone, page: Any, shots: Path) -> None:
    page.goto(f"{airflow.url}/dags/sales")
    page.locator("a[href$='/dags/sales/plugin/asset2airflow-dag-assets']").click()
    frame = plugin_frame(page, "Assets")
    table = frame.locator("table.dag-assets")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.asset)")) == [
        "cleaned_sales",
        "daily_sales_summary",
        "raw_sales",
    ]
    assert "amounts_are_positive" in rows.nth(0).inner_text()
    page.screenshot(path=str(shots / "plugin-dag-tab.png"))


def test_a_fused_dags_tab_shows_which_of_its_assets_failed(
    airflow: AirflowStandalone, page: Any, shots: Path
) -> None:
    (airflow.dags_folder / "plugin_fused.py").write_text(textwrap.dedent(FUSED))
    airflow.wait_for_dag("plugin_fused", timeout=240)
    ok = trigger(airflow, "plugin_fused", conf={"plugin_fused_bad__fail": False})
    assert wait_all(airflow, [ok]) == {ok[1]: "success"}
    bad = trigger(airflow, "plugin_fused", conf={"plugin_fused_bad__fail": True})
    assert wait_all(airflow, [bad]) == {bad[1]: "failed"}
    page.goto(f"{airflow.url}/dags/plugin_fused")
    page.locator("a[href$='/dags/plugin_fused/plugin/asset2airflow-dag-assets']").click()
    table = plugin_frame(page, "Assets").locator("table.dag-assets")
    table.wait_for()
    states = {
        name: table.locator(f"tbody tr[data-asset='{name}'] td").nth(1).inner_text().strip()
        for name in ("plugin_fused_ok", "plugin_fused_bad")
    }
    # One task made both; only the asset that failed in it reads as failed.
    assert states == {"plugin_fused_ok": "Materialized", "plugin_fused_bad": "Failed"}, states
    page.screenshot(path=str(shots / "plugin-fused-dag-tab.png"))


def test_descriptions_and_metadata_never_run_as_code(airflow: AirflowStandalone, page: Any) -> None:
    orders = asset_ids(airflow)["plugin_orders"]
    page.goto(f"{airflow.url}/asset2airflow/assets/{orders}")
    page.locator("#materializations article.event").first.wait_for()
    page.locator("tr.check-row").first.wait_for()
    text = page.locator("main").inner_text()
    assert "<script>window.__pwned = 1</script>" in text  # shown, as text
    assert XSS in text  # the raw text metadata and the check description
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main script, main img, main [onerror]").count() == 0
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and not h.startswith(("/", "http://", "https://"))], hrefs
    assert "https://example.com/orders" in hrefs
    assert page.locator(".unsafe-url", has_text="javascript:window.__pwned=6").count() == 1


def test_an_anonymous_browser_gets_nothing(airflow: AirflowStandalone, chromium: Any) -> None:
    context = chromium.new_context()
    try:
        page = context.new_page()
        for path in (
            "/asset2airflow/lineage",
            "/asset2airflow/api/lineage",
            "/asset2airflow/static/lineage.js",
        ):
            response = page.goto(f"{airflow.url}{path}")
            assert response is not None and response.status in (401, 403), path
    finally:
        context.close()
