"""Whether a job's portal is still installed: a job for a portal that never was, or was uninstalled after the job
was queued, has nothing to do and ends quietly with a log line (no exception, so no retry)."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from . import lifecycle, repository

log = logging.getLogger(__name__)
NOT_INSTALLED = "the portal is not installed"


def portal_installed(session: Session, member_id: str, job: str) -> bool:
    """False (after one log line naming the job) when no installed portal has this member_id."""
    rec = repository.get(session, member_id)
    if rec is not None and rec.status != lifecycle.DELETED:
        return True
    log.info("%s for member_id %s skipped: %s", job, member_id,
             "the portal was uninstalled" if rec is not None else "no such portal")
    return False
