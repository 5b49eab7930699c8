"""Sign-in throttling: failed attempts per user name and per desk (filled by the sign-in work)."""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
