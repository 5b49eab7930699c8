"""The case-list filters shared by ``kesu list`` and ``kesu export``: same options, same meaning.

One definition, so a script that narrows ``kesu list`` can hand the very same options to ``kesu export``
and get those cases in a file.
"""

from __future__ import annotations

import argparse

from kesu_desktop import services
from kesu_desktop.domain.enums import Priority, Status
from kesu_desktop.i18n import _


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """The filter options (``kesu list`` adds its page size ``--limit`` on top)."""
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--priority", choices=[p.value for p in Priority])
    p.add_argument("--category", metavar="CODE")
    p.add_argument("--department", metavar="CODE")
    p.add_argument("--office", metavar="CODE")
    p.add_argument("--mine", action="store_true", help=_("只看分派给我的"))
    p.add_argument("--overdue", action="store_true")
    p.add_argument("--search", metavar="TEXT")


def case_filter(args: argparse.Namespace, **extra: int) -> services.CaseFilter:
    """The filter the options ask for (office and department codes upper-cased); ``extra`` sets paging."""
    return services.CaseFilter(
        status=Status(args.status) if args.status else None,
        priority=Priority(args.priority) if args.priority else None,
        category=args.category,
        department=args.department.upper() if args.department else None,
        office=args.office.upper() if args.office else None,
        assigned_to_me=args.mine,
        overdue=args.overdue,
        search=args.search,
        **extra,
    )
