"""An index on the cases a link points at, for the mass-complaint rule

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

A case that was counted in a mass complaint (the group is linked to the case that made it one) must
not be counted again: the open ones became major, and a closed one, which stays general, would
otherwise make every later general complaint of its category that week a mass complaint too — the
rule then fired on nearly every registration, and more often the more cases the week held. The rule
asks "is this case already linked as part of a group?", which needs the links by the case they point at.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_links_linked", "case_links", ["linked_case_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_case_links_linked", table_name="case_links")
