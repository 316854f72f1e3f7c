"""Reads: the patient's responses, what is due, and the episodes that ended."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from journal.models import Patient
from journal.timezones import zone
from outcomes import periods
from outcomes.insights import SiteInsight, site_insights
from outcomes.instruments import instruments
from outcomes.models import QuestionnaireResponse
from triage.episodes import local_date, split_episodes
from triage.facts import patient_facts
from triage.models import ACTIVE_STATUSES, Alert


def responses_of(*, patient: Patient, instrument: str | None = None) -> QuerySet:
    """The patient's own responses, newest first (the patient API and the patient export)."""
    found = QuestionnaireResponse.objects.filter(patient_id=patient.pk)
    return found.filter(instrument=instrument) if instrument else found


def ended_episodes(*, patient: Patient, now: datetime) -> list[periods.EndedEpisode]:
    """Episodes the triage time model says are over today, within its lookback window."""
    facts = patient_facts(patient=patient, now=now)
    tz = facts.profile.timezone
    today = local_date(now, tz)
    return [
        periods.EndedEpisode(ep.site, ep.side, ep.start, ep.latest_day)
        for ep in split_episodes(facts.entries, tz)
        if not ep.is_active(today)
    ]


def due_for(*, patient: Patient, now: datetime) -> list[periods.Due]:
    """The questionnaires to offer the patient on their local day containing ``now``."""
    defined = instruments().values()
    answered = set(
        QuestionnaireResponse.objects.filter(patient_id=patient.pk).values_list(
            "instrument", "period"
        )
    )
    return periods.due(
        today=local_date(now, zone(patient.timezone)),
        answered=answered,
        ended=ended_episodes(patient=patient, now=now),
        weekly=[i.code for i in defined if i.schedule == "weekly"],
        at_episode_end=[i.code for i in defined if i.schedule == "episode_end"],
    )


def weekly_due(*, patient: Patient, now: datetime) -> bool:
    """Whether a weekly questionnaire (the PEG) is still unanswered this local week; one query,
    for the reminder sweep."""
    today = local_date(now, zone(patient.timezone))
    weekly = [i.code for i in instruments().values() if i.schedule == "weekly"]
    answered = QuestionnaireResponse.objects.filter(
        patient_id=patient.pk, instrument__in=weekly, period=periods.week_period(today)
    ).count()
    return answered < len(weekly)


def insights_for(*, patient: Patient, now: datetime) -> list[SiteInsight]:
    """The patient's treatment insight over the triage lookback window (two queries for the
    journal, one for the alerts)."""
    facts = patient_facts(patient=patient, now=now)
    profile = facts.profile
    red_flags = set(
        Alert.objects.filter(patient_id=patient.pk, status__in=ACTIVE_STATUSES)
        .exclude(site="")
        .values_list("site", "side")
    )
    return site_insights(
        entries=facts.entries,
        treatments=facts.treatments,
        tz=profile.timezone,
        now=now,
        ice_heat_not_advised=(
            profile.has_diabetes
            or profile.has_circulation_problems
            or profile.has_reduced_sensation
        ),
        red_flag_places=red_flags,
    )
