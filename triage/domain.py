"""Plain, immutable facts the triage rules read. No ORM objects cross this line.

The journal builds these from the database (triage.facts); the rules and their
tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from uuid import UUID
from zoneinfo import ZoneInfo


class Level(IntEnum):
    """How soon to see a doctor. Ordered: a higher value is more urgent."""

    SELF_CARE = 0
    CONSULT = 1
    CONSULT_24H = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Level:
        return cls[code.upper()]


@dataclass(frozen=True, slots=True)
class Entry:
    """One pain-journal entry, as the patient logged it."""

    id: UUID
    recorded_at: datetime  # aware
    site: str  # a journal body-site code, e.g. "ankle_outer", "achilles"
    side: str  # "left" | "right"
    severity: int  # 0..10
    swelling: str = "none"  # "none" | "mild" | "moderate" | "severe"
    sudden_onset: bool = False
    redness_or_warmth: bool = False
    fever: bool = False
    temperature_c: float | None = None
    can_bear_weight: bool = True
    numbness_or_tingling: bool = False
    heard_pop: bool = False
    back_or_leg_pain: bool = False
    # The patient says the trouble at this site is over (the follow-up's one-tap "Gone", or
    # the log form's equivalent), as opposed to a reading of 0 that happens to be quiet.
    # Only meaningful on a symptom-free entry; triage ignores it on any other.
    gone: bool = False


@dataclass(frozen=True, slots=True)
class Treatment:
    """One ice or heat session."""

    id: UUID
    kind: str  # "ice" | "heat"
    site: str
    side: str
    started_at: datetime  # aware
    minutes: int | None  # None while still running
    skin_reaction: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    timezone: ZoneInfo
    has_diabetes: bool = False
    has_circulation_problems: bool = False
    has_reduced_sensation: bool = False
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """Everything a rule may look at. ``now`` is passed in: rules never read a clock."""

    profile: Profile
    now: datetime  # aware
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    treatments: tuple[Treatment, ...] = field(default_factory=tuple)
