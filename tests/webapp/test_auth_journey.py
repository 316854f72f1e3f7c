"""Journey 1 in Chromium, phone and desktop: register, confirm the address from the mailed
link, sign out (the device forgets everything), sign in, forget the password and set a new
one from the mailed link, sign in with it, sign out everywhere."""

from __future__ import annotations

import pytest
from knox.models import AuthToken

from accounts.models import User
from tests.browser import api_call, by_label, by_role, screenshot, sign_up_patient
from tests.notify.servers import SmtpServer
from tests.webapp.journey import idb, mailed_link, on_page, says, tap

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long first passphrase 19"
NEW_PASSWORD = "another long passphrase 19"


@pytest.fixture
def mail(settings):
    """The loopback SMTP server (tests/notify/servers.py) receiving the service's mail."""
    with SmtpServer() as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        settings.APP_BASE_URL = "http://app.example"
        yield server


def _sign_in(browser, email: str, password: str) -> None:
    by_label(browser, "Email address").send_keys(email)
    by_label(browser, "Password").send_keys(password)
    tap(by_role(browser, "button", "Sign in"))


def test_register_verify_sign_out_reset_and_sign_out_everywhere(live_server, browser, mail):
    base = live_server.url
    email = f"journey-{browser.kind}@example.com"
    browser.get(f"{base}/app/register")
    on_page(browser, "Create an account")
    # The time zone is the browser's own (headless Chromium here: UTC), said on the form.
    zone = browser.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
    says(browser, f"Your time zone is {zone}")
    by_label(browser, "Email address").send_keys(email)
    by_label(browser, "New password").send_keys("1234")
    tap(by_role(browser, "button", "Create account"))
    # A refused password: the error summary, focused, linking to the field.
    summary = by_role(browser, "alert", "There is a problem")
    assert browser.switch_to.active_element == summary
    browser.axe(page="register with errors")
    screenshot(browser, f"patient-register-error-{browser.kind}")
    link = summary.find_element("css selector", "a")
    tap(link)
    assert browser.switch_to.active_element == by_label(browser, "New password")
    field = by_label(browser, "New password")
    assert "aria-invalid" in browser.execute_script(
        "return [...arguments[0].attributes].map(a => a.name)", field
    )
    field.clear()
    field.send_keys(PASSWORD)
    tap(by_role(browser, "button", "Create account"))
    on_page(browser, "Your foot and ankle journal")
    screenshot(browser, f"patient-home-{browser.kind}")
    user = User.objects.get(email=email)
    assert user.patient.timezone == zone
    assert user.email_verified_at is None

    # The mailed link confirms the address; a second visit says it is used and offers a new one.
    verify = mailed_link(mail, 1)
    assert verify.startswith("/app/verify-email?token=")
    browser.get(base + verify)
    on_page(browser, "Email address confirmed")
    says(browser, f"Your email address {email} is confirmed")
    screenshot(browser, f"patient-verified-{browser.kind}")
    user.refresh_from_db()
    assert user.email_verified_at is not None
    # A broken (or expired) link says so and offers a new one, here to a signed-in patient.
    browser.get(base + verify[:-4])
    on_page(browser, "This link does not work")
    says(browser, "The link has expired or has already been used.")
    tap(by_role(browser, "button", "Send a new link"))
    says(browser, "Your address is already verified.")

    # Sign out: the token dies on the server and the device keeps nothing.
    browser.get(f"{base}/app/settings")
    on_page(browser, "Settings")
    tap(by_role(browser, "link", "Sign out"))
    on_page(browser, "Sign out")
    tap(by_role(browser, "button", "Sign out"))
    on_page(browser, "Sign in")
    says(browser, "You have signed out")
    assert idb(browser, "kv") == []
    assert not AuthToken.objects.filter(user=user).exists()
    # Pages that need a sign-in send the patient here, and back after it.
    browser.get(f"{base}/app/settings")
    on_page(browser, "Sign in")
    _sign_in(browser, email, "not my password at all")
    by_role(browser, "alert", "There is a problem")
    says(browser, "Unable to log in with this email and password.")
    by_label(browser, "Password").clear()
    by_label(browser, "Password").send_keys(PASSWORD)
    tap(by_role(browser, "button", "Sign in"))
    on_page(browser, "Settings")

    # Forgotten password: the mailed link sets a new one, which then signs in.
    tap(by_role(browser, "link", "Sign out"))
    on_page(browser, "Sign out")
    tap(by_role(browser, "button", "Sign out"))
    on_page(browser, "Sign in")
    tap(by_role(browser, "link", "Forgotten your password?"))
    on_page(browser, "Reset your password")
    by_label(browser, "Email address").send_keys(email)
    tap(by_role(browser, "button", "Send me a link"))
    says(browser, "a link to reset the password is on its way")
    browser.axe(page="reset requested")
    reset = mailed_link(mail, 2)
    assert reset.startswith("/app/reset-password?token=")
    browser.get(base + reset)
    on_page(browser, "Set a new password")
    by_label(browser, "New password").send_keys(NEW_PASSWORD)
    tap(by_role(browser, "button", "Set new password"))
    on_page(browser, "Sign in")
    says(browser, "Your password has been changed")
    # A reset link works once.
    browser.get(base + reset)
    on_page(browser, "Set a new password")
    by_label(browser, "New password").send_keys("yet another passphrase 19")
    tap(by_role(browser, "button", "Set new password"))
    by_role(browser, "alert", "There is a problem")
    browser.axe(page="used reset link")
    browser.get(f"{base}/app/signin")
    on_page(browser, "Sign in")
    _sign_in(browser, email, NEW_PASSWORD)
    on_page(browser, "Your foot and ankle journal")

    # Sign out everywhere: another device's token stops working too.
    other = api_call(base, "POST", "auth/login/", {"email": email, "password": NEW_PASSWORD})
    assert AuthToken.objects.filter(user=user).count() == 2
    browser.get(f"{base}/app/settings")
    on_page(browser, "Settings")
    tap(by_role(browser, "link", "Sign out everywhere"))
    on_page(browser, "Sign out everywhere")
    tap(by_role(browser, "button", "Sign out everywhere"))
    on_page(browser, "Sign in")
    assert not AuthToken.objects.filter(user=user).exists()
    assert idb(browser, "kv") == []
    with pytest.raises(Exception, match="401"):
        api_call(base, "GET", "me/", token=other["token"])


def test_a_link_opened_signed_out_offers_a_sign_in_for_a_new_one(live_server, phone):
    base = live_server.url
    account = sign_up_patient(live_server)
    phone.get(f"{base}/app/verify-email?token=not-a-real-token")
    on_page(phone, "This link does not work")
    tap(by_role(phone, "link", "Sign in to get a new link"))
    on_page(phone, "Sign in")
    _sign_in(phone, account.email, account.password)
    # Back on the link's page, now able to send a new link.
    on_page(phone, "This link does not work")
    tap(by_role(phone, "button", "Send a new link"))
    says(phone, "A link was sent a few minutes ago")
