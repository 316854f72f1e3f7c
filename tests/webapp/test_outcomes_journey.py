"""Questionnaires and treatment insight in the patient's web app, in Chromium against the live
server at a phone and a desktop viewport: the weekly PEG answered (stored, scored, no longer
due, in the history), a missing answer refused by the server and shown in the error summary,
a PGIC about an ended episode naming the place, and the insight page with a rich and a thin
journal. Found by label and role; axe-core on every page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from outcomes.insights import CAVEAT, NOT_ADVISED
from outcomes.instruments import instrument
from outcomes.models import QuestionnaireResponse
from tests.browser import Browser, api_call, by_role, screenshot, sign_in, wait
from tests.webapp.journey import on_page, says
from tests.webapp.test_log_journey import assert_clean_console, open_page, press

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEG = instrument("peg")
PGIC = instrument("pgic")


def _answer(driver: Browser, definition, code: str, label: str) -> None:
    """Choose an answer inside the item's group (its legend is "Question n" and the text)."""
    index = next(i for i, item in enumerate(definition.items) if item.code == code)
    group = by_role(driver, "group", f"Question {index + 1} {definition.items[index].text}")
    # The radio named by its label: on the 0-10 scale the whole box is the input.
    label_element = group.find_element(By.XPATH, f".//label[normalize-space()='{label}']")
    radio = label_element.find_element(By.XPATH, "../input")
    press(radio)
    assert radio.is_selected()


def test_a_due_peg_is_answered_scored_and_listed(live_server, browser: Browser, patient_account):
    base = live_server.url
    sign_in(browser, base, patient_account)
    # From the start page, by the small plain link.
    open_page(browser, base, "/app/")
    press(by_role(browser, "link", "Answer a few questions about your week"))
    on_page(browser, "Your questionnaires")
    press(by_role(browser, "link", PEG.title))
    on_page(browser, PEG.title)
    says(browser, "Looking back over: the past week")
    # Every item as the API gives it, with the end words on the 0-10 scale.
    for item in PEG.items:
        assert item.text in browser.find_element(By.TAG_NAME, "main").text
        assert item.min_anchor in browser.find_element(By.TAG_NAME, "main").text
    _answer(browser, PEG, "pain", "6")
    _answer(browser, PEG, "enjoyment", "5")
    # The third is left out: the server says so, in the summary linked to the item.
    press(by_role(browser, "button", "Send my answers"))
    summary = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".error-summary"))
    assert summary.get_attribute("role") == "alert"
    link = by_role(browser, "link", "Question 3: This item must be answered.")
    assert link.get_attribute("href").endswith("#q-activity-0")
    press(link)
    assert browser.execute_script("return document.activeElement.id") == "q-activity-0"
    assert browser.find_element(By.ID, "q-activity-0").get_attribute("aria-invalid") == "true"
    assert not QuestionnaireResponse.objects.exists()
    browser.axe(page="questionnaire: error")

    _answer(browser, PEG, "activity", "4")
    if browser.kind == "phone":
        screenshot(browser, "patient-questionnaire")
    press(by_role(browser, "button", "Send my answers"))
    on_page(browser, "Thank you, your answers are saved")
    stored = QuestionnaireResponse.objects.get(patient__user__email=patient_account.email)
    assert (stored.instrument, stored.answers, float(stored.score)) == (
        "peg",
        {"pain": 6, "enjoyment": 5, "activity": 4},
        5.0,
    )
    main = browser.find_element(By.TAG_NAME, "main").text
    assert f"Your score for {PEG.title}: 5." in main
    # Gone from what is due, and first in the history with its score and answers.
    assert "There is nothing to answer now." in main
    assert not browser.find_elements(By.CSS_SELECTOR, ".due-list")
    first = browser.find_element(By.CSS_SELECTOR, ".response-list > .response")
    assert first.get_attribute("data-id") == str(stored.id)
    assert "Score: 5" in first.text and f"{PEG.items[0].text}: 6" in first.text
    # Opening the answer page again says it is not due (answered this week).
    open_page(browser, base, "/app/questionnaires/answer?instrument=peg")
    says(browser, "This questionnaire is not due now")
    browser.axe(page="questionnaire: not due")
    assert_clean_console(browser)


def test_the_same_id_again_is_a_success(live_server, phone: Browser, patient_account):
    """A retry after a lost answer: the server stored the first send; the page's second send
    with the same id gets a 200 and shows the thank-you, with one response stored."""
    base = live_server.url
    sign_in(phone, base, patient_account)
    open_page(phone, base, "/app/questionnaires/answer?instrument=peg")
    on_page(phone, PEG.title)
    # The first send reaches the server but its answer is lost on the way back.
    phone.execute_script(
        """
        const real = window.fetch;
        window.fetch = async (url, init) => {
          const answer = await real(url, init);
          if (init && init.method === 'POST' && String(url).includes('questionnaires/responses')
              && !window.__lostOnce) {
            window.__lostOnce = true;
            throw new TypeError('network lost');
          }
          return answer;
        };
        """
    )
    for code, value in (("pain", "3"), ("enjoyment", "2"), ("activity", "1")):
        _answer(phone, PEG, code, value)
    press(by_role(phone, "button", "Send my answers"))
    says(phone, "could not be sent because you are offline")
    assert QuestionnaireResponse.objects.count() == 1
    press(by_role(phone, "button", "Send my answers"))
    on_page(phone, "Thank you, your answers are saved")
    assert QuestionnaireResponse.objects.count() == 1


def test_a_pgic_for_an_ended_episode_names_the_place(live_server, phone: Browser, patient_account):
    base, token = live_server.url, patient_account.token
    now = timezone.now()
    for days_ago, severity, gone in ((10, 6, False), (5, 3, False), (0, 0, True)):
        at = now - timedelta(days=days_ago, hours=2)
        body = {"id": str(uuid.uuid4()), "recorded_at": at.isoformat(), "site": "heel_bottom"}
        body.update(side="right", severity=severity, gone=gone)
        api_call(base, "POST", "logs/", body, token)
    sign_in(phone, base, patient_account)
    open_page(phone, base, "/app/questionnaires")
    on_page(phone, "Your questionnaires")
    due = phone.find_element(By.CSS_SELECTOR, ".due[data-instrument=pgic]")
    assert "About the pain in the bottom of your right heel, from " in due.text
    press(due.find_element(By.TAG_NAME, "a"))
    on_page(phone, PGIC.title)
    says(phone, "About the pain in the bottom of your right heel")
    # A word for every value, as the definition gives them.
    for anchor in PGIC.items[0].anchors:
        by_role(phone, "radio", anchor)
    press(by_role(phone, "radio", "Much improved"))
    press(by_role(phone, "button", "Send my answers"))
    on_page(phone, "Thank you, your answers are saved")
    stored = QuestionnaireResponse.objects.get(instrument="pgic")
    assert (stored.site, stored.side, stored.answers, float(stored.score)) == (
        "heel_bottom",
        "right",
        {"change": 2},
        2.0,
    )
    first = phone.find_element(By.CSS_SELECTOR, ".response-list > .response")
    assert f"{PGIC.items[0].text}: Much improved" in first.text
    assert "About the pain in the bottom of your right heel" in first.text
    assert not phone.find_elements(By.CSS_SELECTOR, ".due[data-instrument=pgic]")
    assert_clean_console(phone)


def _journal(base: str, token: str, *, days: int, ice_every: int) -> None:
    """`days` local days of entries at the right outer ankle, ending yesterday (London noon),
    ice on every `ice_every`-th day; after an ice day the pain is lower the next day, after
    a day with nothing it is higher."""
    today = datetime.now(UTC).date()
    logs = []
    for i in range(days):
        day = today - timedelta(days=days - i)
        at = datetime.combine(day, time(12), tzinfo=UTC)
        iced = i % ice_every == 0
        severity = 6 if iced else 3 + (i // 2) % 3
        logs.append(
            {
                "id": str(uuid.uuid4()),
                "recorded_at": at.isoformat(),
                "site": "ankle_outer",
                "side": "right",
                "severity": severity,
            }
        )
        if iced:
            session = {"kind": "ice", "site": "ankle_outer", "side": "right"}
            session.update(started_at=(at - timedelta(hours=1)).isoformat(), minutes=12)
            api_call(base, "POST", "treatments/", session, token)
    api_call(base, "POST", "logs/sync/", {"logs": logs}, token)


def test_insights_with_enough_days(live_server, browser: Browser, patient_account):
    base, token = live_server.url, patient_account.token
    _journal(base, token, days=29, ice_every=2)
    api_call(base, "PATCH", "me/", {"has_diabetes": True}, token)
    data = api_call(base, "GET", "insights/", token=token)
    ice = data["results"][0]["comparisons"][0]
    assert ice["enough_data"] and ice["ci_high"] < 0, ice

    sign_in(browser, base, patient_account)
    open_page(browser, base, "/app/trends")
    press(by_role(browser, "link", "Does ice or heat seem to help? What your diary shows"))
    on_page(browser, "Ice, heat and your pain")
    main = browser.find_element(By.TAG_NAME, "main")
    caveat = browser.find_element(By.CSS_SELECTOR, ".caveat")
    assert CAVEAT in caveat.text and caveat.is_displayed()
    section = by_role(browser, "region", "Outer ankle, Right")
    # The safety note comes before the numbers, on the page, not behind a tap.
    note = section.find_element(By.CSS_SELECTOR, ".warning-text")
    assert NOT_ADVISED in note.text and note.is_displayed()
    assert not main.find_elements(By.TAG_NAME, "details")
    first_comparison = section.find_element(By.CSS_SELECTOR, ".comparison")
    assert note.location["y"] < first_comparison.location["y"]
    ice_part = by_role(browser, "region", "Ice")
    assert ice["summary"] in ice_part.text
    assert "On days after you used ice on your right outer ankle" in ice_part.text
    assert f"{ice['treated_days']} days with ice" in ice_part.text
    assert f"{ice['untreated_days']} days with neither" in ice_part.text
    assert "Not enough days yet" not in ice_part.text
    # No heat at all: the page says how many more days it needs.
    heat = data["results"][0]["comparisons"][1]
    heat_part = by_role(browser, "region", "Heat")
    assert f"Not enough days yet ({heat['days_needed']} more needed)" in heat_part.text
    browser.axe(page="insights")
    if browser.kind == "phone":
        screenshot(browser, "patient-insights")
    assert_clean_console(browser)


def test_insights_with_a_thin_journal(live_server, phone: Browser, patient_account):
    base, token = live_server.url, patient_account.token
    _journal(base, token, days=4, ice_every=3)
    ice = api_call(base, "GET", "insights/", token=token)["results"][0]["comparisons"][0]
    assert not ice["enough_data"] and ice["days_needed"] > 0
    sign_in(phone, base, patient_account)
    open_page(phone, base, "/app/insights")
    on_page(phone, "Ice, heat and your pain")
    ice_part = by_role(phone, "region", "Ice")
    assert f"Not enough days yet ({ice['days_needed']} more needed)" in ice_part.text
    assert CAVEAT in phone.find_element(By.TAG_NAME, "main").text
    assert_clean_console(phone)


def test_insights_with_nothing_to_compare(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/insights")
    on_page(phone, "Ice, heat and your pain")
    says(phone, "Nothing to compare yet.")
    assert CAVEAT in phone.find_element(By.TAG_NAME, "main").text
