"""``kesu report monthly`` and ``kesu report staff``: the month's figures as text, JSON or a PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.fileio import write_atomically
from kesu_desktop.i18n import _


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser("report", parents=[common], help=_("月度投诉分析报告与员工考核数据"))
    report_sub = report.add_subparsers(dest="report_command", required=True, metavar="REPORT")
    text = _("月度投诉分析报告：给出 -o 时写成 PDF，否则打印数字（--json：同样的数字）")
    p = report_sub.add_parser("monthly", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_report_monthly)
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("--office", metavar="CODE", help=_("只统计该网点（默认：可查看的全部网点）"))
    p.add_argument("-o", "--output", metavar="FILE.pdf")
    text = _("员工考核数据（客服主管、经理）：每人处理件数、按时率、满意度、升级与差错")
    p = report_sub.add_parser("staff", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_report_staff)
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("--office", metavar="CODE")


def cmd_report_monthly(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    if out is not None and (out.is_dir() or not out.parent.is_dir() or out.suffix.lower() != ".pdf"):
        raise ValidationError.single(
            "output", _("输出路径无效（应为已有文件夹中的 .pdf 文件）：{path}").format(path=out)
        )
    desk = open_desk(args)
    actor = sign_in(desk, args)
    figures = services.monthly_report(desk, actor, args.month, office=args.office)
    if out is not None:
        from kesu_desktop.printing.report import monthly_report_pdf

        pdf, pages = monthly_report_pdf(figures, actor.display_name)
        try:
            write_atomically(out, pdf)
        except OSError as exc:
            raise ValidationError.single(
                "output", _("无法写入 {path}：{error}").format(path=out, error=exc)
            ) from None
        if not args.json:
            print(_("已写入 {path}（{pages} 页）").format(path=out, pages=pages))
    if args.json:
        print_json(figures.as_json())
    elif out is None:
        print(monthly_text(figures))
    return 0


def cmd_report_staff(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    staff = services.staff_figures(desk, actor, args.month, office=args.office)
    if args.json:
        print_json(staff.as_json())
    else:
        print(staff_text(staff))
    return 0


def monthly_text(figures: services.Figures) -> str:
    from kesu_desktop.printing.report import change_text, channel_name, department_name, rate_text, score_text

    office = figures.name(figures.office) if figures.office else _("全部网点")
    lines = [
        _("月度投诉分析报告 {month}　{office}").format(month=figures.period.code, office=office),
        _("投诉总数：{total}（{change}）").format(total=figures.total, change=change_text(figures)),
        _("按时响应率：{rate}　按时解决率：{rate2}　重复投诉率：{rate3}").format(
            rate=rate_text(figures.on_time_response_rate),
            rate2=rate_text(figures.on_time_resolution_rate),
            rate3=rate_text(figures.repeat_rate),
        ),
        _("满意度（效率/态度/解决方案）：{a} / {b} / {c}").format(
            a=score_text(figures.satisfaction["efficiency"]),
            b=score_text(figures.satisfaction["attitude"]),
            c=score_text(figures.satisfaction["solution"]),
        ),
        _("升级：{escalated}　月末超时未结：{overdue}").format(
            escalated=figures.escalated, overdue=figures.overdue_open
        ),
    ]
    for title, counts, name in (
        (_("按类别"), figures.by_category, figures.name),
        (_("按渠道"), figures.by_channel, channel_name),
        (_("按网点"), figures.by_office, figures.name),
        (_("按责任部门"), figures.by_department, lambda code: department_name(figures, code)),
    ):
        shown = _("、").join(f"{name(code)} {n}" for code, n in counts.items()) or "—"
        lines.append(_("{title}：{items}").format(title=title, items=shown))
    if figures.top_problems:
        lines.append(_("主要问题："))
        lines += [f"  {i}. {p.label}  {p.count}" for i, p in enumerate(figures.top_problems, start=1)]
    return "\n".join(lines)


def staff_text(staff: services.StaffFigures) -> str:
    from kesu_desktop.printing.report import rate_text, score_text

    lines = [_("员工考核数据 {month}").format(month=staff.period.code)]
    if not staff.lines:
        lines.append(_("本月没有已分派的案件"))
    for line in staff.lines:
        lines.append(
            _(
                "{name}（{username}）：处理 {handled} 件，按时响应 {response}，按时解决 {resolution}，"
                "满意度 {score}，升级 {escalated}，差错 {errors}"
            ).format(
                name=line.display_name,
                username=line.username,
                handled=line.handled,
                response=rate_text(line.on_time_response_rate),
                resolution=rate_text(line.on_time_resolution_rate),
                score=score_text(line.satisfaction),
                escalated=line.escalated,
                errors=line.errors,
            )
        )
    return "\n".join(lines)
