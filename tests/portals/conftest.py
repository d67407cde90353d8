"""The portal tests' shared portal: the app installed once per module and put back before each test."""
from __future__ import annotations

import pytest


def installed_portal(portal_env):
    """A build for `shared_portal`: the app installed in a fresh portal; (env, the control API's answer)."""
    env = portal_env()
    return env, env.install()


@pytest.fixture
def installed(shared_portal):
    """An installed portal, for tests of what follows an install (the install tests make their own)."""
    return shared_portal(installed_portal)
