"""Figures and event dates in quoted sentences: the Key figures table and the timeline order."""

from __future__ import annotations

from datetime import date

import pytest

from policybrief.figures import event_date, figures_in
from policybrief.rendering import briefing_view
from policybrief.types import (
    Briefing,
    BriefingSpec,
    Chunk,
    Citation,
    DocumentInfo,
    Gap,
    Passage,
    Section,
    SectionSpec,
    Source,
    Statement,
    Verdict,
)


def figures(sentence: str) -> list[tuple[str, str, str]]:
    return [(f.text, f.kind, f.context) for f in figures_in(sentence)]


def test_amounts_come_with_the_clause_that_says_what_they_measure() -> None:
    sentence = (
        "For instance, in February, Alibaba planned to invest approximately 380 billion RMB, "
        "or around $52.7 billion, into its AI infrastructure."
    )
    assert figures(sentence) == [
        ("380 billion RMB", "money", "Alibaba planned to invest approximately 380 billion RMB"),
        (
            "$52.7 billion",
            "money",
            "Alibaba planned to invest approximately 380 billion RMB, or around $52.7 billion",
        ),
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The act includes 25% investment tax credits.", [("25%", "percent")]),
        ("This rule is effective November 17, 2023.", [("November 17, 2023", "date")]),
        ("Members introduced three new bipartisan bills.", []),
        ("Comments are due 60 days after publication.", [("60", "count")]),
        ("Between 25,000–45,000 new jobs were projected.", [("25,000–45,000", "count")]),
        ("(87 FR 62186) BIS imposed these controls in 2022 alone.", []),
        ("The funds total $160–200 billion overall.", [("$160–200 billion", "money")]),
    ],
)
def test_figures_of_each_kind_and_not_citations_or_bare_years(
    sentence: str, expected: list[tuple[str, str]]
) -> None:
    assert [(text, kind) for text, kind, _ in figures(sentence)] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "It takes effect November 17, 2023, and ends January 1, 2026.",
            (date(2023, 11, 17), "day"),
        ),
        ("By March 2024, analysts estimated more.", (date(2024, 3, 1), "month")),
        ("The act was passed in 2022 by Congress.", (date(2022, 1, 1), "year")),
        ("Signed on 9 August 2022.", (date(2022, 8, 9), "day")),
        ("Nothing dated here.", None),
    ],
)
def test_the_event_date_is_the_earliest_date_a_sentence_gives(
    sentence: str, expected: tuple[date, str] | None
) -> None:
    assert event_date(sentence) == expected


def briefing(statements: list[tuple[str, str]], unanswered: tuple[Gap, ...] = ()) -> Briefing:
    """A one-section briefing whose statements cite documents published on the given days."""
    documents = {
        day: DocumentInfo(f"{day}.md", f"corpus/{day}.md", f"Doc {day}", date.fromisoformat(day))
        for _, day in statements
    }
    passages, built = [], []
    for text, day in statements:
        chunk = Chunk(f"c{day}", f"{day}.md", text, 0, len(text), None, "", "h")
        passages.append(Passage(chunk, documents[day], 0.9))
        citation = Citation(chunk.chunk_id, chunk.doc_id, 0, len(text))
        built.append(Statement(text, (citation,), Verdict(True, "quoted verbatim")))
    spec = BriefingSpec("b", "Title", "", "briefing", (SectionSpec("Facts", ("Q?",)),))
    section = Section("Facts", ("Q?",), tuple(built), tuple(passages), unanswered=unanswered)
    sources = tuple(Source(n, doc) for n, doc in enumerate(documents.values(), start=1))
    return Briefing(spec, (section,), sources)


def test_the_timeline_orders_by_the_date_a_statement_reports_then_by_publication() -> None:
    view = briefing_view(
        briefing(
            [
                ("The rule is effective November 17, 2023, for all exporters.", "2023-10-25"),
                ("The first controls were announced on October 7, 2022, by BIS.", "2025-01-01"),
                ("Officials said more rules would follow soon enough.", "2024-04-04"),
            ]
        ),
        as_of=None,
    )
    assert [s["when"] for s in view["timeline"]] == [
        "7 October 2022",
        "17 November 2023",
        "4 April 2024",
    ]


def test_key_figures_list_each_figure_once_with_every_source_that_gives_it() -> None:
    view = briefing_view(
        briefing(
            [
                ("The act appropriates $52.7 billion for chips in total.", "2022-08-09"),
                ("The act appropriates $52.7 billion for chips in total.", "2022-08-10"),
                ("Alibaba will invest $52.7 billion in its cloud.", "2025-02-24"),
            ]
        ),
        as_of=None,
    )
    assert [(row["figure"], row["cites"]) for row in view["key_figures"]] == [
        ("$52.7 billion", [1, 2]),
        ("$52.7 billion", [3]),  # another thing it measures
    ]
    again = briefing_view(
        briefing(
            [
                ("Three rules were released on October 17, 2023, by BIS.", "2023-10-17"),
                ("BIS briefed the public on the rules of October 17, 2023.", "2023-10-17"),
            ]
        ),
        as_of=None,
    )
    assert [row["figure"] for row in again["key_figures"]] == ["October 17, 2023"]


def test_unanswered_questions_reach_the_template() -> None:
    gap = Gap("What did Nvidia say?", "the sources never mention Nvidia")
    view = briefing_view(
        briefing([("A sentence of no figures at all.", "2024-01-01")], (gap,)), None
    )
    assert view["sections"][0]["unanswered"] == [gap.to_dict()]
    assert view["key_figures"] == []


def test_designations_are_not_figures() -> None:
    sentence = "Section 301 tariffs and Executive Order 14117 now cover 25 listed firms."
    assert [f.text for f in figures_in(sentence)] == ["25"]


def test_a_date_s_commas_do_not_cut_off_what_it_dates() -> None:
    (released,) = figures_in("On October 17, 2023, BIS released three rules on chips.")
    assert released.context == "On October 17, 2023, BIS released three rules on chips"
    first, second = figures_in(
        "The rules of October 17, 2023, reinforce the October 7, 2022, controls on chips."
    )
    assert "controls on chips" in second.context
    assert first.context.startswith("The rules of October 17, 2023, reinforce")
    _, count = figures_in("BIS acted on October 17, 2023; Nvidia said it would stop 50,000 sales.")
    assert count.context == "Nvidia said it would stop 50,000 sales"


def test_a_range_is_one_figure_and_section_numbers_none() -> None:
    found = figures_in("Analysts counted between 25 and 50 projects under Sections 2 and 3.")
    assert [f.text for f in found] == ["25 and 50"]
    found = figures_in("Prices rose 5 to 10 percent between 2022 and 2023 under Article 5.")
    assert [(f.text, f.kind) for f in found] == [("5 to 10 percent", "percent")]
