"""`python -m sandbox`: help text, and a real server that prints its URL."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_the_options():
    out = subprocess.run(
        [sys.executable, "-m", "sandbox", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0
    for option in ("--host", "--port", "--webhook-code", "--plan", "--access-ttl"):
        assert option in out.stdout


def test_serves_and_prints_its_urls():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--plan", "unlimited", "--webhook-code", "cli"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        webhook = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert webhook == f"webhook: {base}/rest/1/cli/"
        index = requests.get(f"{base}/_sandbox/", timeout=10).json()
        assert index["plan"] == "unlimited" and index["webhook_url"] == f"{base}/rest/1/cli/"
        r = requests.post(f"{base}/rest/1/cli/batch", json={"cmd": {}}, timeout=10)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
