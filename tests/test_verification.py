"""The verbatim rule: only whitespace, quote marks and marked elisions are forgiven."""

from archive.verification import locate, nearest_passage

DOCUMENT = (
    "The first paragraph is short.\n\n"
    "Lenin wrote that “the state\nmust  wither away” in time; "
    "he added . . . that it would take a whole epoch. Nobody asked the workers.\n"
)


def test_it_finds_an_exact_passage_with_its_offsets():
    location = locate("The first paragraph is short.", DOCUMENT)
    assert (location.start, location.end) == (0, 29)
    assert DOCUMENT[location.start : location.end] == "The first paragraph is short."


def test_offsets_span_the_original_text_across_line_breaks():
    location = locate("the state must wither away", DOCUMENT)
    assert DOCUMENT[location.start : location.end] == "the state\nmust  wither away"


def test_it_tolerates_straight_quote_marks_for_typographic_ones():
    assert locate('Lenin wrote that "the state must wither away" in time', DOCUMENT)


def test_it_tolerates_marked_elisions_in_every_usual_form():
    for mark in ["…", "...", ". . .", "[…]", "[...]"]:
        quote = f"Lenin wrote that {mark} it would take a whole epoch."
        assert locate(quote, DOCUMENT), mark


def test_it_keeps_the_sources_own_elision_mark():
    assert locate("he added . . . that it would take a whole epoch.", DOCUMENT)


def test_prefix_and_suffix_are_the_text_around_the_quote():
    location = locate("Nobody asked the workers.", DOCUMENT)
    assert location.prefix == DOCUMENT[location.start - 32 : location.start]
    assert location.prefix.endswith("whole epoch. ")
    assert location.suffix == "\n"


def test_it_rejects_a_changed_word():
    assert locate("Lenin wrote that the state must fade away", DOCUMENT) is None


def test_it_rejects_a_change_of_case():
    assert locate("nobody asked the workers.", DOCUMENT) is None


def test_it_rejects_words_left_out_without_an_elision_mark():
    assert locate("Lenin wrote that it would take a whole epoch.", DOCUMENT) is None


def test_it_rejects_elided_pieces_out_of_order():
    assert locate("Nobody asked the workers. … The first paragraph is short.", DOCUMENT) is None


def test_it_rejects_an_empty_quote():
    assert locate(" … ", DOCUMENT) is None


def test_nearest_passage_shows_where_a_misquote_went_wrong():
    passage = nearest_passage("he added that it would take a whole century", DOCUMENT)
    assert "it would take a whole epoch" in passage


def test_nearest_passage_is_empty_when_nothing_is_alike():
    assert nearest_passage("Completely unrelated words here", DOCUMENT) == ""
