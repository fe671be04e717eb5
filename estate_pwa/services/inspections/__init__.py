"""Scheduled inspections of the asset register (巡检): plans kept by managers, the tasks the clock makes from them,
recording each task exactly once from the phone, defects that become repair jobs, and re-inspections that make
an asset intact again.

* `rules`  — the feature's refusal, who plans and inspects, who may record a task
* `plans`  — plans: add, change, pause; the assets a plan covers
* `tasks`  — the clock: tasks per period in the estate's timezone, re-inspections after a finished job
* `record` — `record_inspection(session, actor, payload)`: exactly once by client_id; defects and repair jobs
* `views`  — the inspector's today list, one task, a scanned asset's due task, overdue tasks, expiring fire
  equipment
* `outbox` — the phone's queued inspections (a form's fields) and asset scans, for services/outbox.py
"""

from estate_pwa.services.inspections.plans import (
    ITEMS_MAX,
    TOGGLE,
    PlanRow,
    assets_of,
    plan_rows,
    plans_of,
    save_plan,
    set_active,
)
from estate_pwa.services.inspections.record import (
    ALREADY_DONE,
    RECORDED,
    REPLAYED,
    Outcome,
    expired,
    record_inspection,
)
from estate_pwa.services.inspections.rules import (
    INSPECTIONS,
    INSPECTORS,
    PHOTO_FOLDER,
    PHOTOS_MAX,
    RECORD,
)
from estate_pwa.services.inspections.tasks import (
    generate_rechecks,
    generate_tasks,
    keep_tasks_current,
    period,
)
from estate_pwa.services.inspections.views import (
    ExpiryRow,
    TaskRow,
    can_plan,
    expiring_rows,
    inspector_choices,
    overdue_rows,
    task_of_code,
    task_row,
    today_rows,
)

__all__ = [
    "ALREADY_DONE",
    "INSPECTIONS",
    "INSPECTORS",
    "ITEMS_MAX",
    "PHOTOS_MAX",
    "PHOTO_FOLDER",
    "RECORD",
    "RECORDED",
    "REPLAYED",
    "TOGGLE",
    "ExpiryRow",
    "Outcome",
    "PlanRow",
    "TaskRow",
    "assets_of",
    "can_plan",
    "expired",
    "expiring_rows",
    "generate_rechecks",
    "generate_tasks",
    "inspector_choices",
    "keep_tasks_current",
    "overdue_rows",
    "period",
    "plan_rows",
    "plans_of",
    "record_inspection",
    "save_plan",
    "set_active",
    "task_of_code",
    "task_row",
    "today_rows",
]
