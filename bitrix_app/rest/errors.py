"""Typed failures of portal calls; callers never see transport details."""
from __future__ import annotations


class PortalCallError(Exception):
    """Base of every failure the REST seam raises."""


class PortalError(PortalCallError):
    """The portal answered a method with an error (e.g. "Not found", ACCESS_DENIED)."""

    def __init__(self, code: str, description: str, status: int | None = None):
        super().__init__(f"{code or 'ERROR'}: {description}")
        self.code, self.description, self.status = code, description, status


class OutcomeUnknown(PortalCallError):
    """A request may or may not have run on the portal: its answer was lost after it was sent.

    Raised for writes instead of re-sending them; find out what exists before trying again.
    """


class TokenExpired(PortalCallError):
    """The access token kept being rejected even after a refresh."""


class PortalBlocked(PortalCallError):
    """The installation cannot be used any more (refresh revoked, payment required, deleted)."""

    def __init__(self, reason: str, description: str = ""):
        super().__init__(f"{reason}: {description}" if description else reason)
        self.reason, self.description = reason, description


class PortalUnavailable(PortalCallError):
    """Transient: the portal or the OAuth server did not answer; retry later."""


class RateLimited(PortalUnavailable):
    """The portal kept answering QUERY_LIMIT_EXCEEDED after every backoff."""

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


class MethodBudgetExhausted(PortalUnavailable):
    """A method's operating-time budget is spent; it is accepted again at `retry_at` (unix time)."""

    def __init__(self, method: str, retry_at: float):
        super().__init__(f"{method} blocked by the operating time limit until {retry_at:.0f}")
        self.method, self.retry_at = method, retry_at


class CertificateUntrusted(PortalCallError):
    """A portal's or the OAuth server's TLS certificate failed verification: a configuration fault of
    this deployment, not an outage, so it is never retried. Fixed by naming the CA that signs the
    certificate in B24_CA_BUNDLE."""

    def __init__(self, url: str, reason: str = ""):
        where = url.split("?", 1)[0]
        super().__init__(
            f"the TLS certificate of {where} is not trusted ({reason or 'verification failed'}); "
            "set B24_CA_BUNDLE to a PEM file with the certificate authority that signs it"
        )
        self.url, self.reason = where, reason
