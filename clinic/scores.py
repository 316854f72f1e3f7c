"""Outcome scores and treatment insight for the workspace: the "My patients" column, the
patient page and the print view. Reads only for patients the caller's selectors already
scoped (``patient_or_404``, the list's page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from clinic.selectors import Period
from journal.models import Patient
from journal.timezones import zone
from outcomes.insights import CAVEAT, MIN_DAYS, SiteInsight
from outcomes.instruments import instrument, meaningful_improvement
from outcomes.models import QuestionnaireResponse
from outcomes.selectors import insights_for, responses_of

PEG = "peg"


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    latest: Decimal
    latest_day: str
    first: Decimal
    change: Decimal  # latest - first; negative is better on the PEG
    meaningful: bool  # a fall of at least the published threshold (docs/outcomes.md)
    count: int

    @property
    def words(self) -> str:
        if self.count == 1:
            return f"PEG {self.latest} ({self.latest_day}), first score"
        flag = ", meaningful improvement" if self.meaningful else ""
        return f"PEG {self.latest} ({self.latest_day}), {self.change:+} since first{flag}"


def summary(scores: list[tuple[datetime, Decimal]], tz_name: str) -> ScoreSummary | None:
    """From (authored_at, score) pairs in any order: latest, first and the change."""
    if not scores:
        return None
    ordered = sorted(scores)
    first, (last_at, latest) = ordered[0][1], ordered[-1]
    return ScoreSummary(
        latest=latest,
        latest_day=f"{last_at.astimezone(zone(tz_name)):%d %b %Y}",
        first=first,
        change=latest - first,
        meaningful=meaningful_improvement(instrument(PEG), first, latest),
        count=len(ordered),
    )


def attach_scores(patients: list[Patient]) -> None:
    """Set ``peg`` (a ScoreSummary or None) on each patient of a list page: one query."""
    by_patient: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    rows = QuestionnaireResponse.objects.filter(
        patient_id__in=[p.pk for p in patients], instrument=PEG
    ).values_list("patient_id", "authored_at", "score")
    for patient_id, authored_at, score in rows:
        by_patient[patient_id].append((authored_at, score))
    for patient in patients:
        patient.peg = summary(by_patient[patient.pk], patient.timezone)


def response_rows(
    patient: Patient, responses: list[QuestionnaireResponse] | None = None
) -> list[dict]:
    """Responses of a scoped patient (all of them by default), oldest first, as table rows."""
    tz = zone(patient.timezone)
    if responses is None:
        responses = list(reversed(list(responses_of(patient=patient))))
    rows = []
    for response in responses:
        definition = instrument(response.instrument)
        answers = ", ".join(
            f"{item.code} {response.answers.get(item.code)}" for item in definition.items
        )
        rows.append(
            {
                "instrument": definition.title,
                "code": response.instrument,
                "period": response.period,
                "when": f"{response.authored_at.astimezone(tz):%d %b %Y %H:%M}",
                "day": response.authored_at.astimezone(tz).date().isoformat(),
                "score": response.score,
                "answers": answers,
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class InsightView:
    results: list[SiteInsight]
    caveat: str = CAVEAT
    min_days: int = MIN_DAYS


def insight_view(patient: Patient, now: datetime) -> InsightView:
    return InsightView(insights_for(patient=patient, now=now))


def peg_threshold_words() -> str:
    change = instrument(PEG).meaningful_change
    return change.source if change else ""


def period_responses(*, patient: Patient, period: Period) -> list[QuestionnaireResponse]:
    """A scoped patient's responses answered within a print/export period, oldest first."""
    return list(
        responses_of(patient=patient)
        .filter(authored_at__gte=period.start, authored_at__lt=period.end)
        .order_by("authored_at", "id")
    )


def peg_series(rows: list[dict], labels: list[str]) -> list[float | None]:
    """The PEG score on the chart's local days (ISO dates), None on days without one; the
    chart draws it on the severity axis, both being 0-10."""
    by_day = {r["day"]: float(r["score"]) for r in rows if r["code"] == PEG}
    return [by_day.get(day) for day in labels]
