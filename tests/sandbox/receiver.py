"""Kept for imports: the stand-in app server lives in tests/fixtures/receiver.py."""
from tests.fixtures.receiver import Received, Receiver  # noqa: F401
