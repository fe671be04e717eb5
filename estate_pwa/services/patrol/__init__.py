"""Guard patrols: checkpoints with signed QR codes and routes (checkpoints), scheduled rounds and their clock
(schedule), scans, also queued offline (scanning), the manager's board, history and exports (reports), the screens'
rows (rows) and printable code sheets (sheet).

Rules are decided from server timestamps only; `from estate_pwa.services import patrol; patrol.X` reaches every
public name of the package.
"""

from estate_pwa.services.patrol.checkpoints import (
    CHECKPOINT_ACTIONS, QR_KIND, CheckpointCard, RouteCard, SetupScreen, active_point_options, check_code,
    coordinates, create_point, create_route, point_token, point_url, points, qr_image, queue_owner, reissue_code,
    resolve_point, route_points, routes, setup_screen, signed_code, token_of,
)
from estate_pwa.services.patrol.common import (
    CLIENT_AHEAD_NOTE, CLOCK_TOLERANCE, DUPLICATE_WINDOW, EARTH_RADIUS_M, EVERY_MINUTES, EXPECTED_MINUTES, FINISHED,
    GRACE_MINUTES, HISTORY_LIMIT, LOCATION_MAX, LOOK_AHEAD, LOOK_BACK, MAX_GENERATE_SPAN, MAX_HISTORY_SPAN,
    MAX_STOPS, MAX_WALK_SPEED, MIN_GAP, NAME_MAX, OPEN, QUEUE_PURPOSE, ROUND_START_REFUSED, SCAN_AT_POINT_REFUSED,
    SCAN_REFUSED, SCANNED_MAX, START_EARLY, START_REFUSED, SYNCED_LATE_AFTER, TOKEN_PURPOSE, Option, round_status,
)
from estate_pwa.services.patrol.reports import (
    CSV_COLUMNS, HISTORY_CSV, Board, LastScan, RoundDetail, RoundRow, ScanLine, StopLine, board, csv_export,
    day_range, history, history_csv, my_rounds, round_detail,
)
from estate_pwa.services.patrol.rows import (
    DETAILS, NO_ANSWER, NO_ROUND, SCAN, SCAN_LINE_KEYS, SCAN_MESSAGE_KEYS, START, BoardScreen, DetailView, HistoryChoices,
    HistoryScreen, LastScanRow, RoundCard, Rounds, ScanAnswer, ScanRow, StopRow, board_screen, detail_view,
    guard_rounds, history_choices, history_screen, scan_answer,
)
from estate_pwa.services.patrol.scanning import (
    KEPT_REFUSALS, SCAN_REFUSALS, ScanResult, distance_m, record_scan, walk_time,
)
from estate_pwa.services.patrol.schedule import (
    can_start, close_overdue, generate_rounds, keep_rounds_current, schedule_windows, start_refusal, start_round,
)
from estate_pwa.services.patrol.sheet import LABEL_KIND, SHEET_KIND, label_file, point_png, sheet_file, sheet_pdf

__all__ = [
    "CHECKPOINT_ACTIONS", "CLIENT_AHEAD_NOTE", "CLOCK_TOLERANCE", "CSV_COLUMNS", "DETAILS", "DUPLICATE_WINDOW",
    "EARTH_RADIUS_M", "EVERY_MINUTES", "EXPECTED_MINUTES", "FINISHED", "GRACE_MINUTES", "HISTORY_CSV",
    "HISTORY_LIMIT", "KEPT_REFUSALS", "LABEL_KIND", "LOCATION_MAX", "LOOK_AHEAD", "LOOK_BACK", "MAX_GENERATE_SPAN",
    "MAX_HISTORY_SPAN", "MAX_STOPS", "NO_ANSWER", "NO_ROUND", "MAX_WALK_SPEED", "MIN_GAP", "NAME_MAX", "OPEN", "QR_KIND", "QUEUE_PURPOSE",
    "ROUND_START_REFUSED", "SCAN", "SCANNED_MAX", "SCAN_AT_POINT_REFUSED", "SCAN_LINE_KEYS", "SCAN_MESSAGE_KEYS",
    "SCAN_REFUSALS", "SCAN_REFUSED", "SHEET_KIND", "START", "START_EARLY", "START_REFUSED", "SYNCED_LATE_AFTER",
    "TOKEN_PURPOSE", "Board", "BoardScreen", "CheckpointCard", "DetailView", "HistoryChoices", "HistoryScreen",
    "LastScan", "LastScanRow", "Option", "RoundCard", "RoundDetail", "RoundRow", "RouteCard", "Rounds", "ScanAnswer",
    "ScanLine", "ScanResult", "ScanRow", "SetupScreen", "StopLine", "StopRow", "active_point_options", "board",
    "board_screen", "can_start", "check_code", "close_overdue", "coordinates", "create_point", "create_route",
    "csv_export", "day_range", "detail_view", "distance_m", "generate_rounds", "guard_rounds", "history",
    "history_choices", "history_csv", "history_screen", "keep_rounds_current", "label_file", "my_rounds",
    "point_png", "point_token", "point_url", "points", "qr_image", "queue_owner", "record_scan", "reissue_code",
    "resolve_point", "round_detail", "round_status", "route_points", "routes", "scan_answer", "schedule_windows",
    "setup_screen", "sheet_file", "sheet_pdf", "signed_code", "start_refusal", "start_round", "token_of",
    "walk_time",
]
