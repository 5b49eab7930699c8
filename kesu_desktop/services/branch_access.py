"""The PostgreSQL role a branch office syncs with: its office's rows, insert-mostly, nothing else.

A branch is given the central's superuser URL once, at ``init --branch-of``, and must not keep it. It
keeps the URL of a role made here, ``kesu_branch_<office>``, which

- may read what the office needs: the reference tables in full, and of the rest only the rows of its
  office (row-level security);
- may insert the office's new facts (events, attachments, documents, signatures, replies, …) and
  update the few rows sync advances (the case projection, replies, watch entries, alerts, serials,
  cursors); never UPDATE, DELETE or TRUNCATE an event, never DELETE anything, no DDL, nothing on the
  sign-in throttle (the branch never signs in on the central) or the chain heads;
- cannot write a row of another office: each policy's WITH CHECK is the same test as its USING.

How the rows are filtered (``branch_role_sql``):

- ``kesu_branch_office()`` is the office of ``current_user`` in ``branch_roles``, NULL for any other
  role. It asks ``kesu_branch_office_of(name)``, SECURITY DEFINER and owned by the tables' owner, so
  it reads ``branch_roles`` past its own policy; the asking is a plain function because inside a
  SECURITY DEFINER function ``current_user`` is the function's owner, not the caller.
- Every filtered table has two policies. ``kesu_rows`` (permissive, to PUBLIC) lets every role with
  the table privilege see every row, as before; ``kesu_branch`` (RESTRICTIVE, only to members of the
  group role ``kesu_branches``, which every branch role joins) ANDs the office condition onto it.
  So the desks' role (``kesu admin db-role``) gets no row filter at all — its plans are unchanged:
  a filter even as cheap as ``kesu_branch_office() IS NULL OR …`` would stop PostgreSQL from using
  the search index (a security qual goes first and ``@@``/``LIKE`` are not leakproof). The office is
  read once per query (``(SELECT kesu_branch_office())``, an InitPlan), not per row.
- The tables' owner bypasses row-level security (it is not FORCEd): migrations and the admin's own
  connection see everything.

Roles belong to the whole server, not to one database: two databases on one server share
``kesu_branch_bj01`` (and its password). Running this again brings role, grants and policies up to
date (e.g. after an upgrade added a table) and sets a new password.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from kesu_desktop.domain.case_number import validate_code
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.offices import refuse_on_branch
from kesu_desktop.services.users import check_password_rules
from kesu_desktop.storage.models import BranchRole, Office

#: The group every branch role joins; the restrictive policies apply to its members only.
BRANCH_GROUP = "kesu_branches"
ROLE_PREFIX = "kesu_branch_"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_OFFICE = "(SELECT kesu_branch_office())"
_VIA_CASE = f"EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id AND c.office_code = {_OFFICE})"
_SCOPED = f"(scope = '' OR scope = {_OFFICE})"

#: Each filtered table and the condition a branch's row must meet (to be read and to be written).
ROW_FILTERS: dict[str, str] = {
    **{
        table: f"office_code = {_OFFICE}"
        for table in (
            "cases",
            "alerts",
            "case_serials",
            "sync_feed",
            "sync_feed_heads",
            "sync_branches",
            "office_keys",
            "branch_roles",
        )
    },
    "users": f"(office_code = {_OFFICE} OR role = 'admin')",
    **{
        table: _VIA_CASE
        for table in (
            "case_events",
            "attachments",
            "case_documents",
            "case_signatures",
            "replies",
            "case_links",
            "case_watch",
            "case_conflicts",
            "case_search",
        )
    },
    **{table: _SCOPED for table in ("settings", "calendar_overrides", "calendar_years")},
}

#: Read in full: every office needs all of them (and they hold no office's complaints).
REFERENCE_TABLES = (
    "offices",
    "departments",
    "categories",
    "reply_templates",
    "phrases",
    "signing_certificates",
    "print_assets",
    "alembic_version",
)

INSERT_TABLES = (
    "case_events",
    "attachments",
    "case_documents",
    "case_signatures",
    "replies",
    "case_links",
    "case_conflicts",
    "case_search",
    "cases",
    "case_watch",
    "alerts",
    "case_serials",
    "sync_feed",
    "sync_feed_heads",
    "sync_branches",
)

UPDATE_TABLES = (
    "cases",
    "replies",
    "case_watch",
    "case_conflicts",
    "case_search",
    "alerts",
    "case_serials",
    "sync_feed_heads",
    "sync_branches",
)

_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION kesu_branch_office_of(who text) RETURNS text "
    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
    "AS $$ SELECT office_code::text FROM public.branch_roles WHERE role_name = who $$",
    "CREATE OR REPLACE FUNCTION kesu_branch_office() RETURNS text LANGUAGE sql STABLE "
    "AS $$ SELECT public.kesu_branch_office_of(current_user::text) $$",
    # owned by the tables' owner: it reads branch_roles past its policy, and a superuser owns nothing
    "DO $$ DECLARE owner_name name := (SELECT tableowner FROM pg_tables "
    "WHERE schemaname = 'public' AND tablename = 'branch_roles'); BEGIN "
    "EXECUTE format('ALTER FUNCTION kesu_branch_office_of(text) OWNER TO %I', owner_name); "
    "EXECUTE format('ALTER FUNCTION kesu_branch_office() OWNER TO %I', owner_name); "
    "END $$",
)


#: Whether this connection can do it all: create roles, and own the tables (policies, grants, functions).
_MAY_MANAGE = (
    "SELECT r.rolsuper OR (r.rolcreaterole AND pg_has_role(current_user, t.tableowner, 'MEMBER')) "
    "FROM pg_roles r, pg_tables t WHERE r.rolname = current_user "
    "AND t.schemaname = 'public' AND t.tablename = 'branch_roles'"
)


@dataclass(frozen=True)
class BranchCredentials:
    """What the branch keeps: the role and the URL with its password (never the superuser's)."""

    role: str
    password: str
    url: str
    office_code: str

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "office": self.office_code, "url": self.url}


def branch_role_name(office_code: str) -> str:
    """``kesu_branch_bj01``: office codes are upper-case letters and digits, so the name needs no quoting."""
    return ROLE_PREFIX + validate_code("office", office_code).lower()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_role(name: str, attributes: str) -> str:
    """CREATE ROLE unless it exists; two databases' admins making it at once is no error."""
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} {attributes}; "
        "END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
        "END $$"
    )


def branch_role_sql(office_code: str, role_name: str, password: str, *, database: str = "") -> list[str]:
    """The statements that make ``role_name`` the office's sync role, with grants and row-level
    security on every table (idempotent: run again, they bring everything up to date)."""
    validate_code("office", office_code)
    if not _ROLE_NAME.fullmatch(role_name):
        raise ValidationError.single(
            "role", _("角色名只能用小写字母、数字和下划线，且不以数字开头（最多 63 个字符）")
        )
    login = "LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    statements = [
        _create_role(BRANCH_GROUP, "NOLOGIN"),
        _create_role(role_name, "LOGIN"),
        f"ALTER ROLE {role_name} {login} PASSWORD {_literal(password)}",
        f"GRANT {BRANCH_GROUP} TO {role_name}",
    ]
    if database:
        statements.append(f'GRANT CONNECT ON DATABASE "{database}" TO {role_name}')
    statements += [
        f"GRANT USAGE ON SCHEMA public TO {role_name}",
        f"REVOKE CREATE ON SCHEMA public FROM {role_name}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role_name}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role_name}",
        f"GRANT SELECT ON {', '.join((*REFERENCE_TABLES, *ROW_FILTERS))} TO {role_name}",
        f"GRANT INSERT ON {', '.join(INSERT_TABLES)} TO {role_name}",
        f"GRANT UPDATE ON {', '.join(UPDATE_TABLES)} TO {role_name}",
        *_FUNCTIONS,
    ]
    for table, condition in ROW_FILTERS.items():
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS kesu_rows ON {table}",
            f"CREATE POLICY kesu_rows ON {table} AS PERMISSIVE FOR ALL TO PUBLIC "
            "USING (true) WITH CHECK (true)",
            f"DROP POLICY IF EXISTS kesu_branch ON {table}",
            f"CREATE POLICY kesu_branch ON {table} AS RESTRICTIVE FOR ALL TO {BRANCH_GROUP} "
            f"USING ({condition}) WITH CHECK ({condition})",
        ]
    return statements


def create_branch_credentials(
    desk: Desk, actor: Actor, office_code: str, *, password: str | None = None
) -> BranchCredentials:
    """Make (or renew) the office's sync role on this central PostgreSQL database, in one transaction;
    a strong random password when none is given. Connect as the tables' owner (or a superuser)."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以创建分支机构的数据库凭据"))
    if desk.db.kind != "postgresql":
        raise ValidationError.single("db", _("分支机构的数据库凭据只用于总部的 PostgreSQL 数据库"))
    code = validate_code("office", office_code)
    if password is None:
        password = secrets.token_urlsafe(24)
    else:
        check_password_rules(password, "password")
    name = branch_role_name(code)
    with desk.db.write() as session:
        refuse_on_branch(session)
        if session.scalar(select(Office.id).where(Office.code == code)) is None:
            raise NotFound(_("网点“{code}”不存在").format(code=code), field="office")
        if not session.scalar(text(_MAY_MANAGE)):
            raise NotAllowed(
                _("请以数据表的所有者（或超级用户）连接总部数据库来创建分支机构的凭据（需可创建角色）")
            )
        database = session.scalar(select(func.current_database())) or ""
        row = session.get(BranchRole, name)
        if row is None:
            session.add(BranchRole(role_name=name, office_code=code, created_at=_now(desk)))
        else:
            row.office_code = code
        session.flush()
        driver = session.connection().connection.driver_connection
        for statement in branch_role_sql(code, name, password, database=database):
            driver.execute(statement)  # no parameters: sent as it is (names and codes were checked)
    url = make_url(desk.db.url).set(drivername="postgresql", username=name, password=password)
    return BranchCredentials(name, password, url.render_as_string(hide_password=False), code)


def _now(desk: Desk) -> datetime:
    return desk.wall.now()
