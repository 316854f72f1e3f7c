"""Body sites in the words the patient sees, for sentences ("the bottom of your right heel").

Pure (no Django), so the triage rules and message texts can use it. The catalogue's labels
(journal.sites) name a site on its own; these phrases put a side and an owner into it, which
a label cannot do gracefully ("right Bottom of heel"). A test keeps both lists in step.
"""

from __future__ import annotations

# {whose} is "your" for the patient or "the" for a clinician; {side} is "left" or "right".
SITE_PHRASES: dict[str, str] = {
    "ankle_outer": "{whose} {side} outer ankle",
    "ankle_inner": "{whose} {side} inner ankle",
    "ankle_front": "the front of {whose} {side} ankle",
    "achilles": "the back of {whose} {side} ankle and heel (Achilles)",
    "heel_bottom": "the bottom of {whose} {side} heel",
    "arch": "the arch of {whose} {side} foot",
    "ball_of_foot": "the ball of {whose} {side} foot",
    "big_toe": "{whose} {side} big toe",
    "lesser_toes": "the smaller toes of {whose} {side} foot",
    "top_of_foot": "the top of {whose} {side} foot",
    "outer_foot": "the outer edge of {whose} {side} foot",
    "calf": "{whose} {side} calf",
}


def site_phrase(site: str, side: str, *, whose: str = "the") -> str:
    """``site``/``side`` codes as words: ``site_phrase("heel_bottom", "right", whose="your")``
    is "the bottom of your right heel". An unknown code is shown as itself, never an error:
    a message must not fail over wording."""
    template = SITE_PHRASES.get(site)
    if template is None:
        return f"{whose} {side} {site.replace('_', ' ')}"
    return template.format(whose=whose, side=side)
