"""`make demo`: the sandbox portal, the app and a worker on the embedded defaults; install the app,
connect a shop, post sample orders through the signed shop API and let the worker turn them into deals.

Runs until Ctrl-C (`--once` exits after the install has converged, for a smoke run). `--tls` (`make demo
TLS=1`) serves the sandbox over HTTPS with its own CA, which the app trusts through B24_CA_BUNDLE.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

from bench import demo_shop


def _free(port: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            return 0


def _start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def _wait_active(stack, timeout: float = 60) -> dict:
    """Poll the app's own CLI view of the portal until setup has converged (a demo, not a test)."""
    from bitrix_app.portals import portal_record
    from bitrix_app.store.db import transaction

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.app.app_context(), transaction(stack.app.extensions["bitrix_app"]["sessions"]) as s:
            rec = portal_record(s, stack.member_id)
            if rec and rec.status in ("active", "blocked"):
                return {"status": rec.status, "shop_category_id": rec.shop_category_id, "reason": rec.status_reason}
        time.sleep(0.5)
    return {"status": "timeout"}


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--once", action="store_true", help="exit after the install has converged")
    parser.add_argument("--tls", action="store_true", help="serve the sandbox portal over HTTPS (prints the CA to trust)")
    args = parser.parse_args()
    # a terminated demo (SIGTERM) stops its worker and embedded servers like Ctrl-C does
    signal.signal(signal.SIGTERM, _interrupt)
    from bench.harness import start_stack

    workdir = os.path.abspath(os.environ.get("INSTANCE_DIR", "instance/demo"))
    os.makedirs(workdir, exist_ok=True)
    stack = start_stack(plan="standard", workdir=workdir, app_port=_free(5000), sandbox_port=_free(8765),
                        tls=args.tls)
    worker = _start_worker(stack.env)
    try:
        ans = stack.install(mode="callback")
        outcome = _wait_active(stack)
        base, app_url, ca = stack.sandbox.base_url, stack.live.url, stack.sandbox.ca_file
        print(json.dumps({"member_id": ans["member_id"], **outcome}))
        shop = demo_shop.connect(stack)
        answer = demo_shop.post(shop, {"events": demo_shop.sample_events()})
        synced = demo_shop.wait_synced(stack)
        deals = len(stack.sandbox.portal.table("crm_deal"))
        print(json.dumps({"shop": shop, "posted": answer.json(), "inbox": synced, "deals_in_portal": deals}))
        print(json.dumps(demo_shop.segments(stack), default=str))
        print(f"""
Portal (open this)  {base}/_sandbox/portal?user_id=1&lang=ru
                    the app's page and a deal tab framed as Bitrix24 frames them; user_id=2 is a manager,
                    lang=en reads English, deal_id=N opens that deal's tab
Sandbox portal      {base}/_sandbox/          (control API index)
  CRM view          {base}/_sandbox/view      (deals, contacts, activities)
  incoming webhook  {stack.sandbox.webhook_url}
  OAuth server      {base}/oauth/token/
App                 {app_url}/healthz
  database          {stack.env['DATABASE_URL']}
  redis             {stack.env['REDIS_URL']}
Shop API            {shop['events_url']}   (X-Signature: sha256=<HMAC of the body with the secret>)
  OpenAPI           {app_url}/shop/v1/openapi.json
Admin API OpenAPI   {app_url}/api/v1/openapi.json
Try:  curl -s{f" --cacert {ca}" if ca else ""} {stack.sandbox.webhook_url}crm.deal.list -d 'select[]=TITLE' -d 'select[]=STAGE_ID'
      flask --app app segments list --member-id {stack.member_id}   (with this demo's environment)
""", flush=True)
        if ca:
            print(f"""HTTPS: the sandbox's certificate is signed by the CA in
  {ca}
The app trusts it through B24_CA_BUNDLE. For a browser, import that file as a trusted certificate
authority (Firefox: Settings > Certificates > Authorities > Import; Chrome: Settings > Privacy and
security > Security > Manage certificates > Authorities), or accept the warning once. The CA is kept
and reused by later runs with the same INSTANCE_DIR.
""", flush=True)
        if not args.once:
            print("Running; Ctrl-C stops everything.", flush=True)
            while worker.poll() is None:
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        stack.stop()


if __name__ == "__main__":
    main()
