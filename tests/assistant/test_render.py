import pytest

from assistant.answering import Answer
from assistant.evidence import Citation
from assistant.ui.render import answer_html, answer_markdown, citation_card

pytestmark = pytest.mark.unit


def citation(**overrides) -> Citation:
    fields = dict(
        n=1, doc_id="abc", title="عنوان <b>", source="BBC Arabic", published="2018-04-13T10:21:29+00:00",
        url="https://example.org/a?x=1&y=\"2\"", quote="حوالي 900 جندي", start=10, end=24,
        passage="قال مسؤول إن حوالي 900 جندي يبقون.", verified=True,
    )
    fields.update(overrides)
    return Citation(**fields)  # type: ignore[arg-type]


def test_card_marks_the_quote_rtl_and_highlights_it_in_its_passage():
    html = citation_card(citation())
    assert '<blockquote class="quote" dir="rtl" lang="ar">حوالي 900 جندي</blockquote>' in html
    assert "<mark>حوالي 900 جندي</mark>" in html
    assert "✓ verified quote" in html
    assert "2018-04-13" in html


def test_article_text_is_escaped_everywhere():
    evil = citation(
        title="<script>alert(1)</script>",
        quote="<img src=x onerror=alert(1)>",
        passage="before <img src=x onerror=alert(1)> after",
        url="javascript:\"><script>",
    )
    html = citation_card(evil)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html  # only http(s) links are rendered


def test_unverified_citation_says_so():
    assert "not verified" in citation_card(citation(verified=False))


def test_the_badge_is_the_check_s_verdict_not_a_new_check():
    """The card shows ``citation.verified`` as decided by the check: a quote found in its passage is
    not promoted, and a verified one whose passage lacks it (offsets elsewhere) is not demoted."""
    unverified = citation(verified=False)  # the quote stands in the passage word for word
    assert unverified.quote in unverified.passage
    assert "✗ not verified" in citation_card(unverified) and "✓ verified" not in citation_card(unverified)
    verified = citation(passage="نص آخر لا يحوي الاقتباس.")
    assert "✓ verified quote" in citation_card(verified) and "not verified" not in citation_card(verified)
    answer = Answer("How many?", "en", "extractive", "[1]", False, [unverified], searched="all outlets")
    assert "(NOT verified)" in answer_markdown(answer)


def test_markdown_export_has_quotes_outlets_dates_and_links():
    answer = Answer("How many?", "en", "extractive", "«حوالي 900 جندي» [1]", False, [citation()],
                    notice="fallback", searched="BBC Arabic")
    md = answer_markdown(answer)
    assert "[1] عنوان <b> — BBC Arabic, 2018-04-13 (verified quote)" in md
    assert "  > حوالي 900 جندي" in md and "https://example.org/a" in md and "> fallback" in md
    assert "isnad-notice" in answer_html(answer)


def test_a_claim_card_shows_the_stance_models_probability_and_what_decided():
    decided = citation_card(citation(stance="contradicts", stance_confidence=0.934, decisive=True), "")
    assert "(93%)" in decided and "decided the verdict" in decided and "earlier figure" not in decided
    earlier = citation_card(citation(stance="neutral", decisive=False, earlier=True), "")
    assert "earlier figure" in earlier and "decided the verdict" not in earlier and "%)" not in earlier
    assert "stance" not in citation_card(citation(), "")  # an answer's card has no stance
    headline = citation(stance="supports", stance_confidence=0.9, decisive=True, headline=True)
    assert "the article&#x27;s headline" in citation_card(headline, "")
    assert "عنوان المقال" in citation_card(headline, "", language="ar")
    assert "headline" not in citation_card(citation(stance="supports", headline=False), "")


def test_the_json_citation_carries_the_claim_fields_only_where_they_apply():
    assert set(citation().to_dict()) >= {"n", "quote", "verified", "url"}
    assert not {"stance", "stance_confidence", "decisive", "earlier", "headline"} & set(citation().to_dict())
    judged = citation(stance="supports", stance_confidence=0.8, decisive=True, earlier=False).to_dict()
    assert (judged["stance"], judged["stance_confidence"], judged["decisive"], judged["earlier"]) == (
        "supports", 0.8, True, False)
