"""受理回执: what the customer takes home from the counter — proof the complaint was accepted, what was
registered, by when we will respond and resolve it, and whom to call. Signed by customer and staff."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.i18n import _
from kesu_desktop.printing.documents.common import complaint_rows, customer_copy_phone, person, when
from kesu_desktop.printing.layout import FRAME_W, LETTER, SUBTITLE, TITLE, Writer
from kesu_desktop.services.documents import CaseFile

KIND = DocumentKind.RECEIPT


def story(file: CaseFile, w: Writer, issued_on: str) -> list[Flowable]:
    del issued_on  # the footer carries the issue time
    c = file.case
    customer = file.signatures.get((KIND.value, "customer"))
    staff = file.signatures.get((KIND.value, "staff"))
    contact = file.contact or _("本网点服务台")
    return [
        w.p(_("客户投诉受理回执"), TITLE),
        w.p(file.organisation, SUBTITLE),
        Spacer(1, 6),
        w.p(
            _(
                "尊敬的{name}：您的投诉已于{at}受理，投诉编号为 {no}。我们将在下列时限内处理并与您联系，"
                "请妥善保管本回执，查询进度时请提供投诉编号。"
            ).format(name=c.customer_name, at=when(file, c.created_at), no=c.case_no),
            LETTER,
        ),
        w.heading(_("登记信息")),
        w.fields(
            [
                *complaint_rows(file),
                (_("客户姓名"), c.customer_name),
                (_("联系电话"), customer_copy_phone(file)),
            ]
        ),
        w.heading(_("投诉内容")),
        w.p(c.description),
        w.heading(_("客户诉求")),
        w.p(c.demand or _("（未填写）")),
        w.heading(_("承诺时限")),
        w.grid(
            [_("事项"), _("最迟时间"), _("说明")],
            [
                [_("首次响应"), when(file, c.respond_by), _("专人与您联系，告知处理安排")],
                [_("处理完成"), when(file, c.resolve_by), _("按工作日历计算，法定节假日顺延")],
            ],
            [30 * mm, 55 * mm, FRAME_W - 85 * mm],
        ),
        w.heading(_("联系方式")),
        w.p(
            _("跟进电话：{contact}　受理网点：{office}　经办人：{staff}").format(
                contact=contact, office=file.office_name, staff=person(file, c.registered_by)
            )
        ),
        w.signature_block(
            [
                (
                    _("客户签名：{name}").format(name=customer.signer if customer else ""),
                    customer.png if customer else None,
                    when(file, customer.created_at) if customer else None,
                ),
                (
                    _("经办人签名：{name}").format(
                        name=staff.signer if staff else person(file, c.registered_by)
                    ),
                    staff.png if staff else None,
                    when(file, staff.created_at) if staff else None,
                ),
            ]
        ),
    ]
