"""What an entry reports: read the same way by the API's checks (journal) and by the triage
rules (triage.episodes imports these; journal sits below triage). Pure: no Django, no clock.

Works on anything with the entry's attributes: a stored ``PainLog``, triage's frozen
``Entry``, or the values of a request about to be stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

# Temperatures at or above this count as a fever. Product decision: the seeds say "fever" but
# give no number; 38.0 °C is the usual clinical cut-off.
FEVER_TEMPERATURE_C = 38.0

SWELLING_NONE = "none"


class Findings(Protocol):
    severity: int
    swelling: str
    sudden_onset: bool
    redness_or_warmth: bool
    fever: bool
    temperature_c: Decimal | float | None
    can_bear_weight: bool
    numbness_or_tingling: bool
    heard_pop: bool
    back_or_leg_pain: bool


def has_fever(entry: Findings) -> bool:
    return entry.fever or (
        entry.temperature_c is not None and entry.temperature_c >= FEVER_TEMPERATURE_C
    )


def is_symptomatic(entry: Findings) -> bool:
    """Whether the entry reports anything wrong: pain, or any flag, even at severity 0.

    Flags count without pain so that, say, a fever logged with "no pain" still keeps the
    episode open: a red flag must never be dismissed because the pain score was 0.
    """
    # Spelled out rather than a loop over triage's SYMPTOMS: it runs for every entry of every
    # write.
    return (
        entry.severity > 0
        or entry.swelling != SWELLING_NONE
        or entry.sudden_onset
        or entry.redness_or_warmth
        or has_fever(entry)
        or not entry.can_bear_weight
        or entry.numbness_or_tingling
        or entry.heard_pop
        or entry.back_or_leg_pain
    )
