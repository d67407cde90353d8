"""The official Bitrix24 JS SDK (@bitrix24/b24jssdk, pinned in package.json), unchanged, against the HTTPS
sandbox's incoming webhook: keyed batches, get, auto-paging and streamed lists over 120 deals, an error.

The package is installed with `npm ci` into this folder once (node_modules is not committed); without
Node.js or a reachable npm registry the test is skipped, saying why."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SDK = HERE / "node_modules" / "@bitrix24" / "b24jssdk" / "package.json"
DEALS = 120


def _installed_sdk() -> None:
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("Node.js and npm are needed to run the official JS SDK")
    if SDK.exists():
        return
    try:
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                              timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("npm ci did not finish in 300 s: is the npm registry reachable?")
    if done.returncode != 0 or not SDK.exists():
        pytest.skip(f"npm ci could not install @bitrix24/b24jssdk (registry unreachable?): {done.stderr.strip()[-500:]}")


@pytest.fixture
def sdk_answer(sandbox_factory):
    _installed_sdk()
    sandbox = sandbox_factory(tls=True)
    done = subprocess.run(
        ["node", "sdk_check.mjs", sandbox.webhook_url, str(DEALS)], cwd=HERE, capture_output=True, text=True,
        timeout=300, env={**os.environ, "NODE_EXTRA_CA_CERTS": sandbox.ca_file},
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, f"the SDK script failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return sandbox, json.loads(lines[-1][len("RESULT "):])


def test_b24jssdk_webhook_client_against_the_https_sandbox(sdk_answer):
    sandbox, out = sdk_answer
    assert out["origin"] == sandbox.base_url
    assert out["batch_keys"] == out["batch_ids_unique"] == DEALS  # keyed batch answers, one deal each
    assert out["get_title"] == "JS SDK deal 007"
    assert out["list_count"] == DEALS and out["list_titles_match"] is True  # callListMethod paged to the end
    assert out["fetch_count"] == DEALS and out["fetch_ids_match"] is True and out["fetch_chunks"] == 3
    # a portal answers a missing deal with HTTP 400 and {"error": "", "error_description": "Not found"};
    # the SDK raises AjaxError with that status (an empty `error` code makes it keep axios's own code)
    assert out["missing"]["ajax_error"] is True and out["missing"]["status"] == 400
    assert out["http_refused"] == "JSSDK_HOOK_URL_NOT_HTTPS"  # why the sandbox must speak HTTPS
