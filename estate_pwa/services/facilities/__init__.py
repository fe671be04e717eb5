"""Facilities (设施设备管理): the asset register every intact rate is counted over (register: add, correct, retire,
read by category, an asset's record, fire equipment about to expire), its spreadsheet import and export
(spreadsheets), the fields both share (fields), and the spans during which an asset is defective (defects).
Inspections, which find defects, are a feature of their own."""

from estate_pwa.services.facilities import spreadsheets
from estate_pwa.services.facilities.common import DEFECT_WRITERS, FACILITIES, READERS, WRITERS
from estate_pwa.services.facilities.defects import (
    close_defect, defects_of, link_request, open_defect, open_defect_of, open_reported_defect,
)
from estate_pwa.services.facilities.fields import FIELDS
from estate_pwa.services.facilities.register import (
    EXPIRY_WARNING, AssetRecord, AssetRow, CategoryCount, DefectRow, FormChoices, add_asset, asset_link, counts,
    counts_for, expiring, expiring_for, form_choices, record, retire_asset, update_asset,
)
from estate_pwa.services.facilities.register import register as register_page
from estate_pwa.services.facilities.spreadsheets import ImportCheck, RejectedRow

__all__ = [
    "DEFECT_WRITERS", "EXPIRY_WARNING", "FACILITIES", "FIELDS", "READERS", "WRITERS", "AssetRecord", "AssetRow",
    "CategoryCount", "DefectRow", "FormChoices", "ImportCheck", "RejectedRow", "add_asset", "asset_link",
    "close_defect", "counts", "counts_for", "defects_of", "expiring", "expiring_for", "form_choices", "link_request",
    "open_defect", "open_defect_of", "open_reported_defect", "record", "register_page", "retire_asset",
    "spreadsheets", "update_asset",
]
