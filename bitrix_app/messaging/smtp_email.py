"""E-mail through the shop's own SMTP server (smtplib), one connection per batch.

An SMTP server cannot be asked afterwards whether it took a message, so a delivery whose outcome is unknown
(the connection broke after the data was sent) is skipped rather than sent again; a refusal before the data
(connection refused, recipient or sender rejected) is an error the caller may retry."""
from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from bitrix_app.store.statuses import ReasonCode

from .message import ERROR, SENT, SKIPPED, Delivery, Message

TRANSPORT = "smtp"


def message_id(key: str, sender: str) -> str:
    """Stable per message key: a receiving server that saw it once may drop a repeat."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


# headers folded at RFC 5322's 998, not 78: a long List-Unsubscribe URL must stay one plain word (a folded one is
# RFC 2047-encoded, which mail clients do not read as a URL)
POLICY = email_policy.default.clone(max_line_length=998)


def compose(smtp: dict, m: Message, now) -> EmailMessage:
    mail = EmailMessage(policy=POLICY)
    name = m.sender_name or smtp.get("from_name")
    mail["From"] = formataddr((name, smtp["from_address"])) if name else smtp["from_address"]
    mail["To"] = formataddr((m.recipient.name, m.recipient.email)) if m.recipient.name else m.recipient.email
    mail["Subject"] = m.subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id(m.key, smtp["from_address"])
    if m.unsubscribe_url:  # RFC 2369 and RFC 8058: the mail client's own unsubscribe button, one click
        mail["List-Unsubscribe"] = f"<{m.unsubscribe_url}?channel=email>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(m.text)
    return mail


def connect(smtp: dict) -> smtplib.SMTP:
    host, port, timeout = smtp["host"], int(smtp.get("port") or 587), float(smtp.get("timeout") or 30)
    security = smtp.get("security") or "starttls"
    if security == "ssl":
        conn = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            conn.starttls(context=ssl.create_default_context())
    if smtp.get("username"):
        conn.login(smtp["username"], smtp.get("password") or "")
    return conn


def deliver(smtp: dict, messages: list[Message], now) -> dict[str, Delivery]:
    out: dict[str, Delivery] = {}
    try:
        conn = connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        return {m.key: Delivery(m.key, ERROR, "email", detail=f"smtp: cannot connect: {exc}") for m in messages}
    try:
        for m in messages:
            out[m.key] = _one(conn, smtp, m, now)
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return out


def _one(conn: smtplib.SMTP, smtp: dict, m: Message, now) -> Delivery:
    mail = compose(smtp, m, now)
    try:
        refused = conn.send_message(mail)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        return Delivery(m.key, ERROR, "email", detail=f"smtp: refused: {exc}")
    except smtplib.SMTPDataError as exc:
        return Delivery(m.key, ERROR, "email", detail=f"smtp: message refused: {exc.smtp_code} {exc.smtp_error!r}")
    except (smtplib.SMTPServerDisconnected, socket.timeout, OSError) as exc:
        return Delivery(m.key, SKIPPED, "email", detail=f"smtp: outcome unknown, not sent again: {exc}",
                        reason_code=ReasonCode.OUTCOME_UNKNOWN)
    if refused:
        return Delivery(m.key, ERROR, "email", detail=f"smtp: refused: {refused}")
    return Delivery(m.key, SENT, "email", reference=mail["Message-ID"])
