"""Headless Chromium for the browser tests and ``bench/plugin.py``: Debian's Chromium
(``$CHROMIUM``, default /usr/bin/chromium; never a browser downloaded by a test tool), driven by
Playwright. Registered for the whole suite by ``tests/conftest.py``; Playwright is imported only
when a test asks for ``chromium``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

    from asset2airflow.testing.standalone import AirflowStandalone

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's headless Chromium (``$CHROMIUM`` or /usr/bin/chromium) under ``playwright``."""
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the session; closed at the end, also after a failure."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def airflow_page(chromium: Browser, airflow_standalone: AirflowStandalone) -> Iterator[Any]:
    """A browser page logged in to the session's ``airflow_standalone`` as admin."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies(
        [{"name": "_token", "value": airflow_standalone.token, "url": airflow_standalone.url}]
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
