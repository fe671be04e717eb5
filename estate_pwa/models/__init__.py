"""All tables, one module per domain; importing this package defines the whole schema."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from estate_pwa.models.audit import AuditEntry
from estate_pwa.models.cleaning import (
    ChecklistItem, CleaningAssignment, CleaningInspection, CleaningResult, CleaningTask, CleaningTick, CleaningVisit,
    Frequency, TaskKind,
)
from estate_pwa.models.jobs import (
    FollowUp, PhotoStage, RepairCategory, RequestKind, RequestPause, RequestPhoto, RequestStatus, ServiceRequest,
    Urgency,
)
from estate_pwa.models.bookings import Booking, BookingRefund, SlotClosure
from estate_pwa.models.fees import (
    BillKind, FeeBill, FeePayment, FeeRate, FeeReceipt, FeeSettings, PaymentMethod, PriceUnit, ReceiptCounter, ServiceCategory,
    ServiceItem, StaffRole,
)
from estate_pwa.models.facilities import (
    INTACT_GRADES, MEASURE_OF, SUBKINDS, Asset, AssetCategory, AssetDefect, ConditionGrade, DefectSource, Measure,
)
from estate_pwa.models.estate import Area, AreaKind, Building, Estate, Facility, FacilityCategory, Unit, UnitType
from estate_pwa.models.inspections import (
    InspectionKind, InspectionPlan, InspectionResult, InspectionTask, ItemOutcome, PlanFrequency,
)
from estate_pwa.models.outbox import OutboxReceipt
from estate_pwa.models.indicators import EvidenceFile, IndicatorSetting, Rating, Survey, SurveyAnswer
from estate_pwa.models.incident import Incident, IncidentCategory, IncidentPhoto, IncidentStatus, SosAlert
from estate_pwa.models.patrol import (
    PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, RoundStatus, RouteStop, ScanOutcome,
)
from estate_pwa.models.people import STAFF_ROLES, AuthSession, InviteCode, Role, User, UserRole
from estate_pwa.models.reports import PlaceKind, PostedCode, PublicReport, RateCount, ReportCategory, ReportRoute
from estate_pwa.models.roster import DutyAssignment, Shift

ALL_TABLES = (
    Estate, Building, Unit, Area, Facility,
    User, UserRole, AuthSession, InviteCode,
    Shift, DutyAssignment,
    ServiceRequest, RequestPause, RequestPhoto, FollowUp,
    PatrolPoint, PatrolRoute, RouteStop, PatrolRound, PatrolScan,
    Incident, IncidentPhoto, SosAlert,
    IndicatorSetting, Survey, SurveyAnswer, EvidenceFile,
    FeeRate, FeeBill, FeePayment, ReceiptCounter, FeeReceipt, ServiceItem, FeeSettings,
    Booking, BookingRefund, SlotClosure,
    CleaningAssignment, ChecklistItem, CleaningTask, CleaningTick, CleaningVisit, CleaningInspection,
    CleaningResult,
    Asset, AssetDefect,
    InspectionPlan, InspectionTask, InspectionResult,
    OutboxReceipt,
    PostedCode, PublicReport, RateCount,
    AuditEntry,
)


@event.listens_for(Session, "before_flush")
def _keep_audit_append_only(session: Session, _context, _instances) -> None:
    """Refuse any change or deletion of an audit entry through the ORM."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("The audit log is append-only.")


__all__ = [
    "ChecklistItem", "CleaningAssignment", "CleaningInspection", "CleaningResult", "CleaningTask", "CleaningTick",
    "CleaningVisit",
    "Frequency", "TaskKind",
    "ALL_TABLES", "STAFF_ROLES", "Area", "AreaKind", "AuditEntry", "AuthSession", "Building",
    "DutyAssignment", "Estate", "EvidenceFile", "IndicatorSetting", "Rating", "Survey", "SurveyAnswer", "Facility", "FacilityCategory", "FollowUp", "Incident", "IncidentCategory",
    "IncidentPhoto", "IncidentStatus", "InviteCode", "PatrolPoint",
    "PatrolRound", "PatrolRoute", "PatrolScan", "PhotoStage", "RepairCategory", "RequestKind", "RequestPause",
    "RequestPhoto", "RequestStatus",
    "Role", "RoundStatus", "RouteStop", "ScanOutcome", "ServiceRequest", "Shift", "SosAlert", "Unit", "Urgency",
    "User", "UserRole",
    "FeeBill", "FeePayment", "FeeRate", "FeeReceipt", "PaymentMethod", "PriceUnit", "ReceiptCounter",
    "ServiceCategory", "ServiceItem", "FeeSettings", "UnitType",
    "BillKind", "Booking", "BookingRefund", "SlotClosure", "StaffRole",
    "INTACT_GRADES", "MEASURE_OF", "SUBKINDS", "Asset", "AssetCategory", "AssetDefect", "ConditionGrade",
    "DefectSource", "Measure",
    "OutboxReceipt",
    "InspectionKind", "InspectionPlan", "InspectionResult", "InspectionTask", "ItemOutcome", "PlanFrequency",
    "PlaceKind", "PostedCode", "PublicReport", "RateCount", "ReportCategory", "ReportRoute",
]
