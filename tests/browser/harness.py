"""Browser test harness: Debian's Chromium driven by Playwright for Python (the project never downloads a
browser build) and the built front end (the real app serves it: tests/browser/live_portal.py).

Without Chromium the browser tests skip with one line saying how to install it; with BROWSER_TESTS_REQUIRED=1
(set by .ci/run) they fail instead."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT = ROOT / "placement_ui" / "frontend"
DIST = ROOT / "placement_ui" / "static" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"


def required() -> bool:
    return os.environ.get("BROWSER_TESTS_REQUIRED") == "1"


def unavailable(reason: str):
    if required():
        pytest.fail(f"{reason} (BROWSER_TESTS_REQUIRED=1)")
    pytest.skip(reason)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        unavailable("Chromium is missing: apt-get install chromium")
    return found


def built_frontend() -> dict:
    """The Vite manifest, building the bundle first when sources changed (make's stamp decides)."""
    if not shutil.which("npm"):
        unavailable("Node.js and npm are needed to build the front end")
    done = subprocess.run(["make", "-s", "frontend"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not MANIFEST.exists():
        pytest.fail(f"the front end did not build:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))
