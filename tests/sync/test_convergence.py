"""Random interleavings of desk work and syncs on three nodes end with one truth (issue 12, tests).

The nodes: the PostgreSQL central (the head office's desk, acting on every office's cases) and two SQLite
branches, one per office (CV02, CV03). Hypothesis drives registrations, workflow actions (priority,
severity, assignment, verification, communications, hold/resume, escalation, closing…), attachments,
captured signatures, issued documents, reply drafts, deadline alerts and their acknowledgements,
settled conflicts and syncs in any order. A refused action (the case's state does not allow it on that
node) is what a desk would see, and the machine goes on.

The stated clock is one shared clock that moves only when the machine says time passes, so many writes
share one instant, as under a fixed ``--now`` (ties must be broken the same way everywhere); HLC
stamps come from the real clock, as on every desk.

At the end every branch syncs until both sides have seen everything, and then, for every case, each node
that holds it shows the same case, the same timeline in the same order, the same files, signatures,
documents, replies, links and alerts, the same conflicts; each office's events are the same set on the
central and on its branch, and no event any node ever wrote is missing anywhere it belongs.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Actor, Desk
from kesu_desktop.services.conflicts import conflicts_for, resolve_conflict
from kesu_desktop.services.offices import add_office
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.models import (
    Alert,
    Attachment,
    Case,
    CaseDocument,
    CaseEvent,
    CaseLink,
    CaseSignature,
    Reply,
)
from kesu_desktop.sync.branch import init_branch
from kesu_desktop.sync.network import office_digest, sync_now
from tests.helpers.data import START, MutableClock, complaint

#: Office codes of this test alone: a branch role (kesu_branch_<code>) belongs to the whole PostgreSQL
#: server, and other sync tests running at the same time renew SH02's.
OFFICES = ("CV02", "CV03")
PASSWORD = "Clerk#2026pass"
#: The administrator who makes the branches (the seeded admin's password hash is the costly default).
ADMIN = "conv_admin"
#: What a desk may be told when the workflow refuses: the machine goes on, as a user would.
REFUSALS = (NotAllowed, ValidationError, NotFound, Conflict)
PHONES = ("13800138000", "13900139000", "13700137000", "13600136000")
STROKES = [[[10.0, 20.0, 0.5, 0], [40.0, 30.0, 0.6, 16], [80.0, 25.0, 0.7, 32]]]


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 16), (20, 30, 120, 255)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


def _user(office: str, kind: str) -> str:
    return f"{office.lower()}_{kind}"


#: Edits of single-valued fields (priority, severity, category, assignee, department): where concurrent
#: writes become conflicts. ``{lead}``/``{spec}`` name the case's office's people.
EDITS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("classify", {"priority": "p0"}),
    ("classify", {"priority": "p1"}),
    ("classify", {"priority": "p2"}),
    ("classify", {"severity": "major"}),
    ("classify", {"severity": "minor"}),
    ("classify", {"category": "service_attitude"}),
    ("assign", {"department": "AS", "assignee": "{lead}"}),
    ("assign", {"department": "AS", "assignee": "{spec}"}),
    ("assign", {"department": "WL"}),
)
#: The arguments a desk gives each workflow action (the action itself is one the case allows there).
ARGUMENTS: dict[str, tuple[dict[str, Any], ...]] = {
    "verify": ({"valid": True}, {"valid": True, "urgent": True}, {"valid": False, "reason": "重复登记"}),
    "classify": tuple(args for name, args in EDITS if name == "classify"),
    "assign": tuple(args for name, args in EDITS if name == "assign"),
    "plan": ({"measures": "上门检修", "due": "{due}"}, {"measures": "更换", "due": "{due}", "cost": 9000}),
    "approve_plan": ({"comment": "同意"},),
    "reject_plan": ({"reason": "方案不完整"},),
    "log": ({"channel": "phone", "summary": "客户来电询问进度"},),
    "resolve": ({"result": "已更换新机", "compensation": "赠送延保"},),
    "confirm": ({"opinion": "满意"},),
    "object": ({"reason": "问题仍未解决"},),
    "survey": ({"efficiency": 5, "attitude": 4, "solution": 2, "comment": "一般"},),
    "close": ({"note": "归档"},),
    "escalate": ({"reason": "客户要求主管处理"},),
    "reopen": ({"reason": "客户再次投诉"},),
    "hold": ({"reason": "等待厂家检测报告"},),
    "resume": ({"note": "检测报告已到"},),
}
#: Communications with the customer: the timeline's notes, allowed in every state.
NOTES = (
    {"channel": "phone", "summary": "客户来电询问进度"},
    {"channel": "counter", "summary": "客户到店补充材料"},
    {"channel": "email", "summary": "已邮件告知处理方案"},
)
PEOPLE = ("lead", "clerk", "spec", "manager")


#: How far each branch machine's real clock is off (its HLC stamps are corrected by the offset each
#: sync measures, docs/sync.md): one a day behind, as a branch PC with a flat CMOS battery.
WALL_SKEW = {"CV02": timedelta(0), "CV03": timedelta(days=-1)}


class SkewedClock:
    """The real clock, off by a fixed amount."""

    def __init__(self, skew: timedelta) -> None:
        self.skew = skew

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew


@dataclass
class Node:
    """One database and the people who work at it."""

    name: str
    desk: Desk
    offices: tuple[str, ...]
    #: (office, kind) → actor, kind one of clerk, lead, spec, manager
    people: dict[tuple[str, str], Actor] = field(default_factory=dict)

    def actor(self, office: str, kind: str) -> Actor:
        return self.people[(office, kind)]


@dataclass
class Environment:
    """What every example starts from (made once per test, reset per example)."""

    pg_url: str
    workdir: Path
    template: Path


def _migrated_template(directory: Path) -> Path:
    """An empty, migrated SQLite file (migrating is the slow part; each branch starts from a copy)."""
    path = directory / "empty.db"
    if not path.exists():
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        db.dispose()
    return path


class Convergence(RuleBasedStateMachine):
    """Three nodes working apart and syncing at random; the teardown checks they agree."""

    env: Environment  # set by the test before running

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, Node] = {}
        self.clock = MutableClock(START)
        #: case_no → office
        self.cases: dict[str, str] = {}
        #: case_no → names of the nodes that hold it (so acts go where the case is)
        self.holders: dict[str, set[str]] = {}
        #: every event id some node held at some point, with its case's office
        self.written: dict[uuid.UUID, str] = {}
        self.replies: dict[str, list[tuple[str, uuid.UUID]]] = {}
        self.steps: list[str] = []

    # ---- setup ---------------------------------------------------------------------------------

    @initialize()
    def build(self) -> None:
        from tests.conftest import _reset_pg

        env = self.env
        _reset_pg(env.pg_url)
        central = Desk(db=Database(env.pg_url), clock=self.clock, node_id="central-node")
        admin = services.get_actor(central, "admin")
        services.add_user(central, admin, username=ADMIN, password=PASSWORD, role=Role.ADMIN)
        node = Node("central", central, OFFICES)
        self.nodes["central"] = node
        for office in OFFICES:
            with contextlib.suppress(Conflict):  # offices outlive a reset (only case tables are)
                add_office(central, admin, office, f"分部{office}")
            for kind, role in (
                ("clerk", Role.FRONT_DESK),
                ("lead", Role.SUPERVISOR),
                ("spec", Role.SPECIALIST),
            ):
                node.people[(office, kind)] = services.add_user(
                    central,
                    admin,
                    username=_user(office, kind),
                    password=PASSWORD,
                    role=role,
                    office_code=office,
                )
            node.people[(office, "manager")] = services.get_actor(central, "mia")
        # the head office's signing certificate, made before the branches so they get it as reference data
        from kesu_desktop.printing.certificates import signing_identity

        signing_identity(central)
        # one case per office registered at the head office before its branch exists
        for office in OFFICES:
            view = services.register_case(central, node.actor(office, "clerk"), complaint(phone=PHONES[0]))
            self.cases[view.case_no] = office
            self.holders[view.case_no] = {"central", office}
        for office in OFFICES:
            path = env.workdir / f"{office}.db"
            for leftover in env.workdir.glob(f"{office}.db*"):
                leftover.unlink()
            shutil.copy(env.template, path)
            desk = Desk(
                db=Database(f"sqlite:///{path}"),
                clock=self.clock,
                node_id=f"branch-{office}",
                wall=SkewedClock(WALL_SKEW[office]),
            )
            init_branch(desk, env.pg_url, office, ADMIN, PASSWORD)
            branch = Node(office, desk, (office,))
            for kind in ("clerk", "lead", "spec"):
                branch.people[(office, kind)] = services.get_actor(desk, _user(office, kind))
            self.nodes[office] = branch
        self._observe_all()

    def teardown(self) -> None:
        try:
            if len(self.nodes) == 1 + len(OFFICES):
                try:
                    self._final_check()
                except AssertionError as exc:
                    steps = "\n  ".join(self.steps)
                    raise AssertionError(f"{exc}\nsteps taken:\n  {steps}") from None
        finally:
            for node in self.nodes.values():
                node.desk.close()

    # ---- helpers -------------------------------------------------------------------------------

    def _observe(self, node: Node) -> None:
        """Remember every event this node holds now (all must be everywhere they belong at the end)."""
        with node.desk.db.read() as s:
            for event_id, office in s.execute(
                select(CaseEvent.id, Case.office_code).join(Case, Case.id == CaseEvent.case_id)
            ):
                self.written[event_id] = office

    def _observe_all(self) -> None:
        for node in self.nodes.values():
            self._observe(node)

    def cases_of(self, office: str) -> list[str]:
        return sorted(no for no, o in self.cases.items() if o == office)

    def _case(self, index: int) -> tuple[str, str]:
        case_no = sorted(self.cases)[index % len(self.cases)]
        return case_no, self.cases[case_no]

    def _where(self, case_no: str, index: int) -> Node:
        holders = sorted(self.holders[case_no])
        return self.nodes[holders[index % len(holders)]]

    def _try(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except REFUSALS as exc:
            self.steps.append(f"{what} -> refused {type(exc).__name__}")
            return None
        self.steps.append(what)
        return result

    # ---- rules ---------------------------------------------------------------------------------

    @rule(
        office=st.sampled_from(OFFICES),
        phone=st.sampled_from(PHONES),
        kind=st.sampled_from(["clerk", "lead"]),
    )
    def register(self, office: str, phone: str, kind: str) -> None:
        node = self.nodes[office]
        view = self._try(
            f"register {office} {phone}",
            lambda: services.register_case(node.desk, node.actor(office, kind), complaint(phone=phone)),
        )
        if view is not None:
            self.cases[view.case_no] = office
            self.holders[view.case_no] = {office}
            self._observe(node)

    def _people(self, node: Node, office: str, who: str) -> Actor:
        return node.people.get((office, who)) or node.actor(office, "lead")

    def _act(self, node: Node, actor: Actor, case_no: str, name: str, template: dict[str, Any]) -> None:
        names = {
            "lead": _user(self.cases[case_no], "lead"),
            "spec": _user(self.cases[case_no], "spec"),
            "due": (self.clock.now() + timedelta(days=3)).isoformat(),
        }
        args = {k: v.format(**names) if isinstance(v, str) else v for k, v in template.items()}
        self._try(
            f"act {node.name} {actor.username} {case_no} {name} {args}",
            lambda: services.act(node.desk, actor, case_no, name, args),
        )
        self._observe(node)

    @precondition(lambda self: self.cases)
    @rule(case=st.integers(0, 50), where=st.integers(0, 1), edit=st.sampled_from(EDITS))
    def edit(self, case: int, where: int, edit: tuple[str, dict[str, Any]]) -> None:
        """A lead changes a single-valued field (refused when the case's state no longer allows it)."""
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        self._act(node, node.actor(office, "lead"), case_no, *edit)

    @precondition(lambda self: any(len(h) > 1 for h in self.holders.values()))
    @rule(case=st.integers(0, 50), mine=st.sampled_from(EDITS), theirs=st.sampled_from(EDITS))
    def edit_on_both_sides(
        self, case: int, mine: tuple[str, dict[str, Any]], theirs: tuple[str, dict[str, Any]]
    ) -> None:
        """The central and the branch change the same case before they next sync (a conflict when
        both set one field to different values)."""
        shared = sorted(no for no, h in self.holders.items() if len(h) > 1)
        case_no = shared[case % len(shared)]
        office = self.cases[case_no]
        for node, edit in ((self.nodes["central"], mine), (self.nodes[office], theirs)):
            self._act(node, node.actor(office, "lead"), case_no, *edit)

    @precondition(lambda self: self.cases)
    @rule(
        case=st.integers(0, 50),
        where=st.integers(0, 1),
        choice=st.integers(0, 30),
        who=st.sampled_from(PEOPLE),
    )
    def advance(self, case: int, where: int, choice: int, who: str) -> None:
        """Someone takes one of the actions the case offers them on this node (as the buttons do)."""
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        actor = self._people(node, office, who)
        offered = services.get_case(node.desk, actor, case_no).allowed_actions
        if not offered:
            self.steps.append(f"nothing offered to {actor.username} on {case_no} at {node.name}")
            return
        action = offered[choice % len(offered)].value
        variants = ARGUMENTS[action]
        self._act(node, actor, case_no, action, variants[choice % len(variants)])

    @precondition(lambda self: self.cases)
    @rule(
        case=st.integers(0, 50),
        where=st.integers(0, 1),
        note=st.sampled_from(NOTES),
        who=st.sampled_from(PEOPLE),
    )
    def note(self, case: int, where: int, note: dict[str, Any], who: str) -> None:
        """A call or visit is logged on the case (allowed in every state, so it clashes with closing)."""
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        self._act(node, self._people(node, office, who), case_no, "log", note)

    @precondition(lambda self: self.cases)
    @rule(
        case=st.integers(0, 50),
        where=st.integers(0, 1),
        content=st.sampled_from([b"photo-1", b"receipt", b"x" * 300]),
    )
    def attach(self, case: int, where: int, content: bytes) -> None:
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        self._try(
            f"attach {node.name} {case_no} {content[:8]!r}",
            lambda: services.add_attachment(
                node.desk, node.actor(office, "clerk"), case_no, "photo.jpg", content
            ),
        )
        self._observe(node)

    @precondition(lambda self: self.cases)
    @rule(case=st.integers(0, 50), where=st.integers(0, 1))
    def sign(self, case: int, where: int) -> None:
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        self._try(
            f"sign {node.name} {case_no}",
            lambda: services.capture_signature(
                node.desk,
                node.actor(office, "clerk"),
                case_no,
                purpose="receipt",
                signer="张三",
                strokes=STROKES,
                png=PNG,
            ),
        )
        self._observe(node)

    @precondition(lambda self: self.cases)
    @rule(case=st.integers(0, 50), where=st.integers(0, 1), kind=st.sampled_from(["receipt", "record"]))
    def print_document(self, case: int, where: int, kind: str) -> None:
        """A document is issued (its signed PDF archived on the case) and printed."""
        from kesu_desktop.printing.issue import issue_document
        from kesu_desktop.services.documents import record_output

        case_no, office = self._case(case)
        node = self._where(case_no, where)
        clerk = node.actor(office, "clerk")
        issued = self._try(
            f"issue {node.name} {case_no} {kind}",
            lambda: issue_document(node.desk, clerk, kind, case_no, allow_missing=True),
        )
        if issued is not None:
            record_output(node.desk, clerk, issued.document.id, how="printed", target="前台打印机")
        self._observe(node)

    @precondition(lambda self: self.cases)
    @rule(
        case=st.integers(0, 50),
        where=st.integers(0, 1),
        pick=st.integers(0, 5),
        body=st.sampled_from(["您好，已处理", "抱歉，正在处理"]),
        writer=st.sampled_from(["lead", "spec"]),
    )
    def draft_reply(self, case: int, where: int, pick: int, body: str, writer: str = "lead") -> None:
        """A draft reply is written, or one written before is edited (maybe on the other node)."""
        case_no, office = self._case(case)
        node = self._where(case_no, where)
        known = self.replies.get(case_no, [])
        reply_id = None if pick == 0 or not known else known[pick % len(known)][1]
        view = self._try(
            f"reply {node.name} {case_no} {'new' if reply_id is None else 'edit'} {body}",
            lambda: services.save_reply_draft(
                node.desk, node.actor(office, writer), case_no, "progress", body, reply_id
            ),
        )
        if view is not None and reply_id is None:
            self.replies.setdefault(case_no, []).append((node.name, view.id))
        self._observe(node)

    @precondition(lambda self: self.replies)
    @rule(pick=st.integers(0, 20), where=st.integers(0, 1), approve=st.booleans())
    def move_reply(self, pick: int, where: int, approve: bool) -> None:
        """A reply goes on: its author submits the draft, or a supervisor (never its author) approves
        or returns it; where a node has no such person, nothing happens."""
        case_no = sorted(self.replies)[pick % len(self.replies)]
        office, known = self.cases[case_no], self.replies[case_no]
        reply_id = known[pick % len(known)][1]
        node = self._where(case_no, where)
        with node.desk.db.read() as s:
            found = s.execute(select(Reply.status, Reply.author).where(Reply.id == reply_id)).one_or_none()
        if found is None:
            return
        status, written_by = found
        if status in ("draft", "returned"):
            author = next((a for a in node.people.values() if a.username == written_by), None)
            if author is not None:
                self._try(
                    f"submit {node.name} {case_no}",
                    lambda: services.submit_reply(node.desk, author, reply_id),
                )
        elif status == "submitted":
            reviewer = next(
                (
                    node.people[(office, who)]
                    for who in ("lead", "manager")
                    if (office, who) in node.people and node.people[(office, who)].username != written_by
                ),
                None,
            )
            if reviewer is not None:
                comment = None if approve else "请补充处理时限"
                self._try(
                    f"review {node.name} {reviewer.username} {case_no} approve={approve}",
                    lambda: services.review_reply(
                        node.desk, reviewer, reply_id, approve=approve, comment=comment
                    ),
                )
        self._observe(node)

    @rule(
        node_name=st.sampled_from(["central", *OFFICES]),
        index=st.integers(0, 20),
        who=st.sampled_from(["lead", "manager"]),
        snooze=st.sampled_from([0, 60]),
    )
    def watch_and_acknowledge(self, node_name: str, index: int, who: str, snooze: int = 0) -> None:
        """The deadline watcher runs on this node and someone there acknowledges one of its alerts
        (at the central a supervisor or the head office's manager, whoever gets to it), or puts it
        off for ``snooze`` minutes."""
        node = self.nodes[node_name]
        office = node.offices[index % len(node.offices)]
        lead = node.actor(office, "lead")
        self._try(f"watch {node_name} {office}", lambda: services.watch_tick(node.desk, lead))
        person = self._people(node, office, who)
        alerts = [a for a in services.alerts_for(node.desk, person) if a.case_no]
        if alerts:
            alert = alerts[index % len(alerts)]
            if snooze:
                self._try(
                    f"snooze {node_name} {person.username} {alert.case_no} {alert.deadline}",
                    lambda: services.snooze_alert(node.desk, person, alert.id, snooze),
                )
                self._observe(node)
                return
            self._try(
                f"ack {node_name} {person.username} {alert.case_no} {alert.deadline}",
                lambda: services.acknowledge_alert(node.desk, person, alert.id),
            )
        self._observe(node)

    @rule(node_name=st.sampled_from(["central", *OFFICES]), index=st.integers(0, 20), reapply=st.booleans())
    def settle_conflict(self, node_name: str, index: int, reapply: bool) -> None:
        node = self.nodes[node_name]
        office = node.offices[index % len(node.offices)]
        lead = node.actor(office, "lead")
        open_ = conflicts_for(node.desk, lead)
        if not open_:
            return
        conflict = open_[index % len(open_)]
        self._try(
            f"settle {node_name} {conflict.case_no} {conflict.field} reapply={reapply}",
            lambda: resolve_conflict(node.desk, lead, conflict.id, reapply=reapply),
        )
        self._observe(node)

    @rule(hours=st.sampled_from([1, 4, 30]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        self.steps.append(f"+{hours}h")

    @rule(office=st.sampled_from(OFFICES), who=st.sampled_from(["clerk", "lead"]))
    def sync(self, office: str, who: str) -> None:
        node = self.nodes[office]
        report = sync_now(node.desk, node.actor(office, who))
        self.steps.append(f"sync {office}: pushed {report.pushed} pulled {report.pulled}")
        assert report.agree, f"sync of {office} ends disagreeing: {report.as_json()}"
        for case_no, case_office in self.cases.items():
            if case_office == office:
                self.holders[case_no].add("central")
        self._observe(node)
        self._observe(self.nodes["central"])

    # ---- the final check -------------------------------------------------------------------------

    def _final_check(self) -> None:
        # Offices are disjoint (a branch holds its office's cases only, and the central's work on them
        # is in that office's feed), so one sync per branch brings everything together; a second one
        # must then find nothing left to move either way.
        for office in OFFICES:
            node = self.nodes[office]
            report = sync_now(node.desk, node.actor(office, "lead"))
            assert report.agree, f"final sync of {office} disagrees: {report.as_json()}"
        for office in OFFICES:
            node = self.nodes[office]
            again = sync_now(node.desk, node.actor(office, "clerk"))
            assert again.agree and (again.pushed, again.pulled) == (0, 0), (
                f"a second sync of {office} still moves rows: {again.as_json()}"
            )
        self._observe_all()
        central = self.nodes["central"]
        for office in OFFICES:
            branch = self.nodes[office]
            with central.desk.db.read() as s:
                at_central = office_digest(s, office)
            with branch.desk.db.read() as s:
                at_branch = office_digest(s, office)
            assert at_central == at_branch, f"{office}: events differ {at_central} vs {at_branch}"
            expected = {i for i, o in self.written.items() if o == office}
            for node in (central, branch):
                held = _event_ids(node.desk, office)
                missing = expected - held
                assert not missing, (
                    f"{node.name} lacks {len(missing)} events of {office}: {sorted(map(str, missing))[:5]}"
                )
            c_lead, b_lead = central.actor(office, "lead"), branch.actor(office, "lead")
            assert _conflicts(central.desk, c_lead) == _conflicts(branch.desk, b_lead), (
                f"{office}: conflicts differ"
            )
            assert _alerts(central.desk, office) == _alerts(branch.desk, office), f"{office}: alerts differ"
            with central.desk.db.read() as s:
                numbers = set(s.scalars(select(Case.case_no).where(Case.office_code == office)))
            with branch.desk.db.read() as s:
                assert numbers == set(s.scalars(select(Case.case_no).where(Case.office_code == office)))
                assert set(s.scalars(select(Case.office_code))) <= {office}, (
                    "a branch holds another office's case"
                )
            for case_no in sorted(numbers):
                mine = _case_state(central.desk, c_lead, case_no)
                theirs = _case_state(branch.desk, b_lead, case_no)
                if mine != theirs:
                    diff = {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs.get(k)}
                    raise AssertionError(f"{case_no} differs central vs {office}: {diff}")


def _event_ids(desk: Desk, office: str) -> set[uuid.UUID]:
    with desk.db.read() as s:
        return set(
            s.scalars(
                select(CaseEvent.id)
                .join(Case, Case.id == CaseEvent.case_id)
                .where(Case.office_code == office)
            )
        )


def _conflicts(desk: Desk, actor: Actor) -> set[tuple[Any, ...]]:
    return {
        (c.case_no, c.kind, c.field, str(c.kept), str(c.lost), c.kept_by, c.lost_by, c.resolved)
        for c in conflicts_for(desk, actor, include_resolved=True)
    }


def _alerts(desk: Desk, office: str) -> set[tuple[Any, ...]]:
    with desk.db.read() as s:
        return {
            (a.dedupe_key, a.state, a.acknowledged_at, a.acknowledged_by, a.snoozed_until)
            for a in s.scalars(select(Alert).where(Alert.office_code == office, Alert.case_id.is_not(None)))
        }


#: View fields that are about the reader, not the case.
_READER_FIELDS = {"events", "timeline", "deadlines"}


def _case_state(desk: Desk, actor: Actor, case_no: str) -> dict[str, Any]:
    view = services.get_case(desk, actor, case_no)
    state = {k: v for k, v in asdict(view).items() if k not in _READER_FIELDS}
    state["events"] = [(str(e.id), e.kind) for e in view.events]
    state["timeline"] = [(line.kind, line.summary) for line in view.timeline]
    state["deadlines"] = view.deadlines
    with desk.db.read() as s:
        # A link to another office's case (a repeat found at the central, which sees every office) is
        # not on the branch, which never holds that case (docs/sync.md): compare links within the office.
        same_office = set(s.scalars(select(Case.case_no).where(Case.office_code == view.office_code)))
        state["repeat_of"] = sorted(no for no in view.repeat_of if no in same_office)
        office_ids = select(Case.id).where(Case.office_code == view.office_code)
        state["attachments"] = sorted(
            (str(a.id), a.sha256, a.filename)
            for a in s.scalars(select(Attachment).where(Attachment.case_id == view.id))
        )
        state["signatures"] = sorted(
            (str(x.id), x.sha256)
            for x in s.scalars(select(CaseSignature).where(CaseSignature.case_id == view.id))
        )
        state["documents"] = sorted(
            (str(x.id), x.sha256)
            for x in s.scalars(select(CaseDocument).where(CaseDocument.case_id == view.id))
        )
        state["replies"] = sorted(
            (str(x.id), x.status, x.body, x.updated_at)
            for x in s.scalars(select(Reply).where(Reply.case_id == view.id))
        )
        state["links"] = sorted(
            (str(x.linked_case_id), x.kind)
            for x in s.scalars(
                select(CaseLink).where(CaseLink.case_id == view.id, CaseLink.linked_case_id.in_(office_ids))
            )
        )
    return state


@pytest.fixture
def environment(
    pg_database: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Environment]:
    """The database and the folder the examples use. Users made here get a cheap argon2 hash: each
    example makes and signs in a dozen, and the default parameters cost 0.4 s a hash on this machine
    (verifying reads the parameters from the hash, so sign-in works the same)."""
    from argon2 import PasswordHasher

    from kesu_desktop.services import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    template = _migrated_template(tmp_path_factory.getbasetemp())
    yield Environment(pg_database, tmp_path, template)


def _run(env: Environment, **overrides: Any) -> None:
    Convergence.env = env
    config = settings(
        deadline=None,
        suppress_health_check=list(HealthCheck),
        **overrides,
    )
    run_state_machine_as_test(Convergence, settings=config)


def test_random_work_and_syncs_converge_on_all_three_nodes(environment: Environment) -> None:
    _run(environment, max_examples=15, stateful_step_count=15)


@pytest.mark.slow
def test_longer_interleavings_converge(environment: Environment) -> None:
    _run(environment, max_examples=60, stateful_step_count=40)


def _replay(env: Environment, steps: Callable[[Convergence], None]) -> None:
    """One fixed sequence through the same machine (the examples hypothesis found, kept as tests)."""
    Convergence.env = env
    machine = Convergence()
    machine.build()
    try:
        steps(machine)
    finally:
        machine.teardown()


def test_a_reply_changed_twice_in_one_instant_ends_the_same_on_both_sides(environment: Environment) -> None:
    """Found by the machine: the central kept the first version of a branch's reply for good."""

    def steps(m: Convergence) -> None:
        case = sorted(m.cases).index(m.cases_of("CV02")[0])
        branch, central = 0, 1  # where: the holders' names in order
        m.draft_reply(case=case, where=branch, pick=0, body="您好，已处理")
        m.sync(office="CV02", who="lead")
        m.draft_reply(case=case, where=branch, pick=1, body="抱歉，正在处理")  # changed in the same instant
        m.draft_reply(case=case, where=central, pick=1, body="您好，已处理")  # and apart at the central

    _replay(environment, steps)


def test_one_alert_acknowledged_on_both_sides_in_one_instant_ends_the_same(environment: Environment) -> None:
    """Found with the machine: each side kept its own acknowledger when the instants were equal."""

    def steps(m: Convergence) -> None:
        m.time_passes(hours=30)  # the first response is overdue: both watchers raise the same alert
        m.watch_and_acknowledge(node_name="CV02", index=0, who="lead")
        m.watch_and_acknowledge(node_name="central", index=0, who="manager")
        assert [s for s in m.steps if s.startswith("ack")] == [
            f"ack CV02 cv02_lead {m.cases_of('CV02')[0]} respond",
            f"ack central mia {m.cases_of('CV02')[0]} respond",
        ]

    _replay(environment, steps)
