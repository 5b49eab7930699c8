"""The main window's two arrangements of its panels, and which one each role starts on.

- 登记优先 (``registration``): for the front desk. The registration form is the main area (about three
  fifths of the width, room for the paper form's two columns at 1366 px); the case list, the case detail
  and the reply editor are tabs beside it, the alerts under them.
- 工作队列 (``queue``): for specialists, departments, supervisors, managers and admins. The case list
  and, under it, the alerts on the left; the case detail with the reply editor, the reply review and the
  registration form as tabs on the right.

Sizes are shares of the window, not pixels, so a layout fits whatever screen it is drawn on: 1280×720
at a counter and 1920×1080 in the back office alike. Every panel's content can shrink to those shares
(forms wrap to one column, the list's filter bar wraps), which is what keeps the window's minimum size
under 1280×700.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from kesu_desktop.domain.enums import Role
from kesu_desktop.i18n import _
from kesu_desktop.ui.base.panels import Panel

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
HORIZONTAL, VERTICAL = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
#: Who reviews replies (the 回复审批 panel is hidden for everyone else).
REVIEWERS = (Role.SUPERVISOR, Role.MANAGER)


class LayoutName(StrEnum):
    REGISTRATION = "registration"
    QUEUE = "queue"

    @property
    def label(self) -> str:
        return {LayoutName.REGISTRATION: _("登记优先布局"), LayoutName.QUEUE: _("工作队列布局")}[self]


def default_layout(role: Role) -> LayoutName:
    """The front desk registers first; everyone else works a queue."""
    return LayoutName.REGISTRATION if role is Role.FRONT_DESK else LayoutName.QUEUE


#: (share of the width for the left column, share of the left or right column's height for the alerts)
_SHARES = {LayoutName.REGISTRATION: (0.58, 0.3), LayoutName.QUEUE: (0.46, 0.3)}


def arrange(window: QMainWindow, panels: dict[str, Panel], name: LayoutName, role: Role) -> None:
    """Put every panel where ``name`` wants it, at shares of the window's current size."""
    for panel in panels.values():
        window.removeDockWidget(panel)
        panel.setFloating(False)
    main, tabs_side = _columns(panels, name)
    window.addDockWidget(LEFT, main)
    window.addDockWidget(RIGHT, tabs_side[0])
    # The alerts sit under the column that shows the cases: the list (queue) or the tabs (registration).
    # Split before tabifying: splitting a tabbed panel would put the alerts into its tabs.
    under = main if name is LayoutName.QUEUE else tabs_side[0]
    window.splitDockWidget(under, panels["alerts"], VERTICAL)
    for before, after in pairwise(tabs_side):
        window.tabifyDockWidget(before, after)
    if "conflicts" in panels:
        window.tabifyDockWidget(panels["alerts"], panels["conflicts"])
    if "statistics" in panels:  # supervisors, managers, admins: a tab behind the right column's
        window.tabifyDockWidget(tabs_side[-1], panels["statistics"])
    for panel in panels.values():
        panel.show()
    if role not in REVIEWERS:
        panels["review"].hide()
    panels["alerts"].raise_()
    tabs_side[0].raise_()
    fit(window, panels, name)


def _columns(panels: dict[str, Panel], name: LayoutName) -> tuple[Panel, list[Panel]]:
    """The left column's panel and the right column's tabs, front tab first."""
    if name is LayoutName.REGISTRATION:
        return panels["register"], [panels[k] for k in ("list", "detail", "reply", "review")]
    return panels["list"], [panels[k] for k in ("detail", "reply", "review", "register")]


def fit(window: QMainWindow, panels: dict[str, Panel], name: LayoutName) -> None:
    """Share the window's current size out between the columns and rows."""
    left_share, alerts_share = _SHARES[name]
    main, tabs = _columns(panels, name)
    side = tabs[0]
    width = max(window.width(), 1)
    window.resizeDocks([main, side], [int(width * left_share), int(width * (1 - left_share))], HORIZONTAL)
    under = main if name is LayoutName.QUEUE else side
    height = max(window.height() - 60, 1)  # less the menu and status bars
    window.resizeDocks(
        [under, panels["alerts"]], [int(height * (1 - alerts_share)), int(height * alerts_share)], VERTICAL
    )
