"""Trends in the patient's web app: a chart per site and side (worst and average pain, ice
and heat minutes) over 30, 90 or 365 days, and a table with the same figures as
/api/v1/trends/. Chromium against the live server, axe-core on every page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import Browser, api_call, by_role, screenshot, sign_in, wait
from tests.webapp.test_log_journey import assert_clean_console, open_page, press

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _seed(base: str, token: str) -> None:
    # The last noon (UTC) that has passed, not the clock: the table has a row per local day
    # (Europe/London), and just after midnight "30 minutes before now" is yesterday, which
    # split the seeded days differently (8 rows for 6, in a CI run at 00:45 UTC).
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    if now > timezone.now():
        now -= timedelta(days=1)
    logs = []
    for days_ago, severity in [(40, 7), (20, 6), (6, 5), (5, 4), (3, 4), (1, 2), (0, 3)]:
        logs.append(
            {
                "id": str(uuid.uuid4()),
                "recorded_at": (now - timedelta(days=days_ago, minutes=30)).isoformat(),
                "site": "heel_bottom",
                "side": "right",
                "severity": severity,
            }
        )
    logs.append(
        {
            "id": str(uuid.uuid4()),
            "recorded_at": (now - timedelta(days=1, minutes=20)).isoformat(),
            "site": "heel_bottom",
            "side": "right",
            "severity": 6,
        }
    )
    logs.append(
        {
            "id": str(uuid.uuid4()),
            "recorded_at": (now - timedelta(days=2)).isoformat(),
            "site": "big_toe",
            "side": "left",
            "severity": 3,
        }
    )
    api_call(base, "POST", "logs/sync/", {"logs": logs}, token)
    for days_ago, kind, minutes in [(1, "ice", 12), (3, "heat", 10)]:
        api_call(
            base,
            "POST",
            "treatments/",
            {
                "kind": kind,
                "site": "heel_bottom",
                "side": "right",
                "started_at": (now - timedelta(days=days_ago, hours=1)).isoformat(),
                "minutes": minutes,
            },
            token,
        )


def _expected(rows: list[dict]) -> list[list[str]]:
    def figure(value):
        # As the page prints a JSON number: 4.0 is "4".
        if value is None:
            return "\u2013"  # an en dash, as the page shows a missing figure
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return [
        [
            row["date"],
            figure(row["max_severity"]),
            figure(row["mean_severity"]),
            figure(row["entries"]),
            str(row["ice_minutes"]),
            str(row["heat_minutes"]),
        ]
        for row in sorted(rows, key=lambda r: r["date"])
    ]


@pytest.mark.parametrize("days", [30, 90])
def test_charts_and_their_tables_match_the_api(
    live_server, browser: Browser, patient_account, days
):
    base, token = live_server.url, patient_account.token
    _seed(base, token)
    sign_in(browser, base, patient_account)
    open_page(browser, base, "/app/trends")
    by_role(browser, "heading", "How it is going")
    if days != 30:
        press(by_role(browser, "link", f"{days} days"))
        wait(browser, lambda d: f"days={days}" in d.current_url)
    wait(
        browser,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, ".tabs [aria-current=page]").text == f"{days} days"
        ),
    )
    api = api_call(base, "GET", f"trends/?days={days}", token=token)

    for site, side, heading in [
        ("heel_bottom", "right", "Bottom of heel, Right"),
        ("big_toe", "left", "Big toe, Left"),
    ]:
        by_role(browser, "heading", heading)
        section = browser.find_element(
            By.CSS_SELECTOR, f".trend[data-site='{site}'][data-side='{side}']"
        )
        chart = section.find_element(By.CSS_SELECTOR, "svg[role=img]")
        assert chart.get_attribute("aria-label").startswith("Chart of ")
        # The table: the same days and figures as the API (dates as the row's data-date).
        press(section.find_element(By.TAG_NAME, "summary"))
        rows = section.find_elements(By.CSS_SELECTOR, "tbody tr")
        shown = [[row.get_attribute("data-date"), *_table_rows_cells(row)] for row in rows]
        want = _expected([r for r in api["results"] if (r["site"], r["side"]) == (site, side)])
        assert shown == want
        caption = section.find_element(By.TAG_NAME, "caption").text
        assert caption == f"{heading}: pain and ice or heat per day"
    heel = browser.find_element(By.CSS_SELECTOR, ".trend[data-site='heel_bottom']")
    # 40 days ago is inside 90 days, not 30.
    assert len(heel.find_elements(By.CSS_SELECTOR, "tbody tr")) == (6 if days == 30 else 7)
    # The worst line is drawn, and the ice/heat bars.
    assert heel.find_element(By.CSS_SELECTOR, ".ch-worst").get_attribute("d").startswith("M")
    assert heel.find_elements(By.CSS_SELECTOR, "rect.ch-ice")
    assert heel.find_elements(By.CSS_SELECTOR, "rect.ch-heat")
    browser.axe(page=f"trends {days} days, tables open")
    if browser.kind == "phone" and days == 30:
        press(heel.find_element(By.TAG_NAME, "summary"))  # closed again, for the picture
        browser.execute_script("window.scrollTo(0, 0)")
        screenshot(browser, "patient-trends")
    assert_clean_console(browser)


def _table_rows_cells(row) -> list[str]:
    return [
        cell.get_attribute("textContent").strip() for cell in row.find_elements(By.XPATH, "./td")
    ]


def test_a_year_and_nothing_logged(live_server, phone: Browser, patient_account):
    sign_in(phone, live_server.url, patient_account)
    open_page(phone, live_server.url, "/app/trends?days=365")
    by_role(phone, "heading", "How it is going")
    assert "Nothing logged in this time." in phone.find_element(By.TAG_NAME, "main").text
    assert phone.find_element(By.CSS_SELECTOR, ".tabs [aria-current=page]").text == "year"
    phone.axe(page="trends, empty year")
