"""Whole-patient scenarios, registry integrity, seed citations and the generated docs."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from triage import rules as r
from triage.docs import render_rules_markdown
from triage.domain import Level
from triage.engine import DISCLAIMER, Assessment, assess

from .builders import LONDON, NOW, at, daily, entry, facts, session

PROJECT_DIR = Path(__file__).resolve().parents[2]
DOCS_FILE = PROJECT_DIR / "docs" / "triage-rules.md"
# The clinical seed texts, copied into the project so any checkout can check the passages.
SEEDS_DIR = Path(os.environ.get("TRIAGE_SEEDS_DIR", PROJECT_DIR / "triage" / "seeds"))
SHARED_SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"


def _codes(assessment: Assessment) -> list[str]:
    return [f.rule for f in assessment.findings]


# --- Scenarios -------------------------------------------------------------------------------


def test_pain_free_patient_is_self_care_with_no_findings() -> None:
    result = assess(facts(daily([0] * 21)))
    assert result.level == Level.SELF_CARE
    assert result.findings == ()


def test_steadily_improving_sprain_is_self_care() -> None:
    swelling = ["moderate", "moderate", "mild", "mild", "mild", "none", "none"]
    entries = [
        entry(-6 + i, severity, swelling=swelling[i], sudden_onset=(i == 0))
        for i, severity in enumerate([7, 6, 5, 4, 3, 2, 1])
    ]
    # Sensible icing: 15 minutes, three hours apart.
    treatments = [session(d, 15, hour=h) for d in range(-6, 1) for h in (8, 11, 14)]
    for day in range(-6, 1):
        # Day by day the patient is never told their pain "has not gone away".
        as_of = at(day, 20)
        seen = facts([e for e in entries if e.recorded_at <= as_of], now=as_of)
        assert "persistent_pain" not in _codes(assess(seen)), day
    result = assess(facts(entries, treatments, now=at(0, 20)))
    assert result.level == Level.SELF_CARE
    assert result.findings == ()


def test_sprain_that_plateaus_is_told_to_consult() -> None:
    result = assess(facts(daily([7, 6, 5, 5, 5, 5], swelling="mild")))
    assert result.level == Level.CONSULT
    # The swelling has stayed (mild every day) and is not going down either.
    assert _codes(result) == ["persistent_swelling", "persistent_pain"]


@pytest.mark.parametrize("afterwards", ["nothing logged", "symptom-free days logged"])
def test_ended_episode_with_old_red_flags_does_not_escalate_today(afterwards: str) -> None:
    red_flags = [
        entry(
            -21,
            9,
            site="achilles",
            heard_pop=True,
            fever=True,
            redness_or_warmth=True,
            can_bear_weight=False,
            swelling="severe",
            numbness_or_tingling=True,
        ),
        *daily([8, 7, 5, 4], end=-17, site="achilles"),
    ]
    # Nothing logged: only a silence longer than SILENT_GAP_DAYS ends the episode.
    silent = afterwards == "nothing logged"
    later = [] if silent else daily([0] * 17, site="achilles")
    now = at(r.SILENT_GAP_DAYS + 1 - 17) if silent else at(0)
    result = assess(facts(red_flags + later, now=now))
    assert result.level == Level.SELF_CARE
    assert result.findings == ()


@pytest.mark.parametrize("ended_by", ["'gone'", "two quiet days", "a long silence"])
def test_new_episode_does_not_inherit_old_red_flags(ended_by: str) -> None:
    old = [entry(-30, 8, fever=True, can_bear_weight=False), entry(-29, 0, gone=True)]
    if ended_by == "two quiet days":
        old = [entry(-30, 8, fever=True, can_bear_weight=False), *daily([0, 0], end=-28)]
    if ended_by == "a long silence":
        old = [entry(-r.SILENT_GAP_DAYS - 1, 8, fever=True, can_bear_weight=False)]
    result = assess(facts([*old, entry(0, 2)]))
    assert result.level == Level.SELF_CARE
    assert result.findings == ()


def test_red_flag_today_escalates_even_with_pain_free_history() -> None:
    result = assess(facts([*daily([0] * 10, end=-1), entry(0, 3, redness_or_warmth=True)]))
    assert result.level == Level.CONSULT_24H
    assert _codes(result) == ["infection_signs"]


def test_diabetic_patient_with_mild_pain_is_consult() -> None:
    result = assess(facts(daily([2, 2]), has_diabetes=True))
    assert result.level == Level.CONSULT
    assert _codes(result) == ["diabetes_foot_symptoms"]


# --- Engine ----------------------------------------------------------------------------------


def test_empty_facts() -> None:
    result = assess(facts())
    assert result == Assessment(level=Level.SELF_CARE, findings=(), assessed_at=NOW)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        assess(facts(now=datetime(2024, 6, 15, 12, 0), tz=LONDON))


def test_findings_most_urgent_first_then_registry_order() -> None:
    result = assess(
        facts(
            [entry(0, 8, site="achilles", heard_pop=True, numbness_or_tingling=True)],
            [session(0, 30)],
            has_diabetes=True,
        )
    )
    order = {rule.id: i for i, rule in enumerate(r.RULES)}
    keys = [(-f.level, order[f.rule]) for f in result.findings]
    assert keys == sorted(keys)
    assert result.level == Level.CONSULT_24H == result.findings[0].level
    assert _codes(result) == [
        "achilles_rupture",
        "severe_pain",
        "nerve_symptoms",
        "diabetes_foot_symptoms",
        "ice_heat_not_advised",
        "ice_heat_too_long",
    ]


def test_disclaimer() -> None:
    assert "not a diagnosis" in DISCLAIMER
    assert "emergency number" in DISCLAIMER


# --- Registry and sources --------------------------------------------------------------------


def test_rule_ids_are_unique_and_stable_looking() -> None:
    ids = [rule.id for rule in r.RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    assert set(r.RULES_BY_ID) == set(ids)


def test_lookback_covers_the_longest_rule() -> None:
    assert r.LOOKBACK.days > r.CHRONIC_PAIN_DAYS + r.SILENT_GAP_DAYS


def _normalise(text: str) -> str:
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def _all_cited() -> list[r.Source]:
    cited = [s for rule in r.RULES for s in (rule.source, *rule.see_also)]
    cited += [d.source for d in r.DECISIONS if d.source is not None]
    return cited + list(r.all_sources())


@pytest.mark.parametrize(
    "source", sorted(set(_all_cited()), key=lambda s: (s.file, s.passage)), ids=lambda s: s.passage
)
def test_every_passage_occurs_in_its_seed_file(source: r.Source) -> None:
    path = SEEDS_DIR / source.file
    assert path.is_file(), f"seed file missing: {path} (set TRIAGE_SEEDS_DIR)"
    assert _normalise(source.passage) in _normalise(path.read_text(encoding="utf-8"))


def test_passage_check_would_catch_a_misquote() -> None:
    text = _normalise((SEEDS_DIR / r.S001).read_text(encoding="utf-8"))
    assert _normalise("You can\u2019t put weight on your ankle.") not in text  # file: "cant"
    assert _normalise("You cant put weight on your ankle.") in text


# --- Generated docs --------------------------------------------------------------------------


def test_docs_file_is_in_sync_with_the_registry() -> None:
    assert DOCS_FILE.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/triage-rules.md is stale: run `python manage.py triage_docs`"
    )


def test_docs_render_is_deterministic_and_complete() -> None:
    text = render_rules_markdown()
    assert text == render_rules_markdown()
    for rule in r.RULES:
        assert f"`{rule.id}`" in text
        assert rule.source.passage in text
    for decision in r.DECISIONS:
        assert f"`{decision.name}`" in text
    assert "`emergency`" in text


def test_triage_docs_command_writes_and_checks(settings, tmp_path: Path) -> None:
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="out of date"):
        call_command("triage_docs", "--check")
    call_command("triage_docs")
    assert (tmp_path / "docs" / "triage-rules.md").read_text(encoding="utf-8") == (
        render_rules_markdown()
    )
    call_command("triage_docs", "--check")
    (tmp_path / "docs" / "triage-rules.md").write_text("stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("triage_docs", "--check")


@pytest.mark.skipif(not SHARED_SEEDS_DIR.is_dir(), reason="no shared/seeds beside this checkout")
def test_copied_seeds_match_the_shared_originals() -> None:
    for original in sorted(SHARED_SEEDS_DIR.glob("*.txt")):
        copy = SEEDS_DIR / original.name
        assert copy.is_file(), f"{original.name} is not copied into {SEEDS_DIR}"
        assert copy.read_bytes() == original.read_bytes(), f"{original.name} has drifted"
