"""Repair jobs and requests: first-receiver ownership, the 3-minute promise, promises, one postponement,
resident-caused pauses, sign-off, rating, reopening, quality marks and follow-up visits.

Every change of a request goes through this package; refusals are written to the audit log and leave the
request unchanged. By concept:

* `rules`    — the workflow table (action × role × status → allowed), checked by every change and listed on rows
* `intake`   — reporting and recording requests
* `dispatch` — dispatching, automatic dispatch, claiming from the pool
* `work`     — accepting, late arrival, pauses, the postponement, closing; managers' promises
* `feedback` — replies, ratings, quality marks, follow-up visits
* `clocks`   — the deadlines, from server timestamps only
* `photos`   — a request's photos; `views` — who sees which requests; `rows` — what the screens show

`from estate_pwa.services import jobs; jobs.submit(...)` reaches all of it.
"""

from estate_pwa.services.jobs.clocks import (
    DISPATCH_PROMISE, FEEDBACK_DUE, URGENCY_ORDER, Clocks, by_urgency, clocks, finish_deadline,
)
from estate_pwa.services.jobs.dispatch import (
    auto_dispatch, claim, dispatch, open_jobs, set_auto_dispatch, technician_load,
)
from estate_pwa.services.jobs.feedback import (
    FOLLOW_UP_REASONS, confirm_complaint, mark_quality, pending_follow_ups, rate, record_follow_up, reply,
)
from estate_pwa.services.jobs.intake import buildings, common_areas, record_for_unit, record_on_behalf, submit
from estate_pwa.services.jobs.photos import FOLDERS, MAX_PHOTOS, photo_file, photo_files
from estate_pwa.services.jobs.rows import (
    BOARD_FILTERS, HOME, FollowUpRow, HistoryEntry, Place, RequestHistory, RequestRow, TechnicianChoice,
    follow_up_rows, history_view, office_rows, owned_rows, places, report_places, request_rows, resident_rows,
    technician_choices, technician_rows,
)
from estate_pwa.services.jobs.rules import (
    OPEN, REQUEST, STAFF, STEPS, TECHNICIAN_OPEN, WORKERS, Step, allowed, in_pool, may_follow, refusal,
)
from estate_pwa.services.jobs.views import (
    contact_of, followed, for_resident, for_technician, history, office_board, owned_by, pool,
)
from estate_pwa.services.jobs.work import (
    DEFAULT_PROMISE, EMERGENCY_PROMISE, MAX_OVERRIDE, MAX_PROMISE, PAUSE_REASONS, REASON_MAX, accept,
    complete, default_promise, excuse_late_arrival, extend_as_breach, pause, postpone, reschedule_by_manager,
    resume, set_promise_beyond_limit,
)

__all__ = [
    "confirm_complaint",
    "BOARD_FILTERS", "DEFAULT_PROMISE", "DISPATCH_PROMISE", "EMERGENCY_PROMISE", "FEEDBACK_DUE", "FOLDERS",
    "FOLLOW_UP_REASONS", "HOME", "MAX_OVERRIDE", "MAX_PHOTOS", "MAX_PROMISE", "OPEN", "PAUSE_REASONS",
    "REASON_MAX", "REQUEST", "STAFF", "STEPS", "TECHNICIAN_OPEN", "URGENCY_ORDER", "WORKERS",
    "Clocks", "FollowUpRow", "HistoryEntry", "Place", "RequestHistory", "RequestRow", "Step", "TechnicianChoice",
    "accept", "allowed", "auto_dispatch", "buildings", "by_urgency", "claim", "clocks", "common_areas",
    "complete", "contact_of", "default_promise", "dispatch", "excuse_late_arrival", "extend_as_breach",
    "finish_deadline", "follow_up_rows", "followed", "for_resident", "for_technician", "history", "history_view",
    "in_pool", "mark_quality", "may_follow", "office_board", "office_rows", "open_jobs", "owned_by", "owned_rows",
    "pause", "pending_follow_ups", "photo_file", "photo_files", "places", "pool", "postpone", "rate",
    "record_follow_up", "record_for_unit", "record_on_behalf", "refusal", "reply", "report_places",
    "request_rows", "reschedule_by_manager", "resident_rows", "resume", "set_auto_dispatch",
    "set_promise_beyond_limit", "submit", "technician_choices", "technician_load", "technician_rows",
]
