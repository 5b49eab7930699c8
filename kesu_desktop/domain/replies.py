"""Replies to customers: templates with placeholders, the phrase library, forbidden phrases.

docs/domain.md: a reply states concern, apology, cause, solution, timeline, compensation and thanks; some
phrases must never be said to a customer. The checks are pure so the editor's highlighter, the
approval step and printing all flag the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kesu_desktop.domain.enums import ReplyKind
from kesu_desktop.i18n import _


def placeholders() -> dict[str, str]:
    """Placeholders a template may use, with what they mean (shown to admins editing templates)."""
    return {
        "customer_name": _("客户姓名"),
        "case_no": _("投诉编号"),
        "registered_on": _("登记日期"),
        "respond_by": _("响应期限"),
        "resolve_by": _("解决期限"),
        "description": _("投诉内容"),
        "demand": _("客户诉求"),
        "solution": _("解决方案"),
        "organisation": _("公司名称"),
        "today": _("今天日期"),
    }


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, values: Mapping[str, str | None]) -> str:
    """Fill ``{placeholder}``s; unknown or empty ones stay visible so a person notices and fills them."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), template)


@dataclass(frozen=True)
class ForbiddenPhrase:
    text: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    phrase: ForbiddenPhrase


def find_forbidden(text: str, phrases: Iterable[ForbiddenPhrase]) -> list[Finding]:
    """Every occurrence of a forbidden phrase, leftmost first; overlaps all reported."""
    findings = []
    for phrase in phrases:
        if not phrase.text:
            continue
        start = text.find(phrase.text)
        while start >= 0:
            findings.append(Finding(start, start + len(phrase.text), phrase))
            start = text.find(phrase.text, start + 1)
    return sorted(findings, key=lambda f: (f.start, -f.end))


def default_templates() -> dict[ReplyKind, str]:
    """The reply templates a new installation starts with, in the current language."""
    return {
        ReplyKind.ACCEPTANCE: _(
            "尊敬的{customer_name}：\n您好！您于{registered_on}反映的问题（投诉编号：{case_no}）我们已受理。"
            "对给您带来的不便，我们深表歉意。我们将在{respond_by}前与您联系，并在{resolve_by}前给出处理结果。"
            "感谢您的理解与支持！\n{organisation}\n{today}"
        ),
        ReplyKind.PROGRESS: _(
            "尊敬的{customer_name}：\n您好！关于您反映的问题（投诉编号：{case_no}），目前我们正在处理中：{solution}。"
            "我们会持续跟进，并在{resolve_by}前给您答复。感谢您的耐心等待！\n{organisation}\n{today}"
        ),
        ReplyKind.SOLUTION: _(
            "尊敬的{customer_name}：\n您好！我们理解您的心情，对此次给您带来的困扰深表歉意。"
            "经核实，关于您反映的问题（投诉编号：{case_no}），我们的处理方案如下：{solution}。"
            "如您对处理结果有任何意见，欢迎随时与我们联系。感谢您的监督与支持！\n{organisation}\n{today}"
        ),
        ReplyKind.INVALID: _(
            "尊敬的{customer_name}：\n您好！感谢您向我们反映问题（投诉编号：{case_no}）。经认真核实，"
            "{solution}。我们理解您的感受，如您还有疑问，欢迎随时与我们联系，我们将竭诚为您解答。\n{organisation}\n{today}"
        ),
        ReplyKind.CLOSURE: _(
            "尊敬的{customer_name}：\n您好！您反映的问题（投诉编号：{case_no}）已处理完毕：{solution}。"
            "再次感谢您的理解与支持，祝您生活愉快！\n{organisation}\n{today}"
        ),
    }


def default_recommended() -> tuple[str, ...]:
    """The phrase library's recommended sentences a new installation starts with."""
    return (
        _("我理解您的心情。"),
        _("您的意思是……对吗？"),
        _("对不起，给您添麻烦了。"),
        _("非常感谢您的耐心等待。"),
        _("我们会尽快为您处理，并及时告知您进展。"),
        _("感谢您的宝贵意见，我们会认真改进。"),
        _("请您放心，这件事由我负责跟进到底。"),
    )


def default_forbidden() -> tuple[ForbiddenPhrase, ...]:
    """Phrases never to say to a customer, each with a better one (flagged as they are typed)."""
    return (
        ForbiddenPhrase(_("你不明白"), _("可能是我没有解释清楚，我再说明一下")),
        ForbiddenPhrase(_("你必须"), _("麻烦您……，这样可以尽快为您处理")),
        ForbiddenPhrase(_("你说的不对"), _("您的意思是……对吗？")),
        ForbiddenPhrase(_("你没有理解我的意思"), _("可能是我表达得不够清楚")),
        ForbiddenPhrase(_("我们有规定"), _("根据公司的服务标准，我们可以为您……")),
        ForbiddenPhrase(_("这不是我的工作范畴"), _("我帮您联系负责的同事，尽快给您答复")),
        ForbiddenPhrase(_("你的话没道理"), _("我理解您的心情")),
        ForbiddenPhrase(_("我从来没有说过"), _("可能之前的沟通有误会，我再确认一下")),
        ForbiddenPhrase(_("我不知道"), _("我马上帮您查询确认")),
        ForbiddenPhrase(_("你去投诉啊"), _("您的意见我们会认真处理")),
        ForbiddenPhrase(_("我们的管理人员不处理这个问题"), _("我会把您的问题反映给相关负责人")),
        ForbiddenPhrase(_("您过两天再来电话吧"), _("我们会在……前主动联系您")),
    )
