"""setup_portal: converge a portal to what the app needs, idempotently, in as few batches as possible."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.jobs.registry import job
from bitrix_app.rest.batching import BatchResult
from bitrix_app.rest.errors import PortalError, PortalUnavailable
from bitrix_app.rest.client import AUTH_CONNECTOR
from bitrix_app.robots.registry import ROBOTS

from . import currencies, desired, lifecycle, repository
from .installed import NOT_INSTALLED, portal_installed

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

READS = {
    "events": ("event.get", None),
    "placements": ("placement.get", None),
    "robots": ("bizproc.robot.list", None),
    "contact_uf": ("crm.contact.userfield.list", {"order": {"ID": "ASC"}}),
    "deal_uf": ("crm.deal.userfield.list", {"order": {"ID": "ASC"}}),
    "categories": ("crm.category.list", {"entityTypeId": 2}),
    currencies.READ_LABEL: (currencies.METHOD, None),  # cached for the shop ingest check
}


PIPELINES = ((desired.PIPELINE_NAME, "category", desired.STAGES, 500),  # (name, write label, stages, sort)
             (desired.REPEAT_PIPELINE_NAME, "repeat_category", desired.REPEAT_STAGES, 510))
TOLERATED = {"ERROR_HANDLER_ALREADY_EXIST", "ERROR_ACTIVITY_ALREADY_INSTALLED", "ERROR_PLACEMENT_MAX_COUNT"}


@job(DEFAULT, retry=(10, 30, 120, 600, 1800))
def setup_portal(member_id: str) -> dict:
    """Job: converge the portal; one setup per portal at a time, failures recorded on the portal."""
    from bitrix_app.scope import portal_scope

    return converge(portal_scope(member_id))


def converge(scope: "PortalScope") -> dict:
    """Converge the scope's portal under its setup lock; a failure is recorded on the portal and raised."""
    member_id = scope.member_id
    with scope.transaction() as s:
        if not portal_installed(s, member_id, "setup"):
            return {"skipped": NOT_INSTALLED}
    lock = scope.redis.lock(f"bitrix_app:setup:{member_id}", timeout=600, blocking_timeout=600)
    if not lock.acquire():
        raise RuntimeError(f"setup of {member_id} is still running elsewhere")
    try:
        return _converge(scope)
    except Exception as exc:
        with scope.transaction() as s:
            rec = repository.get(s, member_id)
            if rec is not None:
                rec.setup_error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        try:
            lock.release()
        except Exception:  # an expired lock is harmless: convergence is idempotent
            pass


def _converge(scope: "PortalScope") -> dict:
    member_id, base, client = scope.member_id, scope.settings.APP_BASE_URL, scope.on_lane("normal").client
    with scope.transaction() as s:
        rec = repository.get(s, member_id)
        known_robots = dict(rec.registered_robots or {})
        version = rec.app_version
    seen = client.batch(READS)
    currencies.remember_read(scope.redis, member_id, seen, scope.now())
    seen = _ok(seen)
    writes, robots_after = plan_writes(seen, base, known_robots)
    done = _ok(client.batch(writes, writes=True)) if writes else BatchResult()
    category_id, repeat_id = (_category_id(seen, done, name, label) for name, label, _, _ in PIPELINES)
    stage_writes = _stage_writes(client, {category_id: desired.STAGES, repeat_id: desired.REPEAT_STAGES})
    if stage_writes:
        _ok(client.batch(stage_writes, writes=True))
    now = scope.now()
    with scope.transaction() as s:
        rec = repository.get(s, member_id)
        rec.shop_category_id, rec.registered_robots = category_id, robots_after
        rec.repeat_category_id = repeat_id
        rec.setup_version, rec.setup_at, rec.setup_error = version, now, None
        if rec.status == lifecycle.NEW:
            rec.status = lifecycle.ACTIVE
    return {"writes": len(writes) + len(stage_writes), "category_id": category_id, "repeat_category_id": repeat_id}


def plan_writes(seen: BatchResult, base: str, known_robots: dict) -> tuple[dict, dict]:
    """The commands that take the portal from what it has to what we need (nothing when converged)."""
    writes: dict = {}
    writes.update(_event_writes(seen.results.get("events") or [], base))
    writes.update(_placement_writes(seen.results.get("placements") or [], base))
    robot_writes, robots_after = _robot_writes(seen.results.get("robots") or [], base, known_robots)
    writes.update(robot_writes)
    writes.update(_uf_writes("crm.contact.userfield.add", "cuf", seen.results.get("contact_uf") or [], desired.CONTACT_FIELDS))
    writes.update(_uf_writes("crm.deal.userfield.add", "duf", seen.results.get("deal_uf") or [], desired.DEAL_FIELDS))
    for name, label, _, sort in PIPELINES:
        if _find_category(seen, name) is None:
            writes[label] = ("crm.category.add", {"entityTypeId": 2, "fields": {"name": name, "sort": sort}})
    return writes, robots_after


def _event_writes(bound: list, base: str) -> dict:
    handler = f"{base}/events"
    have = {(b.get("event", "").upper(), b.get("handler")) for b in bound}
    writes = {f"bind_{e}": ("event.bind", {"event": e, "handler": handler, "auth_connector": AUTH_CONNECTOR})
              for e in desired.EVENTS if (e, handler) not in have}
    for event, h in have:  # ours, but retired or at an old address
        if h and h.startswith(base) and (event not in desired.EVENTS or h != handler):
            writes[f"unbind_{event}_{len(writes)}"] = ("event.unbind", {"event": event, "handler": h})
    return writes


def _placement_writes(bound: list, base: str) -> dict:
    have = {(p.get("placement"), p.get("handler")) for p in bound}
    wanted = {(p["PLACEMENT"], base + p["path"]) for p in desired.PLACEMENTS}
    ours = {p["path"] for p in desired.PLACEMENTS}
    writes = {f"unplace_{i}": ("placement.unbind", {"PLACEMENT": code, "HANDLER": handler})
              for i, (code, handler) in enumerate(sorted(have - wanted))
              if handler and any(handler.endswith(path) for path in ours)}
    for p in desired.PLACEMENTS:
        handler = base + p["path"]
        if (p["PLACEMENT"], handler) not in have:
            fields = {k: v for k, v in p.items() if k != "path"}
            writes[f"place_{p['PLACEMENT']}"] = ("placement.bind", {**fields, "HANDLER": handler})
    return writes


def _robot_writes(codes: list, base: str, known: dict) -> tuple[dict, dict]:
    writes, after = {}, {}
    wanted = {r["CODE"]: {**r, "HANDLER": f"{base}/robots/{r['CODE']}"} for r in ROBOTS}
    for code, definition in wanted.items():
        digest = desired.robot_hash(definition)
        after[code] = digest
        if code not in codes:
            writes[f"robot_add_{code}"] = ("bizproc.robot.add", definition)
        elif known.get(code) != digest:
            fields = {k: v for k, v in definition.items() if k != "CODE"}
            writes[f"robot_upd_{code}"] = ("bizproc.robot.update", {"CODE": code, "FIELDS": fields})
    for code in codes:
        if code not in wanted and code in known:  # retired: registered by us earlier
            writes[f"robot_del_{code}"] = ("bizproc.robot.delete", {"CODE": code})
    return writes, after


def _uf_writes(method: str, prefix: str, existing: list, wanted: tuple) -> dict:
    names = {f.get("FIELD_NAME") for f in existing}
    return {f"{prefix}_{f['FIELD_NAME']}": (method, {"fields": f}) for f in wanted if f"UF_CRM_{f['FIELD_NAME']}" not in names}


def _find_category(seen: BatchResult, name: str) -> int | None:
    cats = (seen.results.get("categories") or {}).get("categories") or []
    return next((int(c["id"]) for c in cats if c.get("name") == name), None)


def _category_id(seen: BatchResult, done: BatchResult, name: str, label: str) -> int:
    found = _find_category(seen, name)
    if found is not None:
        return found
    return int(done.results[label]["category"]["id"])


def _stage_writes(client, pipelines: dict[int, tuple]) -> dict:
    """The stages each pipeline lacks; the stages of every pipeline are read in one request."""
    seen = _ok(client.batch({f"stages_{cid}": ("crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{cid}"}})
                             for cid in pipelines}))
    writes = {}
    for cid, stages in pipelines.items():
        have = {str(r.get("STATUS_ID", "")).split(":")[-1] for r in seen.results.get(f"stages_{cid}") or []}
        for code, name, sort, semantics in stages:
            if code not in have:
                fields = {"ENTITY_ID": f"DEAL_STAGE_{cid}", "STATUS_ID": code, "NAME": name, "SORT": sort}
                if semantics == "failure":
                    fields["SEMANTICS"] = "F"
                writes[f"stage_{cid}_{code}"] = ("crm.status.add", {"fields": fields})
    return writes


def _ok(result: BatchResult) -> BatchResult:
    """Setup must converge fully: any command error fails the job (it is retried).

    "Already there" answers mean an earlier, interrupted run did the work: they count as done.
    A request that failed as a whole fails the job too; the next run reads what is there first.
    """
    if result.failed:
        label, reason = next(iter(result.failed.items()))
        raise PortalUnavailable(f"{label}: {reason}")
    fatal = {label: err for label, err in result.errors.items() if str(err.get("error", "")) not in TOLERATED}
    if fatal:
        label, err = next(iter(fatal.items()))
        raise PortalError(str(err.get("error", "")), f"{label}: {err.get('error_description', '')}")
    return result
