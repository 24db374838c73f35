"""Citing a quote: the formatted Chicago, MLA and APA citations and the export files.

The exports are read back with the parsers reference managers use: bibtexparser for
/quotes/<id>/cite.bib, rispy for cite.ris, citeproc-py (a CSL processor) for cite.json.
"""

import json
from datetime import date

import bibtexparser
import pytest
import rispy

from archive import citations
from archive.models import Author, Quote
from tests.citation_parsers import render_csl

pytestmark = pytest.mark.django_db

HOSTILE = 'A {brace} 100% & #1 _x_ \\ ~ $ ^ "quoted" </script><script>alert(1)</script>'


def quote(pk):
    return Quote.objects.with_speaker().prefetch_related("document__authors").get(pk=pk)


def test_it_serves_a_bibtex_entry_that_bibtexparser_reads(client):
    response = client.get("/quotes/207/cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="quote-207.bib"'
    [entry] = bibtexparser.loads(response.content.decode()).entries
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["ID"] == "quote207"
    assert entry["author"] == "Lenin, V. I."
    assert entry["title"] == "The greatest danger is that the work of planning the state economy…"
    assert entry["date"] == "1921-02-19"
    assert entry["year"] == "1921"
    assert entry["url"] == "http://testserver/quotes/207/"
    assert entry["howpublished"] == "Who Said What"
    assert entry["note"].startswith(
        "Quoted in Peter J. Boettke, “Soviet Admissions: Communism Doesn’t Work,”"
    )
    assert "Original source: Letter to G. M. Krzhizhanovsky" in entry["note"]
    assert entry["abstract"] == quote(207).text


def test_it_serves_an_ris_record_that_rispy_reads(client):
    response = client.get("/quotes/207/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="quote-207.ris"'
    [record] = rispy.loads(response.content.decode())
    assert record["type_of_reference"] == "GEN"
    assert record["authors"] == ["Lenin, V. I."]
    assert record["title"].startswith("The greatest danger is that")
    assert record["year"] == "1921"
    assert record["date"] == "1921/02/19/"
    assert record["secondary_title"] == "Soviet Admissions: Communism Doesn’t Work"
    assert record["urls"] == ["http://testserver/quotes/207/"]
    assert "Krzhizhanovsky" in record["notes"][0]


def test_it_serves_csl_json_that_citeproc_renders(client):
    response = client.get("/quotes/207/cite.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    assert response["Content-Disposition"] == 'attachment; filename="quote-207.json"'
    [item] = json.loads(response.content)
    assert item["id"] == "quote207"
    assert item["author"] == [{"family": "Lenin", "given": "V. I."}]
    assert item["issued"] == {"date-parts": [[1921, 2, 19]]}
    assert item["container-title"] == "Soviet Admissions: Communism Doesn’t Work"
    assert item["URL"] == "http://testserver/quotes/207/"
    rendered = render_csl(response.content, "quote207")
    assert rendered.startswith("Lenin, V.I. (1921) “The greatest danger is that")
    assert "Soviet Admissions: Communism Doesn’t Work" in rendered
    assert "http://testserver/quotes/207/" in rendered


def test_it_leaves_the_date_out_of_every_export_of_an_undated_forum_post(client):
    [entry] = bibtexparser.loads(client.get("/quotes/410/cite.bib").content.decode()).entries
    assert entry["author"] == "{Sheep...}"
    assert "date" not in entry and "year" not in entry
    [record] = rispy.loads(client.get("/quotes/410/cite.ris").content.decode())
    assert record["authors"] == ["Sheep..."]
    assert "year" not in record and "date" not in record
    payload = client.get("/quotes/410/cite.json").content
    [item] = json.loads(payload)
    assert item["author"] == [{"literal": "Sheep..."}]
    assert "issued" not in item
    assert render_csl(payload, "quote410").startswith("Sheep... (no date) “All it would have")


def test_it_exports_a_range_of_dates_by_its_years(client):
    [entry] = bibtexparser.loads(client.get("/quotes/210/cite.bib").content.decode()).entries
    assert entry["date"] == "1988-05-01/1988-08-31"
    [item] = json.loads(client.get("/quotes/210/cite.json").content)
    assert item["issued"] == {"date-parts": [[1988]]}
    [item] = json.loads(client.get("/quotes/230/cite.json").content)
    assert item["issued"] == {"date-parts": [[1988], [1989]]}


def test_it_says_in_not_quoted_in_when_the_speaker_wrote_the_document(client):
    [entry] = bibtexparser.loads(client.get("/quotes/249/cite.bib").content.decode()).entries
    assert entry["author"] == "Boettke, Peter J."
    assert entry["note"].startswith("In “Soviet Admissions: Communism Doesn’t Work,”")
    assert "Quoted in" not in entry["note"]


def test_it_escapes_bibtex_special_characters_and_keeps_exports_parseable(client):
    Quote.objects.filter(pk=410).update(text=HOSTILE)
    Author.objects.filter(slug="sheep").update(name="Sheep_{&}", sort_name="Sheep_{&}")
    bib = client.get("/quotes/410/cite.bib").content.decode()
    [entry] = bibtexparser.loads(bib).entries
    assert entry["author"] == r"{Sheep\_\{\&\}}"
    assert entry["abstract"] == (
        r"A \{brace\} 100\% \& \#1 \_x\_ \textbackslash{} \~{} \$ \^{} "
        '"quoted" </script><script>alert(1)</script>'
    )
    [record] = rispy.loads(client.get("/quotes/410/cite.ris").content.decode())
    assert record["abstract"] == HOSTILE
    payload = client.get("/quotes/410/cite.json").content
    [item] = json.loads(payload)
    assert item["abstract"] == HOSTILE
    assert item["author"] == [{"literal": "Sheep_{&}"}]


def test_it_answers_404_for_an_unknown_format_or_an_unpublished_quote(client):
    assert client.get("/quotes/207/cite.xml").status_code == 404
    assert client.get("/quotes/999999/cite.bib").status_code == 404
    Quote.objects.filter(pk=207).update(status=Quote.Status.DRAFT)
    assert client.get("/quotes/207/cite.bib").status_code == 404


def test_it_formats_a_relayed_quote_in_chicago_mla_and_apa():
    url = "https://example.org/quotes/207/"
    cited = citations.formatted(quote(207), url, accessed=date(2025, 6, 5))
    found = "“Soviet Admissions: Communism Doesn’t Work,”"
    opening = "“The greatest danger is that the work of planning the state economy…”"
    assert cited.chicago.text == (
        f"Lenin, V. I. {opening} February 19, 1921. Quoted in Peter J. Boettke, {found} "
        "The Freeman (Foundation for Economic Education), February 1, 1990. Who Said What. "
        f"Accessed June 5, 2025. {url}."
    )
    assert cited.mla.text == (
        f"Lenin, V. I. {opening} 19 Feb. 1921. Quoted in {found} by Peter J. Boettke, "
        "The Freeman (Foundation for Economic Education), 1 Feb. 1990. Who Said What, "
        f"{url}. Accessed 5 June 2025."
    )
    assert cited.apa.text == (
        "Lenin, V. I. (1921, February 19). The greatest danger is that the work of planning "
        "the state economy… [Quotation]. Quoted in P. J. Boettke (1990, February 1), Soviet "
        "Admissions: Communism Doesn’t Work, The Freeman (Foundation for Economic Education). "
        f"Who Said What. Retrieved June 5, 2025, from {url}"
    )
    assert "<cite>The Freeman (Foundation for Economic Education)</cite>" in cited.chicago.html
    assert f'<a href="{url}">{url}</a>' in cited.mla.html
    assert "<cite>Who Said What</cite>" in cited.mla.html


def test_it_formats_the_speakers_own_words_without_quoted_in():
    cited = citations.formatted(quote(249), "https://example.org/quotes/249/")
    for style in cited:
        assert "Quoted in" not in style.text
    assert "Boettke, Peter J. “Bukharin, however," in cited.chicago.text
    assert "” In “Soviet Admissions: Communism Doesn’t Work,” " in cited.chicago.text
    assert cited.apa.text.startswith("Boettke, P. J. (1990, February 1). Bukharin, however,")


def test_it_formats_an_undated_forum_post():
    cited = citations.formatted(quote(410), "https://example.org/quotes/410/")
    assert cited.chicago.text.startswith(
        "Sheep... “All it would have done/did was ingrain a economic caste system on…” "
        "Quoted in “Stalin's anti-egalitarian labour market reforms,” Politics Forum.org"
    )
    assert cited.apa.text.startswith("Sheep... (n.d.). All it would have done")


def test_it_escapes_the_html_of_formatted_citations():
    Quote.objects.filter(pk=410).update(text=HOSTILE)
    cited = citations.formatted(quote(410), "https://example.org/quotes/410/")
    for style in cited:
        assert "<script>" not in style.html
        assert "&quot;quoted&quot;" in style.html
        assert '"quoted"' in style.text
