"""Reading and writing installations; tokens are encrypted on the way in and out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bitrix_app.store.models import PortalRecord, utc

from . import lifecycle
from .crypto import SecretCipher


@dataclass(frozen=True)
class Installation:
    """What an install callback or install page tells us about a portal."""

    member_id: str
    domain: str
    client_endpoint: str
    server_endpoint: str | None
    scope: str
    application_token: str
    access_token: str
    refresh_token: str
    expires_in: int
    language: str = "en"
    user_id: int | None = None
    app_version: int = 1


@dataclass(frozen=True)
class StoredTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    version: int
    client_endpoint: str
    status: str


def get(session: Session, member_id: str) -> PortalRecord | None:
    return session.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))


def save_installation(session: Session, cipher: SecretCipher, inst: Installation, now: datetime, plan: str) -> PortalRecord:
    """Create or refresh the record of an installation; a reinstall starts again at `new`."""
    rec = get(session, inst.member_id)
    if rec is None:
        rec = PortalRecord(member_id=inst.member_id, plan=plan, token_version=0, installed_at=now)
        session.add(rec)
    elif rec.status == lifecycle.DELETED:
        rec.installed_at = now
    rec.domain, rec.client_endpoint, rec.server_endpoint = inst.domain, inst.client_endpoint, inst.server_endpoint
    rec.scope, rec.language, rec.app_version, rec.installed_by = inst.scope, inst.language, inst.app_version, inst.user_id
    rec.application_token_enc = cipher.encrypt(inst.application_token)
    rec.access_token_enc = cipher.encrypt(inst.access_token)
    rec.refresh_token_enc = cipher.encrypt(inst.refresh_token)
    rec.token_expires_at = now + timedelta(seconds=inst.expires_in)
    rec.token_version = (rec.token_version or 0) + 1
    rec.refreshed_at = now
    rec.status, rec.status_reason, rec.deleted_at, rec.updated_at = lifecycle.NEW, None, None, now
    session.flush()
    return rec


def tokens(session: Session, cipher: SecretCipher, member_id: str) -> StoredTokens | None:
    rec = get(session, member_id)
    if rec is None or rec.access_token_enc is None:
        return None
    return StoredTokens(
        cipher.decrypt(rec.access_token_enc),
        cipher.decrypt(rec.refresh_token_enc),
        utc(rec.token_expires_at),
        rec.token_version,
        rec.client_endpoint,
        rec.status,
    )


def swap_tokens(session: Session, cipher: SecretCipher, member_id: str, seen_version: int, access: str,
                refresh: str, expires_at: datetime, now: datetime, client_endpoint: str | None = None) -> bool:
    """Compare-and-swap the token pair: only if nobody stored a newer pair since `seen_version`."""
    values = dict(
        access_token_enc=cipher.encrypt(access),
        refresh_token_enc=cipher.encrypt(refresh),
        token_expires_at=expires_at,
        token_version=seen_version + 1,
        refreshed_at=now,
        updated_at=now,
    )
    if client_endpoint:
        values["client_endpoint"] = client_endpoint
        values["domain"] = client_endpoint.split("://", 1)[-1].split("/", 1)[0]
    stmt = (
        update(PortalRecord)
        .where(PortalRecord.member_id == member_id, PortalRecord.token_version == seen_version)
        .values(**values)
    )
    return session.execute(stmt).rowcount == 1


def set_status(session: Session, member_id: str, status: str, reason: str | None, now: datetime,
               only_version: int | None = None) -> bool:
    """Move a portal to `status`; with `only_version`, only if its token pair is still that one."""
    values = dict(status=status, status_reason=reason, updated_at=now)
    if status == lifecycle.DELETED:
        values.update(deleted_at=now, access_token_enc=None, refresh_token_enc=None)
    stmt = update(PortalRecord).where(PortalRecord.member_id == member_id)
    if only_version is not None:
        stmt = stmt.where(PortalRecord.token_version == only_version)
    return session.execute(stmt.values(**values)).rowcount == 1


def application_token(cipher: SecretCipher, rec: PortalRecord) -> str:
    return cipher.decrypt(rec.application_token_enc)
