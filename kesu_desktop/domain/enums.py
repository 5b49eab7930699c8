"""Stable lowercase codes of the complaint desk.

The codes are a contract (CLI JSON, stored rows, sync between offices): never rename one. Chinese
display names live beside them so the GUI and printed documents share one wording.
"""

from __future__ import annotations

from enum import StrEnum

from kesu_desktop.i18n import _


class Channel(StrEnum):
    PHONE = "phone"
    COUNTER = "counter"
    LETTER = "letter"
    ONLINE = "online"
    EMAIL = "email"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return {
            Channel.PHONE: _("电话/400热线"),
            Channel.COUNTER: _("现场/柜台"),
            Channel.LETTER: _("书面/信函"),
            Channel.ONLINE: _("网上/在线客服"),
            Channel.EMAIL: _("邮件"),
            Channel.SOCIAL: _("社交媒体"),
        }[self]


class Severity(StrEnum):
    MINOR = "minor"
    GENERAL = "general"
    MAJOR = "major"
    SERIOUS = "serious"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def label(self) -> str:
        return {
            Severity.MINOR: _("轻微"),
            Severity.GENERAL: _("一般"),
            Severity.MAJOR: _("重大"),
            Severity.SERIOUS: _("严重"),
        }[self]


class Priority(StrEnum):
    P0 = "p0"
    P1 = "p1"
    P2 = "p2"

    @property
    def urgency(self) -> int:
        """Higher is more urgent, so max() picks the stricter priority."""
        return {Priority.P0: 2, Priority.P1: 1, Priority.P2: 0}[self]

    @property
    def label(self) -> str:
        return {Priority.P0: _("P0 紧急"), Priority.P1: _("P1 重要"), Priority.P2: _("P2 一般")}[self]


def stricter(a: Priority, b: Priority) -> Priority:
    return a if a.urgency >= b.urgency else b


class Status(StrEnum):
    REGISTERED = "registered"
    VERIFIED = "verified"
    INVALID = "invalid"
    ASSIGNED = "assigned"
    PLAN_PROPOSED = "plan_proposed"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    SURVEYED = "surveyed"
    CLOSED = "closed"
    ESCALATED = "escalated"

    @property
    def is_open(self) -> bool:
        return self is not Status.CLOSED

    @property
    def label(self) -> str:
        return {
            Status.REGISTERED: _("已登记"),
            Status.VERIFIED: _("已核实"),
            Status.INVALID: _("无效投诉"),
            Status.ASSIGNED: _("已分派"),
            Status.PLAN_PROPOSED: _("方案待审批"),
            Status.IN_PROGRESS: _("处理中"),
            Status.RESOLVED: _("已解决"),
            Status.CONFIRMED: _("客户已确认"),
            Status.SURVEYED: _("已回访"),
            Status.CLOSED: _("已归档"),
            Status.ESCALATED: _("已升级"),
        }[self]


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    SPECIALIST = "specialist"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    DEPARTMENT = "department"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            Role.FRONT_DESK: _("前台客服"),
            Role.SPECIALIST: _("投诉处理专员"),
            Role.SUPERVISOR: _("客服主管"),
            Role.MANAGER: _("客服经理"),
            Role.DEPARTMENT: _("责任部门"),
            Role.ADMIN: _("管理员"),
        }[self]


class Action(StrEnum):
    """Workflow actions; the values are the names `kesu act` takes."""

    VERIFY = "verify"
    CLASSIFY = "classify"
    ASSIGN = "assign"
    PLAN = "plan"
    APPROVE_PLAN = "approve_plan"
    REJECT_PLAN = "reject_plan"
    LOG = "log"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    OBJECT = "object"
    SURVEY = "survey"
    CLOSE = "close"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    HOLD = "hold"
    RESUME = "resume"

    @property
    def label(self) -> str:
        return {
            Action.VERIFY: _("核实"),
            Action.CLASSIFY: _("分类定级"),
            Action.ASSIGN: _("分派"),
            Action.PLAN: _("制定方案"),
            Action.APPROVE_PLAN: _("批准方案"),
            Action.REJECT_PLAN: _("退回方案"),
            Action.LOG: _("记录沟通"),
            Action.RESOLVE: _("解决"),
            Action.CONFIRM: _("客户确认"),
            Action.OBJECT: _("客户异议"),
            Action.SURVEY: _("满意度回访"),
            Action.CLOSE: _("归档"),
            Action.ESCALATE: _("升级"),
            Action.REOPEN: _("重新打开"),
            Action.HOLD: _("挂起"),
            Action.RESUME: _("恢复处理"),
        }[self]


class DocumentKind(StrEnum):
    RECEIPT = "receipt"
    REPLY = "reply"
    CONFIRMATION = "confirmation"
    RECORD = "record"
    ESCALATION = "escalation"

    @property
    def label(self) -> str:
        return {
            DocumentKind.RECEIPT: _("受理回执"),
            DocumentKind.REPLY: _("回复函"),
            DocumentKind.CONFIRMATION: _("客户结果确认表"),
            DocumentKind.RECORD: _("投诉登记处理单"),
            DocumentKind.ESCALATION: _("升级投诉报告"),
        }[self]

    @property
    def signed_by_customer(self) -> bool:
        """Documents the customer signs at the counter (the others carry the organisation's seal)."""
        return self in (DocumentKind.RECEIPT, DocumentKind.CONFIRMATION)


class SignerRole(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {SignerRole.CUSTOMER: _("客户"), SignerRole.STAFF: _("经办人")}[self]


class ReplyKind(StrEnum):
    ACCEPTANCE = "acceptance"
    PROGRESS = "progress"
    SOLUTION = "solution"
    INVALID = "invalid"
    CLOSURE = "closure"

    @property
    def label(self) -> str:
        return {
            ReplyKind.ACCEPTANCE: _("受理告知"),
            ReplyKind.PROGRESS: _("进度告知"),
            ReplyKind.SOLUTION: _("解决方案"),
            ReplyKind.INVALID: _("无效投诉说明"),
            ReplyKind.CLOSURE: _("结案回复"),
        }[self]


class ReplyStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            ReplyStatus.DRAFT: _("草稿"),
            ReplyStatus.SUBMITTED: _("待审批"),
            ReplyStatus.APPROVED: _("已批准"),
            ReplyStatus.RETURNED: _("已退回"),
        }[self]
