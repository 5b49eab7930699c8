"""What each policy setting is called in Chinese, in the order the 时限与规则 dialog shows them.

One table for every front end: the desktop labels its fields with it and the CLI can print the same
names, so an administrator who reads "受理响应（P1）" in the dialog finds the same words in ``kesu``.
The print and time-zone settings are left out on purpose: they belong to the office (营业网点) dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu_desktop.domain.enums import Priority
from kesu_desktop.domain.policy import Policy
from kesu_desktop.i18n import _

#: Settings the office dialog owns (not shown among the time limits and rules).
OFFICE_KEYS = frozenset({"print_contact", "print_organisation", "timezone"})
#: Settings read company-wide only (``Desk.allows_clock_override``): an office value would do nothing.
COMPANY_ONLY_KEYS = frozenset({"allow_clock_override"})


@dataclass(frozen=True)
class SettingLabel:
    key: str
    label: str
    #: What the value looks like ("2h 自然小时、4wh 工作小时、7wd 工作日"), shown as the field's tip.
    hint: str
    #: ``span``, ``int``, ``share``, ``money``, ``hours`` or ``bool`` (a check box).
    kind: str
    #: The heading the field is grouped under.
    group: str


def _span_hint() -> str:
    return _("数字加单位：h 自然小时，wh 工作小时，wd 工作日，如 4wh、7wd")


def setting_labels() -> list[SettingLabel]:
    """Every policy setting an administrator sets here, in display order (labels in the current language)."""
    span, rows = _span_hint(), []
    clocks = _("时限")
    # whole phrases, not a word put into one: "response deadline" and 响应时限 are built differently
    which = {
        "respond": _("{priority} 响应时限"),
        "resolve": _("{priority} 解决时限"),
        "update": _("{priority} 进度更新时限"),
    }
    for priority in Priority:
        for key, phrase in which.items():
            label = phrase.format(priority=priority.value.upper())
            rows.append(SettingLabel(f"sla.{priority.value}.{key}", label, span, "span", clocks))
    more = _("重大投诉与节点")
    rows += [
        SettingLabel("major_respond", _("重大投诉响应时限"), span, "span", more),
        SettingLabel("major_resolve", _("重大投诉解决时限"), span, "span", more),
        SettingLabel("major_resolve_cap", _("重大投诉解决上限"), span, "span", more),
        SettingLabel("plan_within", _("制定方案时限"), span, "span", more),
        SettingLabel("plan_within_p0", _("P0 制定方案时限"), span, "span", more),
        SettingLabel("survey_within", _("满意度回访时限"), span, "span", more),
    ]
    rules = _("自动规则")
    positive = _("正整数")
    rows += [
        SettingLabel("repeat_window_days", _("重复投诉判定天数"), positive, "int", rules),
        SettingLabel("mass_complaint_count", _("群体投诉件数"), positive, "int", rules),
        SettingLabel("mass_complaint_days", _("群体投诉统计天数"), positive, "int", rules),
        SettingLabel(
            "manager_approval_cost", _("须经理审批的补偿金额（元）"), _("金额，如 5000"), "money", rules
        ),
        SettingLabel("low_score_threshold", _("低分回访阈值（分）"), positive, "int", rules),
        SettingLabel("low_score_callback_within", _("低分回访时限"), span, "span", rules),
        SettingLabel("due_soon_share", _("即将到期提醒比例"), _("0 到 1 之间的小数，如 0.2"), "share", rules),
        SettingLabel("due_soon_minutes", _("即将到期提醒分钟数"), positive, "int", rules),
        SettingLabel("watch_interval_seconds", _("到期检查间隔（秒）"), positive, "int", rules),
        SettingLabel("rule_overdue_escalation", _("超时自动升级"), "", "bool", rules),
        SettingLabel("rule_mass_complaint", _("群体投诉自动提醒"), "", "bool", rules),
        SettingLabel("rule_low_score_callback", _("低分自动安排回访"), "", "bool", rules),
        SettingLabel("rule_monthly_report_reminder", _("月度报表提醒"), "", "bool", rules),
    ]
    calendar = _("工作时间与日历")
    rows += [
        SettingLabel(
            "working_hours",
            _("工作时间"),
            _("HH:MM-HH:MM，多个时段用逗号分隔，如 09:00-12:00,13:30-18:00"),
            "hours",
            calendar,
        ),
        SettingLabel("use_statutory_holidays", _("使用国家法定节假日"), "", "bool", calendar),
        SettingLabel("allow_clock_override", _("允许指定当前时间（仅测试与演示）"), "", "bool", calendar),
    ]
    rows.append(
        SettingLabel(
            "language",
            _("默认语言"),
            _("zh_CN 简体中文，zh_TW 繁體中文，en 英文；用户可在“视图 → 语言”中改用自己的语言"),
            "language",
            _("语言"),
        )
    )
    return rows


def setting_label(key: str) -> str:
    """The Chinese name of a setting key, or the key itself for one this table does not list."""
    return next((row.label for row in setting_labels() if row.key == key), key)


def default_text(key: str) -> str:
    """The built-in value of a setting, written as an administrator would type it."""
    policy = Policy()
    if key.startswith("sla."):
        _prefix, priority, which = key.split(".")
        return str(getattr(policy.clock(Priority(priority)), which))
    value = getattr(policy, key)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # Span, WorkingHours, Decimal and numbers print in the settings notation
