"""Sync under faults: nothing lost, nothing twice, whatever the network or the carrier does.

Batches dropped, duplicated and reordered; a COMMIT whose reply never came back; the network cut in
the middle of a batch (a TCP proxy on 127.0.0.1 in front of PostgreSQL); bundles imported twice, out
of order, after the network, or signed with another office's key; a branch clock a day off.
After each fault, both sides must hold the same cases (as services.get_case shows them), the same
event ids, and the feed must not list one row twice (a row entered twice is a row applied twice).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kesu_desktop import services
from kesu_desktop.cli.main import main
from kesu_desktop.domain.errors import Conflict, ValidationError
from kesu_desktop.domain.ids import Timestamp
from kesu_desktop.services import Actor, Desk
from kesu_desktop.services.conflicts import conflicts_for
from kesu_desktop.services.offices import add_office
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.feed import APPEND_ONLY
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.models import Case, CaseEvent, OfficeKey, SyncBranch, SyncFeed, SyncLink
from kesu_desktop.sync.apply import BatchRefused, apply_batch
from kesu_desktop.sync.batch import Batch, read_feed
from kesu_desktop.sync.branch import ensure_office_key, init_branch
from kesu_desktop.sync.bundle import _sign, export_bundle, import_bundle
from kesu_desktop.sync.network import CENTRAL, office_digest, sync_now
from tests.helpers.data import ADMIN_PASSWORD, MutableClock, complaint
from tests.helpers.sync import BRANCH_OFFICE, CLERK_PASSWORD, Central, make_branch
from tests.helpers.tcp_proxy import TcpProxy

# -- what "the same" and "no duplicate" mean -------------------------------------------------------


def clerk(desk: Desk) -> Actor:
    return services.login(desk, "sh_clerk", CLERK_PASSWORD)


def do_work(desk: Desk, actor: Actor, cases: int, *, tag: str, notes: bool = True) -> list[str]:
    """Register ``cases`` complaints, then ``annotate`` them. Returns the case numbers.

    Every fourth is the first customer calling again (the same phone): a repeat, linked to that case."""
    numbers = []
    for i in range(cases):
        phone = f"13{ord(tag[0]) % 7 + 3}{0 if i % 4 == 3 else i:08d}"
        numbers.append(
            services.register_case(desk, actor, complaint(customer_name=f"客户{tag}{i}", phone=phone)).case_no
        )
    if notes:
        annotate(desk, actor, numbers, tag=tag)
    return numbers


def annotate(desk: Desk, actor: Actor, numbers: list[str], *, tag: str) -> None:
    """On each case a logged call, on every third a second one, and on the first an attachment
    (bytes travel too)."""
    for i, number in enumerate(numbers):
        services.act(desk, actor, number, "log", {"channel": "phone", "summary": f"来电{tag}{i}"})
        if i % 3 == 0:
            services.act(desk, actor, number, "log", {"channel": "counter", "summary": f"补充{tag}"})
    if numbers:
        services.add_attachment(desk, actor, numbers[0], f"{tag}.txt", f"附件{tag}".encode())


def office_cases(desk: Desk) -> list[str]:
    with desk.db.read() as s:
        return list(s.scalars(select(Case.case_no).where(Case.office_code == BRANCH_OFFICE)))


def event_ids(desk: Desk, office: str = BRANCH_OFFICE) -> set[uuid.UUID]:
    with desk.db.read() as s:
        return set(
            s.scalars(
                select(CaseEvent.id)
                .join(Case, Case.id == CaseEvent.case_id)
                .where(Case.office_code == office)
            )
        )


def case_states(desk: Desk, actor: Actor, office: str = BRANCH_OFFICE) -> dict[str, dict[str, Any]]:
    """Every case of the office as a user sees it (fields, timeline, attachments), by case number."""
    with desk.db.read() as s:
        numbers = s.scalars(select(Case.case_no).where(Case.office_code == office)).all()
    states = {}
    for number in numbers:
        view = dataclasses.asdict(services.get_case(desk, actor, number))
        states[number] = view
    return states


def assert_no_duplicates(desk: Desk) -> None:
    """No append-only row was entered twice in the feed (each entry is one application of the row),
    and every event of the office is in the feed exactly once."""
    with desk.db.read() as s:
        entries = s.execute(
            select(SyncFeed.item_table, SyncFeed.item_id).where(
                SyncFeed.item_table.in_(list(APPEND_ONLY.values()))
            )
        ).all()
        twice = {k: n for k, n in Counter((t, str(i)) for t, i in entries).items() if n > 1}
        assert not twice, f"rows applied twice: {list(twice)[:5]}"
        feed_events = {uuid.UUID(i) for t, i in entries if t == "case_events"}
    assert event_ids(desk) <= feed_events


def assert_same(a: Desk, a_actor: Actor, b: Desk, b_actor: Actor) -> None:
    """Both nodes hold the office's same events, the same cases, and say so by digest."""
    ids_a, ids_b = event_ids(a), event_ids(b)
    assert ids_a == ids_b, (len(ids_a), len(ids_b), len(ids_a ^ ids_b))
    states_a, states_b = case_states(a, a_actor), case_states(b, b_actor)
    assert states_a.keys() == states_b.keys()
    for number, state in states_a.items():
        other = states_b[number]
        differ = {k: (state[k], other[k]) for k in state if state[k] != other[k]}
        assert not differ, (number, differ)
    with a.db.read() as sa, b.db.read() as sb:
        assert office_digest(sa, BRANCH_OFFICE) == office_digest(sb, BRANCH_OFFICE)
    assert_no_duplicates(a)
    assert_no_duplicates(b)


def link_of(desk: Desk) -> SyncLink:
    with desk.db.read() as s:
        link = s.scalar(select(SyncLink))
        assert link is not None
        s.expunge(link)
    return link


def central_record(central: Central, branch_id: str) -> SyncBranch | None:
    with central.desk.db.read() as s:
        record = s.get(SyncBranch, branch_id)
        if record is not None:
            s.expunge(record)
    return record


# -- 1. batches dropped, duplicated and reordered ----------------------------------------------------


def _batches(db: Database, *, size: int, **kwargs: Any) -> list[Batch]:
    batches, after = [], 0
    with db.read() as s:
        while True:
            batch = read_feed(s, BRANCH_OFFICE, after, size, **kwargs)
            if batch.through == batch.after:
                return batches
            batches.append(batch)
            after = batch.through


def _deliver_chaotically(db: Database, batches: list[Batch], *, source: str, seed: int) -> list[str]:
    """Deliver each batch at least once: shuffled, a third of them twice, a quarter dropped and
    re-sent at the end. A batch refused (it hangs on a case not here yet) is re-sent later and must
    have written nothing. Returns why deliveries were refused."""
    rnd = random.Random(seed)
    dropped = set(rnd.sample(range(len(batches)), k=len(batches) // 4))
    queue = [i for i in range(len(batches)) if i not in dropped]
    queue += rnd.sample(range(len(batches)), k=len(batches) // 3)  # duplicates
    rnd.shuffle(queue)
    queue += sorted(dropped, reverse=True)  # re-sent, latest first
    delivered: set[int] = set()
    refused: list[str] = []
    for _attempt in range(20 * len(batches)):
        if not queue:
            break
        index = queue.pop(0)
        with db.read() as s:
            before = s.scalar(select(func.count()).select_from(SyncFeed))
        try:
            with db.write() as s:
                apply_batch(s, batches[index], source=source, now=services.SystemClock().now())
        except BatchRefused as exc:
            refused.append(str(exc))
            with db.read() as s:
                assert s.scalar(select(func.count()).select_from(SyncFeed)) == before  # nothing written
            queue.append(index)
            continue
        delivered.add(index)
    assert not queue and delivered == set(range(len(batches)))
    return refused


def test_batches_dropped_duplicated_and_reordered_end_as_a_clean_sync(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    at_c = clerk(central.desk)
    before_branch = do_work(central.desk, at_c, 4, tag="A")  # these come down at init
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    at_b = clerk(branch)
    link = link_of(branch)
    mine = do_work(branch, at_b, 12, tag="B")
    annotate(branch, at_b, before_branch, tag="b")

    up = _batches(branch.db, size=4, local_only=True)
    assert len(up) >= 8
    # the reordering puts batches before the cases they hang on (or link to): refused, whole, and
    # sent again later; a link that came before the case it links to was once skipped, and lost
    refused = _deliver_chaotically(central.desk.db, up, source=link.branch_id, seed=1)
    assert any("does not bring" in why for why in refused)
    assert any("case_links row links to" in why for why in refused), refused
    annotate(central.desk, at_c, mine[::2] + before_branch, tag="C")
    down = _batches(central.desk.db, size=4, exclude_source=link.branch_id)
    assert len(down) >= 5
    _deliver_chaotically(branch.db, down, source=CENTRAL, seed=2)

    assert_same(branch, at_b, central.desk, at_c)
    # A clean sync afterwards finds nothing to move: the chaos delivered exactly what it would have.
    report = sync_now(branch, at_b, batch_size=4)
    assert report.agree and (report.pushed, report.pulled) == (0, 0)
    assert_same(branch, at_b, central.desk, at_c)
    branch.close()


# -- 2. a COMMIT whose reply was lost ------------------------------------------------------------------


class ReplyLost(Exception):
    """The central committed, and the branch never heard of it."""


def _losing_reply_of_push(db: Database, which: int) -> Callable[[], list[int]]:
    """Make ``db``'s ``which``-th push transaction (the one that writes sync_branches) raise after its
    COMMIT went through; returns a function listing every pushed_through the central was given."""
    seen: list[int] = []

    @event.listens_for(db._writer, "after_flush")
    def note(session: Session, _ctx: Any) -> None:
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, SyncBranch) and inspect(obj).attrs.pushed_through.history.has_changes():
                session.info["pushed_through"] = obj.pushed_through

    @event.listens_for(db._writer, "after_commit")
    def lose(session: Session) -> None:
        through = session.info.pop("pushed_through", None)
        if through is None:
            return
        seen.append(through)
        if len(seen) == which:
            raise ReplyLost(through)

    return lambda: seen


def test_a_lost_commit_reply_is_not_applied_twice(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    at_b, at_c = clerk(branch), clerk(central.desk)
    do_work(branch, at_b, 10, tag="B")
    link = link_of(branch)
    role_db = Database(link.central_url or "")
    pushes = _losing_reply_of_push(role_db, which=2)
    with pytest.raises(ReplyLost):
        sync_now(branch, at_b, batch_size=6, central=role_db)
    role_db.dispose()
    first, second = pushes()
    # the central holds the second batch and says so; the branch only knows of the first
    assert central_record(central, link.branch_id).pushed_through == second  # type: ignore[union-attr]
    assert link_of(branch).pushed_through == first < second
    with branch.db.read() as s:
        sent = {
            uuid.UUID(i)
            for i in s.scalars(
                select(SyncFeed.item_id).where(SyncFeed.item_table == "case_events", SyncFeed.seq <= second)
            )
        }
    assert sent <= event_ids(central.desk)

    again_db = Database(link.central_url or "")
    again = _losing_reply_of_push(again_db, which=0)  # records only
    report = sync_now(branch, at_b, batch_size=6, central=again_db)
    again_db.dispose()
    assert report.agree
    # the branch moved on from the central's record: nothing up to it was sent again
    assert again() and min(again()) > second
    head = max(again())
    assert link_of(branch).pushed_through == head == central_record(central, link.branch_id).pushed_through  # type: ignore[union-attr]
    assert_same(branch, at_b, central.desk, at_c)
    branch.close()


# -- 3. the network cut in the middle of a batch ---------------------------------------------------------


def _cut_during(proxy: TcpProxy, stage: str, nth: int, n_bytes: int) -> Callable[[str, int], None]:
    calls = Counter[str]()

    def progress(what: str, _count: int) -> None:
        calls[what] += 1
        if what == stage and calls[what] == nth:
            proxy.cut_after(n_bytes)  # somewhere inside the next batch's transaction

    return progress


def _branch_origin_on_central(central: Central, branch_id: str) -> set[uuid.UUID]:
    with central.desk.db.read() as s:
        return {
            uuid.UUID(i)
            for i in s.scalars(
                select(SyncFeed.item_id).where(
                    SyncFeed.item_table == "case_events", SyncFeed.source == branch_id
                )
            )
        }


def _local_events_through(desk: Desk, seq: int) -> set[uuid.UUID]:
    with desk.db.read() as s:
        return {
            uuid.UUID(i)
            for i in s.scalars(
                select(SyncFeed.item_id).where(
                    SyncFeed.item_table == "case_events", SyncFeed.source.is_(None), SyncFeed.seq <= seq
                )
            )
        }


def test_network_cut_mid_batch_then_resumes(
    central: Central,
    tmp_path: Path,
    clock: MutableClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at_c = clerk(central.desk)
    older = do_work(central.desk, at_c, 20, tag="A", notes=False)
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    at_b = clerk(branch)
    do_work(branch, at_b, 90, tag="B")  # about 210 events to push
    annotate(central.desk, at_c, older + older, tag="C")  # about 54 to pull
    link = link_of(branch)
    with TcpProxy() as proxy:
        via_proxy = Database(proxy.proxied_url(link.central_url or ""))

        # cut while pushing: the central keeps whole batches only, and its record says which
        with pytest.raises(OperationalError):
            sync_now(
                branch, at_b, batch_size=20, central=via_proxy, progress=_cut_during(proxy, "push", 2, 4000)
            )
        assert proxy.cuts == 1
        record = central_record(central, link.branch_id)
        assert record is not None and record.pushed_through > 0
        assert _branch_origin_on_central(central, link.branch_id) == _local_events_through(
            branch, record.pushed_through
        )

        # cut while pulling: the branch's checkpoint covers exactly what it holds
        proxy.heal()
        with pytest.raises(OperationalError):
            sync_now(
                branch, at_b, batch_size=20, central=via_proxy, progress=_cut_during(proxy, "pull", 1, 3000)
            )
        assert proxy.cuts == 2
        checkpoint = link_of(branch).pulled_through
        with central.desk.db.read() as s:
            served = {
                uuid.UUID(i)
                for i in s.scalars(
                    select(SyncFeed.item_id).where(
                        SyncFeed.item_table == "case_events",
                        SyncFeed.seq <= checkpoint,
                        SyncFeed.source.is_distinct_from(link.branch_id),
                    )
                )
            }
        assert len(served) > 0 and served <= event_ids(branch)
        assert not event_ids(branch) >= event_ids(central.desk)  # the cut left some to pull

        # the network is back: the next sync resumes and both sides agree
        proxy.heal()
        report = sync_now(branch, at_b, batch_size=20, central=via_proxy)
        assert report.agree and report.pulled > 0
        assert event_ids(branch) == event_ids(central.desk)  # (cases compared at the end)

        # `kesu sync` through a cable cut in mid-push: a clear message, no traceback
        do_work(branch, at_b, 30, tag="D", notes=False)
        with branch.db.write() as s:
            s.execute(update(SyncLink).values(central_url=proxy.proxied_url(link.central_url or "")))
        monkeypatch.setenv("KESU_NODE_ID", "branch-node")
        monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("KESU_PASSWORD", CLERK_PASSWORD)
        argv = ["--db", branch.db.url, "--user", "sh_clerk", "sync", "--batch-size", "5"]
        proxy.cut_on(b"INSERT INTO case_events", occurrence=3)
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err, err
        assert err.strip().splitlines()[-1].startswith("error: ")
        proxy.heal()
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "双方一致" in out
        via_proxy.dispose()
    assert_same(branch, at_b, central.desk, at_c)
    branch.close()


# -- 5. carried files -------------------------------------------------------------------------------------

OTHER_OFFICE = "GZ03"


def _counts(desk: Desk) -> tuple[int, int, int, list[tuple[Any, ...]]]:
    """What an import must leave alone when it is refused: events, feed, cursors on both kinds of node."""
    with desk.db.read() as s:
        events = int(s.scalar(select(func.count()).select_from(CaseEvent)) or 0)
        feed = int(s.scalar(select(func.count()).select_from(SyncFeed)) or 0)
        cases = int(s.scalar(select(func.count()).select_from(Case)) or 0)
        cursors = [
            *s.execute(select(SyncLink.pulled_through, SyncLink.pushed_through)).all(),
            *s.execute(select(SyncBranch.branch_id, SyncBranch.pushed_through)).all(),
        ]
    return events, feed, cases, [tuple(c) for c in cursors]


def _resign(source: Path, target: Path, key: bytes, **manifest_changes: Any) -> None:
    """A copy of bundle ``source`` with its manifest changed and signed again under ``key``."""
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        body = archive.read("batch.json")
    manifest.update(manifest_changes)
    manifest["hmac"] = _sign(key, manifest)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("batch.json", body)


def _refused(desk: Desk, actor: Actor, path: Path) -> str:
    before = _counts(desk)
    with pytest.raises(ValidationError) as refused:
        import_bundle(desk, actor, path)
    assert set(refused.value.errors) == {"bundle"}
    assert _counts(desk) == before  # refused means nothing changed
    return refused.value.errors["bundle"]


def test_bundles_twice_out_of_order_after_the_network_and_foreign_refused(
    central: Central,
    tmp_path: Path,
    clock: MutableClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at_c = clerk(central.desk)
    older = do_work(central.desk, at_c, 3, tag="A", notes=False)
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    at_b = clerk(branch)
    admin = central.admin

    # branch → central: two bundles, the later imported first
    early = do_work(branch, at_b, 6, tag="B")
    one = export_bundle(branch, at_b, tmp_path / "up1.kesu")
    annotate(branch, at_b, early + older, tag="b")
    do_work(branch, at_b, 3, tag="E")
    two = export_bundle(branch, at_b, tmp_path / "up2.kesu", since=one.through)
    assert two.after == one.through and two.events > 0
    # its rows hang on cases the first bundle brings: refused whole, with a clear message
    assert "does not bring" in _refused(central.desk, admin, tmp_path / "up2.kesu")
    assert import_bundle(central.desk, admin, tmp_path / "up1.kesu").applied_events == one.events
    assert import_bundle(central.desk, admin, tmp_path / "up2.kesu").applied_events == two.events
    twice = _counts(central.desk)
    for path in ("up1.kesu", "up2.kesu"):  # imported twice: nothing the second time
        info = import_bundle(central.desk, admin, tmp_path / path)
        assert (info.applied_events, info.applied_rows) == (0, 0)
    assert _counts(central.desk) == twice

    # central → branch: two bundles after the branch's checkpoint, the later first (it carries the
    # cases its rows hang on whole, so it applies), then the earlier, then both again
    since = link_of(branch).pulled_through
    annotate(central.desk, at_c, early[:3], tag="C")
    down1 = export_bundle(central.desk, admin, tmp_path / "down1.kesu", office=BRANCH_OFFICE, since=since)
    annotate(central.desk, at_c, early[3:] + older, tag="D")
    down2 = export_bundle(
        central.desk, admin, tmp_path / "down2.kesu", office=BRANCH_OFFICE, since=down1.through
    )
    for path in ("down2.kesu", "down1.kesu"):
        assert import_bundle(branch, at_b, tmp_path / path).applied_events > 0
    for path in ("down2.kesu", "down1.kesu"):
        assert import_bundle(branch, at_b, tmp_path / path).applied_events == 0
    assert down2.events > 0
    assert_same(branch, at_b, central.desk, at_c)

    # then the network: nothing moves twice; and a bundle after the network changes nothing
    report = sync_now(branch, at_b)
    assert report.agree and (report.pushed, report.pulled) == (0, 0)
    do_work(branch, at_b, 2, tag="F")
    assert sync_now(branch, at_b).agree
    after_network = _counts(central.desk)
    export_bundle(branch, at_b, tmp_path / "all.kesu")
    info = import_bundle(central.desk, admin, tmp_path / "all.kesu")
    assert (info.applied_events, info.applied_rows) == (0, 0) and _counts(central.desk) == after_network
    assert_same(branch, at_b, central.desk, at_c)

    # another office's key: its own bundle at this branch, this office's bundle re-signed with it,
    # and a bundle of this office's rows that calls itself the other office's
    with contextlib.suppress(Conflict):
        add_office(central.desk, admin, OTHER_OFFICE, "广州分部")
    with central.desk.db.write() as s:
        ensure_office_key(s, OTHER_OFFICE)
    with central.desk.db.read() as s:
        other_key = bytes(s.get(OfficeKey, OTHER_OFFICE).key)  # type: ignore[union-attr]
    export_bundle(central.desk, admin, tmp_path / "gz.kesu", office=OTHER_OFFICE)
    assert OTHER_OFFICE in _refused(branch, at_b, tmp_path / "gz.kesu")
    _resign(tmp_path / "all.kesu", tmp_path / "forged.kesu", other_key)
    _refused(central.desk, admin, tmp_path / "forged.kesu")
    fresh = do_work(branch, at_b, 1, tag="G", notes=False)
    export_bundle(branch, at_b, tmp_path / "fresh.kesu", since=link_of(branch).pushed_through)
    _resign(tmp_path / "fresh.kesu", tmp_path / "posing.kesu", other_key, office=OTHER_OFFICE)
    _refused(central.desk, admin, tmp_path / "posing.kesu")  # once, this office's case got in
    with central.desk.db.read() as s:
        assert s.scalar(select(Case.id).where(Case.case_no == fresh[0])) is None
    # as a user meets it: exit 2, one bundle: line
    monkeypatch.setenv("KESU_NODE_ID", "central-cli")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KESU_PASSWORD", ADMIN_PASSWORD)
    code = main(["--db", central.url, "--user", "admin", "sync", "import", str(tmp_path / "forged.kesu")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("bundle:") and "Traceback" not in err, err
    assert sync_now(branch, at_b).agree
    assert_same(branch, at_b, central.desk, at_c)
    branch.close()


# -- 6. a branch clock a day off ----------------------------------------------------------------------


class SkewedClock:
    """This machine's clock, wrong by a fixed amount (a branch PC whose date was never set)."""

    def __init__(self, skew: timedelta) -> None:
        self.skew = skew

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew


@pytest.mark.parametrize("days", [1, -1], ids=["ahead", "behind"])
def test_a_branch_clock_a_day_off_neither_wins_nor_reorders(
    central: Central, tmp_path: Path, clock: MutableClock, days: int
) -> None:
    branch = Desk(
        db=Database(f"sqlite:///{tmp_path / 'skewed.db'}"),
        clock=clock,
        node_id="skewed-node",
        wall=SkewedClock(timedelta(days=days)),
    )
    upgrade(branch.db)
    made = init_branch(branch, central.url, BRANCH_OFFICE, "admin", ADMIN_PASSWORD)
    day_ms = -days * 86_400_000  # the central's clock minus this one
    assert abs(made.report.skew_ms - day_ms) < 60_000 and made.report.skew_reported
    lead_b = services.login(branch, "sh_lead", CLERK_PASSWORD)
    lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
    case = services.register_case(branch, clerk(branch), complaint())
    sync_now(branch, lead_b)

    # the clock that is ahead acts first and the true later change must win; the one behind acts
    # last and must win (uncorrected, it would lose and be shown first)
    order = [(branch, lead_b, "p0"), (central.desk, lead_c, "p2")]
    if days < 0:
        order.reverse()
    for desk, actor, priority in order:
        services.act(desk, actor, case.case_no, "classify", {"priority": priority})
        time.sleep(0.05)  # later in real time, by far more than the offset's error
    report = sync_now(branch, lead_b)
    assert report.agree and report.skew_reported and abs(report.skew_ms - day_ms) < 60_000
    later = order[-1][2]
    for desk, actor in ((branch, lead_b), (central.desk, lead_c)):
        view = services.get_case(desk, actor, case.case_no)
        assert view.priority == later
        classified = [
            e for e in view.events if e.kind != "registered" and "priority" in e.payload.get("set", {})
        ]
        assert [e.node_id for e in classified] == [order[0][0].node_id, order[1][0].node_id]
        # the branch's stamps are on the central's time, not a day away
        assert all(abs(Timestamp.decode(e.hlc).wall_ms - time.time() * 1000) < 60_000 for e in classified)
    (conflict,) = conflicts_for(central.desk, lead_c)
    assert (conflict.kept, conflict.lost) == (later, order[0][2])
    branch.close()
