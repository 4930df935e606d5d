"""The extractive generator's logic, with the fake embedder (the real model: test_answers.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from policybrief.briefings import section_budget
from policybrief.evidence import candidate_sentences, leans_back, quality
from policybrief.extractive import ExtractiveGenerator
from policybrief.testing import FakeEmbedder
from policybrief.types import (
    Chunk,
    DocumentInfo,
    Gap,
    Passage,
    Placement,
    SectionSpec,
    Statement,
)


def passage(
    text: str,
    doc_id: str = "d.md",
    start: int = 0,
    score: float = 0.5,
    title: str = "Title",
    published: date | None = None,
) -> Passage:
    chunk = Chunk(f"{doc_id}-{start}", doc_id, text, start, start + len(text), None, "", "h")
    return Passage(chunk, DocumentInfo(doc_id, f"corpus/{doc_id}", title, published), score)


def generator() -> ExtractiveGenerator:
    return ExtractiveGenerator(FakeEmbedder(), min_score=0.1, relative_score=0.5)


def answer(questions: list[str], passages: list[Passage], count: int = 3) -> list[Statement | Gap]:
    return list(generator().stream(questions, passages, max_statements=count))


def texts(items: list[Statement | Gap]) -> list[str]:
    return [s.text for s in items if isinstance(s, Statement)]


def gaps(items: list[Statement | Gap]) -> list[Gap]:
    return [g for g in items if isinstance(g, Gap)]


def test_candidates_are_whole_quotable_sentences_with_exact_spans() -> None:
    text = (
        "Alibaba will invest 380 billion RMB in AI infrastructure. "
        "Short one. "
        "Click here for the report\n"
        "The letter was cut off mid sentence […]\n"
        "“Officials said the rule would tighten controls on chips. It was signed."
    )
    p = passage(text, start=100)
    found = candidate_sentences([p])
    assert [c.text for c in found] == [
        "Alibaba will invest 380 billion RMB in AI infrastructure.",
        "Officials said the rule would tighten controls on chips.",
    ]
    for candidate in found:
        c = candidate.citation
        assert text[c.start - 100 : c.end - 100] == candidate.text


def test_a_dateline_is_left_out_of_the_quote_and_a_rule_s_label_kept() -> None:
    text = (
        "WASHINGTON, D.C. – Senator Ricketts sent a letter to Secretary Lutnick on the rule.\n"
        "Washington, D.C.--Today, the Department of Commerce released three new rules.\n"
        "NVIDIA – the chipmaker – said it would comply with every new rule.\n"
        "SMIC – China's largest chipmaker – said it had made advanced chips.\n"
        "BRUSSELS, March 4 (Meridian) - Gallium prices rose 22% after the announcement.\n"
        "Berlin, 6 March 2025 – The ministry launched a facility worth €480 million.\n"
        "DATES: Effective date: This rule is effective September 6, 2024."
    )
    found = candidate_sentences([passage(text, start=50)])
    assert [c.text for c in found] == [
        "Senator Ricketts sent a letter to Secretary Lutnick on the rule.",
        "Today, the Department of Commerce released three new rules.",
        "NVIDIA – the chipmaker – said it would comply with every new rule.",
        "SMIC – China's largest chipmaker – said it had made advanced chips.",  # an aside
        "Gallium prices rose 22% after the announcement.",
        "The ministry launched a facility worth €480 million.",
        "DATES: Effective date: This rule is effective September 6, 2024.",
    ]
    for candidate in found:
        assert text[candidate.citation.start - 50 : candidate.citation.end - 50] == candidate.text


def test_a_bill_s_recorded_steps_are_quotable_without_a_full_stop() -> None:
    text = (
        "Legislative history:\n"
        "Committee consideration by House Appropriations\n"
        "Passed the Senate as the Chips and Science Act on July 27, 2022 (64–33) with amendment\n"
        "Published on March 3, 2024 by the editors of this page"
    )
    step = "Passed the Senate as the Chips and Science Act on July 27, 2022 (64–33) with amendment"
    found = [c.text for c in candidate_sentences([passage(text)])]
    assert step in found
    assert not any("Published" in t for t in found)
    question = "What was the Senate vote on the Chips and Science Act?"
    assert texts(answer([question], [passage(text)])) == [step]


def test_candidates_skip_excluded_and_repeated_sentences() -> None:
    sentence = "Tencent integrated AI throughout its vast suite of services."
    first, overlap = passage(sentence, start=0, score=0.9), passage(sentence, start=0, score=0.4)
    assert len(candidate_sentences([first, overlap])) == 1
    assert candidate_sentences([first], exclude={("d.md", 0, len(sentence))}) == []


def test_no_part_of_a_quoted_pair_is_quoted_again() -> None:
    text = (
        "Senator Ricketts sent a letter to Secretary Lutnick about the diffusion rule. "
        "The letter was also signed by six other senators from four states."
    )
    assert candidate_sentences([passage(text)], exclude={("d.md", 0, len(text))}) == []


def test_a_sentence_that_leans_on_the_one_before_is_quoted_with_it_or_alone_at_a_cost() -> None:
    text = (
        "Senator Ricketts sent a letter to Secretary Lutnick about the diffusion rule. "
        "The letter was also signed by six other senators from four states."
    )
    found = candidate_sentences([passage(text)])
    assert [c.text for c in found] == [
        "Senator Ricketts sent a letter to Secretary Lutnick about the diffusion rule.",
        text,
        "The letter was also signed by six other senators from four states.",
    ]
    assert [c.standalone for c in found] == [True, True, False]
    pair = found[1]
    assert (pair.citation.start, pair.citation.end) == (0, len(text))
    assert pair.keys == (("d.md", 0), ("d.md", text.index("The letter")))


def test_a_sentence_a_paragraph_leans_on_the_paragraph_before() -> None:
    text = (
        "It will be a challenging task to compete without regular competition on the island.\n"
        "That is the view of football coach Renaldo Gilkes as the Tridents prepare."
    )
    found = candidate_sentences([passage(text)])
    pair = next(c for c in found if c.citation.start == 0 and c.citation.end == len(text))
    assert pair.text == " ".join(text.split()) and pair.standalone  # one line, one statement
    assert not leans_back("It will be a challenging task to compete.")  # "it" for what follows
    assert leans_back("It was signed by six senators.")
    # … but not a sentence that opens with "The rule", nor list items, nor when the paragraph
    # before is more than one sentence, or leans back itself
    glued = "“We comply,” Huang told reporters.\nThe rule takes effect on May 15 for exporters."
    assert not any(
        "Huang" in c.text and "May" in c.text for c in candidate_sentences([passage(glued)])
    )
    bullets = "• BIS adds 140 entities to the list today.\n• It also restricts exports of HBM."
    assert not any(
        "BIS" in c.text and "HBM" in c.text for c in candidate_sentences([passage(bullets)])
    )
    for before in ("Short. It will be hard to compete.\n", "Therefore, it will be hard.\n"):
        shown = [c.text for c in candidate_sentences([passage(before + text.split("\n")[1])])]
        assert not any("\n" in t or ("hard" in t and "Gilkes" in t) for t in shown)


def test_a_pair_that_closes_a_quotation_keeps_its_opening_mark() -> None:
    text = (
        "“Today’s updated rules will increase the effectiveness of our controls. These controls"
        " maintain our clear focus on military applications,” said Secretary Raimondo."
    )
    found = [c.text for c in candidate_sentences([passage(text)])]
    assert found[0].startswith("Today’s updated rules")  # alone, no dangling mark
    assert text in found
    unclosed = (
        "“The controls have held for years. They call it a “small yard” in Washington, he said."
    )
    assert not any(c.text.startswith("“") for c in candidate_sentences([passage(unclosed)]))


def test_a_table_row_is_quoted_without_its_outer_pipes() -> None:
    text = (
        "| Caster(s) | Dates | Notes |\n"
        "|---|---|---|\n"
        "| Seamus Finnigan | 1996-1997 | He knocked Professor Flitwick away in class.[4] |"
    )
    (row,) = candidate_sentences([passage(text)])
    assert (
        row.text == "Seamus Finnigan | 1996-1997 | He knocked Professor Flitwick away in class.[4]"
    )
    assert text[row.citation.start : row.citation.end] == row.text


def test_a_leaning_sentence_with_nothing_before_it_reads_worse() -> None:
    alone = candidate_sentences([passage("This ban caught many companies off guard last year.")])
    plain = candidate_sentences([passage("The H20 ban caught many companies off guard last year.")])
    assert not alone[0].standalone
    assert quality(alone[0]) < quality(plain[0])


def test_the_first_list_item_is_quoted_with_its_lead_in() -> None:
    text = (
        "Highlights of this new rule include clarifying that:\n"
        "Computers that incorporate such chips also require preexport notification; and\n"
        "Parts exported for indigenous equipment require a license."
    )
    found = candidate_sentences([passage(text)])
    assert found[0].text == (
        "Highlights of this new rule include clarifying that:\n"
        "Computers that incorporate such chips also require preexport notification"
    )
    assert found[1].text == "Parts exported for indigenous equipment require a license."


def test_a_first_word_the_sources_write_in_lower_case_is_no_name() -> None:
    p = passage("Public comments must be received by BIS no later than December 18, 2023.")
    assert texts(answer(["Comment deadline for the BIS rule?"], [p])) == [p.chunk.text]


def test_a_chunk_s_first_sentence_reads_the_text_before_it() -> None:
    quote = "“As we implement these rules, we will minimise any impact on trade flows.”"
    said = "“The rules shut off pathways,” said Secretary of Commerce Gina M. Raimondo. "
    p = dataclasses.replace(passage(quote, start=len(said)), before=said)
    (found,) = candidate_sentences([p])
    assert "Raimondo" in found.context
    question = "What did Secretary Raimondo say about any impact of these rules on trade flows?"
    assert texts(answer([question], [p])) == [quote]
    assert texts(answer([question], [passage(quote, start=len(said))])) == []


def test_a_lead_in_names_the_rule_of_its_items_not_anyone_else() -> None:
    text = (
        "Alibaba's commitments include the following:\n"
        "Alibaba will build new cloud regions in Asia.\n"
        "Tencent plans to spend 70 billion RMB on data centres this year."
    )
    question = "How much does Alibaba plan to spend on data centres?"
    assert texts(answer([question], [passage(text)])) == []


def test_a_list_item_meets_names_in_its_lead_in_and_section_heading() -> None:
    before = "Export Controls on Semiconductor Manufacturing Items Rule (SME IFR):\n"
    items = (
        "The text of the rule is available from the Federal Register.\n"
        "The deadline for public comments is 60 days from public inspection."
    )
    chunk = Chunk("d-9", "d.md", items, 900, 900 + len(items), None, "2023 RULE INFORMATION", "h")
    info = DocumentInfo("d.md", "corpus/d.md", "Public information")
    p = Passage(chunk, info, 0.8, before=before)
    assert candidate_sentences([p])[-1].setting == f"2023 RULE INFORMATION\n{before.strip()}"
    question = "How long is the comment window for the 2023 SME interim final rule?"
    assert texts(answer([question], [p])) == [items.splitlines()[1]]
    assert texts(answer([question], [dataclasses.replace(p, before="")])) == []


def test_framing_labels_and_list_fragments_rank_below_facts() -> None:
    fact, meta, item = candidate_sentences(
        [
            passage(
                "The rule restricts exports of advanced chips to China from 2023.\n"
                "This page provides information on the rules and FAQs about them.\n"
                "a. If the designer of the chip is headquartered in a listed country."
            )
        ]
    )
    assert quality(fact) > quality(meta)
    assert quality(fact) > quality(item)
    (field,) = candidate_sentences(
        [passage("Legislative history:\nIntroduced in the House as H.R. 4346 by Tim Ryan in 2021")]
    )
    assert field.text.startswith("Legislative history:") and quality(field) < quality(fact)


def test_a_question_naming_an_entity_the_sources_lack_gets_a_gap_not_a_quote() -> None:
    p = passage("The ban hit Chinese technology firms hard. Alibaba announced new investments.")
    items = answer(["What did Nvidia say about the ban?"], [p])
    assert texts(items) == []
    assert gaps(items) == [
        Gap("What did Nvidia say about the ban?", "the sources never mention Nvidia")
    ]


def test_a_figure_about_another_entity_does_not_answer_how_much() -> None:
    p = passage(
        "Baidu, Alibaba and Tencent made large investments in AI after the ban. "
        "Alibaba planned to invest 380 billion RMB in its AI infrastructure."
    )
    assert texts(answer(["How much is Alibaba investing in AI?"], [p])) == [
        "Alibaba planned to invest 380 billion RMB in its AI infrastructure."
    ]
    items = answer(["How much is Tencent investing in AI?"], [p])
    assert texts(items) == []
    assert gaps(items)[0].reason == "no passage gives the amount for Tencent"


def test_an_amount_must_stand_beside_the_name_it_is_asked_for() -> None:
    p = passage(
        "The act also invests $174 billion in public research in science and technology,"
        " spread over many agencies and programmes across the country, including NASA."
    )
    assert texts(answer(["How much is earmarked for NASA?"], [p])) == []
    near = passage("The act gives NASA $10 billion for science missions.")
    assert texts(answer(["How much is earmarked for NASA?"], [near])) == [near.chunk.text]


def test_a_figure_is_of_the_whole_names_asked_for() -> None:
    p = passage(
        "The CHIPS and Science Act authorizes $280 billion in new funding for research. "
        "The research money is spread over many agencies and programmes, including NASA."
    )
    question = "How much of the CHIPS and Science Act money is earmarked for NASA?"
    assert texts(answer([question], [p])) == []
    assert texts(answer(["How much does the CHIPS and Science Act authorize?"], [p]))
    spelled = passage(
        "The National Aeronautics and Space Administration (NASA) runs the space programme. "
        "The space agency will receive $10 billion for science missions."
    )
    assert texts(answer(["How much will NASA receive?"], [spelled]))


def test_a_document_answers_for_its_acronyms_and_its_own_number() -> None:
    rule = Passage(
        Chunk(
            "r-0",
            "r.md",
            "Comments must be received by BIS no later than December 18, 2023.",
            900,
            966,
            None,
            "",
            "h",
        ),
        DocumentInfo(
            "r.md",
            "corpus/r.md",
            "Export Controls on Semiconductor Manufacturing Items",
            None,
            "Federal Register document 2023-23049",
        ),
        0.8,
    )
    intro = passage(
        "The SME IFR revises SME controls. SME means semiconductor manufacturing equipment.", "r.md"
    )
    question = "By when were comments due on the SME interim final rule (FR doc 2023-23049)?"
    assert texts(answer([question], [rule, intro])) == [rule.chunk.text]
    assert texts(answer([question], [rule])) == []  # nothing read of it says "SME"
    # … but one mention elsewhere does not make another company's figure the asked one's
    nvidia = passage("NVIDIA shipped fewer H20 chips to China this quarter than last.", "n.md")
    amd = passage("AMD will invest $5 billion in new chip fabs in Texas.", "n.md", start=900)
    assert texts(answer(["How much will NVIDIA invest in new chip fabs?"], [nvidia, amd])) == []


def test_which_specific_countries_with_none_named_is_a_gap() -> None:
    p = passage("The rule covers countries that have implemented equivalent technical controls.")
    items = answer(["Which specific countries does the rule cover?"], [p])
    assert texts(items) == []
    assert gaps(items)[0].reason == "no passage gives the countries"
    named = passage("The rule names Japan and the Netherlands as partners with equal controls.")
    assert texts(answer(["Which specific countries does the rule name?"], [named]))


def test_a_year_the_sources_never_date_is_a_gap() -> None:
    p = passage("BIS issued rules restricting chip exports to China.", published=date(2022, 10, 7))
    assert texts(answer(["What did the 2022 BIS rules restrict?"], [p]))
    items = answer(["What did the 2021 BIS rules restrict?"], [p])
    assert texts(items) == []
    assert "2021" in gaps(items)[0].reason


def test_how_many_wants_a_number_counting_what_is_asked() -> None:
    p = passage(
        "The rule adds two new worldwide license requirements for exports. "
        "Commerce announced two rules restricting chip exports today."
    )
    assert texts(answer(["How many rules did Commerce announce?"], [p])) == [
        "Commerce announced two rules restricting chip exports today."
    ]
    assert texts(answer(["How many ECCNs does the rule add?"], [p])) == []


def test_every_part_of_a_multi_part_question_gets_its_best_sentence() -> None:
    p = passage(
        "Alibaba planned to invest 380 billion RMB in its AI infrastructure. "
        "Alibaba also expanded its cloud services across many Asian markets. "
        "Tencent is building AI features throughout its WeChat platform for users."
    )
    found = texts(answer(["How much is Alibaba investing and what is Tencent building?"], [p], 2))
    assert found == [
        "Alibaba planned to invest 380 billion RMB in its AI infrastructure.",
        "Tencent is building AI features throughout its WeChat platform for users.",
    ]


def test_a_part_the_sources_cannot_answer_is_named_while_the_rest_is_answered() -> None:
    p = passage("Alibaba planned to invest 380 billion RMB in its AI infrastructure.")
    items = answer(["How much is Alibaba investing, and what did Nvidia say?"], [p])
    assert texts(items) == ["Alibaba planned to invest 380 billion RMB in its AI infrastructure."]
    assert [g.question for g in gaps(items)] == ["What did Nvidia say?"]


def test_every_question_of_a_section_is_answered_before_any_gets_a_second_statement() -> None:
    p = passage(
        "Export controls on chips were tightened to restrict advanced chips sales. "
        "Export controls on chips were widened to restrict advanced chips tools. "
        "Critical minerals supply chains depend on processing in China today."
    )
    found = texts(
        answer(
            ["How were export controls on chips changed?", "What about critical minerals supply?"],
            [p],
            2,
        )
    )
    assert "Critical minerals supply chains depend on processing in China today." in found


@pytest.mark.parametrize(
    ("sentences", "questions"),
    [
        pytest.param(
            (
                "The chip export controls restrict sales of advanced chips to China.",
                "The chip export controls aim to slow China's military modernisation.",
            ),
            (
                "What do the chip export controls restrict, and what do the chip export controls"
                " aim at?",
            ),
            id="each-question-s-first-part-before-any-second",
        ),
        pytest.param(
            (
                "The chip export controls took effect in full on October 7, 2022.",
                "The chip export controls took effect on October 12, 2022 for most exporters.",
            ),
            (
                "When did the chip export controls take effect?",
                "When did the chip export controls take effect in full?",
            ),
            id="a-date-already-quoted-answers-the-next-question",
        ),
        pytest.param(
            (
                "Warren and Kim wrote to Lutnick urging him to stop the chip sales to China.",
                "Kim also wrote to Lutnick about the chip sales to China in a second letter.",
            ),
            ("What did Warren and Kim write to Lutnick about chip sales?",),
            id="a-joint-statement-answers-for-each-name-of-a-list",
        ),
    ],
)
def test_a_tight_budget_still_answers_the_last_question(
    sentences: tuple[str, ...], questions: tuple[str, ...]
) -> None:
    last = "Critical minerals supply chains depend on processing in China today."
    p = passage(" ".join([*sentences, last]))
    found = texts(answer([*questions, "What about critical minerals supply chains?"], [p], 2))
    assert last in found


def test_every_name_of_a_list_is_a_first_part() -> None:
    p = passage(
        "Baidu is building its own chips for its AI models this year. "
        "Alibaba is building new data centres for its cloud this year. "
        "Tencent is building AI into its WeChat platform this year. "
        "Chinese firms are investing in AI infrastructure across the country."
    )
    questions = [
        "What are Baidu, Alibaba and Tencent building this year?",
        "What are Chinese firms investing in?",
    ]
    found = texts(answer(questions, [p], 3))
    assert all(any(company in text for text in found) for company in ("Baidu", "Tencent"))


def test_a_spoken_date_already_quoted_does_not_answer_another_event() -> None:
    p = passage(
        "BIS released the first chip export controls on October 7, 2022. "
        "BIS updated the chip export controls on October 17, 2023. "
        "Critical minerals supply chains depend on processing in China today."
    )
    questions = [
        "When were the chip export controls released?",
        "When were the chip export controls updated?",
        "What about critical minerals supply chains?",
    ]
    found = texts(answer(questions, [p], 2))
    assert found == [
        "BIS released the first chip export controls on October 7, 2022.",
        "BIS updated the chip export controls on October 17, 2023.",
    ]


def test_statements_already_said_elsewhere_are_not_repeated() -> None:
    p = passage("Alibaba planned to invest 380 billion RMB in its AI infrastructure.")
    said = ["Alibaba planned to invest 380 billion RMB in its AI infrastructure."]
    placement = Placement(said=tuple(said))
    statements = list(
        generator().stream(
            ["How much is Alibaba investing?"], [p], max_statements=3, placement=placement
        )
    )
    assert texts(statements) == []


def test_the_same_fact_in_two_sources_is_cited_to_both() -> None:
    sentence = "Alibaba planned to invest 380 billion RMB in its AI infrastructure."
    first = passage(sentence, doc_id="a.md", score=0.9)
    second = passage(sentence, doc_id="b.md", score=0.8)
    (statement,) = texts_and_citations(answer(["How much is Alibaba investing?"], [first, second]))
    assert statement == (sentence, ["a.md", "b.md"])


def texts_and_citations(items: list[Statement | Gap]) -> list[tuple[str, list[str]]]:
    return [(s.text, [c.doc_id for c in s.citations]) for s in items if isinstance(s, Statement)]


def test_a_summary_question_quotes_the_most_central_sentences() -> None:
    p = passage(
        "The chip ban pushed Chinese firms to build domestic AI chips. "
        "Chinese firms build domestic AI chips after the chip ban. "
        "The weather in Beijing was mild on the day of the announcement."
    )
    found = texts(answer(["Give me a summary"], [p], 1))
    assert found and "weather" not in found[0]


def test_a_summary_prefers_the_sentence_that_opens_the_document() -> None:
    # The two sentences hold the same words, so they are equally central; the lead wins.
    first, second = (
        "Dresden Drive is closed due to a gas leak, police reported on Monday.",
        "Police reported on Monday that Dresden Drive is closed due to a gas leak.",
    )
    for lead, later in ((first, second), (second, first)):
        text = f"{lead}\n{later}"
        assert texts(answer(["What is the report about?"], [passage(text)], 1)) == [lead]


def test_no_passages_means_no_statements_and_a_gap() -> None:
    items = answer(["anything at all?"], [])
    assert texts(items) == []
    assert gaps(items) == [Gap("Anything at all?", "nothing in the sources is relevant to it")]


def test_a_figure_the_question_states_must_be_the_sentence_s() -> None:
    p = passage("The act includes 25% investment tax credits for chip manufacturing equipment.")
    assert texts(answer(["What does the 25% tax credit for the act cover?"], [p]))
    items = answer(["What does the 35% tax credit for the act cover?"], [p])
    assert texts(items) == [] and gaps(items)


def test_a_part_left_out_for_the_budget_is_named() -> None:
    p = passage(
        "Alibaba planned to invest 380 billion RMB in its AI infrastructure. "
        "Tencent is building AI features throughout its WeChat platform for users."
    )
    items = answer(["How much is Alibaba investing and what is Tencent building?"], [p], 1)
    assert len(texts(items)) == 1
    reasons = [g.reason for g in gaps(items)]
    assert reasons == ["the sources answer it, but the limit of 1 statement was reached"]


def test_two_sources_are_cited_together_only_for_the_same_figures() -> None:
    first = passage("The credit will be 25 percent of the cost under the new rule.", "a.md")
    second = passage("The credit will be 35 percent of the cost under the new rule.", "b.md")
    statements = [s for s in answer(["How large is the credit?"], [first, second], 1)]
    cited = [[c.doc_id for c in s.citations] for s in statements if isinstance(s, Statement)]
    assert cited and all(len(doc_ids) == 1 for doc_ids in cited)


def test_a_salutation_after_a_link_line_is_no_list_item() -> None:
    text = "Read the full letter here or below:\nDear Secretary Lutnick:\nWe write to you today."
    assert all("Dear" not in c.text for c in candidate_sentences([passage(text)]))


def test_a_sentence_in_a_document_about_the_people_asked_of_answers_without_naming_them() -> None:
    report = passage(
        "A plumber who botched a boiler was jailed for three years for the death. "
        "The court sat in Bath. The boiler was new. "
        "Andrew Hartley fitted the flue for Chris Anderson. Hartley denied it. "
        "Anderson told the court of his loss. Hartley forgot the screws, Anderson said.",
        title="Plumber jailed after boiler death",
    )
    question = "Was the plumber who botched a boiler, Andrew Hartley, jailed over the death?"
    assert "jailed for three years" in " ".join(texts(answer([question], [report])))
    once = passage(
        "A local government backs the new chip firm. Its plant opened in May. "
        "Prices rose sharply that year. DeepSeek released an open model.",
        title="Chips",
    )
    assert texts(answer(["Which local government is backing DeepSeek?"], [once])) == []


def test_a_figure_may_leave_the_scene_a_question_sets_to_its_passage() -> None:
    scene = passage(
        "Smoke from fires in the Amazon darkened the sky over Sao Paulo in Brazil. "
        "According to the Global Fire Emissions Database, 8,668 fires were detected in "
        "Amazonas as of Monday.",
        title="The Amazon is on fire",
    )
    question = (
        "How many fires had the Global Fire Emissions Database counted in Amazonas when "
        "smoke darkened Sao Paulo?"
    )
    assert "8,668" in " ".join(texts(answer([question], [scene])))
    other = passage("Alibaba will invest 380 billion RMB. Tencent builds AI into WeChat.")
    assert texts(answer(["How much is Tencent investing in AI?"], [other])) == []


def test_one_name_of_a_long_question_is_not_enough_for_another_s_figure() -> None:
    report = passage(
        "Tencent has been building data centres across China, Reuters reported. Prices rose.\n"
        "Alibaba is investing 380 billion RMB in its Shenzhen data centres, analysts say.",
        title="Data centres",
    )
    question = "How much is Tencent investing in its Shenzhen data centres, according to Reuters?"
    assert texts(answer([question], [report])) == []


def test_a_shared_last_word_is_not_the_same_name() -> None:
    cloud = passage(
        "Alibaba sells phones. Shares rose. Markets were calm. "
        "Tencent Cloud announced new AI models for developers.",
        title="Clouds",
    )
    assert texts(answer(["What did Alibaba Cloud announce about its AI models?"], [cloud])) == []


def test_a_number_before_a_unit_is_a_figure_not_the_answer_s_size() -> None:
    tariffs = passage("A 25 percent tariff applies to imported chips from March.")
    assert texts(answer(["Which 2 percent tariff applies to chips?"], [tariffs])) == []


def test_a_section_s_budget_has_room_for_every_part_of_every_question() -> None:
    questions = (
        "What did the senators ask, and by what deadline?",
        "What happened in May, and what did Warren request?",
        "What did Baidu, Alibaba and Tencent do?",
    )
    assert section_budget(SectionSpec("Congress", questions)) == 7 + 2
    assert section_budget(SectionSpec("Congress", questions, max_statements=3)) == 3


def test_a_figure_in_a_report_about_the_named_subject_need_not_repeat_its_name() -> None:
    review = passage(
        "Mezcal Mexican opened in Midtown last spring. The menu at Mezcal Mexican is long. "
        "Mezcal Mexican serves eleven tacos. "
        "I was less enthusiastic about a taco al pastor for $4.50, the price of three elsewhere.",
        title="Beyond familiar fare",
    )
    assert "$4.50" in " ".join(texts(answer(["What did a taco cost at Mezcal Mexican?"], [review])))
    # … but a sentence that names another subject of the report gives that one's figure
    rivals = passage(
        "Tencent and Alibaba both build AI. Tencent has a model. Alibaba has a model. "
        "Tencent is in Shenzhen. Alibaba is in Hangzhou. Alibaba will invest $52 billion in AI."
    )
    assert texts(answer(["How much will Tencent invest in AI?"], [rivals])) == []


def test_a_date_in_a_report_on_a_country_s_rules_need_not_name_the_country() -> None:
    report = passage(
        "China announced new export rules. China requires a licence per shipment. "
        "China said the rules are lawful. The new export licences come into force on April 1.",
        title="Export licences",
    )
    question = "When do China's new export licences come into force?"
    assert texts(answer([question], [report])) == [
        "The new export licences come into force on April 1."
    ]
    other = passage(
        "China announced new export rules. China requires a licence per shipment. "
        "China said the rules are lawful. The EU's new export licences come into force on"
        " April 1.",
        title="Export licences",
    )
    assert texts(answer([question], [other])) == []


def test_an_amount_in_a_sentence_naming_nothing_else_is_the_named_place_s() -> None:
    call = passage(
        "Third, our board has approved $45 million of capital spending on a gallium recycling"
        " line at our Tucson plant.",
        title="Corvane earnings call",
    )
    question = "How much capital spending has Corvane approved for the Tucson recycling line?"
    assert texts(answer([question], [call])) == [call.chunk.text]


def test_a_shortened_name_counts_when_the_document_gives_the_whole_name() -> None:
    release = passage(
        "The ministry launched the Raw Materials Security Facility today. "
        "The facility will be administered by KfW on behalf of the government.",
        title="Press release",
    )
    question = "Which bank administers the Raw Materials Security Facility?"
    found = texts(answer([question], [release]))
    assert found == ["The facility will be administered by KfW on behalf of the government."]


def test_a_speaker_s_courtesies_are_framing() -> None:
    greeting = passage("Good afternoon, and welcome to the fourth-quarter earnings call.")
    handover = passage("I would now like to turn the call over to Elise Navarro.")
    preamble = passage("Let me give you the facts as we see them, as Elise Navarro did.")
    fact = passage("Full-year revenue reached $1.2bn, up 9% from 2023.")
    said = (greeting, handover, preamble, fact)
    scores = [quality(c) for p in said for c in candidate_sentences([p])]
    assert scores[0] < 0 and scores[1] < 0 and scores[2] < 0 and scores[3] > 0


def test_a_why_question_prefers_the_sentence_that_gives_a_reason() -> None:
    p = passage(
        "American buyers of gallium are exposed, analysts in London said on Tuesday. "
        "American buyers of gallium are exposed because the rules bar re-exports."
    )
    found = texts(answer(["Why are American buyers of gallium exposed?"], [p], count=1))
    assert found == ["American buyers of gallium are exposed because the rules bar re-exports."]


def test_a_transcript_s_speaker_label_makes_the_turn_theirs() -> None:
    p = passage(
        "Hearing on the data centre moratorium\n"
        "SEN. ALVAREZ: The moratorium buys time. The grid cannot take more load this decade.\n"
        "DR. RAMAN: The grid can take more load if rates change.\n"
    )
    found = texts(answer(["What did Senator Alvarez say about grid load?"], [p]))
    assert "The grid cannot take more load this decade." in found
    assert "DR. RAMAN: The grid can take more load if rates change." not in found


def test_links_to_other_pages_are_not_quoted() -> None:
    p = passage(
        "Related:\nLive: China tightens export licensing for gallium and rare earths\n"
        "You might also like:\n- Germany unveils raw materials reserve as China tightens licences\n"
    )
    assert candidate_sentences([p]) == []


def test_a_question_about_advice_prefers_the_sentence_that_gives_it() -> None:
    p = passage(
        "Dietitians see nausea from a multivitamin, a dietitian in Ohio said on Tuesday. "
        "For nausea from a multivitamin, try taking it with a meal."
    )
    question = "What do dietitians recommend for nausea from a multivitamin?"
    found = texts(answer([question], [p], count=1))
    assert found == ["For nausea from a multivitamin, try taking it with a meal."]


def test_a_name_of_several_words_is_met_by_its_initials() -> None:
    p = passage("Deputy Premier Natalio Wheatley will remain Acting Premier of the BVI.")
    question = "Who is Acting Premier of the British Virgin Islands?"
    assert texts(answer([question], [p])) == [p.chunk.text]


def test_a_reference_list_entry_is_framing() -> None:
    entry = passage('"Clustering with t-SNE, provably". arXiv:1706.02582 [cs.LG] was cited.')
    assert all(quality(c) < 0 for c in candidate_sentences([entry]))


def test_a_summary_of_a_document_named_by_its_title_quotes_that_document() -> None:
    oped = passage(
        "Licences are a throttle, not a ban. Europe should pool its stockpiles of gallium. "
        "Recycling will take years to matter for gallium supply.",
        doc_id="oped.md",
        title="Mineral licences are a throttle not a ban",
    )
    wire = passage(
        "Gallium prices rose 22% on Tuesday after the licences were announced.",
        doc_id="wire.md",
        title="Gallium prices climb",
        score=0.9,
    )
    question = "Summarise the opinion piece arguing mineral licences are a throttle not a ban."
    found = texts(answer([question], [wire, oped], count=3))
    assert len(found) == 3 and "Gallium prices rose 22% on Tuesday" not in " ".join(found)


def test_the_first_word_of_a_name_stands_for_it_in_a_document_that_gives_it_whole() -> None:
    p = passage(
        "Castellan Marine Systems builds the frigates in Ayrshire. "
        "Castellan's chief executive, Fiona Strachan, said the company accepted its share."
    )
    found = texts(answer(["Who is the chief executive of Castellan Marine Systems?"], [p]))
    assert "Castellan's chief executive, Fiona Strachan, said the company accepted its share." in (
        found
    )


def test_the_first_word_of_another_name_does_not_stand_for_a_name() -> None:
    p = passage(
        "The Critical Minerals Workforce Enhancement Act was listed. "
        "Members of the Critical Mineral Policy Working Group are Rep. Wittman and Rep. Castor."
    )
    question = "Who is the lead sponsor of the Critical Minerals Workforce Enhancement Act?"
    items = answer([question], [p])
    assert texts(items) == [] and gaps(items)[0].reason.startswith("no passage gives the name")


def test_a_why_question_puts_the_stated_cause_first() -> None:
    p = passage(
        "The frigate programme will cost more than planned, the ministry said on Thursday. "
        "Officials blamed design changes to the frigate programme."
    )
    found = texts(answer(["Why will the frigate programme cost more than planned?"], [p]))
    assert found[0] == "Officials blamed design changes to the frigate programme."


def test_a_question_for_an_office_s_words_is_answered_by_its_holder_s_turn() -> None:
    p = passage(
        "Defence questions in the Commons\n"
        "TOM WEXLEY: The Navy should cut the order for frigates to four ships.\n"
        "MINISTER ASHDOWN: There are no plans to cut the order for frigates below five ships.\n"
    )
    found = texts(answer(["What did the minister say about cutting the order for frigates?"], [p]))
    assert found == [
        "MINISTER ASHDOWN: There are no plans to cut the order for frigates below five ships."
    ]


def test_a_numbered_paragraph_is_found_by_its_number() -> None:
    p = passage(
        "FACT SHEET\n6. The contract for the ships remains at a fixed price.\n"
        "7. The contract for the ships moves to a target cost fee.\n",
        title="Fact sheet",
    )
    found = texts(answer(["What does paragraph 7 say about the contract for the ships?"], [p]))
    assert found == ["The contract for the ships moves to a target cost fee."]


def test_a_why_question_takes_no_reason_from_a_document_about_something_else() -> None:
    frigates = passage(
        "The frigate programme will cost more than planned, the ministry said. "
        "The frigate programme overran after its design was changed twice.",
        doc_id="frigates.md",
        score=0.9,
    )
    others = [
        passage(
            f"Gallium prices rose {n}% on Tuesday because China tightened licences.", f"g{n}.md"
        )
        for n in (22, 23)
    ]
    found = texts(
        answer(["Why will the frigate programme cost more than planned?"], [frigates, *others])
    )
    assert not any("Gallium" in f for f in found)


def test_thanks_to_a_cause_is_a_fact_not_a_courtesy() -> None:
    fact = passage("Thanks to the subsidy, output rose 20% in 2024.")
    assert all(quality(c) > 0 for c in candidate_sentences([fact]))


def test_a_page_saying_what_it_is_is_framing() -> None:
    label = passage("Press release from the Nevada Digital Infrastructure Alliance on the bill.")
    assert all(quality(c) < 0 for c in candidate_sentences([label]))
