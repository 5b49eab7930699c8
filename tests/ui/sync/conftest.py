from tests.sync.conftest import central  # noqa: F401  (the PostgreSQL central of the sync tests)
