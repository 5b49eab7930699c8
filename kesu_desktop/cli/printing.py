"""``kesu print``, ``kesu verify-letter``, ``kesu documents``, ``kesu mark-signed`` and the admin's
certificate and seal commands: thin wrappers over printing and services, like every other command."""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.localtime import local_iso, local_time
from kesu_desktop.fileio import write_atomically
from kesu_desktop.i18n import _, join_items, with_note

if TYPE_CHECKING:  # the fonts (and ReportLab) load only when a document is printed
    from kesu_desktop.printing.fonts import MissingGlyphs
    from kesu_desktop.services.desk import Desk

#: Exit status of verify-letter when the file is not (or no longer) what we issued.
EXIT_NOT_VERIFIED = 4


def pages(count: int) -> str:
    """A document's page count as ``kesu documents`` lists it."""
    return _("{n:>3} 页").format(n=count)


def _read(path: str, field: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ValidationError.single(field, _("文件不存在：{path}").format(path=path)) from None
    except OSError as exc:
        raise ValidationError.single(field, _("无法读取文件：{error}").format(error=exc)) from None


def _missing_glyphs_error(exc: MissingGlyphs) -> ValidationError:
    """Bad input (exit 2), not an accident: the text has characters no print font can draw.

    Every character is listed (the exception's own message stops at twelve), with its code point so a
    clerk can find it, and the way out: print them as 〔U+XXXX〕 with --allow-missing-glyphs.
    """
    chars = join_items(with_note(c, f"U+{ord(c):04X}") for c in exc.chars)
    return ValidationError.single(
        "glyphs",
        _(
            "打印字体缺少以下 {n} 个字符：{chars}。请改正案件中的文字，"
            "或加 --allow-missing-glyphs 将这些字符印成〔U+编码〕"
        ).format(n=len(exc.chars), chars=chars),
    )


def cmd_print(args: argparse.Namespace) -> int:
    from kesu_desktop.domain.documents import parse_kind
    from kesu_desktop.printing.fonts import MissingGlyphs
    from kesu_desktop.printing.issue import issue_document
    from kesu_desktop.services import documents

    kind = parse_kind(args.document)
    out = Path(args.output)
    if out.is_dir() or not out.parent.is_dir():
        raise ValidationError.single("output", _("输出路径无效：{path}").format(path=out))
    desk = open_desk(args)
    actor = sign_in(desk, args)
    try:
        issued = issue_document(desk, actor, kind, args.case_no, allow_missing=args.allow_missing_glyphs)
    except MissingGlyphs as exc:
        raise _missing_glyphs_error(exc) from None
    try:
        write_atomically(out, issued.pdf)
    except OSError as exc:
        raise ValidationError.single(
            "output", _("无法写入 {path}：{error}").format(path=out, error=exc)
        ) from None
    documents.record_output(desk, actor, issued.document.id, how="exported", target=str(out.resolve()))
    doc = issued.document
    if args.json:
        print_json(
            {
                "document_id": str(doc.id),
                "case_no": doc.case_no,
                "document": doc.kind,
                "pages": doc.pages,
                "sha256": doc.sha256,
                "content_sha256": doc.content_sha256,
                "output": str(out),
            }
        )
    else:
        print(
            _("已出具{doc}：{case_no}，{pages} 页 → {path}（SHA-256 {sha}）").format(
                doc=doc.label, case_no=doc.case_no, pages=doc.pages, path=out, sha=doc.sha256
            )
        )
    return 0


def cmd_verify_letter(args: argparse.Namespace) -> int:
    from kesu_desktop.printing.verify import verify_letter

    pdf = _read(args.file, "file")
    desk = open_desk(args)
    verdict = verify_letter(desk, sign_in(desk, args), pdf)
    if args.json:
        # The case (number, document id) only when this very file is ours and the user may see its case.
        doc, issued = verdict.document, verdict.issued
        print_json(
            {
                "ok": verdict.ok,
                "sha256": verdict.sha256,
                "case_no": doc.case_no if doc else None,
                "document": issued.kind if verdict.ok and issued else None,
                "document_id": str(doc.id) if doc else None,
                "in_scope": doc is not None if verdict.ok else None,
                "leading_bytes": verdict.leading_bytes,
                "signed": verdict.signature.signed,
                "signature_intact": verdict.signature.intact,
                "signer": verdict.signature.signer,
                "message": verdict.message,
            }
        )
    else:
        print(verdict.message)
    return 0 if verdict.ok else EXIT_NOT_VERIFIED


def cmd_documents(args: argparse.Namespace) -> int:
    from kesu_desktop.services import documents

    desk = open_desk(args)
    actor = sign_in(desk, args)
    docs = documents.documents_for_case(desk, actor, args.case_no)
    if args.json:
        print_json(
            [
                {
                    "document_id": str(d.id),
                    "document": d.kind,
                    "pages": d.pages,
                    "sha256": d.sha256,
                    "issued_by": d.issued_by,
                    "issued_at": local_iso(d.created_at, actor.timezone),
                }
                for d in docs
            ]
        )
    else:
        for d in docs:
            print(
                f"{local_time(d.created_at, actor.timezone)}  {d.label:<10} {pages(d.pages)}  "
                f"{d.issued_by:<12} {d.sha256}"
            )
        if not docs:
            print(_("（尚未出具文档）"))
    return 0


def cmd_mark_signed(args: argparse.Namespace) -> int:
    from kesu_desktop.services import documents

    signature_id = None
    if args.signature:
        try:
            signature_id = uuid.UUID(args.signature)
        except ValueError:
            raise ValidationError.single("signature", _("签名编号格式不正确")) from None
    desk = open_desk(args)
    documents.mark_signed(
        desk,
        sign_in(desk, args),
        args.case_no,
        args.document,
        signature_id=signature_id,
        on_paper=args.on_paper,
        note=args.note,
    )
    print(_("已记录：{case_no} 客户已签字").format(case_no=args.case_no))
    return 0


def _cert_password() -> bytes | None:
    """``KESU_CERT_PASSWORD`` (an environment variable: never in argv, where ``ps`` shows it)."""
    password = os.environ.get("KESU_CERT_PASSWORD")
    return password.encode("utf-8", "surrogateescape") if password else None


def _password_line(desk: Desk, store: str) -> str:
    """Where the key's password now lives; the warning itself went to stderr (the log line)."""
    from kesu_desktop.services.certificates import STORE_DATABASE, STORE_KEYRING, keyring_service

    if store == STORE_KEYRING:
        return _("证书密码：已存入本机系统密钥环（服务 {service}），数据库中不保存").format(
            service=keyring_service(desk)
        )
    if store == STORE_DATABASE:
        return _("证书密码：保存在数据库中（本机没有可用的系统密钥环）")
    return _("证书没有密码")


def cmd_cert_import(args: argparse.Namespace) -> int:
    from kesu_desktop.printing.certificates import import_certificate

    data = _read(args.file, "file")
    desk = open_desk(args)
    actor = sign_in(desk, args)
    record = import_certificate(desk, actor, data, _cert_password())
    print(
        _("已导入签名证书：{subject}，有效期至 {until}（指纹 {fp}）").format(
            subject=record.subject,
            until=local_time(record.not_after, actor.timezone, "date"),
            fp=record.fingerprint,
        )
    )
    print(_password_line(desk, record.password_store))
    return 0


def cmd_cert_create(args: argparse.Namespace) -> int:
    from kesu_desktop.printing.certificates import create_certificate

    desk = open_desk(args)
    actor = sign_in(desk, args)
    record = create_certificate(desk, actor, args.organisation, password=_cert_password())
    print(
        _("已生成自签名证书：{subject}，有效期至 {until}（指纹 {fp}）").format(
            subject=record.subject,
            until=local_time(record.not_after, actor.timezone, "date"),
            fp=record.fingerprint,
        )
    )
    print(_password_line(desk, record.password_store))
    return 0


def cmd_cert_password(args: argparse.Namespace) -> int:
    from kesu_desktop.printing.certificates import set_certificate_password

    desk = open_desk(args)
    actor = sign_in(desk, args)
    record = set_certificate_password(
        desk,
        actor,
        _cert_password(),
        fingerprint=args.fingerprint,
        remove_from_database=args.remove_from_database,
    )
    print(_("已将签名证书（指纹 {fp}）的密码存入本机系统密钥环").format(fp=record.fingerprint))
    if args.remove_from_database:
        print(_("数据库中已不再保存该密码：其他签名的电脑也须各自运行 kesu admin cert-password"))
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    from kesu_desktop.services.certificates import set_seal

    data = _read(args.file, "file")
    desk = open_desk(args)
    set_seal(desk, sign_in(desk, args), data)
    print(_("已设置印章图片"))
    return 0


def add_parsers(
    sub: argparse._SubParsersAction, admin_sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Add the printing commands to ``kesu`` (called from build_parser)."""
    from kesu_desktop.domain.enums import DocumentKind

    kinds = [k.value for k in DocumentKind]
    p = sub.add_parser("print", parents=[common], help=_("出具并导出文档（PDF，已签名并存档）"))
    p.set_defaults(func=cmd_print)
    p.add_argument("document", metavar="DOC", help=", ".join(kinds))
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    p.add_argument(
        "--allow-missing-glyphs", action="store_true", help=_("字体缺字时仍然打印（缺字印成〔U+编码〕）")
    )

    p = sub.add_parser("verify-letter", parents=[common], help=_("验证 PDF 是否为本单位出具且未被改动"))
    p.set_defaults(func=cmd_verify_letter)
    p.add_argument("file", metavar="FILE.pdf")

    p = sub.add_parser("documents", parents=[common], help=_("列出案件已出具的文档"))
    p.set_defaults(func=cmd_documents)
    p.add_argument("case_no", metavar="CASE_NO")

    p = sub.add_parser("mark-signed", parents=[common], help=_("记录客户已签字（受理回执、结果确认表）"))
    p.set_defaults(func=cmd_mark_signed)
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("document", metavar="DOC", choices=["receipt", "confirmation"])
    p.add_argument("--signature", metavar="ID", help=_("签名板采集的签名编号"))
    p.add_argument("--on-paper", action="store_true", help=_("客户在纸面上签字（记录确认人）"))
    p.add_argument("--note", metavar="TEXT")

    p = admin_sub.add_parser(
        "cert-import", parents=[common], help=_("导入单位签名证书 PKCS#12（密码取自 KESU_CERT_PASSWORD）")
    )
    p.set_defaults(func=cmd_cert_import)
    p.add_argument("file", metavar="FILE.p12")
    p = admin_sub.add_parser("cert-create", parents=[common], help=_("生成自签名的单位签名证书"))
    p.set_defaults(func=cmd_cert_create)
    p.add_argument("--organisation", metavar="NAME")
    p = admin_sub.add_parser(
        "cert-password",
        parents=[common],
        help=_("将签名证书的密码存入本机系统密钥环（密码取自 KESU_CERT_PASSWORD，或数据库中的副本）"),
    )
    p.set_defaults(func=cmd_cert_password)
    p.add_argument("--fingerprint", metavar="HEX", help=_("证书指纹（至少前 8 位）；默认为当前使用的证书"))
    p.add_argument(
        "--remove-from-database", action="store_true", help=_("之后数据库中只保留标记，不再保存密码")
    )
    p = admin_sub.add_parser("seal", parents=[common], help=_("设置回复函上的印章图片（PNG）"))
    p.set_defaults(func=cmd_seal)
    p.add_argument("file", metavar="FILE.png")
