"""The job registry: every job is declared once with `@job`, resolves from its path, runs on a known queue, and
every enqueue in the core goes through a declared job."""
from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bitrix_app.jobs import registry
from bitrix_app.jobs.cron import cron_table
from bitrix_app.jobs.queues import PRIORITY, queue
from bitrix_app.jobs.registry import (FAMILIES, SYNC_DRAIN, JobRef, JobSpec, NotAJob, all_jobs, enqueue_job, job,
                                      resolve, spec_of)

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bitrix_app"
ENQUEUE_ITSELF = {"bitrix_app/jobs/queues.py", "bitrix_app/jobs/registry.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_modules():
    for path in sorted(CORE.rglob("*.py")):
        yield path, _module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_job_decorator(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return (isinstance(func, ast.Name) and func.id == "job") or (isinstance(func, ast.Attribute) and func.attr == "job")


def _names(module: str, path: Path, tree: ast.Module) -> dict[str, str]:
    """What each name in the module stands for, as a dotted path: its own functions and what it imports
    (lazy imports inside functions included)."""
    names = {node.name: f"{module}.{node.name}" for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(module, node, path.name == "__init__.py")
            names.update({alias.asname or alias.name: f"{source}.{alias.name}" for alias in node.names})
    return names


def test_every_registered_job_resolves_to_its_function_on_a_known_queue():
    jobs = all_jobs()
    assert SYNC_DRAIN.path in jobs and len(jobs) >= len(FAMILIES)
    for path, spec in jobs.items():
        func = resolve(path)
        assert callable(func) and func.job_spec is spec, path
        assert spec.queue in PRIORITY, path
        assert spec.timeout > 0 and all(pause > 0 for pause in spec.retry), path


def test_every_module_declaring_a_job_is_a_listed_family():
    declaring = {module for _, module, tree in _core_modules() for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef) and any(_is_job_decorator(d) for d in node.decorator_list)}
    assert declaring == set(FAMILIES)


def test_every_enqueue_in_the_core_goes_through_a_registered_job():
    registered = set(all_jobs())
    refs = {name: value.path for name, value in vars(registry).items() if isinstance(value, JobRef)}
    wrong = []
    for path, module, tree in _core_modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel in ENQUEUE_ITSELF:
            continue
        names = _names(module, path, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _absolute(module, node, path.name == "__init__.py") in (
                    "bitrix_app.jobs.queues", "bitrix_app.jobs.registry") and "enqueue" in {a.name for a in node.names}:
                wrong.append(f"{rel}:{node.lineno} imports the raw enqueue")
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if callee != "enqueue_job":
                continue
            target = node.args[1] if len(node.args) > 1 else None
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            dotted = refs.get(name) or names.get(name)
            if dotted not in registered:
                wrong.append(f"{rel}:{node.lineno} enqueues {ast.unparse(target) if target else None!s}")
    assert wrong == []


def test_no_job_path_is_written_out_in_the_core_outside_the_registry():
    registered = set(all_jobs())
    found = [f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.value}" for path, _, tree in _core_modules()
             if path.relative_to(ROOT).as_posix() != "bitrix_app/jobs/registry.py"
             for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in registered]
    assert found == []


def test_a_job_is_enqueued_with_its_specs_queue_time_limit_and_retries(redis_conn):
    from bitrix_app.robots.runner import run_call

    queued = enqueue_job(redis_conn, run_call, 7, job_id="robot-call-7")
    assert (queued.origin, queued.func_name, queued.args) == ("robots", "bitrix_app.robots.runner.run_call", (7,))
    assert (queued.timeout, queued.retries_left, queued.retry_intervals) == (120, 3, [2, 10, 30])
    assert enqueue_job(redis_conn, run_call, 7, job_id="robot-call-7").id == queued.id  # a job id stays idempotent


def test_a_job_named_by_reference_takes_its_spec_and_per_call_options(redis_conn):
    at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    later = enqueue_job(redis_conn, SYNC_DRAIN, "m-1", job_id="drain-m-1", at=at)
    assert (later.origin, later.func_name, later.timeout, later.retries_left) == ("sync", SYNC_DRAIN.path, 300, None)
    assert later.id in queue("sync", redis_conn).scheduled_job_registry.get_job_ids()
    handed = enqueue_job(redis_conn, SYNC_DRAIN, "m-1", owner="next", delay=timedelta(minutes=1))
    assert (handed.timeout, handed.kwargs) == (300, {"owner": "next"})  # every drain job: its declared limit


def test_only_declared_jobs_can_be_enqueued(redis_conn):
    def plain(member_id: str) -> None:
        return None

    with pytest.raises(NotAJob):
        enqueue_job(redis_conn, plain, "m-1")
    with pytest.raises(NotAJob):
        spec_of(JobRef("bitrix_app.inbox.dispatch.kick"))  # a function, not a job
    assert queue("default", redis_conn).count == 0


def test_the_decorator_only_attaches_a_spec():
    def work() -> int:
        return 1

    declared = job("bulk", timeout=60, retry=(5, 10))(work)
    assert declared is work and declared() == 1
    assert work.job_spec == JobSpec(f"{__name__}.{work.__qualname__}", "bulk", 60, (5, 10))
    assert work.job_spec.rq_retry().max == 2
    with pytest.raises(ValueError):
        job("no-such-queue")
    with pytest.raises(ValueError):
        job("default", every=60, cron="* * * * *")


def test_the_cron_table_is_the_scheduled_jobs():
    table = {entry.func: (entry.queue, entry.interval, entry.cron, entry.timeout) for entry in cron_table()}
    assert table == {
        "bitrix_app.jobs.maintenance.record_heartbeat": ("default", 60, None, 180),
        "bitrix_app.inbox.dispatch.sweep_job": ("default", 60, None, 180),
        "bitrix_app.robots.sweeper.sweep_job": ("robots", 60, None, 180),
        "bitrix_app.carts.timers.sweep_job": ("default", 60, None, 180),
        "bitrix_app.portals.keepalive.keep_alive": ("bulk", None, "17 3 * * *", 180),
        "bitrix_app.segments.jobs.rebuild_all": ("bulk", None, "40 1 * * *", 180),
        "bitrix_app.campaigns.jobs.run_all_due": ("default", None, "*/15 * * * *", 180),
    }
