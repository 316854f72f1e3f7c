"""The body-site catalogue the app offers, with SNOMED CT body-structure codes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Site(models.TextChoices):
    ANKLE_OUTER = "ankle_outer", "Outer ankle"
    ANKLE_INNER = "ankle_inner", "Inner ankle"
    ANKLE_FRONT = "ankle_front", "Front of ankle"
    ACHILLES = "achilles", "Back of ankle and heel (Achilles)"
    HEEL_BOTTOM = "heel_bottom", "Bottom of heel"
    ARCH = "arch", "Arch of foot"
    BALL_OF_FOOT = "ball_of_foot", "Ball of foot"
    BIG_TOE = "big_toe", "Big toe"
    LESSER_TOES = "lesser_toes", "Other toes"
    TOP_OF_FOOT = "top_of_foot", "Top of foot"
    OUTER_FOOT = "outer_foot", "Outer edge of foot"
    CALF = "calf", "Calf"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


@dataclass(frozen=True, slots=True)
class SiteInfo:
    code: str
    label: str
    snomed_code: str


# Codes checked against published FHIR/SNOMED body-site value sets (docs/sites.md has the
# sources). Where SNOMED has no concept as specific as the app's site, the nearest broader
# concept is used rather than a guess: front of ankle -> ankle region; arch, ball of foot,
# lesser toes, top and outer edge of foot -> foot structure.
SNOMED_CODES: dict[str, str] = {
    Site.ANKLE_OUTER: "113225006",  # Lateral malleolus of fibula
    Site.ANKLE_INNER: "6417001",  # Medial malleolus
    Site.ANKLE_FRONT: "344001",  # Ankle region structure (broader)
    Site.ACHILLES: "61352006",  # Structure of Achilles tendon
    Site.HEEL_BOTTOM: "76853006",  # Heel structure
    Site.ARCH: "56459004",  # Foot structure (broader)
    Site.BALL_OF_FOOT: "56459004",  # Foot structure (broader)
    Site.BIG_TOE: "78883009",  # Great toe structure
    Site.LESSER_TOES: "56459004",  # Foot structure (broader)
    Site.TOP_OF_FOOT: "56459004",  # Foot structure (broader)
    Site.OUTER_FOOT: "56459004",  # Foot structure (broader)
    Site.CALF: "53840002",  # Calf of leg
}

CATALOGUE: tuple[SiteInfo, ...] = tuple(
    SiteInfo(code=site.value, label=str(site.label), snomed_code=SNOMED_CODES[site])
    for site in Site
)
