"""``kesu print`` and ``kesu verify-letter`` as a script uses them: files written, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import ADMIN, COMPLAINT, USERS, Kesu, setup


def _register(kesu: Kesu) -> str:
    import json

    out = kesu(
        "register",
        "-",
        user="alice",
        password=USERS["alice"][2],
        stdin=json.dumps(COMPLAINT),
    )
    assert out.code == 0, out.err
    return out.json["case_no"]


def test_print_then_verify_then_tamper(kesu: Kesu, tmp_path: Path) -> None:
    setup(kesu)
    case_no = _register(kesu)
    alice = {"user": "alice", "password": USERS["alice"][2]}
    target = tmp_path / "回执.pdf"
    printed = kesu("print", "receipt", case_no, "-o", str(target), "--json", **alice)
    assert printed.code == 0, printed.err
    assert target.read_bytes().startswith(b"%PDF-")
    assert printed.json["case_no"] == case_no and printed.json["pages"] == 1

    verified = kesu("verify-letter", str(target), **alice)
    assert verified.code == 0, verified.err
    assert case_no in verified.out and "受理回执" in verified.out

    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x20
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(data))
    refused = kesu("verify-letter", str(altered), "--json", **alice)
    assert refused.code == 4
    assert refused.json["ok"] is False and refused.json["case_no"] is None

    bom = tmp_path / "bom.pdf"
    bom.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    prefixed = kesu("verify-letter", str(bom), "--json", **alice)
    assert prefixed.code == 4, prefixed.err
    assert prefixed.json["ok"] is False and prefixed.json["leading_bytes"] == 3
    assert "UTF-8 BOM" in prefixed.json["message"] and case_no in prefixed.json["message"]

    dave = {"user": "dave", "password": USERS["dave"][2]}  # department AS: the case is not his
    outside = kesu("verify-letter", str(target), "--json", **dave)
    assert outside.code == 0, outside.err
    assert outside.json["ok"] is True and outside.json["in_scope"] is False
    assert outside.json["case_no"] is None and outside.json["document_id"] is None
    assert outside.json["document"] == "receipt" and case_no not in outside.out
    assert "不在您的查看范围内" in outside.json["message"]

    listed = kesu("documents", case_no, "--json", **alice)
    assert [d["document"] for d in listed.json] == ["receipt"]
    shown = kesu("show", case_no, "--json", **alice)
    kinds = [e["kind"] for e in shown.json["events"]]
    assert kinds[-2:] == ["document_issued", "document_exported"]


def test_print_refusals_have_clear_messages_and_write_nothing(kesu: Kesu, tmp_path: Path) -> None:
    setup(kesu)
    case_no = _register(kesu)
    alice = {"user": "alice", "password": USERS["alice"][2]}
    target = tmp_path / "x.pdf"
    unknown = kesu("print", "letter", case_no, "-o", str(target), **alice)
    assert unknown.code == 2 and "receipt, reply" in unknown.err
    not_allowed = kesu("print", "record", case_no, "-o", str(target), **alice)
    assert not_allowed.code == 3 and "不能打印" in not_allowed.err
    missing = kesu("print", "receipt", "20990101-XX-CS-0001", "-o", str(target), **alice)
    assert missing.code == 2 and "不存在" in missing.err
    no_dir = kesu("print", "receipt", case_no, "-o", str(tmp_path / "nope" / "x.pdf"), **alice)
    assert no_dir.code == 2 and "output" in no_dir.err
    assert not target.exists()
    assert kesu("documents", case_no, "--json", **alice).json == []
    unsigned = kesu("mark-signed", case_no, "receipt", **alice)
    assert unsigned.code == 2 and "没有采集到客户签名" in unsigned.err
    on_paper = kesu("mark-signed", case_no, "receipt", "--on-paper", **alice)
    assert on_paper.code == 0, on_paper.err
    no_file = kesu("verify-letter", str(tmp_path / "none.pdf"), **alice)
    assert no_file.code == 2 and "文件不存在" in no_file.err


def test_init_makes_a_signing_certificate_and_only_an_admin_replaces_it(kesu: Kesu) -> None:
    from kesu_desktop.services import Desk
    from kesu_desktop.services.certificates import active_certificate

    made = kesu(
        "init", "--office", "SH02", "--office-name", "上海分部", "--admin", "root", password="root-pass-123"
    )
    assert made.code == 0, made.err
    desk = Desk.open(kesu.db, node_id="check")
    first = active_certificate(desk)
    assert first is not None and first.subject == "上海分部" and first.self_signed
    renewed = kesu(
        "admin", "cert-create", "--organisation", "上海某某公司", user="root", password="root-pass-123"
    )
    assert renewed.code == 0, renewed.err
    assert "上海某某公司" in renewed.out
    second = active_certificate(desk)
    assert second is not None and second.fingerprint != first.fingerprint
    desk.close()


def test_a_character_no_font_has_exits_2_listing_it_with_the_way_out(kesu: Kesu, tmp_path: Path) -> None:
    import json

    setup(kesu)
    alice = {"user": "alice", "password": USERS["alice"][2]}
    data = {**COMPLAINT, "customer_name": "张\U000f0000\U000f0001"}  # private-use: in no font
    registered = kesu("register", "-", stdin=json.dumps(data), **alice)
    assert registered.code == 0, registered.err
    case_no = registered.json["case_no"]
    target = tmp_path / "回执.pdf"
    refused = kesu("print", "receipt", case_no, "-o", str(target), **alice)
    assert refused.code == 2, refused.err
    assert "Traceback" not in refused.err and "意外错误" not in refused.err
    [line] = refused.err.strip().splitlines()
    assert line.startswith("glyphs: ")
    assert "U+F0000" in line and "U+F0001" in line and "--allow-missing-glyphs" in line
    assert not target.exists()
    assert kesu("documents", case_no, "--json", **alice).json == []
    assert not (tmp_path / "data" / "logs" / "kesu.log").exists()  # not an accident: nothing logged
    printed = kesu("print", "receipt", case_no, "-o", str(target), "--allow-missing-glyphs", **alice)
    assert printed.code == 0, printed.err
    assert target.exists()


def test_the_key_password_goes_to_each_desks_keyring_or_to_the_database_with_a_warning(
    kesu: Kesu, tmp_path: Path
) -> None:
    setup(kesu)
    case_no = _register(kesu)
    admin = {"user": ADMIN[0], "password": ADMIN[1]}
    alice = {"user": "alice", "password": USERS["alice"][2]}

    def desk(name: str, **extra: str) -> dict[str, str]:
        store = {"PYTHON_KEYRING_BACKEND": "tests.helpers.keyring_backend.FileKeyring"}
        return {**store, "KESU_TEST_KEYRING": str(tmp_path / f"{name}.json"), **extra}

    made = kesu("admin", "cert-create", extra_env=desk("a", KESU_CERT_PASSWORD="org-pass-123"), **admin)
    assert made.code == 0, made.err
    assert "已存入本机系统密钥环" in made.out and "WARNING" not in made.err
    assert "org-pass-123" in (tmp_path / "a.json").read_text(encoding="utf-8")
    out = str(tmp_path / "r.pdf")
    assert kesu("print", "receipt", case_no, "-o", out, extra_env=desk("a"), **alice).code == 0

    refused = kesu("print", "receipt", case_no, "-o", out, extra_env=desk("b"), **alice)  # another desk
    assert refused.code == 2 and refused.err.startswith("certificate: ") and "cert-password" in refused.err
    wrong = kesu("admin", "cert-password", extra_env=desk("b", KESU_CERT_PASSWORD="nope"), **admin)
    assert wrong.code == 2 and "密码不正确" in wrong.err
    given = kesu("admin", "cert-password", extra_env=desk("b", KESU_CERT_PASSWORD="org-pass-123"), **admin)
    assert given.code == 0, given.err
    assert kesu("print", "receipt", case_no, "-o", out, extra_env=desk("b"), **alice).code == 0

    bare = kesu("admin", "cert-create", **admin)  # no usable keyring on this desk
    assert bare.code == 0, bare.err
    assert "保存在数据库中" in bare.out
    assert "WARNING" in bare.err and "cert-password" in bare.err and "Traceback" not in bare.err
    assert kesu("print", "receipt", case_no, "-o", out, **alice).code == 0
    no_store = kesu("admin", "cert-password", **admin)
    assert no_store.code == 2 and no_store.err.startswith("keyring: ")
