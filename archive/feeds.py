"""Atom feeds of newly added quotes: the whole archive's, and each topic's, author's and claim's.

Every feed lists published quotes only, newest first, at most FEED_LENGTH of them. An entry's
title is the speaker and the quote's opening words, its summary the whole verbatim text, its
link and id the quote's permanent URL.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from archive.models import Author, Claim, Quote, Topic
from archive.permanence import follow_moves, get_by_slug

FEED_LENGTH = 50
SITE_NAME = "Who Said What"


def newest_quotes(quotes):
    """The newest published quotes among `quotes`, speaker and document loaded in one query."""
    return quotes.published().with_speaker().order_by("-created_at", "-id")[:FEED_LENGTH]


class QuoteFeed(Feed):
    """What every quote feed shares: Atom, and how one quote becomes one entry."""

    feed_type = Atom1Feed

    def item_title(self, quote):
        """“Speaker: “opening words…””, as plain text (Atom titles are text, not HTML)."""
        return str(quote)

    def item_description(self, quote):
        """The full verbatim text, escaped once: the summary is HTML, so “<” stays a character."""
        return escape(quote.text)

    def item_link(self, quote):
        return quote.get_absolute_url()

    def item_author_name(self, quote):
        return quote.speaker.name

    def item_pubdate(self, quote):
        return quote.created_at

    def item_updateddate(self, quote):
        return quote.updated_at


class LatestQuotesFeed(QuoteFeed):
    """Quotes newly added anywhere in the archive."""

    title = f"{SITE_NAME}: newly added quotes"
    subtitle = (
        "Verbatim excerpts about Bolshevism, War Communism, the NEP and Stalinism, "
        "each with its speaker, its source and a permanent URL."
    )

    def link(self):
        return reverse("quote-list")

    def items(self):
        return newest_quotes(Quote.objects.all())


class SlugFeed(QuoteFeed):
    """A feed for one topic, author or claim: an old slug redirects to the feed at the new one."""

    def __call__(self, request, *args, **kwargs):
        return follow_moves(super().__call__)(request, *args, **kwargs)


class TopicQuotesFeed(SlugFeed):
    """Quotes newly added to one topic."""

    def get_object(self, request, slug):
        return get_by_slug(Topic.objects, slug)

    def title(self, topic):
        return f"{SITE_NAME}: newly added quotes on {topic.name}"

    def subtitle(self, topic):
        return topic.description or f"Verbatim excerpts on {topic.name}."

    def link(self, topic):
        return topic.get_absolute_url()

    def items(self, topic):
        return newest_quotes(Quote.objects.filter(topics=topic))


class AuthorQuotesFeed(SlugFeed):
    """Quotes newly added from one speaker."""

    def get_object(self, request, slug):
        return get_by_slug(Author.objects, slug)

    def title(self, author):
        return f"{SITE_NAME}: newly added quotes from {author.name}"

    def subtitle(self, author):
        return author.description or f"Verbatim excerpts from {author.name}."

    def link(self, author):
        return author.get_absolute_url()

    def items(self, author):
        return newest_quotes(Quote.objects.filter(speaker=author))


class ClaimQuotesFeed(SlugFeed):
    """Quotes newly attached to one claim, whichever side they take."""

    def get_object(self, request, slug):
        return get_by_slug(Claim.objects, slug)

    def title(self, claim):
        return f"{SITE_NAME}: newly added quotes on the claim “{claim.text}”"

    def subtitle(self, claim):
        return claim.summary or f"Quotes supporting, opposing or qualifying “{claim.text}”."

    def link(self, claim):
        return claim.get_absolute_url()

    def items(self, claim):
        return newest_quotes(Quote.objects.filter(stances__claim=claim))
