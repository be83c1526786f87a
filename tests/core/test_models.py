"""The record model: the fields richer sources carry (title, authors, categories...)."""

from __future__ import annotations

from reader.core.models import EMPTY, Abstract, Annotation, Record, short_authors
from reader.core.store.folder import check_corpus


def _abstract(**fields: object) -> Abstract:
    base = dict(id="2306.10015", text="Text.", headline="Text.", source="s", position=1)
    return Abstract(**{**base, **fields})  # type: ignore[arg-type]


def test_short_authors_names_two_then_counts_the_rest() -> None:
    names = [f"First{i} Last{i}" for i in range(8)]
    assert short_authors(names) == "Last0, Last1, … +6"
    assert short_authors(["Vaswani, Ashish", "Noam Shazeer"]) == "Vaswani, Shazeer"
    assert short_authors(["A B", "C D", "E F"]) == "B, D, F"
    assert short_authors([]) == ""


def test_richer_fields_round_trip_and_are_left_out_when_empty() -> None:
    rich = _abstract(
        title="Attention",
        authors=("Ashish Vaswani",),
        categories=("cs.CL", "cs.LG"),
        updated="2023-08-02",
        doi="10.1/x",
        journal_ref="NeurIPS",
        pdf="https://example.org/x.pdf",
        version=3,
        arxiv_id="2306.10015",
    )
    assert Abstract.from_dict(rich.to_dict()) == rich
    plain = _abstract()
    assert "authors" not in plain.to_dict() and "title" not in plain.to_dict()
    assert Abstract.from_dict(plain.to_dict()) == plain


def test_pdf_url_prefers_the_source_then_the_versioned_id() -> None:
    assert (
        _abstract(arxiv_id="2306.10015", version=2).pdf_url == "https://arxiv.org/pdf/2306.10015v2"
    )
    assert _abstract(arxiv_id="2306.10015", pdf="https://x/y.pdf").pdf_url == "https://x/y.pdf"
    assert _abstract().pdf_url is None


def test_title_is_the_users_then_the_sources_then_the_headline() -> None:
    rich = _abstract(title="Source title")
    assert Record(rich.id, rich, EMPTY).title == "Source title"
    assert Record(rich.id, rich, Annotation(title="Mine")).title == "Mine"
    assert Record(rich.id, _abstract(), EMPTY).title == "Text."


def test_the_corpus_check_accepts_rich_records_and_names_a_malformed_list() -> None:
    rich = _abstract(authors=("A B",), categories=("cs.CL",), title="T").to_dict()
    data = {"meta": {}, "abstracts": {rich["id"]: rich}}
    assert check_corpus(data) is None
    data["abstracts"][rich["id"]] = {**rich, "authors": "A B"}
    assert check_corpus(data) == "the abstract '2306.10015' has malformed authors"
    data["abstracts"][rich["id"]] = {**rich, "title": 5}
    assert "malformed field 'title'" in (check_corpus(data) or "")
