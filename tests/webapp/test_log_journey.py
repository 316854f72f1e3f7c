"""Logging an entry in the patient's web app, in Chromium against the live server.

Found by label and role as a screen reader would, axe-core on every page; the advice the
server gave is what the result page shows, urgent advice first.
"""

from __future__ import annotations

import statistics

import pytest
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from journal.models import PainLog
from tests.browser import (
    Browser,
    api_call,
    by_label,
    by_role,
    make_browser,
    page_ready,
    screenshot,
    sign_in,
    wait,
)
from triage.engine import DISCLAIMER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def open_page(driver: Browser, base: str, path: str) -> None:
    """Load a page and wait until the app has rendered its view (the shell's placeholder
    heading and "Loading…" are gone)."""
    driver.get(f"{base}{path}")
    wait(driver, page_ready)
    wait(driver, lambda d: d.execute_script("return !document.getElementById('loading')"))


def press(element) -> None:
    """Click as a finger would: scrolled to the middle of the screen first, clear of the
    fixed tab bar at the bottom of a phone."""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def assert_clean_console(driver: Browser) -> None:
    """No text missing from the catalogue and nothing refused by the CSP since last asked."""
    problems = [
        entry["message"]
        for entry in driver.get_log("browser")
        if "i18n: no text" in entry["message"]
        or "Content Security Policy" in entry["message"]
        or "Refused to" in entry["message"]
    ]
    assert not problems, problems


def heading(driver: Browser) -> str:
    return wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "main h1")).text


def list_choice(driver: Browser, text: str):
    """A site in the plain list (the picture has a radio of the same name): its label."""
    return wait(
        driver,
        lambda d: d.find_element(
            By.XPATH, f"//div[contains(@class,'fm-list')]//label[normalize-space()='{text}']"
        ),
    )


def log_entry(driver: Browser, *, side: str, site: str, severity: int, use_picture: bool, extra=()):
    """The three question pages: where, how bad, the rest (each axe-checked)."""
    press(by_label(driver, side))
    if use_picture:
        press(by_role(driver, "radio", site))  # the picture's spot comes first in the page
        label = driver.find_element(By.XPATH, f"//label[normalize-space()='{site}']")
        assert label.find_element(By.XPATH, "../input").is_selected()
    else:
        press(list_choice(driver, site))
        spot = driver.find_element(By.CSS_SELECTOR, f".fm-spot[aria-label='{site}']")
        assert spot.get_attribute("aria-checked") == "true"
    driver.axe(page="log: where")
    press(by_role(driver, "button", "Continue"))
    by_role(driver, "heading", "How bad is the pain right now, from 0 to 10?")
    name = {0: "0 No pain", 10: "10 Worst pain imaginable"}.get(severity, str(severity))
    press(by_role(driver, "radio", name))
    driver.axe(page="log: how bad")
    screenshot(driver, f"patient-log-severity-{driver.kind}")
    press(by_role(driver, "button", "Continue"))
    by_role(driver, "heading", "A few more questions")
    for label in extra:
        press(by_label(driver, label))
    driver.axe(page="log: questions")
    screenshot(driver, f"patient-log-questions-{driver.kind}")
    press(by_role(driver, "button", "Save entry"))


def test_log_an_entry_and_see_the_advice(live_server, browser: Browser, patient_account):
    sign_in(browser, live_server.url, patient_account)
    open_page(browser, live_server.url, "/app/log")
    assert heading(browser) == "Log your pain"
    if browser.kind == "phone":
        press(by_label(browser, "Right"))
        press(by_role(browser, "radio", "Outer ankle"))
        screenshot(browser, "patient-log")
        open_page(browser, live_server.url, "/app/log")
    log_entry(
        browser,
        side="Right",
        site="Outer ankle",
        severity=4,
        use_picture=browser.kind == "phone",
        extra=["It started suddenly"],
    )
    by_role(browser, "heading", "Your entry is saved")
    browser.axe(page="result")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "You can look after this at home" in page or "Book an appointment" in page
    assert DISCLAIMER in page
    entry = PainLog.objects.get(patient__user__email=patient_account.email)
    assert (entry.site, entry.side, entry.severity, entry.sudden_onset) == (
        "ankle_outer",
        "right",
        4,
        True,
    )
    assert entry.can_bear_weight is True and entry.swelling == "none"
    assert_clean_console(browser)


def test_the_log_form_can_say_it_has_gone_and_a_plain_0_does_not(
    live_server, phone: Browser, patient_account
):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/log")
    log_entry(phone, side="Left", site="Arch of foot", severity=0, use_picture=False)
    by_role(phone, "heading", "Your entry is saved")
    quiet = PainLog.objects.get(patient__user__email=patient_account.email)
    assert (quiet.severity, quiet.gone) == (0, False)  # a quiet reading, not "gone"

    open_page(phone, live_server.url, "/app/log")
    log_entry(
        phone,
        side="Left",
        site="Arch of foot",
        severity=0,
        use_picture=False,
        extra=["The trouble here has gone"],
    )
    by_role(phone, "heading", "Your entry is saved")
    said = PainLog.objects.filter(patient__user__email=patient_account.email, gone=True).get()
    assert (said.site, said.side, said.severity) == ("arch", "left", 0)

    # Above 0 the question is not asked.
    open_page(phone, live_server.url, "/app/log")
    press(by_label(phone, "Left"))
    press(list_choice(phone, "Arch of foot"))
    press(by_role(phone, "button", "Continue"))
    press(by_role(phone, "radio", "2"))
    press(by_role(phone, "button", "Continue"))
    by_role(phone, "heading", "A few more questions")
    assert not phone.find_elements(By.ID, "gone")
    assert_clean_console(phone)


def test_a_red_flag_entry_shows_urgent_advice_first(live_server, browser: Browser, patient_account):
    sign_in(browser, live_server.url, patient_account)
    open_page(browser, live_server.url, "/app/log")
    press(by_label(browser, "Left"))
    press(list_choice(browser, "Back of ankle and heel (Achilles)"))
    press(by_role(browser, "button", "Continue"))
    press(by_role(browser, "radio", "8"))
    press(by_role(browser, "button", "Continue"))
    by_role(browser, "heading", "A few more questions")
    press(browser.find_element(By.XPATH, "//label[@for='weight-no']"))
    press(by_label(browser, "You heard or felt a pop or snap when it started"))
    press(by_role(browser, "button", "Save entry"))

    urgent = by_role(browser, "heading", "See a doctor within 24 hours")
    assert urgent.find_element(By.XPATH, "..").get_attribute("role") == "alert"
    # First on the screen: the page's heading is the advice, and nothing comes before it.
    first = browser.execute_script(
        "const m = document.querySelector('main'); const w = m.firstElementChild;"
        "return w.firstElementChild.getAttribute('role') + '|' + m.querySelector('h1').textContent;"
    )
    assert first == "alert|See a doctor within 24 hours"
    assert browser.execute_script("return document.activeElement.tagName") == "H1"
    page = browser.find_element(By.TAG_NAME, "main").text
    # Each finding's message and its source passage, all on the page, none behind a tap.
    assert "From the clinical text" in page
    assert browser.find_elements(By.CSS_SELECTOR, ".finding blockquote")
    assert not browser.find_elements(By.CSS_SELECTOR, "main details")
    browser.axe(page="urgent result")
    if browser.kind == "phone":
        screenshot(browser, "patient-result")
    assert_clean_console(browser)


def test_site_check_link_gone_and_still_there(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/log?site=heel_bottom&side=right")
    assert heading(phone) == "How is the bottom of your right heel today?"
    wait(phone, lambda d: d.title.startswith("How is the bottom of your right heel today? "))
    phone.axe(page="site check")
    screenshot(phone, "patient-site-check")
    press(by_role(phone, "button", "Gone"))
    wait(phone, lambda d: "/app/result" in d.current_url)
    assert "has gone" in phone.find_element(By.TAG_NAME, "main").text
    gone = PainLog.objects.get(patient__user__email=patient_account.email)
    assert (gone.site, gone.side, gone.severity, gone.gone) == ("heel_bottom", "right", 0, True)

    open_page(phone, live_server.url, "/app/log?site=heel_bottom&side=right")
    press(by_role(phone, "link", "Still there"))
    by_role(phone, "heading", "How bad is the pain right now, from 0 to 10?")
    assert "the bottom of your right heel" in phone.find_element(By.TAG_NAME, "main").text
    press(by_role(phone, "radio", "3"))
    press(by_role(phone, "button", "Continue"))
    press(by_role(phone, "button", "Save entry"))
    by_role(phone, "heading", "Your entry is saved")
    still = PainLog.objects.filter(patient__user__email=patient_account.email, severity=3).get()
    assert (still.site, still.side) == ("heel_bottom", "right")


def test_errors_are_summarised_and_linked(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/log")
    press(by_role(phone, "button", "Continue"))
    summary = by_role(phone, "heading", "There is a problem")
    box = summary.find_element(By.XPATH, "..")
    assert "Choose left or right" in box.text and "Choose where it hurts" in box.text
    phone.axe(page="log with errors")
    box.find_element(By.LINK_TEXT, "Choose where it hurts").click()
    assert phone.execute_script("return document.activeElement.id") == "where-site-ankle_outer"


def _tab_until(driver: Browser, script: str, limit: int = 80) -> None:
    for _ in range(limit):
        if driver.execute_script(f"const e = document.activeElement; return Boolean({script});"):
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"Tab never reached {script}")


def test_keyboard_only_logging(live_server, desktop: Browser, patient_account):
    sign_in(desktop, live_server.url, patient_account)
    open_page(desktop, live_server.url, "/app/log")
    keys = ActionChains(desktop)
    _tab_until(desktop, "e.name === 'where-side'")
    keys.send_keys(Keys.SPACE).perform()  # the first side, Left, gets checked
    keys.send_keys(Keys.ARROW_RIGHT).perform()  # radios: arrows move and check: Right
    # Into the picture: one tab stop, arrow keys move between places and choose them.
    _tab_until(desktop, "e.classList && e.classList.contains('fm-spot')")
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    chosen = desktop.execute_script("return document.activeElement.getAttribute('aria-label')")
    assert chosen == "Back of ankle and heel (Achilles)"
    _tab_until(desktop, "e.type === 'submit'")
    keys.send_keys(Keys.ENTER).perform()
    by_role(desktop, "heading", "How bad is the pain right now, from 0 to 10?")
    _tab_until(desktop, "e.name === 'severity'")
    keys.send_keys(Keys.SPACE).perform()
    for _ in range(5):
        keys.send_keys(Keys.ARROW_RIGHT).perform()
    _tab_until(desktop, "e.type === 'submit'")
    keys.send_keys(Keys.ENTER).perform()
    by_role(desktop, "heading", "A few more questions")
    _tab_until(desktop, "e.id === 'flag-numbness_or_tingling'")
    keys.send_keys(Keys.SPACE).perform()
    _tab_until(desktop, "e.type === 'submit'")
    keys.send_keys(Keys.ENTER).perform()
    wait(desktop, lambda d: "/app/result" in d.current_url)
    desktop.axe(page="result after keyboard logging")
    entry = PainLog.objects.get(patient__user__email=patient_account.email)
    assert (entry.site, entry.side, entry.severity, entry.numbness_or_tingling) == (
        "achilles",
        "right",
        5,
        True,
    )


def test_time_from_opening_the_form_to_a_saved_entry(live_server, phone: Browser, patient_account):
    """For bench/RESULTS.md: the median of a few runs, printed (no timing assert)."""
    sign_in(phone, live_server.url, patient_account)
    runs = []
    for _ in range(5):
        open_page(phone, live_server.url, "/app/log")
        press(by_label(phone, "Right"))
        press(by_role(phone, "radio", "Arch of foot"))
        press(by_role(phone, "button", "Continue"))
        press(by_role(phone, "radio", "2"))
        press(by_role(phone, "button", "Continue"))
        press(by_role(phone, "button", "Save entry"))
        by_role(phone, "heading", "Your entry is saved")
        runs.append(phone.execute_script("return [window.__lastLogMs, window.__lastSaveMs]"))
    assert PainLog.objects.filter(patient__user__email=patient_account.email).count() == 5
    whole = statistics.median(run[0] for run in runs)
    save = statistics.median(run[1] for run in runs)
    print(
        f"\nlog form opened -> advice shown (phone, 5 runs, six taps by WebDriver): median"
        f" {whole:.0f} ms; Save tap -> advice shown: median {save:.0f} ms; runs {runs}"
    )


def test_journal_pages_at_200_percent_text(live_server, patient_account):
    """Text at 200 % in a 640 px window (WCAG 1.4.4): the journal's pages, with data in
    them, need no sideways scrolling (the trend table scrolls inside its own region)."""
    base, token = live_server.url, patient_account.token
    now = timezone.now()
    api_call(
        base,
        "POST",
        "logs/",
        {
            "recorded_at": now.isoformat(),
            "site": "achilles",
            "side": "left",
            "severity": 7,
            "heard_pop": True,
            "notes": "Ran for the bus " * 20,
        },
        token,
    )
    api_call(
        base,
        "POST",
        "treatments/",
        {"kind": "ice", "site": "achilles", "side": "left", "started_at": now.isoformat()},
        token,
    )
    narrow = make_browser("desktop", window=(640, 900))
    try:
        sign_in(narrow, base, patient_account)
        for path in (
            "/app/log",
            "/app/log?site=heel_bottom&side=right",
            "/app/result",
            "/app/entries",
            "/app/treatments",
            "/app/trends",
            "/app/alerts",
        ):
            open_page(narrow, base, path)
            narrow.execute_script("document.documentElement.style.fontSize = '200%'")
            for summary in narrow.find_elements(By.TAG_NAME, "summary"):
                press(summary)
            overflow = narrow.execute_script(
                "const root = document.documentElement; return root.scrollWidth - root.clientWidth;"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 200 % text"
    finally:
        narrow.quit()
