"""Changes of meaning the verifier must catch against the sentence a statement paraphrases, and
faithful rewrites it must let through (pure functions; WordNet from the installed package)."""

from __future__ import annotations

import pytest

from policybrief.meaning import antonyms, conflicts

ALIBABA = (
    "For instance, in February, Alibaba planned to invest approximately 380 billion RMB, or "
    "around $52.7 billion, into its AI infrastructure."
)
BAN = (
    "Despite initial disruptions, the ban is likely to ultimately strengthen China's "
    "technological independence in the AI sector."
)
BAIDU = (
    "For example, while Baidu initially favored a closed model for performance benefits, the "
    "rise of open-source competitors like DeepSeek has compelled them to reconsider."
)
SUPPLIERS = (
    "Chinese firms are diversifying their partnerships with non-American suppliers to reduce "
    "their dependence on U.S. technology."
)
BRIEFING = (
    "On October 13, 2022, Under Secretary Alan F. Estevez will conduct a public briefing on "
    "the rule."
)


@pytest.mark.parametrize(
    ("statement", "source", "reason"),
    [
        (
            "In February, Tencent planned to put about 380 billion RMB into its AI infrastructure.",
            ALIBABA,
            "“Tencent” is not in the cited sentence, which names “Alibaba”",
        ),
        (
            "The ban is unlikely to strengthen China's technological independence in AI.",
            BAN,
            "“unlikely” contradicts “likely” in the cited sentence",
        ),
        (
            "Despite early disruption, the ban is likely to weaken China's tech independence.",
            BAN,
            "“weaken” contradicts “strengthen” in the cited sentence",
        ),
        (
            "The ban is likely not to strengthen China's technological independence in AI.",
            BAN,
            "the statement says “not”, the cited sentence does not",
        ),
        (
            "Despite early disruption, the ban will ultimately strengthen China's independence.",
            BAN,
            "the statement drops “likely” of the cited sentence",
        ),
        (
            "Baidu always favored a closed model, but DeepSeek's rise made it reconsider.",
            BAIDU,
            "the cited sentence says “initially”, the statement “always”",
        ),
        (
            "Alibaba has invested about 380 billion RMB in its AI infrastructure.",
            ALIBABA,
            "the cited sentence says “planned to invest”, the statement “invested”",
        ),
        (
            "Estevez conducted a public briefing on the rule on October 13, 2022.",
            BRIEFING,
            "the cited sentence says “will conduct”, the statement “conducted”",
        ),
        (
            "Chinese firms are diversifying partnerships with American suppliers.",
            SUPPLIERS,
            "the cited sentence says “non-American”, the statement does not",
        ),
        (
            "Because of falling profits, Chinese firms are diversifying partnerships with "
            "non-American suppliers.",
            SUPPLIERS,
            "the statement says “Because”; the cited sentence gives no such cause",
        ),
        (
            "The letter was co-signed by Ted Cruz and Roger Wicker.",
            "The letter was also signed by Senators Ted Budd (R-NC) and Roger Wicker (R-MS).",
            "“Cruz” is not in the cited sentence, which names “Budd”",
        ),
        (
            "Baidu compelled the rise of DeepSeek to reconsider its closed model.",
            "The rise of DeepSeek compelled Baidu to reconsider its closed model.",
            "the statement swaps the roles of “DeepSeek” and “Baidu” in the cited sentence",
        ),
    ],
)
def test_a_change_of_meaning_is_caught_with_a_reason_the_reader_can_check(
    statement: str, source: str, reason: str
) -> None:
    assert conflicts(statement, source) == reason


@pytest.mark.parametrize(
    ("statement", "source"),
    [
        ("Around February, Alibaba planned to put some 380 billion RMB into AI.", ALIBABA),
        ("The ban will probably end up reinforcing China's AI independence.", BAN),
        ("Chinese firms are widening ties with suppliers that are not American.", SUPPLIERS),
        (
            "Baidu at first preferred a closed model, but open-source rivals such as DeepSeek "
            "compelled it to reconsider.",
            BAIDU,
        ),
        (
            "BIS will post the number on its website by 5 p.m. on October 7 at the latest.",
            "The number will be posted on the BIS website no later than October 7 at 5 p.m.",
        ),
        (
            "Senator Raimondo's controls stay aimed at military uses.",
            "These controls maintain our clear focus on military applications, said Gina M. "
            "Raimondo.",
        ),
        (
            "Apart from the general license, which applies at once, the rule takes effect in "
            "30 days.",
            "The rule is effective in 30 days (except the general license, which is effective "
            "at once).",
        ),
        (
            "The act is split into divisions: the CHIPS Act of 2022 (Division A), the Research "
            "and Development, Competition, and Innovation Act (Division B).",
            "It has divisions: Division A is the CHIPS Act of 2022; Division B is the Research "
            "and Development, Competition, and Innovation Act.",
        ),
    ],
)
def test_a_faithful_rewrite_passes(statement: str, source: str) -> None:
    assert conflicts(statement, source) == ""


def test_antonyms_come_from_wordnet_and_the_list_of_directions() -> None:
    table = antonyms()
    assert "decrease" in table["increase"]  # both
    assert "decelerate" in table["accelerate"]  # WordNet
    assert "loosen" in table["tighten"]  # the list


def test_a_name_of_several_words_is_found_and_quoted_whole() -> None:
    reason = conflicts(
        "China backs the United States on chips.", "The United States backs China on chips."
    )
    assert (
        reason
        == "the statement swaps the roles of “United States” and “China” in the cited sentence"
    )
    assert (
        conflicts(
            "Chips used in China came from the United States.",
            "The United States sent chips that are used in China.",
        )
        == ""
    )
