"""The front end's own unit tests (vitest: formatting helpers, the i18n catalogue, the bootstrap blob),
run from pytest so `make test` covers them. Skipped, saying why, when Node.js is missing."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.browser.harness import FRONT, ROOT, required

pytestmark = pytest.mark.long  # handed out first in a parallel run


def test_vitest_suite_passes():
    if not shutil.which("npx"):
        if required():
            pytest.fail("Node.js is missing (BROWSER_TESTS_REQUIRED=1)")
        pytest.skip("Node.js and npm are needed for the front end's unit tests")
    if not (FRONT / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["make", "-s", f"{FRONT.relative_to(ROOT)}/node_modules/.package-lock.json"], cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
    done = subprocess.run(["npx", "vitest", "run", "--reporter=dot"], cwd=FRONT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CI": "1", "NO_COLOR": "1"})
    assert done.returncode == 0, f"vitest failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
