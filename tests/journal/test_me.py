import pytest

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_profile_fields(api, patient):
    body = api.get(ME).json()
    assert body == {
        "email": patient.user.email,
        "email_verified": True,
        "timezone": "Europe/London",
        "reminder_time": "20:00",
        "reminders_enabled": True,
        "has_diabetes": False,
        "has_circulation_problems": False,
        "has_reduced_sensation": False,
        "date_of_birth": None,
        "reminder_channels": ["push"],
        "alert_channels": ["email", "push"],  # a set, returned sorted
        "lock_screen_detail": False,
    }


def test_patch_profile(api, patient):
    response = api.patch(
        ME,
        {
            "timezone": "America/New_York",
            "reminder_time": "07:30",
            "has_diabetes": True,
            "date_of_birth": "1960-02-29",
        },
    )
    assert response.status_code == 200, response.json()
    patient.refresh_from_db()
    assert patient.timezone == "America/New_York"
    assert patient.reminder_time.strftime("%H:%M") == "07:30"
    assert patient.has_diabetes is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"reminder_time": "8pm"}, "reminder_time"),
        ({"reminders_enabled": "yes"}, "reminders_enabled"),
        ({"email": "new@example.com"}, "email"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"nickname": "Ada"}, "nickname"),
        ({"alert_channels": ["pigeon"]}, "alert_channels"),
        ({"reminder_channels": "email"}, "reminder_channels"),
    ],
)
def test_patch_rejects_bad_values_and_changes_nothing(api, patient, payload, field):
    response = api.patch(ME, {**payload, "has_diabetes": True})
    assert response.status_code == 400
    assert field in response.json()
    patient.refresh_from_db()
    assert patient.has_diabetes is False
    assert patient.timezone == "Europe/London"
