"""An app on the test database and a hand-built history of one portal."""
from __future__ import annotations

import pytest

from tests.segments.history import History


@pytest.fixture
def hist(app) -> History:
    return History(app)
