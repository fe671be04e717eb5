"""Problem reports without logging in (issue 11): codes posted in areas and on assets (codes), the public form's
guards (public: device, form token, client address; limits: rate limits across workers; uploads: size and magic
bytes before decoding), intake and routing to the cleaner, the repair jobs or the managers (intake), what staff
and the reporter see (views), the public HTML (page) and the printable code sheets (sheet).

`codes` is imported first: services.cleaning.rules reads area codes through it."""

from estate_pwa.services.reports import (
    codes,
    sheet,  # registers the code sheets' download links
)
from estate_pwa.services.reports.codes import (
    REPORTS,
    Place,
    code_url,
    current_code,
    resolve,
    revoke,
)
from estate_pwa.services.reports.intake import follow_url, submit
from estate_pwa.services.reports.views import (
    STATES,
    FollowView,
    ReportRow,
    ReportSummary,
    cleaner_reports,
    follow_view,
    handle,
    manager_reports,
)

__all__ = [
    "REPORTS",
    "STATES",
    "FollowView",
    "Place",
    "ReportRow",
    "ReportSummary",
    "cleaner_reports",
    "code_url",
    "codes",
    "current_code",
    "follow_url",
    "follow_view",
    "handle",
    "manager_reports",
    "resolve",
    "revoke",
    "sheet",
    "submit",
]
