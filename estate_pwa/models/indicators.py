"""What the indicators view keeps of its own: a manager's per-estate targets and bases, the owners' survey of
satisfaction, and evidence files for certification. Every indicator value is computed from the other features'
records; none is stored."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped


class IndicatorSetting(EstateOwned, Timestamped, table=True):
    """An estate's own target (operator and value) and base for one indicator, replacing the plan's default."""

    __table_args__ = (UniqueConstraint("estate_id", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator: str = Field(max_length=40)
    op: str = Field(max_length=2)
    target: float
    base: str | None = Field(default=None, max_length=20)
    changed_by_id: int = Field(foreign_key="user.id")


class Rating(StrEnum):
    """A household's answer to one survey question."""

    SATISFIED = "satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    DISSATISFIED = "dissatisfied"


class Survey(EstateOwned, Timestamped, table=True):
    """A satisfaction survey period (usually every six months); households answer while it is open."""

    __table_args__ = (Index("ix_survey_estate_opened", "estate_id", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    opened_at: datetime
    closed_at: datetime | None = None
    opened_by_id: int = Field(foreign_key="user.id")


class SurveyAnswer(EstateOwned, table=True):
    """One household's answer to a survey: overall plus five aspects, and a comment."""

    __table_args__ = (UniqueConstraint("survey_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    resident_id: int = Field(foreign_key="user.id")
    overall: str = Field(max_length=20)
    security: str = Field(max_length=20)
    cleaning: str = Field(max_length=20)
    repairs: str = Field(max_length=20)
    greenery: str = Field(max_length=20)
    attitude: str = Field(max_length=20)
    comment: str = Field(default="", max_length=500)
    answered_at: datetime


class EvidenceFile(EstateOwned, Timestamped, table=True):
    """A document uploaded for one evidence item the certification assessors ask for."""

    __table_args__ = (Index("ix_evidencefile_estate_item", "estate_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=40)
    file: str = Field(max_length=120)
    original_name: str = Field(max_length=200)
    uploaded_by_id: int = Field(foreign_key="user.id")

