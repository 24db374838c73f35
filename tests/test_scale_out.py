"""Scale-out: settings from the environment (pool, replica, shared cache) and the replica router,
tested with a real second connection to the test database.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection, connections, router, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext, override_settings

from archive.models import Quote, Topic
from archive.routers import ReplicaRouter

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://wsw:secret@db-primary.internal:5432/archive"
REPLICA = "postgres://wsw:secret@db-replica.internal:5432/archive"
on_postgresql = connection.vendor == "postgresql"


def configured(**env):
    """DATABASES, DATABASE_ROUTERS and CACHES as the settings make them from `env`."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'databases': settings.DATABASES, "
        "'routers': settings.DATABASE_ROUTERS, 'caches': settings.CACHES, "
        "'settle': settings.ARCHIVE_SETTLE_SECONDS}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "archive.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(**env):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "archive.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    return result.stderr


# Settings ----------------------------------------------------------------------------------


def test_postgresql_uses_django_s_connection_pool():
    default = configured(DATABASE_URL=POSTGRES)["databases"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert default["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 3}
    assert default["CONN_MAX_AGE"] == 0  # Django requires it with the pool


def test_the_pool_is_sized_from_the_environment_and_can_be_turned_off():
    sized = configured(
        DATABASE_URL=POSTGRES, DATABASE_POOL_MIN_SIZE="2", DATABASE_POOL_MAX_SIZE="8"
    )["databases"]["default"]["OPTIONS"]["pool"]
    assert (sized["min_size"], sized["max_size"]) == (2, 8)
    off = configured(DATABASE_URL=POSTGRES, DATABASE_POOL="0")["databases"]["default"]
    assert "pool" not in off.get("OPTIONS", {})
    sqlite = configured(DATABASE_URL="sqlite:////tmp/x.sqlite3")["databases"]["default"]
    assert "pool" not in sqlite.get("OPTIONS", {})
    assert "DATABASE_POOL" in refused(DATABASE_URL=POSTGRES, DATABASE_POOL="maybe")


def test_without_a_replica_there_is_one_database_and_no_router():
    found = configured(DATABASE_URL=POSTGRES)
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []
    assert found["settle"] == 0


def test_a_replica_url_adds_the_replica_and_its_router():
    found = configured(DATABASE_URL=POSTGRES, DATABASE_REPLICA_URL=REPLICA)
    replica = found["databases"]["replica"]
    assert replica["HOST"] == "db-replica.internal"
    assert found["databases"]["default"]["HOST"] == "db-primary.internal"
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"]["pool"]["max_size"] == 4
    assert found["routers"] == ["archive.routers.ReplicaRouter"]
    assert found["settle"] == 5  # pages are not kept while a replica may still lag


def test_a_malformed_replica_url_fails_loudly():
    assert "sqlite:///" in refused(DATABASE_URL=POSTGRES, DATABASE_REPLICA_URL="mysql://x/y")


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache", None),
        ("redis://cache.internal:6379/0", "django.core.cache.backends.redis.RedisCache", None),
        ("rediss://:pw@cache.internal:6380/1", "django.core.cache.backends.redis.RedisCache", None),
        (
            "memcached://mc1.internal:11211,mc2.internal:11211",
            "django.core.cache.backends.memcached.PyMemcacheCache",
            ["mc1.internal:11211", "mc2.internal:11211"],
        ),
    ],
)
def test_cache_url_picks_the_cache_backend(url, backend, location):
    cache = configured(CACHE_URL=url)["caches"]["default"]
    assert cache["BACKEND"] == backend
    if backend.endswith("RedisCache"):
        assert cache["LOCATION"] == url
    if location:
        assert cache["LOCATION"] == location
    assert cache["KEY_PREFIX"] == "wsw"


def test_an_unknown_cache_url_fails_loudly():
    assert "CACHE_URL" in refused(CACHE_URL="couchbase://x")


def test_the_shared_cache_backends_can_be_loaded():
    """The client libraries are installed: redis for RedisCache, pymemcache for memcached."""
    pytest.importorskip("redis")
    pytest.importorskip("pymemcache")
    from django.core.cache.backends.memcached import PyMemcacheCache
    from django.core.cache.backends.redis import RedisCache

    redis_cache = RedisCache("redis://127.0.0.1:1/0", {})
    assert redis_cache._cache._client.__module__.startswith("redis")
    memcached = PyMemcacheCache("127.0.0.1:1", {})
    assert memcached._lib.__name__ == "pymemcache"


# The router --------------------------------------------------------------------------------


def test_the_router_reads_the_archive_from_the_replica_and_writes_to_the_primary():
    replicas = ReplicaRouter()
    assert replicas.db_for_read(Quote) == "replica"
    assert replicas.db_for_read(Quote.history.model) == "replica"
    assert replicas.db_for_write(Quote) == "default"
    assert replicas.db_for_read(Session) == "default"  # a session written at login is read back
    assert replicas.db_for_read(User) == "default"
    assert replicas.allow_relation(Quote(), Topic())
    assert replicas.allow_migrate("default", "archive")
    assert not replicas.allow_migrate("replica", "archive")


@pytest.fixture
def replica(db):
    """A second connection, "replica", to the test database; the router installed.

    The connection is made directly, not declared in DATABASES: Django's test case allows
    connections it did not know of when the test began.
    """
    default = connections["default"]
    second = load_backend(default.settings_dict["ENGINE"]).DatabaseWrapper(
        {**default.settings_dict}, alias="replica"
    )
    connections["replica"] = second
    try:
        with override_settings(DATABASE_ROUTERS=["archive.routers.ReplicaRouter"]):
            yield second
    finally:
        second.close()
        if getattr(second, "pool", None) is not None:
            second.close_pool()
        del connections["replica"]


def test_reads_go_to_the_replica_connection_and_writes_to_the_primary(replica):
    assert replica is not connections["default"]
    assert router.db_for_read(Quote) == "replica"
    with CaptureQueriesContext(replica) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            quote = Quote.objects.published().with_speaker().order_by("pk").first()
    assert quote is not None and quote._state.db == "replica"
    assert len(on_replica) == 1 and len(on_primary) == 0

    with CaptureQueriesContext(replica) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            with transaction.atomic():
                topic = Topic.objects.create(name="Replication", slug="replication")
                # Inside a write transaction, reads stay on the primary: they see the write.
                assert Topic.objects.filter(slug="replication").exists()
    assert topic._state.db == "default"
    assert len(on_replica) == 0
    assert any("INSERT" in query["sql"] for query in on_primary)


def test_reader_pages_are_read_from_the_replica(client, replica):
    quote = Quote.objects.published().order_by("pk").first()
    with CaptureQueriesContext(replica) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            for url in ["/", "/quotes/", f"/quotes/{quote.pk}/", "/claims/", "/feeds/quotes/"]:
                assert client.get(url).status_code == 200, url
    assert len(on_replica) > 0
    assert len(on_primary) == 0


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgresql, reason="needs PostgreSQL")
def test_the_replica_is_a_separate_postgresql_session(replica):
    """The replica connection is another backend: it does not see the test's uncommitted row."""
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (replica_pid,) = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (primary_pid,) = cursor.fetchone()
    assert replica_pid != primary_pid
    Topic.objects.create(name="Unreplicated", slug="unreplicated")
    assert not Topic.objects.filter(slug="unreplicated").exists()  # read on the replica
    assert Topic.objects.using("default").filter(slug="unreplicated").exists()


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgresql, reason="needs PostgreSQL")
def test_postgresql_connections_come_from_the_pool(db, settings):
    if settings.DATABASES["default"].get("OPTIONS", {}).get("pool") is None:
        pytest.skip("DATABASE_POOL=0")
    assert connection.pool is not None
    assert connection.pool.max_size == settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
