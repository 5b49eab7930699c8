from tests.helpers.sync import central  # noqa: F401  (the PostgreSQL central of the sync tests)
