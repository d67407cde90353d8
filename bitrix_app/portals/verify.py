"""Every portal callback must carry the application_token stored for its member_id."""
from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from bitrix_app.store.models import PortalRecord

from . import lifecycle, repository
from .crypto import SecretCipher


class CallbackRejected(Exception):
    """Unknown portal or wrong application_token: answer 401, store nothing."""


def verify_callback(session: Session, cipher: SecretCipher, member_id: str, application_token: str,
                    allow_deleted: bool = False) -> PortalRecord:
    """The portal's record when the token matches (constant-time), else CallbackRejected."""
    rec = repository.get(session, member_id or "")
    if rec is None or (rec.status == lifecycle.DELETED and not allow_deleted):
        raise CallbackRejected("unknown portal or wrong application_token")
    expected = repository.application_token(cipher, rec)
    if not hmac.compare_digest(expected.encode(), (application_token or "").encode()):
        raise CallbackRejected("unknown portal or wrong application_token")  # one answer: no probing
    return rec
