"""Writes: a questionnaire response, validated, one per period, idempotent by client id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from journal.models import Patient
from journal.services import patient_lock
from journal.timezones import zone
from outcomes import periods
from outcomes.instruments import AnswerError, instrument, instruments, score, validate_answers
from outcomes.models import QuestionnaireResponse
from outcomes.selectors import ended_episodes
from triage.episodes import local_date


@dataclass(frozen=True, slots=True)
class Submitted:
    response: QuestionnaireResponse
    created: bool  # False: the same id was sent again and the stored response is returned


def _period(
    *, patient: Patient, code: str, site: str, side: str, episode_start: date | None, now: datetime
) -> str:
    """The server decides the period: a PEG answers for the current local week, never a
    past one; a PGIC for an episode that has ended."""
    if instrument(code).schedule == "weekly":
        return periods.week_period(local_date(now, zone(patient.timezone)))
    if not (site and side and episode_start):
        raise AnswerError({"episode_start": "Say which episode: site, side and episode_start."})
    ended = {(e.site, e.side, e.start) for e in ended_episodes(patient=patient, now=now)}
    if (site, side, episode_start) not in ended:
        raise AnswerError({"episode_start": "No ended episode starts that day at this site."})
    return periods.episode_period(site, side, episode_start)


def response_submit(
    *,
    patient: Patient,
    instrument_code: str,
    answers: object,
    now: datetime,
    response_id: uuid.UUID | None = None,
    site: str = "",
    side: str = "",
    episode_start: date | None = None,
) -> Submitted:
    """Store a response. Raises AnswerError (field -> reason) when it does not fit."""
    if instrument_code not in instruments():
        raise AnswerError({"instrument": "Not a questionnaire we offer."})
    definition = instrument(instrument_code)
    clean = validate_answers(definition, answers)
    if definition.schedule == "weekly":
        site = side = ""
        episode_start = None
    with transaction.atomic():
        # The lock makes "one per period" and "same id again" exact for two devices at once.
        patient_lock(patient.pk)
        if response_id is not None:
            stored = QuestionnaireResponse.objects.filter(pk=response_id).first()
            if stored is not None:
                same = (
                    stored.patient_id == patient.pk
                    and stored.instrument == instrument_code
                    and stored.answers == clean
                )
                if not same:
                    raise AnswerError({"id": "This id is already used by another response."})
                return Submitted(stored, created=False)
        period = _period(
            patient=patient,
            code=instrument_code,
            site=site,
            side=side,
            episode_start=episode_start,
            now=now,
        )
        taken = QuestionnaireResponse.objects.filter(
            patient_id=patient.pk, instrument=instrument_code, period=period
        ).exists()
        if taken:
            raise AnswerError({"period": f"Already answered for {period}."})
        response = QuestionnaireResponse.objects.create(
            id=response_id or uuid.uuid4(),
            patient=patient,
            instrument=instrument_code,
            instrument_version=definition.version,
            period=period,
            site=site,
            side=side,
            answers=clean,
            score=score(definition, clean),
            authored_at=now,
        )
    return Submitted(response, created=True)
