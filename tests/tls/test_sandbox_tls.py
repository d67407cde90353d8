"""The sandbox over HTTPS: `python -m sandbox --tls`, a CA clients can trust, https in every URL it hands out."""
from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import requests
from cryptography import x509

from sandbox import SandboxConfig, SandboxServer

ROOT = Path(__file__).resolve().parents[2]


def test_cli_serves_https_and_prints_the_ca_file(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--plan", "unlimited", "--tls", "--tls-dir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base, webhook, ca = (proc.stdout.readline().strip() for _ in range(3))
        assert base.startswith("https://127.0.0.1:") and webhook == f"webhook: {base}/rest/1/sandbox/"
        assert ca == f"ca: {tmp_path / 'ca.pem'}"
        index = requests.get(f"{base}/_sandbox/", timeout=10, verify=str(tmp_path / "ca.pem")).json()
        for key in ("base_url", "client_endpoint", "webhook_url", "oauth_url", "view_url", "bx24_script"):
            assert index[key].startswith("https://127.0.0.1:"), key
        try:
            requests.get(f"{base}/_sandbox/", timeout=10)  # not trusted without the CA
            raise AssertionError("an untrusted certificate was accepted")
        except requests.exceptions.SSLError:
            pass
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_certificate_names_the_loopback_and_a_kept_ca_is_reused(tmp_path):
    first = SandboxServer(SandboxConfig(port=0, tls=True, tls_dir=str(tmp_path)))
    try:
        ca = (tmp_path / "ca.pem").read_bytes()
        leaf = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
        assert names.get_values_for_type(x509.DNSName) == ["localhost"]
        assert first.portal.client_endpoint == f"https://{first.portal.domain}/rest/"
    finally:
        first.stop()
    second = SandboxServer(SandboxConfig(port=0, tls=True, tls_dir=str(tmp_path))).start()
    try:
        assert (tmp_path / "ca.pem").read_bytes() == ca  # clients told to trust it once keep trusting it
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        host = "localhost"
        with ssl_connect(ctx, host, second.config.port) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        second.stop()


def ssl_connect(ctx: ssl.SSLContext, host: str, port: int):
    import socket

    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host)


def test_plain_http_stays_the_default(sandbox):
    assert sandbox.base_url.startswith("http://") and sandbox.ca_file is None
    assert sandbox.portal.client_endpoint.startswith("http://")
