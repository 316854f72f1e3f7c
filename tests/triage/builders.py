"""Tiny builders for triage facts: wall-clock times in the patient's zone, predictable ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from triage.domain import Entry, PatientFacts, Profile, Treatment

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# Noon on a Saturday, local time: far from midnight so day-offset arithmetic is unambiguous.
NOW = datetime(2024, 6, 15, 12, 0, tzinfo=LONDON)

_ids = count(1)


def next_id() -> UUID:
    return UUID(int=next(_ids))


def at(day: int, hour: int = 9, minute: int = 0, *, now: datetime = NOW) -> datetime:
    """Local wall-clock time ``day`` days from ``now`` (same zone as ``now``)."""
    base = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    # Aware arithmetic with one ZoneInfo is wall-clock arithmetic: 09:00 stays 09:00 across DST.
    return base + timedelta(days=day)


def entry(
    day: int,
    severity: int = 3,
    *,
    hour: int = 9,
    minute: int = 0,
    now: datetime = NOW,
    site: str = "ankle_outer",
    side: str = "left",
    **flags: Any,
) -> Entry:
    return Entry(
        id=next_id(),
        recorded_at=at(day, hour, minute, now=now),
        site=site,
        side=side,
        severity=severity,
        **flags,
    )


def daily(severities: Iterable[int], *, end: int = 0, **kw: Any) -> list[Entry]:
    """One entry a day, the last one on day ``end``."""
    values = list(severities)
    return [entry(end - len(values) + 1 + i, s, **kw) for i, s in enumerate(values)]


def session(
    day: int,
    minutes: int | None = 10,
    *,
    hour: int = 9,
    minute: int = 0,
    now: datetime = NOW,
    kind: str = "ice",
    site: str = "ankle_outer",
    side: str = "left",
    skin_reaction: bool = False,
) -> Treatment:
    return Treatment(
        id=next_id(),
        kind=kind,
        site=site,
        side=side,
        started_at=at(day, hour, minute, now=now),
        minutes=minutes,
        skin_reaction=skin_reaction,
    )


def facts(
    entries: Iterable[Entry] = (),
    treatments: Iterable[Treatment] = (),
    *,
    now: datetime = NOW,
    tz: ZoneInfo | None = None,
    **profile: Any,
) -> PatientFacts:
    zone = tz or now.tzinfo
    assert isinstance(zone, ZoneInfo)
    return PatientFacts(
        profile=Profile(timezone=zone, **profile),
        now=now,
        entries=tuple(entries),
        treatments=tuple(treatments),
    )
