"""Render docs/triage-rules.md from the rule registry, so the docs cannot drift from the code.

No Django needed: ``python -c "import triage.docs; print(triage.docs.render_rules_markdown())"``
works without settings. ``manage.py triage_docs`` writes the file; ``--check`` verifies it.
"""

from __future__ import annotations

from triage.domain import Level
from triage.engine import DISCLAIMER
from triage.episodes import QUIET_DAYS, RECOVERY_GAP_DAYS, SILENT_GAP_DAYS
from triage.rules import DECISIONS, LOOKBACK, RULES, TREATMENT_ADVICE_DAYS, Source

LEVEL_MEANINGS: dict[Level, str] = {
    Level.SELF_CARE: "Watch it and look after it at home; see a doctor if it gets worse.",
    Level.CONSULT: "Book an appointment with a doctor.",
    Level.CONSULT_24H: "See a doctor within 24 hours.",
    Level.EMERGENCY: "Go now: emergency care.",
}


def _quote(source: Source) -> str:
    return f"`{source.file}`: “{source.passage}”"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rules_markdown() -> str:
    """The full content of docs/triage-rules.md. Deterministic: same registry, same text."""
    used = {rule.level for rule in RULES}
    lines: list[str] = [
        "# Triage rules",
        "",
        "<!-- Generated from triage/rules.py by `python manage.py triage_docs`. "
        "Do not edit by hand; `python manage.py triage_docs --check` fails when stale. -->",
        "",
        "The triage engine decides, from a patient's journal, how soon they should see a "
        "doctor, and says why. Each rule is a pure function of the patient's entries, ice/heat "
        "sessions, profile flags and the current time. Every rule cites the clinical seed text "
        "it rests on; every number the seeds do not give is a named product decision, listed "
        "below.",
        "",
        f"Patient-facing disclaimer shown with every assessment: “{DISCLAIMER}”",
        "",
        "## Levels",
        "",
        "The assessment's level is the highest level among its findings, `self_care` when "
        "there are none.",
        "",
        "| Level | Meaning | Used by a rule |",
        "|---|---|---|",
    ]
    for level in Level:
        lines.append(
            f"| `{level.code}` | {LEVEL_MEANINGS[level]} | {'yes' if level in used else 'no'} |"
        )
    if Level.EMERGENCY not in used:
        lines += [
            "",
            "No rule reaches `emergency`: nothing in the seed texts tells a patient to go to "
            "emergency care now. The most urgent seed advice is a possible Achilles rupture "
            "that “may need surgical repair within days”, which is `consult_24h`. The level "
            "stays defined so that a future, sourced rule can use it; the disclaimer tells "
            "patients to call their local emergency number in an emergency.",
        ]
    lines += [
        "",
        "## Days and episodes",
        "",
        "- Days are the patient's local calendar days, in the time zone of their profile, "
        "never UTC days.",
        "- An *episode* is a spell of trouble at one site and side (e.g. the left outer "
        "ankle). An entry is *symptomatic* when it reports pain (severity above 0) or any flag "
        "(swelling, sudden onset, redness or warmth, fever, cannot bear weight, numbness, pop, "
        "back or leg pain).",
        "- A gap in logging is not a recovery. With nothing logged at the site since its last "
        f"symptom, an episode stays open for {SILENT_GAP_DAYS} local days, and a symptom "
        "within that time continues it: weekly, fortnightly or monthly entries of the same "
        "pain are one episode, as long as its first to its latest painful day "
        "(`SILENT_GAP_DAYS`).",
        "- A reading of 0 is not a recovery either. Pain that comes and goes (every evening, "
        "after every walk) is logged as 0 in its quiet hours; such an entry says nothing new, "
        "and the rules go on reading the episode as on its last symptomatic day, so the "
        "advice does not change with the hour the patient happens to log. A plain 0 ends the "
        f"episode only when every entry at the site on {QUIET_DAYS} consecutive local days is "
        "symptom-free, at the end of the second day (`QUIET_DAYS`). Within an open episode, "
        f"pain (and, for `persistent_swelling`, swelling) is read as gone the same way: absent "
        f"on {QUIET_DAYS} consecutive logged days; until then a pain-free day with other "
        "symptoms is read together with the last painful day.",
        "- Only the patient ends an episode at once: the answer “Gone” (the follow-up "
        "question's one tap, or the log form's “it has gone”; `gone: true` on an entry with "
        "severity 0 and no other symptom in the API) ends it there and then, or at the end of "
        "the day when a symptom was logged at the site earlier that day (today's red flags "
        "count today). After an end, a symptom within "
        f"{RECOVERY_GAP_DAYS} local days of the last one still continues the episode (a good "
        "spell is not a cure); a later one starts a new episode (`RECOVERY_GAP_DAYS`).",
        "- An ended episode (the patient said it was gone, two quiet days, or more than "
        f"{SILENT_GAP_DAYS} silent days) no longer escalates, so an old red flag from it does "
        "not escalate today.",
        "- While an episode with symptoms is open and its site has not been logged for 2 "
        "local days, the daily reminder asks about that site by name (see the README).",
        "- Symptom rules read an episode's state on its last symptomatic local day (all "
        "entries of that day, so a hasty second entry cannot hide a red flag logged minutes "
        "earlier). A day with pain is a full reading: what earlier days reported and it does "
        "not is read as gone. A day without pain is not: a symptom logged on or after the "
        f"last painful day keeps counting until the site has been logged without it on "
        f"{QUIET_DAYS} consecutive days, so a pain-free entry about something else hides "
        "neither the pain nor a red flag. Trend rules (persistent, worsening, lasting) "
        "compare the worst pain of each day, leaving out pain-free days after the last "
        "painful one until the pain is over (a quiet reading between painful ones is not "
        "improvement). A sudden onset or a pop ages with the pain logged after it "
        "(`SUDDEN_ONSET_DAYS`, `ACHILLES_POP_DAYS`), not with pain-free days.",
        "- Persistent pain uses improvement, not just presence: a patient whose pain is clearly "
        "falling (e.g. 7, 6, 5, 4, 3, 2, 1 after a sprain) is not told to see a doctor, "
        "following the seed's “no improvement during the course of the first few days”. Pain "
        "that plateaus or rises does escalate. Swelling is read the same way "
        "(`persistent_swelling`): a sprain whose swelling goes down (moderate, moderate, "
        "mild, mild, none) stays `self_care`; swelling that stays for a few days without "
        "going down is `consult`.",
        f"- Ice and heat rules look at the sessions of the last {TREATMENT_ADVICE_DAYS} local "
        "days.",
        f"- Callers must supply at least {LOOKBACK.days} days of entries and sessions "
        "(`triage.rules.LOOKBACK`), enough to see a months-long episode from its start.",
        "",
        "## Diabetes",
        "",
        "The seeds say only that diabetes can damage the nerves of the foot (`004`). From "
        "that, as a product safety decision rather than a seed threshold: a patient with "
        "diabetes and any current foot symptom gets `consult` at once "
        "(`diabetes_foot_symptoms`) instead of waiting for pain to persist, because pain is a "
        "weaker warning when nerves are damaged; numbness messages mention diabetes; and "
        "diabetes counts as a sensation problem for ice and heat (`ice_heat_not_advised`).",
        "",
        "## Product decisions",
        "",
        "| Constant | Value | Why | Seed passage it interprets |",
        "|---|---|---|---|",
    ]
    for d in DECISIONS:
        passage = _quote(d.source) if d.source else "none"
        lines.append(f"| `{d.name}` | {_cell(d.value)} | {_cell(d.why)} | {_cell(passage)} |")
    lines += [
        "",
        "## Rules",
        "",
        "In display order; the engine lists findings most urgent first.",
        "",
    ]
    lines += ["| Id | Level | Title |", "|---|---|---|"]
    lines += [f"| `{r.id}` | `{r.level.code}` | {_cell(r.title)} |" for r in RULES]
    for rule in RULES:
        lines += [
            "",
            f"### `{rule.id}`: {rule.title}",
            "",
            f"- Level: `{rule.level.code}`",
            f"- Trigger: {rule.trigger}",
            f"- Source: {_quote(rule.source)}",
        ]
        lines += [f"- See also: {_quote(s)}" for s in rule.see_also]
    return "\n".join(lines) + "\n"
