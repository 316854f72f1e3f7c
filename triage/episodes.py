"""Local days and site/side episodes: the time model every triage rule shares.

An *episode* is one spell of trouble at one site and side (say, the left outer ankle). The
rules read an episode's current state (``Episode.current``: its last symptomatic local day,
and symptoms not yet over from the days before it); ``now`` only decides whether the episode
is still going on and whether a symptom is over. That keeps an old red flag from a finished
episode from escalating today, while a red flag the patient logged today always counts.

Pure: no Django, no clock. Days are the patient's local calendar days, never UTC days, so a
late-evening entry belongs to the day the patient lived it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from journal.findings import FEVER_TEMPERATURE_C, has_fever, is_symptomatic
from triage.domain import Entry, Treatment

__all__ = ["FEVER_TEMPERATURE_C", "has_fever", "is_symptomatic"]  # read here by the rules

# How an episode ends. Silence is not recovery, and neither is one quiet reading: real
# journals thin out, and pain that comes and goes (every evening, after every walk) is logged
# as 0 when it is quiet. Only the patient's word, or a quiet that lasts, ends an episode.
#
# "Gone" (Entry.gone, the follow-up's one-tap answer): the patient says the trouble is over.
# The episode ends at once, or at the end of the day when a symptom was logged at the site
# earlier that same day (a red flag logged today always counts today).
#
# QUIET_DAYS: a plain 0 is a reading, not a verdict. The episode ends only once the site has
# been logged symptom-free on every entry of QUIET_DAYS consecutive local days, at the end
# of the last of them; until then the rules read it as it was on its last symptomatic day,
# so the advice does not depend on whether the patient happened to log in a quiet hour.
# From seed 001: pain that "doesnt go away after two to three days" and "no improvement
# during the course of the first few days" describe a pattern over days, not a last reading;
# two whole days is the lower end of "two to three days" (PERSISTENT_PAIN_DAYS reads it the
# same way) and is longer than any daily pattern can stay quiet, so pain that returns every
# evening or every walk never ends its episode, while a real recovery ends it two days later
# (or at once, with "Gone"). The same holds for each symptom within an open episode: pain
# (or swelling) is read as gone only after QUIET_DAYS consecutive logged days without it.
#
# RECOVERY_GAP_DAYS (product decision): once the episode has ended, a symptom returning
# within a week of its last symptom still continues it (a good spell is not a cure); a
# symptom after that starts a new episode. The improvement and worsening windows in
# triage.rules must not exceed it (see there).
#
# SILENT_GAP_DAYS: with no end said or seen since its last symptom, the episode stays open
# this long. From seed 001: most foot and ankle pain is soft-tissue injury that heals
# with self-care, "though some could take a few months to fully recover", and "lasts longer
# than a few months" (CHRONIC_PAIN_DAYS, 90 days) is the point to see a doctor; so a silent
# month inside those months is not evidence of recovery, and an episode must survive one if
# monthly entries are ever to show pain lasting "a few months". 001 also treats trouble that
# comes back "every few months" as recurring bouts, so a silence of months does end an
# episode. Half of CHRONIC_PAIN_DAYS sits between the two: monthly logging (gaps of up to 31
# days, plus a late week) keeps its episode, and the chronic rule can never rest on two
# reports with one long silence between them (it needs at least one report in the middle).
QUIET_DAYS = 2
RECOVERY_GAP_DAYS = 7
SILENT_GAP_DAYS = 45

SWELLING_NONE = "none"
SWELLING_GRADES = ("none", "mild", "moderate", "severe")  # in order, mildest first
_GRADE = {grade: index for index, grade in enumerate(SWELLING_GRADES)}


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


# Every symptom an entry can report, by name. Each is read as over on its own (QUIET_DAYS).
SYMPTOMS: tuple[tuple[str, Callable[[Entry], bool]], ...] = (
    ("pain", lambda e: e.severity > 0),
    ("swelling", lambda e: e.swelling != SWELLING_NONE),
    ("sudden_onset", lambda e: e.sudden_onset),
    ("redness_or_warmth", lambda e: e.redness_or_warmth),
    ("fever", has_fever),
    ("cannot_bear_weight", lambda e: not e.can_bear_weight),
    ("numbness_or_tingling", lambda e: e.numbness_or_tingling),
    ("heard_pop", lambda e: e.heard_pop),
    ("back_or_leg_pain", lambda e: e.back_or_leg_pain),
)


@dataclass(frozen=True, slots=True)
class Symptom:
    """One kind of symptom in an episode: the last day it was logged, and the last day of
    the first QUIET_DAYS run of logged days without it after that (None: no such run)."""

    name: str
    last_day: date
    quiet_until: date | None


def says_gone(entry: Entry) -> bool:
    """Whether the patient says the trouble is over. Ignored on an entry that reports a
    symptom (the API refuses one, but a red flag must never be dismissed by a stray field)."""
    return entry.gone and not is_symptomatic(entry)


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
    (they are how a patient tells us it is getting better). Built by ``split_episodes``,
    which works out the episode's end, its symptoms and its current state once.
    """

    site: str
    side: str
    entries: tuple[Entry, ...]
    days: tuple[date, ...]  # local day of each entry, parallel to ``entries``
    # The last local day the episode can still escalate on, with nothing more logged.
    ends_after: date
    # The day whose state the rules read: the last symptomatic day. Symptom-free days after
    # it either ended the episode or are quiet readings that say nothing new.
    state_day: date
    last_painful_day: date | None
    last_swollen_day: date | None
    # Each kind of symptom logged in the episode, in SYMPTOMS order.
    symptoms: tuple[Symptom, ...]
    # The entries that make the current state: whole days from ``reading_from`` to the state
    # day (see ``_reading_from``).
    current: tuple[Entry, ...]
    pain_is_over: bool
    swelling_is_over: bool
    # The local day the episode is read on (None: after everything logged, e.g. in tests).
    today: date | None = None

    # min/max rather than first/last: in zones that fall back at midnight (e.g. America/
    # Santiago) the local date of later instants can step back a day.
    @property
    def start(self) -> date:
        """Local day of the first entry: the alert de-duplication key."""
        return min(self.days)

    @property
    def latest_day(self) -> date:
        """Local day of the latest entry: the last time the site was logged."""
        return max(self.days)

    @property
    def last_symptomatic_day(self) -> date:
        return self.state_day

    def is_active(self, today: date) -> bool:
        """Whether the episode may still escalate on ``today`` (a local date).

        Ended when the patient said it was gone, after QUIET_DAYS consecutive symptom-free
        days, or after more than SILENT_GAP_DAYS with nothing said or seen.
        """
        return today <= self.ends_after

    def daily_severity(self) -> tuple[tuple[date, int], ...]:
        """(local day, worst severity that day), in day order, up to the day pain is read on.

        The worst of the day, not the mean: a patient who logs "3" in the morning and "8"
        at night had a bad day. Pain-free days after the last painful one are left out until
        the pain is over: a quiet reading between painful ones is not improvement.
        """
        painful = self.last_painful_day
        until = painful if painful is not None and not self.pain_is_over else self.state_day
        worst: dict[date, int] = {}
        for entry, day in zip(self.entries, self.days, strict=True):
            if day <= until:
                worst[day] = max(worst.get(day, 0), entry.severity)
        return tuple(sorted(worst.items()))

    def daily_swelling(self, window: int) -> tuple[tuple[date, int], ...]:
        """(local day, worst swelling grade that day as an index of SWELLING_GRADES), in day
        order, for the last swollen day and the ``window`` local days before it; empty when
        there is none or it is over."""
        swollen = self.last_swollen_day
        if swollen is None or self.swelling_is_over:
            return ()
        since = swollen - timedelta(days=window)
        worst: dict[date, int] = {}
        for entry, day in zip(self.entries, self.days, strict=True):
            if since <= day <= swollen:
                worst[day] = max(worst.get(day, 0), _GRADE[entry.swelling])
        return tuple(sorted(worst.items()))

    def entries_on_or_after(self, day: date) -> tuple[Entry, ...]:
        return tuple(e for e, d in zip(self.entries, self.days, strict=True) if d >= day)


def is_over(symptom: Symptom, today: date | None) -> bool:
    """Absent on QUIET_DAYS consecutive logged days since it was last logged, the last of them
    over by ``today`` (None: after everything). Until then a day without it is a quiet
    moment, not its end."""
    quiet = symptom.quiet_until
    return quiet is not None and (today is None or quiet < today)


def _reading_from(
    symptoms: Iterable[Symptom], painful: date | None, state_day: date, today: date | None
) -> date:
    """The first day of the current state: the last day of each symptom not yet over, back
    to the last painful day at most. A day with pain is a full reading, so what the days
    before it reported and it does not is read as gone (as it always was); a day without
    pain is not, so that a quiet hour of pain that comes and goes, or a quick entry about
    something else, hides neither the pain nor a red flag. Whole days either way, so that a
    hasty second entry with default values cannot hide a red flag logged minutes earlier."""
    floor = painful or date.min
    return min(
        (s.last_day for s in symptoms if s.last_day >= floor and not is_over(s, today)),
        default=state_day,
    )


def split_episodes(
    entries: Iterable[Entry], tz: ZoneInfo, today: date | None = None
) -> tuple[Episode, ...]:
    """Group entries by (site, side) and split each group into episodes.

    An episode stays open after its last symptomatic local day for SILENT_GAP_DAYS, but only
    for RECOVERY_GAP_DAYS once it has ended (the patient said "gone", or logged the site
    symptom-free on QUIET_DAYS consecutive days). Any entry while the episode is open
    belongs to it (a symptom-free one is how the patient says it is better); a symptomatic
    entry after it has closed starts a new episode, and a symptom-free one belongs to none.
    Episodes come back sorted by (site, side, start), read as on ``today``.
    """
    by_place: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        by_place[(entry.site, entry.side)].append(entry)

    episodes: list[Episode] = []
    for (site, side), group in sorted(by_place.items()):
        group.sort(key=entry_sort_key)
        current: list[tuple[Entry, date]] = []
        last_symptomatic = date.min  # meaningful only while ``current`` is not empty
        said_gone = False  # a "gone" since the last symptomatic entry
        quiet_day = date.min  # the latest day logged since the last symptomatic day
        run = 0  # consecutive logged days ending on quiet_day
        run_end = date.max  # the last day of the first QUIET_DAYS run, once there is one
        for entry in group:
            day = local_date(entry.recorded_at, tz)
            # Day-level: a quiet run ends the episode only once its last day is over, so an
            # entry on that day still finds it open.
            ended = said_gone or run_end < day
            allowed = RECOVERY_GAP_DAYS if ended else SILENT_GAP_DAYS
            is_open = bool(current) and (day - last_symptomatic).days <= allowed
            if is_symptomatic(entry):
                if current and not is_open:
                    episodes.append(_episode(site, side, current, today))
                    current = []
                if not current:
                    last_symptomatic = day
                current.append((entry, day))
                last_symptomatic = max(last_symptomatic, day)
                said_gone, quiet_day, run, run_end = False, date.min, 0, date.max
            elif is_open:
                current.append((entry, day))
                said_gone = said_gone or says_gone(entry)
                if day > last_symptomatic and day > quiet_day:
                    run = run + 1 if (day - quiet_day).days == 1 else 1
                    quiet_day = day
                    if run >= QUIET_DAYS and run_end == date.max:
                        run_end = day
        if current:
            episodes.append(_episode(site, side, current, today))
    return tuple(episodes)


def active_episodes(entries: Iterable[Entry], tz: ZoneInfo, now: datetime) -> tuple[Episode, ...]:
    """Episodes still going on at ``now``: the only ones that may escalate."""
    today = local_date(now, tz)
    return tuple(ep for ep in split_episodes(entries, tz, today) if ep.is_active(today))


def _quiet_run_end(days: list[date]) -> date | None:
    """The last day of the first QUIET_DAYS consecutive days in ``days`` (ascending), or
    None."""
    run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        previous = day
        if run >= QUIET_DAYS:
            return day
    return None


def _episode(site: str, side: str, items: list[tuple[Entry, date]], today: date | None) -> Episode:
    # One pass for the last day of each kind of symptom (this runs on every write).
    seen: dict[str, date] = {}
    last_index = 0
    for index, (entry, day) in enumerate(items):
        if is_symptomatic(entry):
            last_index = index
            for name, reports in SYMPTOMS:
                if reports(entry) and day > seen.get(name, date.min):
                    seen[name] = day
    last = max(seen.values())
    ends = [last + timedelta(days=SILENT_GAP_DAYS)]
    gone = next((d for e, d in items[last_index + 1 :] if says_gone(e)), None)
    if gone is not None:
        # On a later day: over at once. The same day: today's symptoms still count today.
        ends.append(last if gone <= last else gone - timedelta(days=1))
    logged = sorted({d for _, d in items})
    run_end = _quiet_run_end([d for d in logged if d > last])
    if run_end is not None:
        ends.append(run_end)
    symptoms = tuple(
        Symptom(name, seen[name], _quiet_run_end([d for d in logged if d > seen[name]]))
        for name, _ in SYMPTOMS
        if name in seen
    )
    by_name = {s.name: s for s in symptoms}
    painful, swollen = seen.get("pain"), seen.get("swelling")
    first = _reading_from(symptoms, painful, last, today)
    return Episode(
        site=site,
        side=side,
        entries=tuple(e for e, _ in items),
        days=tuple(d for _, d in items),
        ends_after=min(ends),
        state_day=last,
        last_painful_day=painful,
        last_swollen_day=swollen,
        symptoms=symptoms,
        current=tuple(e for e, d in items if first <= d <= last),
        pain_is_over=painful is None or is_over(by_name["pain"], today),
        swelling_is_over=swollen is None or is_over(by_name["swelling"], today),
        today=today,
    )
