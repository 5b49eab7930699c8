"""The application's only API: every front end (GUI, CLI, watcher, sync) calls these.

Importing this package needs no display: nothing here imports Qt. A few pure domain helpers are
re-exported (how a time is shown, the forbidden-phrase check) so the desktop applies the very functions
the services do without importing the domain's rules itself.
"""

from kesu_desktop.domain.localtime import local_time, to_local, wall_clock
from kesu_desktop.domain.replies import Finding, ForbiddenPhrase, find_forbidden
from kesu_desktop.services.actions import act, parse_action
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin import (
    CalendarCoverage,
    CalendarDay,
    CalendarImport,
    CalendarMonth,
    DayKind,
    PoisonEvent,
    SettingRow,
    calendar_coverage,
    calendar_month,
    find_poison,
    import_calendar,
    set_calendar_day,
    set_setting,
    set_settings,
    setting_rows,
    settings,
)
from kesu_desktop.services.admin_log import ChangeView, list_changes
from kesu_desktop.services.alerts import (
    AlertView,
    acknowledge_alert,
    alerts_for,
    deadline_labels,
    snooze_alert,
    watch_interval_seconds,
)
from kesu_desktop.services.attachments import (
    AttachmentView,
    add_attachment,
    attachment_data,
    list_attachments,
)
from kesu_desktop.services.branch_access import (
    BranchCredentials,
    branch_role_sql,
    create_branch_credentials,
)
from kesu_desktop.services.certificates import CertificateInfo, SigningSetup, set_seal, signing_setup
from kesu_desktop.services.clock import Clock, FixedClock, SystemClock, parse_instant, read_instant
from kesu_desktop.services.conflicts import ConflictView, conflicts_for, resolve_conflict
from kesu_desktop.services.customers import Suggestion, customer_history, suggest
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.documents import capture_signature, mark_signed, record_output
from kesu_desktop.services.integrity import (
    ChainBreak,
    LogReport,
    NodeChain,
    create_db_role,
    db_role_sql,
    event_log_notice,
    verify_log,
)
from kesu_desktop.services.live import Changes, ChangeWatcher, watch_changes
from kesu_desktop.services.offices import OfficeView, add_office, list_offices
from kesu_desktop.services.printable import document_refusal, may_issue
from kesu_desktop.services.queries import CaseFilter, action_outcome, due, get_case, list_cases
from kesu_desktop.services.reference import categories, departments
from kesu_desktop.services.registration import register_case
from kesu_desktop.services.replies import (
    PhraseBook,
    ReplyView,
    compose_reply,
    may_review_replies,
    may_write_replies,
    pending_replies,
    phrase_book,
    replies_for_case,
    reply_templates,
    review_reply,
    save_reply_draft,
    set_phrase,
    set_reply_template,
    submit_reply,
)
from kesu_desktop.services.setting_labels import SettingLabel, setting_label, setting_labels
from kesu_desktop.services.setup import InitResult, initialize, is_initialized
from kesu_desktop.services.templates import (
    PhraseView,
    TemplateView,
    add_phrase,
    edit_phrase,
    list_phrases,
    list_templates,
    placeholder_names,
    set_template,
)
from kesu_desktop.services.users import add_user, get_actor, login, unlock_desk, unlock_user, user_timezone
from kesu_desktop.services.views import (
    CaseRow,
    CaseView,
    DeadlineView,
    DueItem,
    EventView,
    SlaState,
    TimelineLine,
)
from kesu_desktop.services.watch import WatchResult, watch_tick

__all__ = [
    "Actor",
    "AlertView",
    "AttachmentView",
    "BranchCredentials",
    "CalendarCoverage",
    "CalendarDay",
    "CalendarImport",
    "CalendarMonth",
    "CaseFilter",
    "CaseRow",
    "CaseView",
    "CertificateInfo",
    "ChainBreak",
    "ChangeView",
    "ChangeWatcher",
    "Changes",
    "Clock",
    "ConflictView",
    "DayKind",
    "DeadlineView",
    "Desk",
    "DueItem",
    "EventView",
    "Finding",
    "FixedClock",
    "ForbiddenPhrase",
    "InitResult",
    "LogReport",
    "NodeChain",
    "OfficeView",
    "PhraseBook",
    "PhraseView",
    "PoisonEvent",
    "ReplyView",
    "SettingLabel",
    "SettingRow",
    "SigningSetup",
    "SlaState",
    "Suggestion",
    "SystemClock",
    "TemplateView",
    "TimelineLine",
    "WatchResult",
    "acknowledge_alert",
    "act",
    "action_outcome",
    "add_attachment",
    "add_office",
    "add_phrase",
    "add_user",
    "alerts_for",
    "attachment_data",
    "branch_role_sql",
    "calendar_coverage",
    "calendar_month",
    "capture_signature",
    "categories",
    "compose_reply",
    "conflicts_for",
    "create_branch_credentials",
    "create_db_role",
    "customer_history",
    "db_role_sql",
    "deadline_labels",
    "departments",
    "document_refusal",
    "due",
    "edit_phrase",
    "event_log_notice",
    "find_forbidden",
    "find_poison",
    "get_actor",
    "get_case",
    "import_calendar",
    "initialize",
    "is_initialized",
    "list_attachments",
    "list_cases",
    "list_changes",
    "list_offices",
    "list_phrases",
    "list_templates",
    "local_time",
    "login",
    "mark_signed",
    "may_issue",
    "may_review_replies",
    "may_write_replies",
    "parse_action",
    "parse_instant",
    "pending_replies",
    "phrase_book",
    "placeholder_names",
    "read_instant",
    "record_output",
    "register_case",
    "replies_for_case",
    "reply_templates",
    "resolve_conflict",
    "review_reply",
    "save_reply_draft",
    "set_calendar_day",
    "set_phrase",
    "set_reply_template",
    "set_seal",
    "set_setting",
    "set_settings",
    "set_template",
    "setting_label",
    "setting_labels",
    "setting_rows",
    "settings",
    "signing_setup",
    "snooze_alert",
    "submit_reply",
    "suggest",
    "to_local",
    "unlock_desk",
    "unlock_user",
    "user_timezone",
    "verify_log",
    "wall_clock",
    "watch_changes",
    "watch_interval_seconds",
    "watch_tick",
]
