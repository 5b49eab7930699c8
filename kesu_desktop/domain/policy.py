"""Every number of docs/domain.md as a configurable policy, with docs/domain.md's values as defaults.

Administrators change these per office (stored as text settings); nothing here is hard-wired into a
rule, the rules take a Policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation

from kesu_desktop.domain.calendar import Span, SpanUnit, WorkingHours
from kesu_desktop.domain.enums import Priority
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import LANGUAGES, SOURCE_LANGUAGE, _, join_items, normalize_language

CH, WH, WD = SpanUnit.CLOCK_HOURS, SpanUnit.WORKING_HOURS, SpanUnit.WORKING_DAYS


@dataclass(frozen=True)
class PriorityClock:
    respond: Span
    resolve: Span
    update: Span


def _default_clocks() -> dict[Priority, PriorityClock]:
    # docs/domain.md: P0 counts clock hours; other hour deadlines count working hours.
    return {
        Priority.P0: PriorityClock(Span(2, CH), Span(24, CH), Span(8, CH)),
        Priority.P1: PriorityClock(Span(4, WH), Span(48, WH), Span(24, WH)),
        Priority.P2: PriorityClock(Span(8, WH), Span(7, WD), Span(24, WH)),
    }


@dataclass(frozen=True)
class Policy:
    clocks: Mapping[Priority, PriorityClock] = field(default_factory=_default_clocks)
    major_respond: Span = Span(2, WH)
    major_resolve: Span = Span(1, WD)
    major_resolve_cap: Span = Span(48, CH)
    plan_within: Span = Span(1, WD)
    plan_within_p0: Span = Span(2, CH)
    survey_within: Span = Span(3, WD)
    repeat_window_days: int = 90
    mass_complaint_count: int = 3
    mass_complaint_days: int = 7
    manager_approval_cost: Decimal = Decimal("5000")
    low_score_threshold: int = 3
    low_score_callback_within: Span = Span(1, WD)
    due_soon_share: float = 0.2
    due_soon_minutes: int = 30
    watch_interval_seconds: int = 30
    #: Automatic rules, each switchable by an administrator.
    rule_overdue_escalation: bool = True
    rule_mass_complaint: bool = True
    rule_low_score_callback: bool = True
    rule_monthly_report_reminder: bool = True
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    timezone: str = "Asia/Shanghai"
    #: The office's default language for screens, messages and letters (a user's own choice wins).
    language: str = SOURCE_LANGUAGE
    #: Printed letters: the organisation's name (default: the office's name) and the follow-up contact.
    print_organisation: str = ""
    print_contact: str = ""
    use_statutory_holidays: bool = True
    #: Whether ``--now``/``KESU_NOW`` may state the time (company-wide; for tests and demos only).
    allow_clock_override: bool = False

    def clock(self, priority: Priority) -> PriorityClock:
        return self.clocks[priority]

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> Policy:
        """Build a policy from stored text settings; unknown or malformed keys are field errors."""
        policy = cls()
        errors: dict[str, str] = {}
        clocks = dict(policy.clocks)
        simple = {f.name: f for f in fields(cls)}
        changes: dict[str, object] = {}
        for key, raw in settings.items():
            try:
                if key.startswith("sla."):
                    _prefix, prio, which = key.split(".")
                    priority = Priority(prio)
                    if which not in ("respond", "resolve", "update"):
                        raise ValueError(which)
                    clocks[priority] = replace(clocks[priority], **{which: Span.parse(raw)})
                elif key in ("clocks",) or key not in simple:
                    errors[key] = _("未知的设置项")
                else:
                    changes[key] = _parse_value(key, raw, cls)
            except (ValueError, InvalidOperation, KeyError) as exc:
                errors[key] = _("设置值无效：{value}（{detail}）").format(value=raw, detail=exc)
        if errors:
            raise ValidationError(errors)
        return replace(policy, clocks=clocks, **changes)  # type: ignore[arg-type]


def _parse_value(key: str, raw: str, cls: type[Policy]) -> object:
    default = getattr(cls(), key)
    if key == "language":
        language = normalize_language(raw)
        if language is None:
            raise ValueError(_("须为 {codes} 之一").format(codes=join_items(LANGUAGES)))
        return language
    if isinstance(default, bool):
        if raw.lower() not in ("true", "false", "1", "0"):
            raise ValueError(_("须为 true 或 false"))
        return raw.lower() in ("true", "1")
    if isinstance(default, float):
        share = float(raw)
        if not 0 < share < 1:
            raise ValueError(_("须为 0 到 1 之间的小数"))
        return share
    if isinstance(default, int):
        value = int(raw)
        if value <= 0:
            raise ValueError(_("须为正整数"))
        return value
    if isinstance(default, Decimal):
        return Decimal(raw)
    if isinstance(default, Span):
        return Span.parse(raw)
    if isinstance(default, WorkingHours):
        return WorkingHours.parse(raw)
    return raw
