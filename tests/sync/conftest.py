from tests.helpers.sync import (  # noqa: F401  (the fixture; the names for tests written before the move)
    BRANCH_OFFICE,
    CLERK_PASSWORD,
    Central,
    central,
    make_branch,
)
