"""Reference data a new installation starts with (docs/domain.md's merged categories and departments).

Administrators may rename, add or deactivate any of these later; the codes stay stable.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu_desktop.i18n import _


@dataclass(frozen=True)
class DepartmentSeed:
    code: str
    name: str


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    department: str


def shown_name(stored: str) -> str:
    """Seeded reference text (a category's or department's name, a reply phrase, a reply template) as
    the reader sees it.

    Seeds were stored in the language the installation was set up in; text still equal to a shipped
    default (a message id) is shown in the reader's language, so an English-reading manager at a Chinese
    head office reads "Product quality" and composes an English letter. Text an administrator wrote is
    shown as written. Administration screens show the stored text, which is what they edit.
    """
    return _(stored) if stored else stored


#: The customer-service department: where registrations are numbered when the desk has no department.
SERVICE_DEPARTMENT = "CS"


def departments() -> tuple[DepartmentSeed, ...]:
    """The departments a new installation starts with, named in the current language."""
    return (
        DepartmentSeed("CS", _("客服部")),
        DepartmentSeed("AS", _("售后服务部")),
        DepartmentSeed("WL", _("仓储物流部")),
        DepartmentSeed("BL", _("计费支持部")),
        DepartmentSeed("IT", _("信息技术部")),
        DepartmentSeed("NW", _("网络运维部")),
        DepartmentSeed("BH", _("业务受理部")),
        DepartmentSeed("VA", _("增值业务部")),
        DepartmentSeed("MK", _("市场部")),
    )


def categories() -> tuple[CategorySeed, ...]:
    """The complaint categories a new installation starts with, each with its default department."""
    return (
        CategorySeed("product_quality", _("产品质量"), "AS"),
        CategorySeed("service_attitude", _("服务态度"), "CS"),
        CategorySeed("logistics", _("物流履约"), "WL"),
        CategorySeed("system_failure", _("系统故障"), "IT"),
        CategorySeed("billing_dispute", _("计费争议"), "BL"),
        CategorySeed("network_quality", _("网络质量"), "NW"),
        CategorySeed("business_handling", _("业务办理"), "BH"),
        CategorySeed("value_added_service", _("增值服务"), "VA"),
        CategorySeed("after_sales", _("售后保障"), "AS"),
        CategorySeed("false_advertising", _("虚假宣传"), "MK"),
        CategorySeed("other", _("其他"), "CS"),
    )
