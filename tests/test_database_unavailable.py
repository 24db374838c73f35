"""A lost database gives a clean 503 with Retry-After, never a 500."""

import pytest
from django.db import InterfaceError, OperationalError


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_answers_503_with_retry_after(client, monkeypatch, error):
    from archive import views

    def unreachable(*args, **kwargs):
        raise error("connection to server failed")

    monkeypatch.setattr(views.Quote.objects, "published", unreachable)
    response = client.get("/quotes/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_not_disguised_as_503(client, monkeypatch):
    from archive import views

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views.Quote.objects, "published", broken)
    client.raise_request_exception = False
    assert client.get("/quotes/").status_code == 500
