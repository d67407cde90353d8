"""`flask --app app ...` as an operator runs it: missing settings and an unmigrated database are one line, exit 2."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
NO_REDIS = "redis://127.0.0.1:9/0"  # never contacted: the commands below fail before any Redis call


def _start(env: dict, *args: str) -> subprocess.Popen:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": env["INSTANCE_DIR"], "LANG": "C.UTF-8"}
    return subprocess.Popen([str(FLASK), "--app", "app", *args], cwd=ROOT, env={**base, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return _finish(_start(env, *args))


def test_missing_settings_are_named_in_one_line(tmp_path):
    res = _flask({"INSTANCE_DIR": str(tmp_path), "B24_CLIENT_SECRET": "s", "APP_BASE_URL": "http://127.0.0.1:5000",
                  "REDIS_URL": NO_REDIS}, "portals", "list")
    assert (res.returncode, res.stdout, res.stderr) == (2, "", "Error: missing settings: SECRET_KEY, B24_CLIENT_ID\n")


def test_an_unmigrated_database_says_to_run_the_upgrade(tmp_path):
    env = {"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "k", "B24_CLIENT_ID": "c", "B24_CLIENT_SECRET": "s",
           "APP_BASE_URL": "http://127.0.0.1:5000", "REDIS_URL": NO_REDIS,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    commands = (["portals", "list"], ["shops", "list", "--member-id", "m1"], ["segments", "settings", "--member-id",
                                                                            "m1"])
    started = [(args, _start(env, *args)) for args in commands]  # separate processes, run side by side
    for args, proc in started:
        res = _finish(proc)
        assert (res.returncode, res.stdout, res.stderr) == (
            2, "", "Error: the database is not set up: run flask --app app db upgrade\n"), args
