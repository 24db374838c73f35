import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the whole curated archive, loaded the way `make run` does."""
    with django_db_blocker.unblock():
        call_command("load_archive", verbosity=0)


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def django_cache_clear(request):
    """Each test starts with an empty cache: no page stored by another test.

    With the database, the archive's stamp (archive/caching.py) is read at once: it costs one
    query per ARCHIVE_STAMP_SECONDS, not one per page, so tests that count a page's queries must
    not count it.
    """
    from django.core.cache import cache

    cache.clear()
    wanted = DB_FIXTURES & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") or wanted:
        from archive.caching import archive_last_changed

        for name in sorted(wanted):  # the database first, if a fixture asks for it
            request.getfixturevalue(name)

        archive_last_changed()
    yield
    cache.clear()
