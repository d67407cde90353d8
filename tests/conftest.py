"""Shared fixtures: real Redis, the migrated database, the app, and the sandbox portal."""
from __future__ import annotations

import pytest

from tests.fixtures.services import empty_tables, reset_schema, test_database_url, test_redis

pytest_plugins = ["tests.fixtures.sandbox_fixtures", "tests.fixtures.shared_portal"]

APP_ENV = {
    "SECRET_KEY": "test-secret-key",
    "B24_CLIENT_ID": "local.test.app",
    "B24_CLIENT_SECRET": "s3cret",
    "APP_BASE_URL": "http://127.0.0.1:5000",
    # a key of its own spares every app built here deriving one from SECRET_KEY (100,000 PBKDF2 rounds);
    # the derived key is proven by tests/portals/test_cipher.py and the stack test's real processes
    "TOKEN_ENCRYPTION_KEY": "dGVzdHMtb25seS1mZXJuZXQta2V5LTAxMjM0NTY3ODk=",
}


# A test marked `long` weighs this many ordinary ones when parallel processes share the files out.
LONG_WEIGHT = 40


def pytest_configure(config):
    config.addinivalue_line("markers", "long: a test that takes many seconds (the chaos test, a browser flow); "
                                       "its file is handed out first in a parallel run")


def pytest_collection_modifyitems(config, items):
    """Heaviest files first. Parallel processes take whole files in the order collected (`--dist loadfile` with
    `--no-loadscope-reorder`), so a long file handed out last would run alone at the end while the other
    processes sit idle. A file's weight is its number of tests, a `long` test counting as `LONG_WEIGHT`; the
    order of tests within a file does not change."""
    weight: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        weight[path] = weight.get(path, 0) + (LONG_WEIGHT if item.get_closest_marker("long") else 1)
    items.sort(key=lambda item: -weight[item.nodeid.split("::")[0]])


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("session")


def stop_embedded(conn) -> None:
    """An embedded server a test started must not outlive the run."""
    if getattr(conn, "socket_file", None):
        try:
            conn.shutdown(nosave=True)
        except Exception:  # already gone
            pass


@pytest.fixture(scope="session")
def redis_server(session_dir):
    server = test_redis(str(session_dir))
    yield server
    stop_embedded(server)


@pytest.fixture
def redis_conn(redis_server):
    redis_server.flushdb()
    yield redis_server
    redis_server.flushdb()


@pytest.fixture(scope="session")
def database_url(session_dir):
    from bitrix_app.store.migrate import upgrade

    url = test_database_url(str(session_dir))
    reset_schema(url)
    upgrade(url)
    return url


@pytest.fixture
def make_app(database_url, redis_conn, tmp_path):
    """Build an app against the test database and Redis; extra overrides per call."""
    from app import create_app

    built = []

    def make(**overrides):
        env = {**APP_ENV, "DATABASE_URL": database_url, "INSTANCE_DIR": str(tmp_path), "REDIS": redis_conn}
        app = create_app({**env, "TESTING": True, **overrides})
        built.append(app)
        return app

    yield make
    for app in built:
        if app.extensions["bitrix_app"]["redis"] is not redis_conn:
            stop_embedded(app.extensions["bitrix_app"]["redis"])
        engine = app.extensions["bitrix_app"]["engine"]
        if engine.url.render_as_string(hide_password=False) == database_url:
            empty_tables(engine)
        engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def portal_env(make_app, redis_conn):
    """A sandbox portal and the app served live, wired together (OAuth server = the sandbox's)."""
    from tests.fixtures.portal_env import serve_portal

    created = []

    def build(plan: str = "unlimited", **overrides):
        created.append(serve_portal(make_app, redis_conn, plan, **overrides))
        return created[-1]

    yield build
    for env in created:
        env.stop()
