"""Fixtures of the browser tests: Chromium through Playwright, the built front end, the screenshots folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.harness import built_frontend, chromium_path, unavailable


# a headless browser with nothing to paint on a screen: software GPU and background work off
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update", "--mute-audio", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Per module, not per session: Playwright's sync API keeps an event loop running in this thread while it is
    open, and every later test that calls asyncio.run (the REST seam) would fail."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is missing: pip install -e '.[test]'")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(reduced_motion="reduce")  # no transitions to wait out
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def manifest():
    return built_frontend()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the screen tests write their screenshots: `SCREENSHOT_DIR` (`make screenshots` points it at
    docs/screenshots/), else the test's own folder, kept as an artefact of the run."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
