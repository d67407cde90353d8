"""`flask --app app ...` as an operator runs it: missing settings and an unmigrated database are one line, exit 2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
NO_REDIS = "redis://127.0.0.1:9/0"  # never contacted: the commands below fail before any Redis call


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": env["INSTANCE_DIR"], "LANG": "C.UTF-8"}
    return subprocess.run([str(FLASK), "--app", "app", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_missing_settings_are_named_in_one_line(tmp_path):
    res = _flask({"INSTANCE_DIR": str(tmp_path), "B24_CLIENT_SECRET": "s", "APP_BASE_URL": "http://127.0.0.1:5000",
                  "REDIS_URL": NO_REDIS}, "portals", "list")
    assert (res.returncode, res.stdout, res.stderr) == (2, "", "Error: missing settings: SECRET_KEY, B24_CLIENT_ID\n")


def test_an_unmigrated_database_says_to_run_the_upgrade(tmp_path):
    env = {"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "k", "B24_CLIENT_ID": "c", "B24_CLIENT_SECRET": "s",
           "APP_BASE_URL": "http://127.0.0.1:5000", "REDIS_URL": NO_REDIS,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    for args in (["portals", "list"], ["shops", "list", "--member-id", "m1"], ["segments", "settings", "--member-id",
                                                                                "m1"]):
        res = _flask(env, *args)
        assert (res.returncode, res.stdout, res.stderr) == (
            2, "", "Error: the database is not set up: run flask --app app db upgrade\n"), args
