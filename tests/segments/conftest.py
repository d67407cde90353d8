"""An app on the test database, shared by a test module and put back before each test, and a hand-built history
of one portal (a History of its own per test)."""
from __future__ import annotations

import pytest

from tests.segments.history import History


def _app(portal_env):
    """The module's shared build: the app alone (its sandbox portal is not used)."""
    from tests.conftest import APP_ENV

    return portal_env(APP_BASE_URL=APP_ENV["APP_BASE_URL"]).app


@pytest.fixture
def hist(shared_portal) -> History:
    return History(shared_portal(_app))
