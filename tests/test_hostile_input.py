"""Random and hostile input at every public URL: never a server error, never an unescaped echo."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# Every example is read-only (GET, or a POST that CSRF refuses), so sharing the test
# database across examples is safe.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MARKER = "<x-hostile>"
PARAMETERS = [
    "q", "speaker", "document", "topic", "claim", "position", "attribution", "said_from",
    "said_to", "kind", "sort", "page",
]  # fmt: skip
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "'",
        '"',
        "\\",
        "%",
        "%00",
        "-",
        "--",
        "OR 1=1",
        "'; DROP TABLE archive_quote; --",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "\u202e",
        "\ud7ff",
        "9" * 40,
        "-1",
        "0",
        "1e309",
        "..",
        "../../etc/passwd",
        "&",
        "#",
        "\n\r",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=60), st.text(max_size=20).map(lambda t: MARKER + t))
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12)), VALUES), max_size=6
)
PAGES = [
    "/",
    "/quotes/",
    "/quotes/207/",
    "/authors/",
    "/authors/lenin/",
    "/documents/",
    "/documents/boettke-soviet-admissions/",
    "/claims/",
    "/claims/stalinism-continued-leninism/",
    "/topics/",
    "/topics/nep/",
    "/feeds/quotes/",
    "/sitemap.xml",
    "/quotes/207/cite.bib",
]


def assert_safe(response):
    assert response.status_code < 500, response.status_code
    body = response.content.decode("utf-8", errors="replace")
    assert MARKER not in body, "a hostile value came back unescaped"


@EXAMPLES
@given(page=st.sampled_from(PAGES), query=QUERIES)
def test_any_query_string_on_any_page_is_answered_safely(client, page, query):
    response = client.get(page, data=[(k.replace("\x00", ""), v) for k, v in query])
    assert_safe(response)


@EXAMPLES
@given(
    prefix=st.sampled_from(["/quotes/", "/authors/", "/documents/", "/claims/", "/topics/"]),
    segment=st.one_of(NASTY, st.text(max_size=40), st.integers().map(str)),
    suffix=st.sampled_from(["", "/", "/cite.bib", "/v/1/", "/v/", "/cite.x"]),
)
def test_any_path_is_answered_safely(client, prefix, segment, suffix):
    path = prefix + segment.replace("\x00", "") + suffix
    if not path.isprintable():
        path = path.encode("utf-8", "replace").decode("latin-1")
    assert_safe(client.get(path))


@EXAMPLES
@given(page=st.sampled_from(PAGES + ["/admin/login/"]), form=QUERIES)
def test_form_posts_are_refused_or_answered_never_a_server_error(client, page, form):
    assert_safe(client.post(page, data={k.replace("\x00", ""): v for k, v in form}))


@EXAMPLES
@given(
    host=st.one_of(st.just("evil.example.org"), st.text(max_size=30)),
    language=VALUES,
    agent=VALUES,
)
def test_hostile_headers_are_answered_safely(client, host, language, agent):
    headers = {"Accept-Language": language, "User-Agent": agent}
    response = client.get(
        "/quotes/",
        headers={k: v.encode("latin-1", "replace").decode("latin-1") for k, v in headers.items()},
        HTTP_HOST=host.encode("latin-1", "replace").decode("latin-1") or "x",
    )
    assert_safe(response)
