"""The AppTest fixtures of tests/ui (a fresh SQLite app database per test), shared with the security tests."""

from tests.ui.conftest import app_database, new_app  # noqa: F401 - re-exported fixtures
