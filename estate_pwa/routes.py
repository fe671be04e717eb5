"""Every route of the app, and each role's home and bottom-tab entries."""

from estate_pwa.models import Role

LOGIN = "/login"
JOIN = "/join"
ME = "/me"
MANAGER = "/manager"
MANAGER_STAFF = "/manager/staff"
MANAGER_UNITS = "/manager/units"
MANAGER_ROSTER = "/manager/roster"
MANAGER_JOBS = "/manager/jobs"
MANAGER_PATROL = "/manager/patrol"
MANAGER_PATROL_HISTORY = "/manager/patrol/history"
MANAGER_PATROL_SETUP = "/manager/patrol/setup"
MANAGER_INDICATOR = "/manager/indicator"
MANAGER_SURVEYS = "/manager/surveys"
MANAGER_CERTIFICATION = "/manager/certification"
MANAGER_CLEANING = "/manager/cleaning"
MANAGER_FEES = "/manager/fees"
MANAGER_FACILITIES = "/manager/facilities"
FACILITY_ASSET = "/facilities/asset"
GUARD = "/guard"
GUARD_INCIDENT = "/guard/incident"
GUARD_SCAN = "/guard/scan"
CLEANER = "/cleaner"
CLEANER_SCAN = "/cleaner/scan"
CLEANING_INSPECT = "/manager/cleaning/inspect"
TECHNICIAN = "/technician"
RESIDENT = "/resident"
RESIDENT_REQUESTS = "/resident/requests"
RESIDENT_FEES = "/resident/fees"
PRICE_LIST = "/services"
RESIDENT_SERVICES = "/resident/services"
MANAGER_BOOKINGS = "/manager/bookings"
INSPECTIONS = "/inspections"
INSPECTIONS_SCAN = "/inspections/scan"

HOME = {
    Role.MANAGER: MANAGER,
    Role.GUARD: GUARD,
    Role.CLEANER: CLEANER,
    Role.TECHNICIAN: TECHNICIAN,
    Role.RESIDENT: RESIDENT,
}

HOME_PRIORITY = (Role.MANAGER, Role.TECHNICIAN, Role.GUARD, Role.CLEANER, Role.RESIDENT)

# (route, translation key, lucide icon) per role, left to right.
TABS: dict[Role, tuple[tuple[str, str, str], ...]] = {
    Role.MANAGER: (
        (MANAGER, "nav.home", "layout-dashboard"),
        (MANAGER_JOBS, "nav.jobs", "clipboard-list"),
        (MANAGER_PATROL, "nav.patrol", "shield-check"),
        (MANAGER_CLEANING, "nav.cleaning", "sparkles"),
        (MANAGER_STAFF, "nav.staff", "users"),
        (MANAGER_UNITS, "nav.units", "building-2"),
        (ME, "nav.me", "circle-user"),
    ),
    Role.GUARD: (
        (GUARD, "nav.home", "shield"),
        (GUARD_SCAN, "nav.scan", "scan-line"),
        (GUARD_INCIDENT, "nav.incident", "siren"),
        (ME, "nav.me", "circle-user"),
    ),
    Role.CLEANER: ((CLEANER, "nav.home", "sparkles"), (ME, "nav.me", "circle-user")),
    Role.TECHNICIAN: ((TECHNICIAN, "nav.home", "wrench"), (ME, "nav.me", "circle-user")),
    Role.RESIDENT: (
        (RESIDENT, "nav.home", "house"),
        (RESIDENT_REQUESTS, "nav.requests", "message-square-warning"),
        (RESIDENT_FEES, "nav.fees", "receipt"),
        (ME, "nav.me", "circle-user"),
    ),
}


def home_of(roles) -> str:
    """The home screen for someone holding `roles` (the highest-priority role wins)."""
    for role in HOME_PRIORITY:
        if role in roles:
            return HOME[role]
    return LOGIN
