"""Browser test harness: Debian's Chromium driven by Playwright for Python (the project never downloads a
browser build), the built front end, and a minimal static stand-in for the Flask shell.

Without Chromium the browser tests skip with one line saying how to install it; with BROWSER_TESTS_REQUIRED=1
(set by .ci/run) they fail instead."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT = ROOT / "placement_ui" / "frontend"
DIST = ROOT / "placement_ui" / "static" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"
ENTRY = "src/main.ts"
ASSETS_URL = "/placement-ui/static/dist/"


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


def shell_html(manifest: dict, bootstrap: dict) -> str:
    """What the Flask shell renders: the bootstrap blob, the entry's CSS and the entry module."""
    entry = manifest[ENTRY]
    css = "".join(f'<link rel="stylesheet" href="{ASSETS_URL}{c}">' for c in entry.get("css", []))
    blob = json.dumps(bootstrap).replace("<", "\\u003c")
    return (f'<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">{css}'
            f'<script type="module" src="{ASSETS_URL}{entry["file"]}"></script></head>'
            f'<body><div id="app"></div><script type="application/json" id="bootstrap">{blob}</script>'
            "</body></html>")


# What the admin API answers the stand-in shell's screens with (the shapes of today's endpoints).
API_ANSWERS = {
    "segments": {"segments": [
        {"code": "CHAMPIONS", "name_ru": "Чемпионы", "name_en": "Champions", "status": "active", "enabled": True,
         "count": 12},
        {"code": "SLEEPING", "name_ru": "Спящие", "name_en": "Sleeping", "status": "failed", "enabled": True,
         "count": 3, "error": {"reason": "number_range", "failed_at": "2026-01-01T10:00:00+00:00",
                               "message_ru": "Число в правиле вне допустимого диапазона", "detail": "",
                               "message_en": "A number in the rule is out of range"}}]},
    "segments/snapshot": {"customers": 40, "buyers": 30, "active": 10, "active_share": 0.3333, "target": 0.3,
                          "trend": 0.01, "taken_at": "2026-01-01T10:00:00+00:00", "counts": {}},
    "segments/trend": {"target": 0.3, "meets_target": True,
                       "points": [{"taken_at": "2026-01-01T10:00:00+00:00", "active_share": 0.3333}]},
    "ltv": {"overall": {"customers": 40, "purchases": 55, "repeat_share": 0.25}},
    "campaigns": {"campaigns": [{"code": "WINBACK", "name_ru": "Возврат", "name_en": "Win-back", "enabled": True}]},
    "access": {"user_ids": []},
}
API_PATH = re.compile(r"^/api/v1/portals/[^/]+/(.+)$")


class ShellServer:
    """A loopback server standing in for the Flask shell: POST /app and /tab render the shell from the
    placement form; the built assets and a canned admin API are served beside it. Records API requests."""

    def __init__(self, manifest: dict, role: str = "admin"):
        self.manifest, self.role, self.api_requests = manifest, role, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                options = json.loads(form.get("PLACEMENT_OPTIONS") or "{}") or {}
                boot = {"member_id": form.get("member_id", ""), "user_id": 1, "role": outer.role,
                        "lang": query.get("LANG", "ru"), "placement": form.get("PLACEMENT", "DEFAULT"),
                        "entity_id": int(options["ID"]) if str(options.get("ID", "")).isdigit() else None,
                        "api_base": outer.url, "token": "test-token"}
                self._send(200, shell_html(outer.manifest, boot).encode(), "text/html; charset=utf-8")

            def do_GET(self):
                path = urlparse(self.path).path
                api = API_PATH.match(path)
                if api:
                    outer.api_requests.append({"path": api.group(1), "auth": self.headers.get("Authorization"),
                                               "cookie": self.headers.get("Cookie")})
                    answer = API_ANSWERS.get(api.group(1))
                    body = answer if answer is not None else {"error": "not_found", "message": path, "details": {}}
                    return self._send(200 if answer is not None else 404, json.dumps(body).encode(),
                                      "application/json")
                if path.startswith(ASSETS_URL):
                    file = (DIST / path[len(ASSETS_URL):]).resolve()
                    if DIST.resolve() in file.parents and file.is_file():
                        ctype = {".js": "text/javascript", ".css": "text/css"}.get(file.suffix, "application/octet-stream")
                        return self._send(200, file.read_bytes(), ctype)
                self._send(404, b"not found", "text/plain")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "ShellServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
