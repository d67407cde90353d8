"""Certificate trust for every outbound call to portals and the OAuth server.

`B24_CA_BUNDLE` (a PEM file) replaces the default trust store when set; verification itself is
never turned off. Callers pass the bundle they were given (`settings.B24_CA_BUNDLE` of their scope; None is the
default trust store). A certificate that fails verification is a configuration fault, reported as
`CertificateUntrusted` (naming the setting) instead of an outage to retry.
"""
from __future__ import annotations

import ssl

import requests

from .errors import CertificateUntrusted


def ssl_context(bundle: str | None) -> ssl.SSLContext | bool:
    """The `ssl=` argument of an aiohttp request: a context trusting the bundle, or True (the default)."""
    return ssl.create_default_context(cafile=bundle) if bundle else True


def untrusted(exc: BaseException) -> str | None:
    """Why a transport error is a failed certificate verification, or None when it is something else."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        cert_error = getattr(exc, "certificate_error", None)  # aiohttp.ClientConnectorCertificateError
        if isinstance(cert_error, ssl.SSLCertVerificationError):
            exc = cert_error
        if isinstance(exc, ssl.SSLCertVerificationError):
            return getattr(exc, "verify_message", None) or str(exc)
        nested = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        reason = getattr(exc, "reason", None)  # urllib3's MaxRetryError
        exc = nested or (reason if isinstance(reason, BaseException) else None) or exc.__cause__ or exc.__context__
    return None


def post(url: str, ca_bundle: str | None = None, **kwargs) -> requests.Response:
    """requests.post trusting `ca_bundle`; raises CertificateUntrusted for a certificate it does not trust."""
    try:
        return requests.post(url, verify=ca_bundle or True, **kwargs)
    except requests.exceptions.SSLError as exc:
        reason = untrusted(exc)
        if reason is None:
            raise
        raise CertificateUntrusted(url, reason) from exc
