"""What each message says. Pure functions: no health detail beyond what the person must act
on; the app shows the details after login."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from journal.site_words import site_phrase
from triage.domain import Level

ACTIONS: dict[Level, str] = {
    Level.EMERGENCY: "Go to an emergency department now, or call your local emergency number.",
    Level.CONSULT_24H: "See a doctor within 24 hours.",
    Level.CONSULT: "Book an appointment with your doctor.",
}
SUBJECTS: dict[Level, str] = {
    Level.EMERGENCY: "Please get medical help now",
    Level.CONSULT_24H: "Please see a doctor within 24 hours",
    Level.CONSULT: "Please book a doctor's appointment",
}
URGENCY: dict[Level, str] = {
    Level.EMERGENCY: "high",
    Level.CONSULT_24H: "high",
    Level.CONSULT: "normal",
}
SIGN_OFF = (
    "If you are worried or it gets worse, do not wait: contact a doctor. "
    "In an emergency, call your local emergency number."
)


# What a push says on a lock screen unless the patient chose detail (Patient.
# lock_screen_detail): nothing about feet, pain or doctors. The app shows the rest.
LOCK_SCREEN_TITLE = "Your journal"
LOCK_SCREEN_TEXT: dict[str, str] = {
    "alert": "You have a new message. Open the app to read it.",
    "reminder": "A minute for today's entry?",
    "site_check": "A quick question about today's entry.",
    "timer": "Your timer has finished.",
}
LOCK_SCREEN_DEFAULT = "Open the app to read your new message."


@dataclass(frozen=True, slots=True)
class Content:
    subject: str
    text: str
    tag: str
    url: str
    urgency: str = "normal"
    data: dict[str, str] = field(default_factory=dict)


def for_lock_screen(body: Content) -> Content:
    """The same message with a neutral title and text; link, tag and data unchanged."""
    text = LOCK_SCREEN_TEXT.get(body.data.get("kind", ""), LOCK_SCREEN_DEFAULT)
    return replace(body, subject=LOCK_SCREEN_TITLE, text=text)


def patient_alert(*, levels: list[Level], base_url: str, reference: str) -> Content:
    """One message for everything that opened together, at the highest level."""
    ordered = sorted(set(levels), reverse=True)
    top = ordered[0]
    todo = "\n".join(f"- {ACTIONS[level]}" for level in ordered)
    text = (
        "Something you logged in your foot and ankle journal means you should act on it.\n\n"
        f"What to do:\n{todo}\n\n"
        "Open the app to see why.\n\n"
        f"{SIGN_OFF}\n"
    )
    return Content(
        subject=SUBJECTS[top],
        text=text,
        tag=f"alert-{reference}",
        url=f"{base_url}/app/alerts",
        urgency=URGENCY[top],
        data={"kind": "alert", "level": top.code},
    )


def clinician_alert(*, level: Level, patient_email: str, admin_url: str, reference: str) -> Content:
    return Content(
        subject=f"Patient needs review: {SUBJECTS[level].lower()}",
        text=(
            f"Your patient {patient_email} has a new alert. What the journal advises them: "
            f"{ACTIONS[level]}\n\n"
            f"Open their page in the clinician workspace (sign-in required):\n{admin_url}\n"
        ),
        tag=f"clinician-alert-{reference}",
        url=admin_url,
        urgency=URGENCY[level],
        data={"kind": "clinician_alert", "level": level.code},
    )


def daily_reminder(*, base_url: str, local_day: str) -> Content:
    return Content(
        subject="How is your foot or ankle today?",
        text="You have not logged today yet. It takes a minute, and it helps your doctor.\n",
        tag=f"reminder-{local_day}",
        url=f"{base_url}/app/log",
        data={"kind": "reminder"},
    )


LOGS_PATH = "/api/v1/logs/"
QUESTIONNAIRES_PATH = "/api/v1/questionnaires/due/"


def weekly_questionnaire_reminder(*, base_url: str, local_day: str) -> Content:
    """The daily reminder on the weekly questionnaire's day: three questions about the week."""
    return Content(
        subject="Three questions about your week",
        text=(
            "How much has pain bothered you this past week? Three quick questions (the PEG) "
            "help you and your doctor see whether things are getting better.\n"
        ),
        tag=f"reminder-{local_day}",
        url=f"{base_url}/app/questionnaires",
        data={"kind": "questionnaire", "instrument": "peg", "due_path": QUESTIONNAIRES_PATH},
    )


def site_check_reminder(*, base_url: str, local_day: str, places: list[tuple[str, str]]) -> Content:
    """The daily reminder when open episodes have gone unlogged: it asks about each site by
    name, so that silence turns into an answer instead of a guess.

    ``places`` are (site, side) codes, most overdue first. The push data carries the first
    one so the app can offer one-tap answers: "Gone" is a POST to /api/v1/logs/ with that
    site and side, severity 0 and ``gone: true``, which ends the episode (a plain 0 would be
    read as a quiet moment, not an end); "Still there" opens the log form.
    """
    phrases = [site_phrase(site, side, whose="your") for site, side in places]
    named = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    verb = "is" if len(phrases) == 1 else "are"
    site, side = places[0]
    return Content(
        subject=f"How {verb} {named} today?"[:200],
        text=(
            f"You have not logged {named} for a couple of days. Is it still hurting?\n\n"
            "If it has gone, say so in the app with one tap: that tells your doctor it is "
            "over. If it is still there, log how it is today.\n"
        ),
        tag=f"reminder-{local_day}",
        url=f"{base_url}/app/log?site={site}&side={side}",
        data={
            "kind": "site_check",
            "site": site,
            "side": side,
            "sites": ",".join(f"{side}:{site}" for site, side in places),
            "answer_path": LOGS_PATH,
        },
    )


def treatment_timer(*, kind: str, minutes: int, base_url: str, treatment_id: str) -> Content:
    what = "ice" if kind == "ice" else "heat"
    return Content(
        subject=f"Time to take the {what} off",
        text=(
            f"It has been {minutes} minutes. Take the {what} off now and leave a few hours "
            "before the next session.\n"
        ),
        tag=f"timer-{treatment_id}",
        url=f"{base_url}/app/treatments",
        urgency="high",
        data={"kind": "timer", "treatment_id": treatment_id},
    )


def email_verification(*, base_url: str, token: str) -> Content:
    return Content(
        subject="Confirm your email address",
        text=(
            "Confirm that this is your address, so your foot and ankle journal can send you "
            "reminders and advice by email:\n\n"
            f"{base_url}/app/verify-email?token={token}\n\n"
            "The link works for 3 days. If you did not sign up, ignore this message: "
            "nothing more will be sent to you.\n"
        ),
        tag="account-verify",
        url=f"{base_url}/app/verify-email?token={token}",
        data={"kind": "account"},
    )


def password_reset(*, base_url: str, token: str) -> Content:
    return Content(
        subject="Reset your password",
        text=(
            "Someone asked to reset the password of your foot and ankle journal. To choose a "
            "new one, open:\n\n"
            f"{base_url}/app/reset-password?token={token}\n\n"
            "The link works once, for a limited time. Setting a new password signs out every "
            "device. If you did not ask, ignore this message: your password stays as it is.\n"
        ),
        tag="account-reset",
        url=f"{base_url}/app/reset-password?token={token}",
        data={"kind": "account"},
    )
