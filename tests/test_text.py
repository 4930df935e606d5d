from __future__ import annotations

import pytest

from policybrief.text import content_words, names_every_term, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("It cost $52.7 billion. Then more.", ["It cost $52.7 billion.", "Then more."]),
        ("The U.S. Department acted. Done.", ["The U.S. Department acted.", "Done."]),
        ("Sen. Warren (D-Mass.) wrote. Done.", ["Sen. Warren (D-Mass.) wrote.", "Done."]),
        ("On Oct. 7, 2022, BIS acted. Yes.", ["On Oct. 7, 2022, BIS acted.", "Yes."]),
        ("J. Smith agreed. Fine.", ["J. Smith agreed.", "Fine."]),
        ("Really? Yes! Ok.", ["Really?", "Yes!", "Ok."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("e.g. this one stays whole.", ["e.g. this one stays whole."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("  • A bullet point.\n• Another.", ["A bullet point.", "Another."]),
        ("Sales to the U.S. Army rose. Done.", ["Sales to the U.S. Army rose.", "Done."]),
        ("See No. 5 of the list. Done.", ["See No. 5 of the list.", "Done."]),
        ("Chips, e.g. the H20, are banned. Yes.", ["Chips, e.g. the H20, are banned.", "Yes."]),
        ("89 Fed. Reg. 72926 (2024) applies. Yes.", ["89 Fed. Reg. 72926 (2024) applies.", "Yes."]),
        ("Pub. L. 117-167 is the act. Yes.", ["Pub. L. 117-167 is the act.", "Yes."]),
        (
            "“Rules matter. They work,” she said. Next.",
            ["“Rules matter.", "They work,” she said.", "Next."],
        ),
        (
            "Clarifying that:\na. Parts need a license; and",
            ["Clarifying that:", "a. Parts need a license; and"],
        ),
        (
            "Its incantation was Aguamenti.[5] This spell failed.",
            ["Its incantation was Aguamenti.[5]", "This spell failed."],
        ),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_offsets_are_shifted_into_the_enclosing_text() -> None:
    text = "Ab. Cd."
    spans = split_sentences(text, offset=100)
    assert spans == [(100, 103), (104, 107)]


def test_a_text_names_every_term_of_a_question_when_it_holds_each_content_word() -> None:
    assert names_every_term("What is SiCarrier?", "Firms such as SiCarrier, tied to Huawei.")
    assert names_every_term("Is Alibaba investing?", "Alibaba planned to invest $52.7 billion.")
    assert not names_every_term("Who is the CEO of Nvidia?", "Nvidia sold H20 chips.")
    assert not names_every_term("What is it?", "Anything at all.")  # no content words


def test_contractions_are_function_words_and_possessives_their_nouns() -> None:
    assert content_words("The rule doesn’t kick in; it isn't Baidu's or the PRC’s.") == [
        "rule",
        "kick",
        "baidu",
        "prc",
    ]
    assert content_words("We're told O’Neill won't") == ["told", "o'neill"]


def test_a_quotation_ending_in_an_ellipsis_ends_its_sentence() -> None:
    text = "He warned of ‘mass destruction…’ Allowin […]\nThe … Act passed… Then it ended."
    assert sentences(text) == [
        "He warned of ‘mass destruction…’",
        "Allowin […]",
        "The … Act passed… Then it ended.",
    ]
