"""客户结果确认表: what was done about the complaint, for the customer to confirm with a signature and
their own opinion (or an objection, which reopens the case)."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.i18n import _
from kesu_desktop.printing.documents.common import customer_copy_phone, events, latest, person, when
from kesu_desktop.printing.layout import BODY_STYLE, SUBTITLE, TITLE, Writer
from kesu_desktop.services.documents import CaseFile

KIND = DocumentKind.CONFIRMATION


def story(file: CaseFile, w: Writer, issued_on: str) -> list[Flowable]:
    del issued_on
    c = file.case
    customer = file.signatures.get((KIND.value, "customer"))
    measures = [e.payload.get("measures") or "" for e in events(file, "plan_proposed")]
    opinion = latest(file, "confirmed", "opinion") or latest(file, "objection_recorded", "reason")
    out: list[Flowable] = [
        w.p(_("客户投诉处理结果确认表"), TITLE),
        w.p(file.organisation, SUBTITLE),
        Spacer(1, 6),
        w.fields(
            [
                (_("投诉编号"), c.case_no),
                (_("客户姓名"), c.customer_name),
                (_("联系电话"), customer_copy_phone(file)),
                (_("投诉类别"), file.category_name),
                (_("受理时间"), when(file, c.created_at)),
                (_("处理完成"), when(file, c.resolved_at)),
                (_("处理人"), person(file, c.assignee) if c.assignee else None),
                (_("责任部门"), file.department_name),
            ]
        ),
        w.heading(_("投诉内容")),
        w.p(c.description),
        w.heading(_("客户诉求")),
        w.p(c.demand or _("（未填写）")),
        w.heading(_("处理结果")),
        w.p(latest(file, "resolved", "result") or "—"),
        w.heading(_("采取的措施")),
        *[w.p(f"{i}. {m}") for i, m in enumerate(measures, 1)],
    ]
    if not measures:
        out.append(w.p("—"))
    out += [
        w.heading(_("补偿")),
        w.p(latest(file, "resolved", "compensation") or _("无")),
        w.heading(_("客户意见")),
    ]
    if opinion:
        out.append(w.p(opinion))
    else:
        out += [
            w.p(_("□ 满意　　□ 基本满意　　□ 不满意（请说明）"), BODY_STYLE),
            w.p("＿" * 38),  # not translated: a ruled line to write on
            w.p("＿" * 38),  # not translated: a ruled line to write on
        ]
    out.append(
        w.signature_block(
            [
                (
                    _("客户签名：{name}").format(name=customer.signer if customer else ""),
                    customer.png if customer else None,
                    when(file, customer.created_at) if customer else None,
                ),
                (_("经办人：{name}").format(name=person(file, c.assignee or c.registered_by)), None, None),
            ]
        )
    )
    return out
