"""Scoring against the published rules; definitions load and are well formed. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcomes.instruments import (
    AnswerError,
    instrument,
    instruments,
    meaningful_improvement,
    score,
    validate_answers,
)


def test_every_definition_loads_with_its_source_and_terms():
    found = instruments()
    assert set(found) == {"peg", "pgic"}
    for definition in found.values():
        assert definition.source and definition.terms and definition.recall_period


# Krebs et al. 2009: "the PEG score is the average of the three individual item scores".
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"pain": 0, "enjoyment": 0, "activity": 0}, Decimal("0.00")),
        ({"pain": 10, "enjoyment": 10, "activity": 10}, Decimal("10.00")),
        ({"pain": 7, "enjoyment": 8, "activity": 6}, Decimal("7.00")),
        ({"pain": 5, "enjoyment": 4, "activity": 4}, Decimal("4.33")),
        ({"pain": 5, "enjoyment": 5, "activity": 4}, Decimal("4.67")),
    ],
)
def test_peg_is_the_mean_of_its_three_items(answers, expected):
    assert score(instrument("peg"), answers) == expected


@pytest.mark.parametrize("value", range(1, 8))
def test_pgic_scores_the_answer_itself(value):
    assert score(instrument("pgic"), {"change": value}) == Decimal(value)


def test_pgic_anchors_run_from_very_much_improved_to_very_much_worse():
    item = instrument("pgic").items[0]
    assert item.anchors[0] == "Very much improved" and item.anchors[-1] == "Very much worse"
    assert item.anchors[3] == "No change"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"pain": 5, "enjoyment": 5}, "activity"),
        ({"pain": 11, "enjoyment": 5, "activity": 5}, "pain"),
        ({"pain": -1, "enjoyment": 5, "activity": 5}, "pain"),
        ({"pain": True, "enjoyment": 5, "activity": 5}, "pain"),
        ({"pain": 5.5, "enjoyment": 5, "activity": 5}, "pain"),
        ({"pain": 5, "enjoyment": 5, "activity": 5, "mood": 3}, "mood"),
    ],
)
def test_answers_are_refused_item_by_item(answers, field):
    with pytest.raises(AnswerError) as refused:
        validate_answers(instrument("peg"), answers)
    assert field in refused.value.errors["answers"]


def test_a_thirty_percent_fall_is_the_meaningful_improvement():
    peg = instrument("peg")
    assert meaningful_improvement(peg, Decimal("6.00"), Decimal("4.20"))  # exactly 30 %
    assert not meaningful_improvement(peg, Decimal("6.00"), Decimal("4.33"))
    assert not meaningful_improvement(peg, Decimal("0.00"), Decimal("0.00"))
