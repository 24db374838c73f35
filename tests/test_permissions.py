"""Who may open which page: every URL pattern of the site, requested with GET by an anonymous
reader, a curator (a staff user in the "Curators" group) and a superuser.

ACCESS below holds one rule per URL pattern. A pattern without a rule fails the test: whoever adds
a URL decides who may open it. Every rule's pattern must exist, too, so the table stays true.
"""

import re
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from archive.models import Author, Claim, Document, Quote, Stance, Topic

pytestmark = pytest.mark.django_db

LOGIN = "login"  # redirected to /admin/login/?next=<the page>
PUBLIC = (200, 200, 200)  # (anonymous, curator, superuser)
STAFF = (LOGIN, 200, 200)  # every staff user, curators included
STAFF_REDIRECT = (LOGIN, 302, 302)  # a staff page that only redirects somewhere else
SUPERUSER_ONLY = (LOGIN, 403, 200)  # curators are refused

CURATED = ["author", "claim", "document", "quote", "stance", "topic"]


def model_admin_rules(app_model, curator_may_edit):
    """The rules for the pages Django's admin makes for one model (`app_model`: "archive_quote").

    Curators open, add, change and read the history of the archive's models; they never delete
    (GET on the delete page shows the confirmation only: still harmless, still refused).
    """
    app, model = app_model.split("_", 1)
    curator = STAFF if curator_may_edit else SUPERUSER_ONLY
    return {
        f"admin:{app_model}_changelist": curator,
        f"admin:{app_model}_add": curator,
        f"admin:{app_model}_change": curator,
        f"admin:{app_model}_history": curator,
        f"admin:{app_model}_delete": SUPERUSER_ONLY,
        f"admin/{app}/{model}/<path:object_id>/": STAFF_REDIRECT,  # old-style link → change page
    }


def login_record_rules(app_model):
    """django-axes' records: superusers read them; logins make them, nobody adds one by hand."""
    rules = model_admin_rules(app_model, False)
    rules[f"admin:{app_model}_add"] = (LOGIN, 403, 403)
    return rules


ACCESS = {
    # The reader's site: open to everyone, logged in or not.
    "home": PUBLIC,
    "quote-list": PUBLIC,
    "quote-detail": PUBLIC,
    "quote-citation": PUBLIC,
    "quote-revisions": PUBLIC,
    "quote-revision": PUBLIC,
    "quote-revision-citation": PUBLIC,
    "author-list": PUBLIC,
    "author-detail": PUBLIC,
    "document-list": PUBLIC,
    "document-detail": PUBLIC,
    "claim-list": PUBLIC,
    "claim-detail": PUBLIC,
    "topic-list": PUBLIC,
    "topic-detail": PUBLIC,
    "feed-quotes": PUBLIC,
    "feed-topic": PUBLIC,
    "feed-author": PUBLIC,
    "feed-claim": PUBLIC,
    "sitemap": PUBLIC,
    "sitemap-section": {"/sitemap-quotes.xml": PUBLIC, "/sitemap-authors.xml": PUBLIC},
    # The admin site's own pages.
    "admin:index": STAFF,
    "admin:login": (200, 302, 302),  # a logged-in user is sent on to the admin index
    # POST only: a GET (a link, a prefetch) logs nobody out; anonymous visitors go to /admin/.
    "admin:logout": (302, 405, 405),
    "admin:password_change": STAFF,
    "admin:password_change_done": STAFF,
    "admin:autocomplete": STAFF,
    "admin:jsi18n": STAFF,
    "admin:view_on_site": STAFF_REDIRECT,  # "view on site" → the public page
    "admin:app_list": {
        "/admin/archive/": STAFF,
        "/admin/auth/": (LOGIN, 404, 200),  # Django answers 404 for an app with nothing to show
    },
    "admin/(?P<url>.*)$": (LOGIN, 404, 404),  # any other address under /admin/
    # The archive's models: curators add and change, never delete.
    **{
        rule: access
        for m in CURATED
        for rule, access in model_admin_rules(f"archive_{m}", True).items()
    },
    # A past version of a record (django-simple-history): shown to whoever may change the record;
    # reverting it takes a POST.
    **{f"admin:archive_{model}_simple_history": STAFF for model in CURATED},
    # Excerpting a quote from a document's text (needs change_document and add_quote).
    "admin:archive_document_excerpt": STAFF,
    # Users and groups: superusers only.
    **model_admin_rules("auth_user", False),
    **model_admin_rules("auth_group", False),
    "admin:auth_user_password_change": SUPERUSER_ONLY,
    # Login throttling records (django-axes): superusers only.
    **login_record_rules("axes_accessattempt"),
    **login_record_rules("axes_accessfailurelog"),
    **login_record_rules("axes_accesslog"),
}

HOW_TO_ADD_A_RULE = """
Add a rule for it to ACCESS in tests/test_permissions.py, one of:
    "{key}": PUBLIC,
        a reader's page: 200 for everyone;
    "{key}": STAFF,
        an admin page for curators and superusers (anonymous: sent to the login page);
    "{key}": SUPERUSER_ONLY,
        an admin page curators must not open (403);
or a tuple (anonymous, curator, superuser) of statuses, LOGIN meaning "sent to the login page".
If the URL takes a parameter this test cannot fill yet, give it a value in url_values().
"""


@dataclass
class Pattern:
    key: str  # the pattern's name ("admin:index"), or its route if it has none
    route: str  # the whole route, from the site's root


def join_route(prefix, route):
    """Routes joined as Django joins them for ResolverMatch.route."""
    return prefix + (route[1:] if route.startswith("^") else route)


def walk(patterns, prefix="", namespace=""):
    """Every URL pattern of the site, with its whole route; included URL lists opened up."""
    for pattern in patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            key = f"{namespace}{pattern.name}" if pattern.name else route
            yield Pattern(key=key, route=route)


def all_patterns():
    return list(walk(get_resolver().url_patterns))


@pytest.fixture
def curator():
    user = User.objects.create_user("test-curator", password="test-pass-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def superuser():
    return User.objects.create_superuser("test-superuser", password="test-pass-2")


@pytest.fixture
def clients(curator, superuser):
    logged_in = []
    for user in (curator, superuser):
        client = Client()
        client.force_login(user)
        logged_in.append(client)
    return [Client(), *logged_in]


def admin_objects(superuser):
    """A real object for each admin model's pages: "archive/quote" → quote 201."""
    quote = Quote.objects.get(pk=201)
    return {
        "archive/quote": quote,
        "archive/author": quote.speaker,
        "archive/document": quote.document,
        "archive/topic": Topic.objects.get(slug="nep"),
        "archive/claim": Claim.objects.get(slug="stalinism-continued-leninism"),
        "archive/stance": Stance.objects.order_by("pk").first(),
        "auth/user": superuser,
        "auth/group": Group.objects.get(name="Curators"),
        **login_records(),
    }


def login_records():
    """One record of each kind django-axes keeps, as a failed login would leave them."""
    who = {"username": "someone", "ip_address": "10.0.0.1", "user_agent": "test"}
    seen = {"http_accept": "*/*", "path_info": "/admin/login/", "attempt_time": timezone.now()}
    attempt, _ = AccessAttempt.objects.get_or_create(
        **who, defaults={**seen, "get_data": "", "post_data": "", "failures_since_start": 1}
    )
    failure = AccessFailureLog.objects.first() or AccessFailureLog.objects.create(**who, **seen)
    log = AccessLog.objects.first() or AccessLog.objects.create(**who, **seen)
    return {"axes/accessattempt": attempt, "axes/accessfailurelog": failure, "axes/accesslog": log}


def url_values(pattern, superuser):
    """Values for the pattern's parameters, taken from the preloaded archive, in route order."""
    admin_model = re.match(r"admin/(\w+/\w+)/", pattern.route)
    obj = admin_objects(superuser).get(admin_model.group(1)) if admin_model else None
    slugs = {
        "author": "bukharin",
        "document": "boettke-soviet-admissions",
        "claim": "stalinism-continued-leninism",
        "topic": "nep",
    }
    slug = next((s for part, s in slugs.items() if f"{part}s/" in pattern.route), None)
    return {
        "pk": 201,
        "number": 1,
        "fmt": "bib",
        "slug": slug,
        "object_id": obj.pk if obj else 201,  # "view on site" (admin/r/…): quote 201
        "id": obj.pk if obj else None,
        "content_type_id": ContentType.objects.get_for_model(Quote).pk,
        "history_id": obj.history.order_by("history_id").first().history_id
        if obj is not None and hasattr(obj, "history")
        else None,
        "url": "test-no-such-page/",
    }


PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)|\([^)?]*\)")
UNNAMED_GROUPS = ["object_id", "history_id"]  # simple_history's r"^([^/]+)/history/([^/]+)/$"


def fill(pattern, values):
    """The pattern's route with real values in place of its parameters: a URL to request."""
    unnamed = iter(UNNAMED_GROUPS)

    def value(match):
        name = match.group("name") or match.group("group") or next(unnamed, None)
        if values.get(name) is None:
            raise LookupError(f"no value for the parameter “{name}” of {pattern.route}")
        return str(values[name])

    return "/" + PARAMETER.sub(value, pattern.route).replace("^", "").replace("$", "")


def concrete_urls(pattern, superuser):
    """The URLs to request for a pattern, each with its expected (anonymous, curator, superuser)."""
    rule = ACCESS[pattern.key]
    if isinstance(rule, dict):
        return list(rule.items())
    return [(fill(pattern, url_values(pattern, superuser)), rule)]


def outcome(response):
    """The status, or LOGIN when the response sends the visitor to the admin's login page."""
    if response.status_code == 302 and response["Location"].startswith("/admin/login/?next="):
        return LOGIN
    return response.status_code


QUERY = {"admin:autocomplete": "?app_label=archive&model_name=quote&field_name=speaker&term=bu"}


def test_every_url_pattern_has_an_access_rule():
    missing = [p for p in all_patterns() if p.key not in ACCESS]
    messages = [
        f"New URL {p.route!r} (key {p.key!r}) has no access rule in tests/test_permissions.py."
        + HOW_TO_ADD_A_RULE.format(key=p.key)
        for p in missing
    ]
    assert not missing, "\n".join(messages)


def test_every_access_rule_names_an_existing_url_pattern():
    keys = {pattern.key for pattern in all_patterns()}
    stale = sorted(set(ACCESS) - keys)
    assert not stale, f"ACCESS has rules for URL patterns that no longer exist: {stale}"


def test_each_user_gets_the_expected_answer_from_every_url(clients, superuser):
    counts = archive_counts()
    wrong = []
    for pattern in all_patterns():
        if pattern.key not in ACCESS:
            continue  # reported by test_every_url_pattern_has_an_access_rule
        for url, expected in concrete_urls(pattern, superuser):
            assert resolve(url).route == pattern.route, f"{url} is not an address of {pattern.key}"
            for who, client, want in zip(
                ("anonymous", "curator", "superuser"), clients, expected, strict=True
            ):
                got = outcome(client.get(url + QUERY.get(pattern.key, "")))
                if got != want:
                    wrong.append(f"{who} GET {url} ({pattern.key}): expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
    assert archive_counts() == counts, "a GET request changed the archive"
    for client in clients[1:]:
        assert client.get("/admin/").status_code == 200, "a GET request logged a user out"


def archive_counts():
    """Rows and history records of every curated model, and the admin's log: GET changes none."""
    models = [Author, Claim, Document, Quote, Stance, Topic]
    return (
        [model.objects.count() for model in models]
        + [model.history.count() for model in models]
        + [LogEntry.objects.count(), User.objects.count(), Group.objects.count()]
    )


def test_the_curators_group_may_add_change_and_view_the_archive_and_nothing_else():
    codenames = set(
        Group.objects.get(name="Curators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    expected = {
        ("archive", f"{verb}_{model}") for verb in ("add", "change", "view") for model in CURATED
    }
    expected |= {("archive", f"view_historical{model}") for model in CURATED}
    assert codenames == expected
    assert not any(codename.startswith("delete_") for _app, codename in codenames)


def test_a_curator_cannot_delete_even_with_a_post(curator, clients):
    author = Author.objects.get(slug="bukharin")
    curator_client = clients[1]
    response = curator_client.post(f"/admin/archive/author/{author.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    topic = Topic.objects.get(slug="nep")
    curator_client.post(
        "/admin/archive/topic/",
        {"action": "delete_selected", "_selected_action": [topic.pk], "post": "yes"},
    )
    assert Author.objects.filter(pk=author.pk).exists()
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_a_curator_cannot_add_users_or_give_themselves_rights(curator, clients):
    curator_client = clients[1]
    response = curator_client.post(
        "/admin/auth/user/add/",
        {"username": "test-intruder", "password1": "x-Long-pass-9", "password2": "x-Long-pass-9"},
    )
    assert response.status_code == 403
    response = curator_client.post(
        f"/admin/auth/user/{curator.pk}/change/",
        {"username": curator.username, "is_superuser": "on"},
    )
    assert response.status_code == 403
    curator.refresh_from_db()
    assert not curator.is_superuser
    assert not User.objects.filter(username="test-intruder").exists()
    assert not curator.user_permissions.exists()


def test_a_curator_changes_a_topic_and_the_history_names_them_and_their_reason(curator, clients):
    topic = Topic.objects.get(slug="nep")
    response = clients[1].post(
        f"/admin/archive/topic/{topic.pk}/change/",
        {
            "name": topic.name,
            "slug": topic.slug,
            "description": "Test description.",
            "start_year": topic.start_year,
            "end_year": topic.end_year,
            "change_reason": "Test: shorter description",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.description == "Test description."
    latest = topic.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        curator,
        "Test: shorter description",
    )


def test_a_superuser_holds_every_permission(superuser):
    every = Permission.objects.count()
    assert every > 0
    assert all(
        superuser.has_perm(f"{p.content_type.app_label}.{p.codename}")
        for p in Permission.objects.all()
    )
