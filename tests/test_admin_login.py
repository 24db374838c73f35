"""Admin logins are throttled per username and address, with a cool-off; passwords validated."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-curator-password"


@pytest.fixture
def curator():
    return User.objects.create_user("curator", password=PASSWORD, is_staff=True)


def log_in(client, password, address="10.0.0.1", username="curator"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail_five_times(client, address="10.0.0.1"):
    statuses = [log_in(client, "wrong", address).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form with an error, then the lock


def test_the_right_password_logs_in(client, curator):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_five_failures_lock_that_username_at_that_address(client, curator):
    fail_five_times(client)
    assert log_in(client, PASSWORD).status_code == 429


def test_an_attacker_elsewhere_cannot_lock_the_curator_out(client, curator):
    fail_five_times(client, address="203.0.113.9")
    response = log_in(client, PASSWORD, address="10.0.0.1")
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, curator, settings):
    fail_five_times(client)
    assert log_in(client, PASSWORD).status_code == 429
    past = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=past - datetime.timedelta(seconds=1))
    assert log_in(client, PASSWORD).status_code == 302


def test_weak_passwords_are_refused(curator):
    for weak in ["password", "12345678", "curator1", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=curator)
    validate_password(PASSWORD, user=curator)


def test_staff_sessions_end_within_twelve_hours(client, curator):
    log_in(client, PASSWORD)
    assert 0 < client.session.get_expiry_age() <= 12 * 60 * 60
