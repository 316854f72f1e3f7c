"""Local days and site/side episodes: the time model every triage rule shares.

An *episode* is one spell of trouble at one site and side (say, the left outer ankle). The
rules read an episode's state as of its latest local day; ``now`` only decides whether the
episode is still going on. That keeps an old red flag from a finished episode from
escalating today, while a red flag the patient logged today always counts.

Pure: no Django, no clock. Days are the patient's local calendar days, never UTC days, so a
late-evening entry belongs to the day the patient lived it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from triage.domain import Entry, Treatment

# How long an episode survives with nothing logged at its site, and how soon the patient's own
# "it's gone" ends it. Silence is not recovery: real journals thin out, and someone who logs
# the same arch pain every week or two for four months has one long episode, not a string of
# one-day ones.
#
# RECOVERY_GAP_DAYS (product decision): once the patient has logged the site symptom-free
# after its last symptom, the episode is over; a symptom returning within a week still
# continues it (a good day is not a cure), a symptom after that starts a new episode. The
# improvement and worsening windows in triage.rules must not exceed it (see there).
#
# SILENT_GAP_DAYS: with nothing logged at the site since its last symptom, the episode stays
# open this long. From seed 001: most foot and ankle pain is soft-tissue injury that heals
# with self-care, "though some could take a few months to fully recover", and "lasts longer
# than a few months" (CHRONIC_PAIN_DAYS, 90 days) is the point to see a doctor; so a silent
# month inside those months is not evidence of recovery, and an episode must survive one if
# monthly entries are ever to show pain lasting "a few months". 001 also treats trouble that
# comes back "every few months" as recurring bouts, so a silence of months does end an
# episode. Half of CHRONIC_PAIN_DAYS sits between the two: monthly logging (gaps of up to 31
# days, plus a late week) keeps its episode, and the chronic rule can never rest on two
# reports with one long silence between them (it needs at least one report in the middle).
RECOVERY_GAP_DAYS = 7
SILENT_GAP_DAYS = 45

# Temperatures at or above this count as a fever. Product decision: the seeds say "fever" but
# give no number; 38.0 °C is the usual clinical cut-off.
FEVER_TEMPERATURE_C = 38.0

SWELLING_NONE = "none"


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The patient's calendar day for an aware instant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive datetime would be read as the server's local time: a silent off-by-hours bug.
        raise ValueError(f"naive datetime {moment!r}; triage needs aware datetimes")
    return moment.astimezone(tz).date()


def utc(moment: datetime) -> datetime:
    """The instant in UTC, for ordering and durations.

    Python compares and subtracts two datetimes that share a tzinfo by wall clock, ignoring
    DST: 01:30 before and after a fall-back would compare equal, and a session spanning a
    spring-forward would look an hour longer than it was. UTC has no such gaps.
    """
    return moment.astimezone(UTC)


def has_fever(entry: Entry) -> bool:
    return entry.fever or (
        entry.temperature_c is not None and entry.temperature_c >= FEVER_TEMPERATURE_C
    )


def is_symptomatic(entry: Entry) -> bool:
    """Whether the entry reports anything wrong: pain, or any flag, even at severity 0.

    Flags count without pain so that, say, a fever logged with "no pain" still keeps the
    episode open: a red flag must never be dismissed because the pain score was 0.
    """
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


def entry_sort_key(entry: Entry) -> tuple[datetime, int]:
    # The id breaks ties between entries logged at the same instant, so results never depend
    # on the order the caller happened to pass them in.
    return (utc(entry.recorded_at), entry.id.int)


def treatment_sort_key(treatment: Treatment) -> tuple[datetime, int]:
    return (utc(treatment.started_at), treatment.id.int)


@dataclass(frozen=True, slots=True)
class Episode:
    """Entries at one site and side, from the first symptomatic one to the episode's end.

    ``entries`` are in time order and include symptom-free entries logged during the episode
    (they are how a patient tells us it is getting better).
    """

    site: str
    side: str
    entries: tuple[Entry, ...]
    days: tuple[date, ...]  # local day of each entry, parallel to ``entries``

    # min/max rather than first/last: in zones that fall back at midnight (e.g. America/
    # Santiago) the local date of later instants can step back a day.
    @property
    def start(self) -> date:
        """Local day of the first entry: the alert de-duplication key."""
        return min(self.days)

    @property
    def latest_day(self) -> date:
        return max(self.days)

    @property
    def last_symptomatic_day(self) -> date:
        return max(d for e, d in zip(self.entries, self.days, strict=True) if is_symptomatic(e))

    @property
    def current(self) -> tuple[Entry, ...]:
        """Entries on the episode's latest local day: its current state.

        A whole day, not just the last entry, so that a hasty second entry with default
        values cannot hide a red flag logged a few minutes earlier.
        """
        latest = self.latest_day
        return tuple(e for e, d in zip(self.entries, self.days, strict=True) if d == latest)

    @property
    def ends_after(self) -> date:
        """The last local day the episode can still escalate on, with nothing more logged.

        The day-level state decides: an episode whose latest day is symptomatic stays open for
        SILENT_GAP_DAYS of silence; one whose latest day was symptom-free has ended already.
        """
        if not any(is_symptomatic(e) for e in self.current):
            return self.latest_day - timedelta(days=1)
        return self.latest_day + timedelta(days=SILENT_GAP_DAYS)

    def is_active(self, today: date) -> bool:
        """Whether the episode may still escalate on ``today`` (a local date).

        Ended when the patient's latest day at this site was symptom-free (they told us it
        is gone), or after more than SILENT_GAP_DAYS with nothing logged there.
        """
        return today <= self.ends_after

    def daily_severity(self) -> tuple[tuple[date, int], ...]:
        """(local day, worst severity that day), in day order.

        The worst of the day, not the mean: a patient who logs "3" in the morning and "8"
        at night had a bad day.
        """
        worst: dict[date, int] = {}
        for entry, day in zip(self.entries, self.days, strict=True):
            worst[day] = max(worst.get(day, 0), entry.severity)
        return tuple(sorted(worst.items()))

    def entries_on_or_after(self, day: date) -> tuple[Entry, ...]:
        return tuple(e for e, d in zip(self.entries, self.days, strict=True) if d >= day)


def split_episodes(entries: Iterable[Entry], tz: ZoneInfo) -> tuple[Episode, ...]:
    """Group entries by (site, side) and split each group into episodes.

    An episode stays open after its last symptomatic local day for SILENT_GAP_DAYS while
    nothing is logged at the site, but only for RECOVERY_GAP_DAYS once the patient has logged
    it symptom-free on a later day. Any entry while the episode is open belongs to it (a
    symptom-free one is how the patient says it is better); a symptomatic entry after it has
    closed starts a new episode, and a symptom-free one belongs to none.
    Episodes come back sorted by (site, side, start).
    """
    by_place: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        by_place[(entry.site, entry.side)].append(entry)

    episodes: list[Episode] = []
    for (site, side), group in sorted(by_place.items()):
        group.sort(key=entry_sort_key)
        current: list[tuple[Entry, date]] = []
        last_symptomatic = date.min  # meaningful only while ``current`` is not empty
        last_free = date.min
        for entry in group:
            day = local_date(entry.recorded_at, tz)
            # Day-level: a symptom-free entry on the same day as a symptom says nothing new.
            allowed = RECOVERY_GAP_DAYS if last_free > last_symptomatic else SILENT_GAP_DAYS
            is_open = bool(current) and (day - last_symptomatic).days <= allowed
            if is_symptomatic(entry):
                if current and not is_open:
                    episodes.append(_episode(site, side, current))
                    current = []
                if not current:
                    last_symptomatic, last_free = day, date.min
                current.append((entry, day))
                last_symptomatic = max(last_symptomatic, day)
            elif is_open:
                current.append((entry, day))
                last_free = max(last_free, day)
        if current:
            episodes.append(_episode(site, side, current))
    return tuple(episodes)


def active_episodes(entries: Iterable[Entry], tz: ZoneInfo, now: datetime) -> tuple[Episode, ...]:
    """Episodes still going on at ``now``: the only ones that may escalate."""
    today = local_date(now, tz)
    return tuple(ep for ep in split_episodes(entries, tz) if ep.is_active(today))


def _episode(site: str, side: str, items: list[tuple[Entry, date]]) -> Episode:
    return Episode(
        site=site,
        side=side,
        entries=tuple(e for e, _ in items),
        days=tuple(d for _, d in items),
    )
