"""The sandbox fixtures (`sandbox`, `sandbox_factory`, `receiver`, `installed`) live in tests/fixtures/sandbox_fixtures.py."""
