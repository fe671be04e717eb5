"""Cleaning (专职保洁员责任制): one responsible cleaner per area at a time (setup), checklist templates per kind of
area, the day's tasks made by the clock, ticks and inspections with rework (tasks), and the rows the screens show
(views). The rules shared by these modules are in rules.py."""

from estate_pwa.services.cleaning.rules import CLEANING, INSPECTORS, PHOTO_FOLDER, PHOTOS_MAX, area_code
from estate_pwa.services.cleaning.setup import add_item, assign, checklist, history, set_item_active
from estate_pwa.services.cleaning.tasks import (
    Slot, TickResult, generate_tasks, inspect, keep_tasks_current, slots_for, tick,
)
from estate_pwa.services.cleaning.views import (
    COVERAGE, AreaCard, Choice, CoverageRow, ItemRow, TaskRow, cleaner_choices, cleaner_today, coverage,
    inspection_items, item_rows,
)

__all__ = [
    "CLEANING", "COVERAGE", "INSPECTORS", "PHOTOS_MAX", "PHOTO_FOLDER", "AreaCard", "Choice", "CoverageRow",
    "ItemRow", "Slot", "TaskRow", "TickResult", "add_item", "area_code", "assign", "checklist", "cleaner_choices",
    "cleaner_today", "coverage", "generate_tasks", "history", "inspect", "inspection_items", "item_rows",
    "keep_tasks_current", "set_item_active", "slots_for", "tick",
]
