"""The application's only API: every front end (GUI, CLI, watcher, sync) calls these.

Importing this package needs no display: nothing here imports Qt.
"""

from kesu_desktop.services.actions import act, parse_action
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin import set_calendar_day, set_setting, settings
from kesu_desktop.services.clock import Clock, FixedClock, SystemClock, parse_instant
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import CaseFilter, due, get_case, list_cases
from kesu_desktop.services.reference import categories, departments
from kesu_desktop.services.registration import register_case
from kesu_desktop.services.setup import initialize, is_initialized
from kesu_desktop.services.users import add_user, get_actor, login
from kesu_desktop.services.views import CaseRow, CaseView, DueItem, EventView

__all__ = [
    "Actor",
    "CaseFilter",
    "CaseRow",
    "CaseView",
    "Clock",
    "Desk",
    "DueItem",
    "EventView",
    "FixedClock",
    "SystemClock",
    "act",
    "add_user",
    "categories",
    "departments",
    "due",
    "get_actor",
    "get_case",
    "initialize",
    "is_initialized",
    "list_cases",
    "login",
    "parse_action",
    "parse_instant",
    "register_case",
    "set_calendar_day",
    "set_setting",
    "settings",
]
