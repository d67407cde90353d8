"""The page every placement gets: a small HTML shell that embeds the bootstrap blob and the built front end.

The blob (`<script type="application/json" id="bootstrap">`) carries what the app needs to start: portal, user,
role, language, placement, entity, where the API is and a short-lived API token bound to portal + user + role.
No cookie is set; the token travels in the Authorization header. The page may be framed only by the portal's own
origin (`Content-Security-Policy: frame-ancestors`). The assets are read from Vite's manifest; the manifest is
re-read when the build changes, so `make frontend` on a running server is picked up.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, render_template

ENTRY = "src/main.ts"
DIST = Path(__file__).resolve().parent / "static" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"
ASSETS_URL = "/placement-ui/static/dist/"
_STATE = "placement_ui.manifest"


class FrontendMissing(RuntimeError):
    """The front end was not built (make frontend)."""


@dataclass(frozen=True)
class Assets:
    script: str
    styles: tuple[str, ...]
    preloads: tuple[str, ...]


def _read_assets(manifest: dict) -> Assets:
    entry = manifest.get(ENTRY)
    if not entry:
        raise FrontendMissing(f"the front end's manifest has no {ENTRY}: run make frontend")
    preloads = tuple(ASSETS_URL + manifest[name]["file"] for name in entry.get("imports", ()) if name in manifest)
    return Assets(ASSETS_URL + entry["file"], tuple(ASSETS_URL + css for css in entry.get("css", ())), preloads)


def assets(app: Flask, manifest_path: Path = MANIFEST) -> Assets:
    """The built entry's script, styles and preloads; cached on the app until the manifest changes."""
    try:
        stamp = manifest_path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise FrontendMissing("the front end is not built: run make frontend") from exc
    cached = app.extensions.get(_STATE)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _read_assets(json.loads(manifest_path.read_text(encoding="utf-8"))))
        app.extensions[_STATE] = cached
    return cached[1]


def blob(bootstrap: dict) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` can close it or open a comment."""
    text = json.dumps(bootstrap, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def portal_origin(endpoint: str | None, domain: str | None) -> str | None:
    """The portal's own origin (scheme://host[:port]) from the address stored at install."""
    for raw in (endpoint, f"https://{domain}" if domain else None):
        if raw:
            parts = urlsplit(raw)
            if parts.scheme in ("http", "https") and parts.netloc:
                return f"{parts.scheme}://{parts.netloc}"
    return None


def security_headers(origin: str | None) -> dict[str, str]:
    ancestors = origin or "'none'"
    return {
        "Content-Security-Policy": f"frame-ancestors {ancestors}; object-src 'none'; base-uri 'none'",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def render(app: Flask, bootstrap: dict, origin: str | None, status: int = 200, notice: str = "") -> Response:
    """The shell page; `notice` is shown to a reader without scripts (and tells tests what the page refused)."""
    body = render_template("shell.html", assets=assets(app), blob=blob(bootstrap), lang=bootstrap["lang"],
                           notice=notice)
    return Response(body, status, security_headers(origin), mimetype="text/html")
