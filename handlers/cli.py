"""CLI commands: `flask --app app db upgrade`, `worker`, `cron`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webedge import services
from bitrix_app.jobs.queues import PRIORITY


def register_cli(app: Flask) -> None:
    app.cli.add_command(db)
    app.cli.add_command(worker)
    app.cli.add_command(cron)
    from .cli_campaigns import campaigns
    from .cli_messages import messages
    from .cli_portals import portals
    from .cli_robots import robots
    from .cli_shops import inbox, shops

    app.cli.add_command(portals)
    app.cli.add_command(shops)
    app.cli.add_command(inbox)
    app.cli.add_command(messages)
    app.cli.add_command(robots)
    app.cli.add_command(campaigns)
    from .cli_history import history
    from .cli_segments import segments

    app.cli.add_command(history)
    app.cli.add_command(segments)


@click.group(cls=AppGroup)
def db():
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision: str):
    """Apply migrations up to REVISION (default: head)."""
    from bitrix_app.store.migrate import upgrade

    upgrade(services.settings().DATABASE_URL, revision)
    click.echo(f"database at {revision}")


@click.command()
@with_appcontext
@click.option("--burst", is_flag=True, help="Run queued jobs, then exit.")
@click.option("--queues", default=",".join(PRIORITY), show_default=True, help="Queues, highest priority first.")
@click.option("--simple", is_flag=True, help="Run jobs in-process instead of forking a work horse per job.")
def worker(burst: bool, queues: str, simple: bool):
    """Run an RQ worker with its scheduler (retries, delayed jobs); it outlives Redis outages."""
    from bitrix_app.jobs.worker import run_worker

    names = [q.strip() for q in queues.split(",") if q.strip()]
    app = current_app._get_current_object()
    run_worker(app, services.redis(), names, simple=simple, burst=burst)


@click.command()
@with_appcontext
def cron():
    """Run the RQ cron scheduler with the app's cron table; it outlives Redis outages."""
    from bitrix_app.jobs.cron import run_cron

    run_cron(services.redis())
