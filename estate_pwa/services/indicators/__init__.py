"""The plan's indicators, computed from the records (never typed in): the registry, each feature's measures, and
what the manager's screens show. A new feature declares its measures in a module here and imports it below."""

from estate_pwa.services.indicators import plan  # noqa: F401  (declares every indicator first)
from estate_pwa.services.indicators import fees, jobs, security, survey  # noqa: F401  (measures, by feature)
from estate_pwa.services.indicators import cleaning  # noqa: F401  (measures of cleaning)
from estate_pwa.services.indicators import facilities  # noqa: F401  (intact rates of the asset register)
from estate_pwa.services.indicators import certification, report  # noqa: F401  (their downloads)
from estate_pwa.services.indicators.periods import PeriodKind
from estate_pwa.services.indicators.registry import REGISTRY, plan_indicators
from estate_pwa.services.indicators.view import Detail, DrillLine, Status, Tile, TrendPoint, detail, overview, set_target

__all__ = [
    "REGISTRY", "Detail", "DrillLine", "PeriodKind", "Status", "Tile", "TrendPoint", "detail", "overview",
    "plan_indicators", "set_target",
]
