"""Questionnaires as data: ``instruments.json`` holds each instrument's items, anchors, recall
period, schedule, scoring rule and source; this module reads it and scores answers with one
generic scorer per scoring method, never code per instrument.

Pure: no Django, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

DEFINITIONS = Path(__file__).with_name("instruments.json")
SCHEDULES = ("weekly", "episode_end")
METHODS = ("mean", "sum", "item")


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    text: str
    min: int
    max: int
    min_anchor: str
    max_anchor: str
    anchors: tuple[str, ...] = ()  # one label per value, min to max, when every value has one


@dataclass(frozen=True, slots=True)
class Scoring:
    method: str  # "mean" | "sum" | "item"
    items: tuple[str, ...]
    decimals: int
    min: int
    max: int
    higher_is: str  # "worse" | "better"
    rule: str


@dataclass(frozen=True, slots=True)
class MeaningfulChange:
    relative: float  # a fall (direction "down") of this fraction of the baseline score
    direction: str
    source: str


@dataclass(frozen=True, slots=True)
class Instrument:
    code: str
    title: str
    version: str
    schedule: str
    recall_period: str
    source: str
    terms: str
    items: tuple[Item, ...]
    scoring: Scoring
    meaningful_change: MeaningfulChange | None

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)


class AnswerError(ValueError):
    """The submission does not fit; ``errors`` maps a field to the reason, and ``answers`` to
    {item code: reason} for the items that are wrong."""

    def __init__(self, errors: dict[str, str | dict[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _instrument(raw: dict) -> Instrument:
    items = tuple(
        Item(**{**item, "anchors": tuple(item.get("anchors", ()))}) for item in raw["items"]
    )
    scoring = Scoring(**{**raw["scoring"], "items": tuple(raw["scoring"]["items"])})
    change = raw.get("meaningful_change")
    instrument = Instrument(
        **{
            **raw,
            "items": items,
            "scoring": scoring,
            "meaningful_change": MeaningfulChange(**change) if change else None,
        }
    )
    _check(instrument)
    return instrument


def _check(instrument: Instrument) -> None:
    """A malformed definition stops start-up (tests load them all), not a patient's answer."""
    codes = [item.code for item in instrument.items]
    if instrument.schedule not in SCHEDULES or instrument.scoring.method not in METHODS:
        raise ValueError(f"{instrument.code}: unknown schedule or scoring method")
    if len(set(codes)) != len(codes) or not set(instrument.scoring.items) <= set(codes):
        raise ValueError(f"{instrument.code}: item codes repeat or scoring names an unknown item")
    if instrument.scoring.method == "item" and len(instrument.scoring.items) != 1:
        raise ValueError(f"{instrument.code}: 'item' scoring takes exactly one item")
    for item in instrument.items:
        if item.anchors and len(item.anchors) != item.max - item.min + 1:
            raise ValueError(f"{instrument.code}.{item.code}: one anchor per value")


@cache
def instruments() -> dict[str, Instrument]:
    """Every instrument we offer, by code."""
    raw = json.loads(DEFINITIONS.read_text())
    return {code: _instrument(definition) for code, definition in raw.items()}


def instrument(code: str) -> Instrument:
    return instruments()[code]


def validate_answers(instrument: Instrument, answers: object) -> dict[str, int]:
    """Every item answered, with a whole number in its range, and nothing else."""
    if not isinstance(answers, dict):
        raise AnswerError({"answers": "An object with one answer per item."})
    errors: dict[str, str | dict[str, str]] = {}
    for item in instrument.items:
        value = answers.get(item.code)
        if value is None:
            errors[item.code] = "This item must be answered."
        # bool is an int in Python; true is not an answer on a 0-10 scale.
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[item.code] = f"A whole number from {item.min} to {item.max}."
        elif not item.min <= value <= item.max:
            errors[item.code] = f"Out of range: a whole number from {item.min} to {item.max}."
    for code in answers:
        if instrument.item(code) is None:
            errors[str(code)] = "Not an item of this questionnaire."
    if errors:
        raise AnswerError({"answers": errors})
    return {item.code: answers[item.code] for item in instrument.items}


def score(instrument: Instrument, answers: dict[str, int]) -> Decimal:
    """The instrument's published score for validated answers, rounded half up."""
    rule = instrument.scoring
    values = [Decimal(answers[code]) for code in rule.items]
    if rule.method == "mean":
        raw = sum(values, Decimal(0)) / len(values)
    elif rule.method == "sum":
        raw = sum(values, Decimal(0))
    else:  # "item"
        raw = values[0]
    return raw.quantize(Decimal(1).scaleb(-rule.decimals), rounding=ROUND_HALF_UP)


def meaningful_improvement(instrument: Instrument, baseline: Decimal, latest: Decimal) -> bool:
    """Whether ``latest`` is better than ``baseline`` by at least the published threshold."""
    change = instrument.meaningful_change
    if change is None or baseline <= 0:
        return False
    fall = (baseline - latest) / baseline
    return fall >= Decimal(str(change.relative))
