"""The case list's lazy table model: keyset pages of ``CaseRow`` fetched on demand, never the whole table.

Why keyset pages and ``fetchMore``: an office with a million cases must show its first page as fast as
an empty one. The model asks the services for 200 rows at a time (newest first, continuing after the
last row it holds), only when the view scrolls near the end; each page costs what the first one costs.

Why a generation counter: every request runs on the one worker (``ui.tasks``) and answers later. When
the filter changes while a page is on its way, the old answer still arrives; the generation it was
asked under no longer matches, so it is dropped instead of mixing two filters' rows in one list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from kesu_desktop import services
from kesu_desktop.domain.enums import Priority, Severity, Status
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.services import CaseFilter, CaseRow, SlaState
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.formatting import label_of, local_time, phone_text

#: Rows per request: a few screens of a tall table, small enough to arrive in milliseconds.
PAGE_SIZE = 200
#: The services' largest page; a refresh reloads at most this many rows in one trip.
REFRESH_CAP = 1000

Index = QModelIndex | QPersistentModelIndex

(
    COL_CASE_NO,
    COL_STATUS,
    COL_PRIORITY,
    COL_SEVERITY,
    COL_CATEGORY,
    COL_CUSTOMER,
    COL_PHONE,
    COL_DEPARTMENT,
    COL_ASSIGNEE,
    COL_CREATED,
    COL_SLA,
) = range(11)

#: Columns the services can order by: registration time, newest first (keyset on created_at, id). Sorting
#: only the rows loaded so far would show a false order, so no other order is offered until the services
#: can page in it.
SORTABLE_COLUMNS = frozenset({COL_CREATED})

#: Custom roles: the row's case number and its SLA state (``SlaState`` or None), for views and tests.
CASE_NO_ROLE = Qt.ItemDataRole.UserRole.value + 1
SLA_ROLE = Qt.ItemDataRole.UserRole.value + 2
SLA_DUE_ROLE = Qt.ItemDataRole.UserRole.value + 3

#: Badge colours: background (light, so the text stays readable) and the dot in front of the text.
SLA_COLOURS: dict[SlaState, tuple[str, str]] = {
    SlaState.OK: ("#e3f4e5", "#2e7d32"),
    SlaState.DUE_SOON: ("#fff1d6", "#ef8f00"),
    SlaState.OVERDUE: ("#fde0e0", "#c62828"),
}


def sla_label(state: SlaState) -> str:
    return {SlaState.OK: _("正常"), SlaState.DUE_SOON: _("即将到期"), SlaState.OVERDUE: _("已超时")}[state]


_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_SLA_ROLES = frozenset(
    {
        SLA_ROLE,
        SLA_DUE_ROLE,
        Qt.ItemDataRole.BackgroundRole.value,
        Qt.ItemDataRole.ForegroundRole.value,
        Qt.ItemDataRole.DecorationRole.value,
        Qt.ItemDataRole.ToolTipRole.value,
    }
)


@dataclass(frozen=True, slots=True)
class Shown:
    """One row as the table shows it: the cell texts, the SLA state and the due time (local)."""

    texts: tuple[str, ...]
    sla: SlaState | None
    due: str


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class CaseTableModel(QAbstractTableModel):
    """案件编号 … 时限: the rows of the current filter, loaded page by page through ``ui.tasks``."""

    #: Rows now held, after each page (or refresh) has been added.
    sig_page_loaded = Signal(int)
    #: True while a request for the current filter is on its way (the view shows a busy indicator).
    sig_loading_changed = Signal(bool)
    #: A one-line message when a page could not be loaded.
    sig_load_failed = Signal(str)

    def __init__(
        self,
        desk: services.Desk,
        actor: services.Actor,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._desk, self._actor, self._page_size = desk, actor, page_size
        self._rows: list[CaseRow] = []
        self._filter = CaseFilter(limit=page_size)
        self._generation = 0
        self._loading = False
        self._exhausted = True  # nothing to fetch until a filter has been set
        self._category_names: dict[str, str] = {}
        self._department_names: dict[str, str] = {}
        self._icons: dict[SlaState, QIcon] = {}
        self._zone = actor.timezone
        self._shown: list[Shown | None] = []  # parallel to _rows
        #: Rows received from the services since the model was made (stale answers included): what
        #: the lazy loading actually cost, for tests and benchmarks.
        self.rows_fetched = 0
        #: Requests sent to the services (pages and refreshes).
        self.requests = 0

    # --- what is shown --------------------------------------------------------------------------

    @staticmethod
    def headers() -> list[str]:
        """Read on every call, so a language change shows at the next repaint."""
        return [
            _("案件编号"),
            _("状态"),
            _("优先级"),
            _("严重程度"),
            _("类别"),
            _("客户"),
            _("电话"),
            _("责任部门"),
            _("处理人"),
            _("登记时间"),
            _("时限"),
        ]

    def set_names(self, categories: Mapping[str, str], departments: Mapping[str, str]) -> None:
        """Code → display name for categories and departments (read once by the view)."""
        self._category_names, self._department_names = dict(categories), dict(departments)
        self.invalidate()

    def retranslate(self) -> None:
        """Labels and headers in the current language (the view calls this from ``retranslate_ui``)."""
        self.invalidate()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COL_SLA)

    def invalidate(self) -> None:
        """Forget the computed display of every row; each is recomputed when next painted."""
        self._shown = [None] * len(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COL_SLA))

    def refresh_sla(self) -> None:
        """Re-read the clock for the badges: one turns amber or red as time moves on."""
        self.invalidate()

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def row_of(self, case_no: str) -> int:
        """The row showing ``case_no``, or -1 if it is not loaded."""
        return next((n for n, r in enumerate(self._rows) if r.case_no == case_no), -1)

    def shown(self, n: int) -> Shown:
        """Row ``n`` as displayed, computed on first paint and kept: painting asks for each cell often."""
        shown = self._shown[n]
        if shown is None:
            shown = self._shown[n] = self._compute(self._rows[n])
        return shown

    def _compute(self, row: CaseRow) -> Shown:
        # The services give the instants (office policy); the badge is their state at the desk's time now.
        state = row.sla_state_at(self._desk.clock.now())
        department = row.department
        texts = (
            row.case_no,
            label_of(Status, row.status),
            label_of(Priority, row.priority),
            label_of(Severity, row.severity),
            self._category_names.get(row.category, row.category),
            row.customer_name,
            phone_text(row.phone),
            self._department_names.get(department, department) if department else "",
            row.assignee or "",
            local_time(row.created_at, self._zone),
            sla_label(state) if state is not None else "",
        )
        due = local_time(row.next_due_at, self._zone) if row.next_due_at is not None else ""
        return Shown(texts, state, due)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role == _DISPLAY:
            return self.shown(index.row()).texts[index.column()]
        if role == CASE_NO_ROLE:
            return self._rows[index.row()].case_no
        if index.column() != COL_SLA or role not in _SLA_ROLES:
            return None
        return self._sla_data(self.shown(index.row()), role)

    def _sla_data(self, shown: Shown, role: int) -> Any:
        state = shown.sla
        if role == SLA_ROLE:
            return state
        if state is None:
            return None
        if role == SLA_DUE_ROLE:
            return shown.due
        background, strong = SLA_COLOURS[state]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(background))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(strong))
        if role == Qt.ItemDataRole.DecorationRole:
            if state not in self._icons:
                self._icons[state] = _dot(strong)
            return self._icons[state]
        return _("下一时限：{at}").format(at=shown.due)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation != Qt.Orientation.Horizontal:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole and section in SORTABLE_COLUMNS:
            return _("按登记时间由新到旧排列")
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else COL_SLA + 1

    # --- what is loaded -------------------------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    @property
    def loading(self) -> bool:
        return self._loading

    def set_filter(self, flt: CaseFilter) -> None:
        """Show ``flt``'s cases from the first page on; an answer for an older filter is dropped."""
        self._filter = dataclasses.replace(flt, limit=self._page_size, after=None)
        self._generation += 1
        self.beginResetModel()
        self._rows, self._shown = [], []
        self._exhausted = False
        self.endResetModel()
        self._request(self._filter, self._on_page)

    def refresh(self) -> None:
        """Reload what is shown (as many rows as were loaded, up to ``REFRESH_CAP``) after a change.

        The old rows stay on screen until the new ones arrive, so the list does not flash empty.
        """
        limit = min(max(len(self._rows), self._page_size), REFRESH_CAP)
        self._generation += 1
        self._request(dataclasses.replace(self._filter, limit=limit, after=None), self._on_refreshed)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        """Ask for the page after the last row held; a no-op while one is already on its way."""
        if parent.isValid() or self._exhausted or self._loading:
            return
        after = (self._rows[-1].created_at, self._rows[-1].id) if self._rows else None
        self._request(dataclasses.replace(self._filter, after=after), self._on_page)

    def _request(self, flt: CaseFilter, on_rows: Callable[[int, CaseFilter, list[CaseRow]], None]) -> None:
        desk, actor, generation = self._desk, self._actor, self._generation
        self.requests += 1
        self._set_loading(True)
        tasks.run(
            lambda: services.list_cases(desk, actor, flt),
            on_result=lambda rows: on_rows(generation, flt, rows),
            on_error=lambda exc: self._on_error(generation, exc),
            context=self,
        )

    def _fresh(self, generation: int, rows: list[CaseRow]) -> bool:
        self.rows_fetched += len(rows)
        return generation == self._generation

    def _on_page(self, generation: int, flt: CaseFilter, rows: list[CaseRow]) -> None:
        if not self._fresh(generation, rows):
            return
        self._exhausted = len(rows) < flt.limit
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self._shown.extend([None] * len(rows))
            self.endInsertRows()
        self._set_loading(False)
        self.sig_page_loaded.emit(len(self._rows))

    def _on_refreshed(self, generation: int, flt: CaseFilter, rows: list[CaseRow]) -> None:
        if not self._fresh(generation, rows):
            return
        self.beginResetModel()
        self._rows, self._shown = list(rows), [None] * len(rows)
        self._exhausted = len(rows) < flt.limit
        self.endResetModel()
        self._set_loading(False)
        self.sig_page_loaded.emit(len(self._rows))

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._exhausted = True  # do not retry in a loop on every scroll; a refresh or new filter retries
        self._set_loading(False)
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
        self.sig_load_failed.emit(str(exc) if isinstance(exc, KesuError) else _("案件列表加载失败"))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.sig_loading_changed.emit(loading)
