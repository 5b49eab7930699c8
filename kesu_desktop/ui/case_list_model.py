"""The case list's table model: rows already fetched by a service call, shown with Chinese labels.

It holds plain ``CaseRow`` values (never ORM objects) and never queries: the window fetches through
``ui.tasks`` and hands the rows over with ``set_rows``. For now one page of at most 200 rows; the
later list issue turns this into the lazy, ID-keyed model DESIGN.md describes, behind the same API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from kesu_desktop.domain.enums import Priority, Status
from kesu_desktop.i18n import _
from kesu_desktop.services import CaseRow

#: Offices reason in their own zone; the policy's default until the office setting is read here.
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")

Index = QModelIndex | QPersistentModelIndex


def label_of(enum: type[StrEnum], code: str) -> str:
    """The enum's Chinese label, or the raw code if a newer desk stored a value this one lacks."""
    try:
        return enum(code).label  # type: ignore[attr-defined]
    except ValueError:
        return code


def local_time(value: datetime) -> str:
    return value.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


class CaseListModel(QAbstractTableModel):
    """Columns: 案件编号, 状态, 优先级, 类别, 客户, 登记时间."""

    @staticmethod
    def headers() -> list[str]:
        """Read on every call, so a language change shows at the next repaint."""
        return [_("案件编号"), _("状态"), _("优先级"), _("类别"), _("客户"), _("登记时间")]

    def _cell(self, row: CaseRow, column: int) -> str:
        cells = (
            row.case_no, label_of(Status, row.status), label_of(Priority, row.priority),
            self.category_names.get(row.category, row.category), row.customer_name,
            local_time(row.created_at),
        )
        return cells[column]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseRow] = []
        self.category_names: dict[str, str] = {}

    def set_rows(self, rows: Sequence[CaseRow], category_names: Mapping[str, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if category_names is not None:
            self.category_names = dict(category_names)
        self.endResetModel()

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._cell(self._rows[index.row()], index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return str(section + 1)
