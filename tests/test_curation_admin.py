"""Curation through the real admin: lists, verification in the loop, history, permanence."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User

from archive.models import Author, Claim, Document, Quote, Topic
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

CURATED_MODELS = ["author", "document", "quote", "topic", "claim", "stance"]
TYPO_FIX = "Fixed a typo against the source"


@pytest.fixture
def curator(client):
    """A staff user in the "Curators" group: add, change and view on the six models."""
    group, created = Group.objects.get_or_create(name="Curators")
    if created:
        codenames = [f"{verb}_{m}" for verb in ("add", "change", "view") for m in CURATED_MODELS]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="archive", codename__in=codenames)
        )
    user = User.objects.create_user("curator", password="x", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return client


def listed_ids(response):
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


# The quote list


def test_it_lists_the_columns_a_curator_needs(admin_client):
    response = admin_client.get("/admin/archive/quote/")
    page = response.content.decode()
    for column in ["Quote", "Speaker", "Document", "Said", "Found in its document"]:
        assert f">{column}</a>" in page or f">{column}</span>" in page
    first = response.context["cl"].result_list[0]
    assert " ".join(first.text.split()[:12]) in page
    assert first.speaker.name in page and first.document.title in page
    assert "icon-yes.svg" in page and "found" in page


def test_it_never_counts_the_whole_table(admin_client):
    response = admin_client.get("/admin/archive/quote/?q=Lenin")
    assert response.context["cl"].full_result_count is None
    assert "Show all" in response.content.decode()
    assert " total)" not in response.content.decode()


def test_it_filters_by_status(admin_client):
    Quote.objects.filter(pk__in=[201, 301]).update(status="draft")
    response = admin_client.get("/admin/archive/quote/?status__exact=draft")
    assert listed_ids(response) == {201, 301}


def test_it_filters_quotes_not_found_in_their_document(admin_client):
    Quote.objects.filter(pk=203).update(start_offset=None, end_offset=None)
    not_found = admin_client.get("/admin/archive/quote/?found=no")
    orphaned = admin_client.get("/admin/archive/quote/?found=orphaned")
    found = admin_client.get("/admin/archive/quote/?found=yes")
    assert listed_ids(not_found) == listed_ids(orphaned) == {203}
    assert 203 not in listed_ids(found) and len(listed_ids(found)) == 239
    assert "orphaned" in not_found.content.decode()


@pytest.mark.parametrize(
    "parameter, lookup",
    [
        ("attribution__exact=verified", {"attribution": "verified"}),
        ("topics__id__exact={topic}", {"topics__slug": "nep"}),
        ("stances__claim__id__exact={claim}", {"stances__claim__pk": "{claim}"}),
        ("speaker__id__exact={lenin}", {"speaker__slug": "lenin"}),
        ("document__id__exact={harrison}", {"document__slug__startswith": "harrison"}),
    ],
)
def test_each_filter_gives_the_quotes_it_names(admin_client, parameter, lookup):
    ids = {
        "topic": Topic.objects.get(slug="nep").pk,
        "claim": Claim.objects.order_by("pk").first().pk,
        "lenin": Author.objects.get(slug="lenin").pk,
        "harrison": Document.objects.get(slug__startswith="harrison").pk,
    }
    lookup = {key: str(value).format(**ids) for key, value in lookup.items()}
    expected = set(Quote.objects.filter(**lookup).values_list("pk", flat=True))
    assert expected
    response = admin_client.get("/admin/archive/quote/?" + parameter.format(**ids))
    assert listed_ids(response) == expected


def test_search_finds_a_speaker_by_another_spelling(admin_client):
    response = admin_client.get("/admin/archive/quote/?q=Shmelyev")
    shmelev = set(
        Quote.objects.filter(speaker__slug="nikolai-shmelev").values_list("pk", flat=True)
    )
    assert shmelev and listed_ids(response) == shmelev


def test_the_speaker_autocomplete_answers(curator):
    response = curator.get(
        "/admin/autocomplete/?app_label=archive&model_name=quote&field_name=speaker&term=Lenin"
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert "V. I. Lenin" in names


def test_the_claim_autocomplete_answers_for_the_stance_inline(admin_client):
    claim = Claim.objects.order_by("pk").first()
    word = claim.text.split()[1]
    response = admin_client.get(
        f"/admin/autocomplete/?app_label=archive&model_name=stance&field_name=claim&term={word}"
    )
    assert str(claim.pk) in [result["id"] for result in response.json()["results"]]


# The quote form


def test_the_quote_page_shows_its_place_stances_and_view_on_site(admin_client):
    quote = Quote.objects.get(pk=202)
    page = admin_client.get("/admin/archive/quote/202/change/").content.decode()
    assert "Place in the document" in page
    assert "<mark>The adoption of NEP was a collapse of our illusions" in page
    assert 'id="stances-group"' in page
    assert "View on site" in page
    assert "Reason for this change" in page
    assert quote.stances.get().claim.text[:30] in page


def test_fixing_a_typo_is_recorded_with_the_reason_and_the_curator(curator):
    right = Quote.objects.get(pk=201).text
    Quote.objects.filter(pk=201).update(text=right.replace("misprints", "mispirnts"))
    form = curator.get("/admin/archive/quote/201/change/")
    response = curator.post(
        "/admin/archive/quote/201/change/", form_data(form, text=right, change_reason=TYPO_FIX)
    )
    assert response.status_code == 302
    quote = Quote.objects.get(pk=201)
    assert quote.text == right and quote.is_located
    record = quote.history.latest("history_date")
    assert record.history_change_reason == TYPO_FIX
    assert record.history_user.username == "curator"
    history = curator.get("/admin/archive/quote/201/history/").content.decode()
    assert TYPO_FIX in history and "curator" in history


def test_a_change_without_a_reason_is_refused(admin_client):
    form = admin_client.get("/admin/archive/quote/201/change/")
    response = admin_client.post(
        "/admin/archive/quote/201/change/", form_data(form, via="somewhere")
    )
    assert response.status_code == 200
    assert "Say why you are making this change" in response.content.decode()
    assert Quote.objects.get(pk=201).via == ""


def test_publishing_words_that_are_not_in_the_document_shows_the_closest_passage(admin_client):
    form = admin_client.get("/admin/archive/quote/201/change/")
    altered = "There are annoying mistakes in history, but the truth will prevail!"
    response = admin_client.post(
        "/admin/archive/quote/201/change/",
        form_data(form, text=altered, change_reason="Test"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be published" in page and "Closest passage" in page
    assert "There are annoying misprints in history" in page
    assert Quote.objects.get(pk=201).text != altered


def test_a_draft_that_is_not_verbatim_can_be_saved(admin_client):
    form = admin_client.get("/admin/archive/quote/add/")
    text = "There are annoying mistakes in history, but the truth will prevail!"
    data = form_data(
        form,
        text=text,
        speaker=str(Quote.objects.get(pk=201).speaker_id),
        document=str(Quote.objects.get(pk=201).document_id),
        status="draft",
    )
    response = admin_client.post("/admin/archive/quote/add/", data)
    assert response.status_code == 302
    draft = Quote.objects.get(text=text)
    assert draft.status == "draft" and not draft.is_located
    assert admin_client.get(f"/quotes/{draft.pk}/").status_code == 404


def test_a_public_quote_cannot_go_back_to_draft(admin_client):
    form = admin_client.get("/admin/archive/quote/201/change/")
    response = admin_client.post(
        "/admin/archive/quote/201/change/", form_data(form, status="draft", change_reason="x")
    )
    assert "cannot go back to draft" in response.content.decode()
    assert Quote.objects.get(pk=201).status == "published"


# Actions


def test_reverify_stores_places_again_and_names_the_quotes_lost(admin_client):
    Quote.objects.filter(pk=203).update(start_offset=None, end_offset=None, prefix="")
    Quote.objects.filter(pk=212).update(text="economics has its own rules")
    history_before = Quote.history.count()
    response = admin_client.post(
        "/admin/archive/quote/",
        {"action": "reverify_quotes", "_selected_action": ["203", "212"]},
        follow=True,
    )
    message = messages_of(response)
    assert "1 quotes re-found; 1 no longer match and are orphaned" in message
    assert 'href="/admin/archive/quote/212/change/">#212</a>' in message
    assert Quote.objects.get(pk=203).start_offset == 3890
    assert Quote.objects.get(pk=212).is_orphaned
    assert Quote.history.count() == history_before


def test_withdrawing_asks_the_reason_and_the_quote_answers_410_with_it(curator):
    ask = curator.post(
        "/admin/archive/quote/", {"action": "withdraw_quotes", "_selected_action": ["203"]}
    )
    assert ask.status_code == 200 and "Reason readers will see" in ask.content.decode()
    reason = "The words are the author’s own, not a quotation."
    done = curator.post(
        "/admin/archive/quote/",
        {"action": "withdraw_quotes", "_selected_action": ["203"], "apply": "1", "reason": reason},
    )
    assert done.status_code == 302
    public = curator.get("/quotes/203/")
    assert public.status_code == 410 and reason in public.content.decode()
    assert Quote.objects.get(pk=203).history.latest("history_date").history_user.username == (
        "curator"
    )


def test_merging_through_the_form_redirects_the_quote_to_the_one_that_remains(admin_client):
    form = admin_client.get("/admin/archive/quote/203/change/")
    data = form_data(form, status="merged", merged_into="202", change_reason="Duplicate of #202")
    assert admin_client.post("/admin/archive/quote/203/change/", data).status_code == 302
    response = admin_client.get("/quotes/203/")
    assert response.status_code == 301 and response["Location"] == "/quotes/202/"


def test_merging_needs_the_quote_that_remains(admin_client):
    form = admin_client.get("/admin/archive/quote/203/change/")
    data = form_data(form, status="merged", change_reason="Duplicate")
    response = admin_client.post("/admin/archive/quote/203/change/", data)
    assert "Name the quote this one is merged into." in response.content.decode()


# Documents


def test_a_document_page_lists_its_quotes_with_links_and_the_excerpt_button(admin_client):
    document = Quote.objects.get(pk=201).document
    page = admin_client.get(f"/admin/archive/document/{document.pk}/change/").content.decode()
    assert 'href="/admin/archive/quote/201/change/">#201</a>' in page
    assert 'href="/quotes/201/">public page</a>' in page
    assert f'href="/admin/archive/document/{document.pk}/excerpt/">Excerpt a quote</a>' in page


def test_editing_a_document_orphans_the_quote_whose_words_were_removed(admin_client):
    lost = Quote.objects.get(pk=212)
    later = Quote.objects.filter(document=lost.document, start_offset__gt=lost.end_offset).first()
    document = lost.document
    new_text = document.text[: lost.start_offset] + document.text[lost.end_offset :]
    form = admin_client.get(f"/admin/archive/document/{document.pk}/change/")
    response = admin_client.post(
        f"/admin/archive/document/{document.pk}/change/",
        form_data(form, text=new_text, change_reason="Removed a duplicated line"),
        follow=True,
    )
    message = messages_of(response)
    assert "no longer match and are orphaned (hidden from readers)" in message
    assert 'href="/admin/archive/quote/212/change/">#212</a>' in message
    assert Quote.objects.get(pk=212).is_orphaned
    moved = Quote.objects.get(pk=later.pk)
    assert moved.start_offset == later.start_offset - (lost.end_offset - lost.start_offset)
    assert (
        'href="/quotes/212/"'
        not in admin_client.get("/quotes/?page=1&q=economics").content.decode()
    )
    assert admin_client.get("/quotes/212/").status_code == 404
    assert 212 in listed_ids(admin_client.get("/admin/archive/quote/?found=no"))
    page = admin_client.get(f"/admin/archive/document/{document.pk}/change/").content.decode()
    assert re.search(r"#212</a>.*?orphaned", page, re.S)


# Excerpting


def real_passage(document):
    """Twelve consecutive words of the document's own text."""
    words = document.text[2000:].split()[1:13]
    return " ".join(words)


def excerpt_data(passage, **extra):
    return {
        "text": passage,
        "speaker": str(Author.objects.get(slug="nikolai-shmelev").pk),
        "attribution": "as-quoted",
        **extra,
    }


def test_excerpting_a_real_passage_creates_a_verified_published_quote(curator):
    document = Document.objects.get(slug="boettke-soviet-admissions")
    url = f"/admin/archive/document/{document.pk}/excerpt/"
    page = curator.get(url)
    assert page.status_code == 200 and "js/excerpt.js" in page.content.decode()
    response = curator.post(url, excerpt_data(real_passage(document)))
    assert response.status_code == 302
    quote = Quote.objects.get(text=real_passage(document))
    assert response["Location"] == f"/admin/archive/quote/{quote.pk}/change/"
    assert quote.status == "published" and quote.is_located and quote.document == document
    assert curator.get(f"/quotes/{quote.pk}/").status_code == 200


def test_excerpting_an_altered_passage_shows_the_closest_and_offers_a_draft(curator):
    document = Document.objects.get(slug="boettke-soviet-admissions")
    url = f"/admin/archive/document/{document.pk}/excerpt/"
    passage = real_passage(document)
    words = passage.split()
    altered = " ".join(words[:6] + ["[sic]"] + words[6:])
    refused = curator.post(url, excerpt_data(altered))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "not in the document verbatim" in page and "Closest passage" in page
    assert "Save it as a draft anyway" in page
    assert not Quote.objects.filter(text=altered).exists()
    saved = curator.post(url, excerpt_data(altered, save_as_draft="on"))
    assert saved.status_code == 302
    draft = Quote.objects.get(text=altered)
    assert draft.status == "draft" and not draft.is_located


def test_excerpting_needs_the_right_to_add_quotes(client):
    user = User.objects.create_user("reader", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_document"))
    client.force_login(user)
    document = Document.objects.first()
    assert client.get(f"/admin/archive/document/{document.pk}/excerpt/").status_code == 403


# Roles and permanence


def test_a_curator_cannot_delete_a_quote_nor_manage_users(curator):
    assert curator.get("/admin/archive/quote/201/delete/").status_code == 403
    listing = curator.get("/admin/archive/quote/")
    assert "delete_selected" not in listing.content.decode()
    assert curator.get("/admin/auth/user/").status_code == 403


def test_even_a_superuser_has_no_bulk_delete_of_quotes(admin_client):
    assert "delete_selected" not in admin_client.get("/admin/archive/quote/").content.decode()


def test_changing_an_author_slug_keeps_the_old_address_answering_301(curator):
    author = Author.objects.get(slug="nikolai-shmelev")
    form = curator.get(f"/admin/archive/author/{author.pk}/change/")
    assert "the old one will redirect" in form.content.decode()
    data = form_data(form, slug="nikolay-shmelev", change_reason="Library of Congress spelling")
    assert curator.post(f"/admin/archive/author/{author.pk}/change/", data).status_code == 302
    response = curator.get("/authors/nikolai-shmelev/")
    assert response.status_code == 301 and response["Location"] == "/authors/nikolay-shmelev/"


def test_a_claim_page_edits_its_stances_inline(admin_client):
    claim = Claim.objects.filter(stances__isnull=False).first()
    page = admin_client.get(f"/admin/archive/claim/{claim.pk}/change/").content.decode()
    assert 'id="stances-group"' in page
    response = admin_client.get(
        "/admin/autocomplete/?app_label=archive&model_name=stance&field_name=quote&term=misprints"
    )
    assert "201" in [result["id"] for result in response.json()["results"]]


def test_one_admin_save_is_one_revision_even_when_topics_change_too(curator):
    before = Quote.history.filter(id=201).count()
    form = curator.get("/admin/archive/quote/201/change/")
    topics = form_data(form)["topics"] + [str(Topic.objects.get(slug="nep").pk)]
    original = Quote.objects.get(pk=201).original_source
    response = curator.post(
        "/admin/archive/quote/201/change/",
        form_data(form, topics=topics, original_source="Checked", change_reason="Added a topic"),
    )
    assert response.status_code == 302
    records = Quote.history.filter(id=201).order_by("history_date", "history_id")
    assert records.count() == before + 1
    latest = records.last()
    assert latest.original_source == "Checked" != original
    assert {row.topic.slug for row in latest.topics.all()} >= {"nep"}
    assert latest.history_change_reason == "Added a topic"


def test_adding_a_quote_records_it_as_created(admin_client):
    form = admin_client.get("/admin/archive/quote/add/")
    document = Document.objects.get(slug="boettke-soviet-admissions")
    author = Author.objects.get(slug="peter-boettke")
    words = document.text[document.text.index("Stalinism is") :][:40].rsplit(" ", 1)[0]
    response = admin_client.post(
        "/admin/archive/quote/add/",
        form_data(
            form,
            text=words,
            speaker=str(author.pk),
            document=str(document.pk),
            status="draft",
            attribution="verified",
            **{"stances-TOTAL_FORMS": "0", "stances-INITIAL_FORMS": "0"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    quote = Quote.objects.get(text=words)
    assert [r.history_type for r in quote.history.all()] == ["+"]


def test_withdrawing_several_quotes_is_all_or_nothing(curator, monkeypatch):
    from django.db import OperationalError

    saves = []
    real_save = Quote.save

    def fail_on_the_second(self, *args, **kwargs):
        saves.append(self.pk)
        if len(saves) == 2:
            raise OperationalError("connection lost")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Quote, "save", fail_on_the_second)
    response = curator.post(
        "/admin/archive/quote/",
        {
            "action": "withdraw_quotes",
            "_selected_action": ["203", "204"],
            "apply": "1",
            "reason": "Test of an interrupted withdrawal.",
        },
    )
    assert response.status_code == 503
    assert set(Quote.objects.filter(pk__in=[203, 204]).values_list("status", flat=True)) == {
        "published"
    }
