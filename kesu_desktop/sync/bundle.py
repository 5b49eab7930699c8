"""Carried files for offices with no network: ``kesu sync export`` / ``kesu sync import``.

A bundle is a zip file holding ``manifest.json`` and ``batch.json`` (deflated). The manifest names the
office, where the bundle comes from, the feed numbers it covers and the SHA-256 of ``batch.json``, and
is itself authenticated with HMAC-SHA256 under the office's key (``office_keys``, made on the central
with the branch and copied to it). So a bundle that was changed, cut short, or made with another
office's key is refused before anything is read from it; and since applying is idempotent, importing
one twice, out of order, or after the same rows came by network changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.fileio import write_atomically
from kesu_desktop.i18n import _
from kesu_desktop.services import Actor, Desk
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import Office, OfficeKey, SyncBranch, SyncLink
from kesu_desktop.sync.apply import BatchRefused, apply_batch
from kesu_desktop.sync.batch import Batch, case_histories, read_feed, referenced_cases
from kesu_desktop.sync.network import CENTRAL, branch_link
from kesu_desktop.sync.reference import apply_snapshot, snapshot
from kesu_desktop.sync.rows import decode_blobs, encode_blobs

FORMAT = "kesu-bundle/1"
#: Feed entries read per query while exporting (the bundle itself is one batch).
_READ = 5000


@dataclass(frozen=True)
class BundleInfo:
    office: str
    origin: str
    after: int
    through: int
    items: int
    events: int
    applied_events: int = 0
    applied_rows: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _bad(message: str) -> ValidationError:
    return ValidationError.single("bundle", message)


def _sign(key: bytes, manifest: dict[str, Any]) -> str:
    body = json.dumps({k: v for k, v in manifest.items() if k != "hmac"}, sort_keys=True).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _office_key(session: Any, office: str) -> bytes:
    row = session.get(OfficeKey, office)
    if row is None:
        raise _bad(_("本数据库没有网点 {office} 的密钥：不能生成或核验它的同步文件").format(office=office))
    return bytes(row.key)


def ensure_office_key(session: Session, office: str) -> None:
    """The office's bundle key on the central, made once (32 random bytes)."""
    if session.get(OfficeKey, office) is None:
        session.add(OfficeKey(office_code=office, key=secrets.token_bytes(32), created_at=datetime.now(UTC)))


def export_bundle(
    desk: Desk, actor: Actor, target: Path, *, since: int | None = None, office: str | None = None
) -> BundleInfo:
    """Write the office's rows after feed number ``since`` (default: all) to ``target``, atomically."""
    with desk.db.write() as session:
        if branch_link(session) is None and office and actor.role is Role.ADMIN:
            known = session.scalar(select(Office.id).where(Office.code == office.strip().upper()))
            if known is None:
                raise ValidationError.single("office", _("网点“{code}”不存在").format(code=office))
            ensure_office_key(session, office.strip().upper())
    with desk.db.read() as session:
        link = branch_link(session)
        if link is not None:
            office, origin, local_only = link.office_code, link.branch_id, True
            if actor.role is not Role.ADMIN and actor.office_code != office:
                raise NotAllowed(_("只有本网点的用户可以导出同步文件"))
        else:
            if actor.role is not Role.ADMIN:
                raise NotAllowed(_("在中心导出同步文件需要管理员"))
            if not office:
                raise ValidationError.single("office", _("在中心导出时请用 --office 指定网点"))
            office, origin, local_only = office.strip().upper(), CENTRAL, False
        key = _office_key(session, office)
        after = since or 0
        batch = Batch(office=office, after=after, through=after)
        while True:
            part = read_feed(session, office, batch.through, _READ, local_only=local_only)
            if part.through == part.after:
                break
            batch.items += part.items
            batch.blobs.update(part.blobs)
            batch.through = part.through
        reference = None
        if origin == CENTRAL:
            if after:
                # a receiver may lack a case this bundle's rows hang on: carry those cases whole
                case_histories(session, referenced_cases(batch), batch)
            rows, blobs, _digest = snapshot(session, office)
            reference = {"rows": rows, "blobs": encode_blobs(blobs)}
    body = json.dumps(
        {"batch": batch.as_json(), "reference": reference}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    events = len(batch.events())
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "office": office,
        "origin": origin,
        "after": batch.after,
        "through": batch.through,
        "items": len(batch.items),
        "events": events,
        "created_at": datetime.now(UTC).isoformat(),
        "batch_sha256": hashlib.sha256(body).hexdigest(),
    }
    manifest["hmac"] = _sign(key, manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        archive.writestr("batch.json", body)
    write_atomically(Path(target), buffer.getvalue())
    return BundleInfo(office, origin, batch.after, batch.through, len(batch.items), events)


def read_bundle(path: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest and body of a bundle, or a clear ``bundle:`` error for a file that is none."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            body = archive.read("batch.json")
    except FileNotFoundError:
        raise _bad(_("找不到文件 {path}").format(path=path)) from None
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, zipfile.LargeZipFile, OSError):
        raise _bad(_("文件不是完整的同步文件（已损坏或被截断）")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(_("文件不是本系统的同步文件"))
    return manifest, body


def import_bundle(desk: Desk, actor: Actor, path: Path) -> BundleInfo:
    """Check and apply a bundle in one durable transaction; a refused bundle changes nothing."""
    manifest, body = read_bundle(path)
    durable = Database(desk.db.url, durable=True)
    try:
        with durable.write() as session:
            link = branch_link(session)
            office = str(manifest.get("office", ""))
            if link is not None and office != link.office_code:
                raise _bad(_("这是网点 {office} 的同步文件，不是本网点的").format(office=office))
            if link is None and actor.role is not Role.ADMIN:
                raise NotAllowed(_("在中心导入同步文件需要管理员"))
            if link is not None and actor.role is not Role.ADMIN and actor.office_code != office:
                raise NotAllowed(_("只有本网点的用户可以导入同步文件"))
            key = _office_key(session, office)
            if not hmac.compare_digest(_sign(key, manifest), str(manifest.get("hmac", ""))):
                raise _bad(_("同步文件的签名不符：文件被改动过，或不是用本网点的密钥生成的"))
            if hashlib.sha256(body).hexdigest() != manifest.get("batch_sha256"):
                raise _bad(_("同步文件的内容与清单不符：文件被改动过"))
            try:
                data = json.loads(body)
                batch = Batch.from_json(data["batch"])
            except (ValueError, KeyError, TypeError) as exc:
                raise _bad(_("同步文件内容无法读取：{why}").format(why=exc)) from None
            origin = str(manifest["origin"])
            if (link is not None) == (origin != CENTRAL):
                raise _bad(_("同步文件来自同一侧：分支机构只导入中心的文件，中心只导入分支机构的文件"))
            if batch.office != office:
                # the manifest's office chose the key: another office's rows must not ride on it
                raise _bad(_("同步文件的内容不是网点 {office} 的").format(office=office))
            if data.get("reference") and link is not None:
                reference = data["reference"]
                apply_snapshot(session, reference["rows"], decode_blobs(reference["blobs"]))
            try:
                result = apply_batch(session, batch, source=origin, now=desk.clock.now())
            except BatchRefused as exc:
                raise _bad(_("同步文件未通过校验，未导入：{why}").format(why=exc)) from None
            _advance(session, link, origin, batch)
    finally:
        durable.dispose()
    return BundleInfo(
        office,
        origin,
        batch.after,
        batch.through,
        len(batch.items),
        len(batch.events()),
        result.events,
        result.rows,
    )


def _advance(session: Any, link: SyncLink | None, origin: str, batch: Batch) -> None:
    """Move the checkpoint only over a bundle that starts where it stands (an out-of-order bundle is
    applied, and the network or a later bundle closes the gap)."""
    if link is not None:
        if batch.after <= link.pulled_through < batch.through:
            link.pulled_through = batch.through
        return
    record = session.get(SyncBranch, origin)
    if record is None:
        record = SyncBranch(branch_id=origin, office_code=batch.office, pushed_through=0, pulled_through=0)
        session.add(record)
    if batch.after <= record.pushed_through < batch.through:
        record.pushed_through = batch.through


def init_from_bundle(desk: Desk, path: Path, office: str, admin: str, password: str) -> BundleInfo:
    """Make an empty database a branch from a central's bundle (``init --from-bundle``), for an office
    with no network at all.

    There is no key to check the bundle with yet: the admin's password is, against the admin's
    password hash inside the bundle (only someone holding the central's data has it); then the
    office key inside it authenticates the rest as for any bundle.
    """
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    from kesu_desktop.domain.errors import AuthenticationFailed

    manifest, body = read_bundle(path)
    if manifest.get("origin") != CENTRAL or manifest.get("after") != 0:
        raise _bad(_("创建分支机构需要中心导出的完整同步文件（不带 --since）"))
    try:
        data = json.loads(body)
        reference = data["reference"]
        batch = Batch.from_json(data["batch"])
        blobs = decode_blobs(reference["blobs"])
    except (ValueError, KeyError, TypeError):
        raise _bad(_("文件不是完整的同步文件（已损坏或被截断）")) from None
    if str(manifest.get("office", "")) != office.strip().upper():
        raise ValidationError.single(
            "office", _("同步文件是网点 {office} 的").format(office=manifest.get("office"))
        )
    office = str(manifest["office"])
    admins = [
        u
        for u in reference["rows"].get("users", [])
        if u.get("username") == admin and u.get("role") == "admin"
    ]
    try:
        if len(admins) != 1 or not PasswordHasher().verify(admins[0]["password_hash"], password):
            raise AuthenticationFailed(_("用户名或密码错误"))
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed(_("用户名或密码错误")) from None
    keys = [k for k in reference["rows"].get("office_keys", []) if k.get("office_code") == office]
    key_bytes = blobs.get(keys[0]["key"].get("$blob", "")) if keys else None
    if key_bytes is None:
        raise _bad(_("同步文件中没有网点 {office} 的密钥").format(office=office))
    if not hmac.compare_digest(_sign(key_bytes, manifest), str(manifest.get("hmac", ""))):
        raise _bad(_("同步文件的签名不符：文件被改动过，或不是用本网点的密钥生成的"))
    if hashlib.sha256(body).hexdigest() != manifest.get("batch_sha256"):
        raise _bad(_("同步文件的内容与清单不符：文件被改动过"))
    if batch.office != office:
        raise _bad(_("同步文件的内容不是网点 {office} 的").format(office=office))
    durable = Database(desk.db.url, durable=True)
    try:
        with durable.write() as session:
            if session.scalar(select(Office.id).limit(1)) is not None:
                raise ValidationError.single("db", _("分支数据库必须是空的：这个数据库已经初始化过"))
            apply_snapshot(session, reference["rows"], blobs)
            try:
                result = apply_batch(session, batch, source=CENTRAL, now=desk.clock.now())
            except BatchRefused as exc:
                raise _bad(_("同步文件未通过校验，未导入：{why}").format(why=exc)) from None
            session.add(
                SyncLink(
                    office_code=office,
                    central_url=None,
                    branch_id=str(uuid.uuid4()),
                    pulled_through=batch.through,
                    pushed_through=0,
                    clock_offset_ms=0,
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        durable.dispose()
    return BundleInfo(
        office, CENTRAL, 0, batch.through, len(batch.items), len(batch.events()), result.events, result.rows
    )
