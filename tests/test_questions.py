"""Reading a question for its parts and constraints (pure functions, no model)."""

from __future__ import annotations

import pytest

from policybrief.questions import (
    QuestionPart,
    acts,
    analyse,
    asked_titles,
    counted_words,
    focus_words,
    has_wanted,
    holds_turn,
    inflects,
    is_corpus_summary,
    is_summary,
    mentions,
    name_groups,
    names_everything,
    speaks,
    spells_out,
    split_names,
    states_day,
    wanted_heads,
)


def only(question: str) -> QuestionPart:
    (part,) = analyse(question)
    return part


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What did Nvidia say about the ban?", ("nvidia",)),
        ("What did Warren say about H200?", ("warren", "h200")),
        ("Lutnick", ("lutnick",)),
        ("According to the Warren-Rounds release?", ("warren", "rounds")),
        ("Who introduced H.R. 4346?", ("h.r",)),
        ("What did the Senate say in October 2023?", ()),  # roles and months are not names
        ("Which Chinese firms are emerging to replace Nvidia?", ("chinese",)),
        ("How is Tencent doing, compared with Baidu?", ("tencent",)),
        ("Beyond China, which destinations does it cover?", ("china",)),  # an opener
        ("Instead of lobbying, what should Huang do?", ("huang",)),
        ("What did the Republican senators ask Lutnick?", ("lutnick",)),  # "(R-NE)" in text
        ("Comment deadline for the rule (FR Doc. 2023-23049)?", ("comment", "fr")),  # no "Doc"
        ("When did DOC issue the chip rule?", ("doc",)),  # the Department of Commerce
    ],
)
def test_names_are_what_a_question_is_about(question: str, names: tuple[str, ...]) -> None:
    assert only(question).names == names


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("How much is Alibaba investing?", "amount"),
        ("How many rules did Commerce announce?", "count"),
        ("What phone number do I dial?", "count"),
        ("When did the rule take effect?", "date"),
        ("On what exact date did the ban start?", "date"),
        ("AI Diffusion Rule compliance deadline", "date"),
        ("Who signed the letter?", "who"),
        ("What did the letter ask for?", ""),
        ("What time did the briefing start?", "date"),
        ("What chip performance threshold triggers the controls?", "count"),
        ("What was the Senate vote on the act?", "count"),
        ("Is any part phased in later, and if so, when?", "date"),
        ("What costs do US companies bear while the rule stays?", ""),  # which costs
        ("What total processing performance threshold did BIS use?", "count"),
        ("What is the total processing performance threshold?", "count"),
        ("What did the senators share with Lutnick?", ""),  # the verb
        ("Which specific countries qualify for the exception?", "place"),
        ("Which countries qualify for the exception?", ""),  # a kind of country will do
    ],
)
def test_the_kind_of_fact_asked_for_is_read_from_the_wording(question: str, wants: str) -> None:
    assert only(question).wants == wants


def test_years_and_months_date_what_a_question_asks_about() -> None:
    part = only("What did the October 2022 rules restrict in 2022?")
    assert part.years == ("2022",) and part.months == ("october",)
    assert only("What happened on Oct 7, 2022?").months == ("october",)


def test_a_multi_part_question_is_split_into_its_questions() -> None:
    parts = analyse("How much is Alibaba investing and what is Tencent building?")
    assert [(p.text, p.names, p.wants) for p in parts] == [
        ("How much is Alibaba investing", ("alibaba",), "amount"),
        ("what is Tencent building?", ("tencent",), ""),
    ]


def test_a_list_of_names_asks_about_each_of_them() -> None:
    parts = analyse("How are Baidu, Alibaba and Tencent responding to the ban?")
    assert [(p.subject, p.siblings) for p in parts] == [
        ("baidu", ("alibaba", "tencent")),
        ("alibaba", ("baidu", "tencent")),
        ("tencent", ("baidu", "alibaba")),
    ]
    assert parts[0].text == "How are Baidu responding to the ban?"
    assert len(analyse("What does the CHIPS and Science Act fund?")) == 1


@pytest.mark.parametrize(
    "question",
    [
        "Give me a summary of the article",
        "In a nutshell, what did the October 2023 rules do?",
        "What is the Telegraph story about the plumber Andrew Hartley about?",
        "What are the key points?",
        "Why does this matter?",
        "Sum up the fight over the AI Diffusion Rule",
    ],
)
def test_summary_questions_are_recognised(question: str) -> None:
    assert only(question).summary


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        ("the U.S. said", "us", True),
        ("the United States’ deep reliance on the CCP", "china", True),
        ("NVIDIA’s less powerful chips", "nvidia", True),
        ("exports of H20 chips", "h200", False),
        ("Baidu's closed model", "baidu", True),
        ("a usable result", "us", False),
    ],
)
def test_mentions_matches_whole_names_and_their_spellings(
    text: str, name: str, found: bool
) -> None:
    assert mentions(text, name) is found


def test_a_count_must_count_what_the_question_counts() -> None:
    rules = only("How many rules did Commerce announce?")
    assert has_wanted("Commerce announced two rules today.", rules)
    assert not has_wanted("The rule adds two new license requirements.", only("How many ECCNs?"))
    assert not has_wanted("Released on October 17, 2023.", rules)  # a date is not a count


def test_a_date_question_wants_the_date_of_the_event_it_names() -> None:
    assert wanted_heads(only("When did the rule take effect?")) == {"effect"}
    assert wanted_heads(only("When is the comment deadline?")) == {"com"}  # stem of "comment"


def test_what_a_threshold_measures_is_its_qualifier_not_total() -> None:
    part = only("What total processing performance threshold triggers the controls?")
    assert wanted_heads(part) == {"process", "performance"}
    assert not inflects(wanted_heads(part), "Projects worth a total of $200 billion were added.")


def test_which_specific_countries_wants_countries_by_name() -> None:
    part = only("Apart from China, which specific countries does the rule name?")
    assert has_wanted("It names Japan and the Netherlands as partners.", part)
    assert not has_wanted("It covers countries that have equivalent technical controls.", part)
    assert not has_wanted("It reaches arms embargoed countries, including the PRC.", part)
    assert not has_wanted("The U.S. Department of Commerce named no partners.", part)
    assert not has_wanted("It protects U.S. national security interests.", part)
    assert has_wanted("New Zealand's rules are similar.", part)
    assert not has_wanted("A new rule covers the partners.", part)  # "new" is no New Zealand


def test_on_what_date_wants_a_date_not_a_span() -> None:
    part = only("On what date did the rule become effective?")
    assert has_wanted("This rule is effective November 17, 2023.", part)
    assert not has_wanted("The rule is effective 30 days after public inspection.", part)
    assert has_wanted("The rule is effective 30 days after it is published.", only("When?"))
    assert has_wanted("The rule took effect on Monday.", only("On what day did it take effect?"))


def test_names_group_into_the_names_of_the_question() -> None:
    part = only("How much of the CHIPS and Science Act money is earmarked for NASA?")
    assert name_groups(part.text, part.names) == (("chips", "science"), ("nasa",))


def test_focus_words_leave_out_names_question_verbs_and_yardsticks() -> None:
    # "allies" stems to "all": crude, but the same on both sides of every comparison
    assert focus_words(only("What did Estevez say about working with allies?")) == {"work", "all"}
    assert "nvidia" not in focus_words(only("Which firms are emerging to replace Nvidia?"))


def test_a_passage_naming_every_constraint_counts_whatever_its_similarity() -> None:
    assert names_everything("Lutnick", "A letter to Secretary Lutnick.")
    assert names_everything("What did Warren say in 2025?", "Warren, 2025: a statement.")
    assert not names_everything("What did Warren say in 2025?", "Warren, 2024: a statement.")
    assert not names_everything("what is happening?", "anything")


def test_a_part_that_refers_back_is_embedded_with_the_part_before() -> None:
    first, second = analyse("What did the 2023 rule add, and which countries does it cover?")
    assert second.text == "which countries does it cover?"
    assert second.query == "What did the 2023 rule add which countries does it cover?"
    assert first.query == first.text


def test_a_hyphenated_name_keeps_its_named_pieces() -> None:
    assert only("What do Chinese-made tools need?").names == ("chinese",)
    assert only("What did the U.S.-China talks agree?").names == ("u.s", "china")


def test_a_price_or_revenue_question_wants_that_figure_not_any_amount() -> None:
    part = only("What is Alibaba's current share price?")
    assert part.wants == "amount" and wanted_heads(part) == {"price", "quot"}  # "quoted at"
    assert wanted_heads(only("How much is Alibaba investing?")) == set()


def test_what_something_is_worth_is_answered_by_its_value() -> None:
    part = analyse("How much cocaine was found, and what was it estimated to be worth?")[1]
    assert inflects(wanted_heads(part), "The estimated value is $4.3 million.")
    assert not inflects(wanted_heads(part), "The boat cost $40,000.")


def test_a_penalty_question_wants_the_penalty_not_any_figure() -> None:
    part = only("What is the maximum penalty for violating the export controls?")
    assert part.wants == "amount" and wanted_heads(part) == {"penalty"}
    assert only("What penalties apply for violating the rule?").wants == "amount"


def test_what_a_thing_is_called_wants_a_name_beside_that_thing() -> None:
    part = only("What is Baidu's AI model called?")
    rival = "While Baidu favored a closed model, open-source competitors like DeepSeek grew."
    assert part.wants == "who" and not has_wanted(rival, part)  # DeepSeek is no Baidu model
    assert has_wanted("Baidu showed its Ernie 4.5 AI model in March.", part)
    report = only("What's the working group's policy report called?")
    assert has_wanted("They issued a policy report, Creating Resilient Supply Chains.", report)
    assert has_wanted("Senator Warren signed it.", only("Who signed the letter?"))


def test_which_senators_wants_senators_named_not_whoever_else_the_sentence_names() -> None:
    part = only("Which senators joined Ricketts in signing the letter to Lutnick?")
    lead = "Senator Pete Ricketts led a letter to Secretary Howard Lutnick on Biden's rule."
    assert not has_wanted(lead, part)  # Biden is named, but as no senator
    assert has_wanted("It was also signed by Senators Thom Tillis and Ted Budd.", part)
    officials = only("Which officials ran the briefing?")  # officials carry other titles
    assert has_wanted("Under Secretary Alan Estevez will conduct the briefing.", officials)


def test_us_dollars_name_a_currency_and_acronyms_are_marked() -> None:
    assert only("How much is Alibaba investing in US dollars?").names == ("alibaba",)
    part = only("When is the comment deadline for the SME IFR?")
    assert part.acronyms == ("sme", "ifr")


def test_a_time_of_day_answers_when() -> None:
    part = only("When does the briefing call begin?")
    assert has_wanted("The call will begin at 9 a.m. Eastern time.", part)
    assert not has_wanted("The call will be short and public.", part)
    start = only("What time did the November 6, 2023 briefing start?")
    assert has_wanted("The call will begin at 9 a.m. Eastern time.", start)  # begin for start
    assert not has_wanted("On November 6, 2023, BIS held a briefing.", start)  # its own date


def test_a_question_for_someone_s_words_wants_them_speaking() -> None:
    assert only("How did Lutnick respond to the letter?").speakers == ("lutnick",)
    assert only("What did the 2023 rule add?").speakers == ()
    title = "Ricketts Leads Letter to Commerce Secretary Lutnick Calling for Reform"
    letter = "Ricketts led colleagues in sending a letter to Commerce Secretary Howard Lutnick."
    assert speaks(letter, title, "Office of Senator Ricketts", "ricketts")
    assert not speaks(letter, title, "Office of Senator Ricketts", "lutnick")
    quote = (
        "“We act today,” said Under Secretary of Commerce for Industry and Security Alan Estevez."
    )
    assert speaks(quote, "Commerce Implements New Controls", "BIS", "estevez")
    assert speaks(
        "The rules restrict chips.", "Export Controls", "Bureau of Industry and Security", "bis"
    )


def test_a_country_is_no_speaker() -> None:
    assert only("Why does the US government say these controls are needed?").speakers == ()


def test_a_statement_introducing_a_quotation_is_not_its_subject_speaking() -> None:
    text = "Warren released the following statement: “NVIDIA CEO Jensen Huang has lobbied hard.”"
    assert speaks(text, "Warren Criticizes NVIDIA", "Senate", "warren")
    assert not speaks(text, "Warren Criticizes NVIDIA", "Senate", "huang")


def test_an_acronym_may_be_spelled_out() -> None:
    assert spells_out("the Biden administration’s AI Diffusion Rule", "aidr")
    assert spells_out("Bureau of Industry and Security", "bis")
    assert not spells_out("a big dog", "abd")


def test_a_market_value_question_wants_that_figure() -> None:
    part = only("What's Nvidia's market capitalization?")
    assert part.wants == "amount" and wanted_heads(part) == {"capitaliz"}


def test_a_date_must_stand_beside_the_event_asked_about() -> None:
    part = only("When is the comment deadline?")
    assert has_wanted("Comments must be received by BIS no later than December 18, 2023.", part)
    far = (
        "The rule, released on October 17, 2023, was revised after industry asked many "
        "questions about how it applies, and public comments were welcome."
    )
    assert not has_wanted(far, part)


def test_an_event_word_matches_its_forms_but_not_an_adverb() -> None:
    assert inflects({"effect"}, "This rule is effective November 17, 2023.")
    assert not inflects({"effect"}, "to implement the controls more effectively")
    assert inflects({"rescind"}, "Commerce announced a rescission of the rule.")


def test_a_response_may_be_a_deed_but_not_being_written_to() -> None:
    assert only("How did Baidu respond to DeepSeek?").by_deed
    assert not only("What did Raimondo say?").by_deed
    assert acts("For example, while Baidu initially favored a closed model.", "baidu")
    assert not acts("Ricketts sent a letter to Commerce Secretary Howard Lutnick.", "lutnick")


def test_a_full_date_is_one_day_not_a_month_and_a_number() -> None:
    part = only("Which BIS rule took effect on November 17, 2022?")
    assert part.days == ((11, 17, "2022"),)
    assert states_day("This rule is effective November 17, 2022.", part.days[0])
    assert not states_day("On November 6, 2022, BIS released rules of October 17.", part.days[0])
    assert not states_day("This rule is effective November 17, 2023.", part.days[0])
    assert only("What happened on 6 Nov?").days == ((11, 6, ""),)


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Alibaba AI infrastructure budget?", "Alibaba planned to invest 380 billion RMB."),
        ("How many pieces of legislation did they introduce?", "They introduced three new bills."),
    ],
)
def test_the_sources_may_name_what_is_counted_or_priced_in_their_own_word(
    question: str, sentence: str
) -> None:
    part = only(question)
    assert inflects(wanted_heads(part), sentence) and has_wanted(sentence, part)


def test_a_list_of_possessives_asks_about_each_one_s_thing() -> None:
    asked = split_names("How do Tencent's and Baidu's AI model strategies differ?")
    assert asked == [
        ("How do Tencent's AI model strategies differ?", "tencent", ("baidu",)),
        ("How do Baidu's AI model strategies differ?", "baidu", ("tencent",)),
    ]
    plans = split_names("How are Baidu, Alibaba and Tencent’s plans different?")
    assert plans[0][0] == "How are Baidu’s plans different?"
    assert split_names("What does the CHIPS and Science Act fund?")[0][1] == ""  # one name


def test_a_vote_question_wants_the_tally_not_any_number() -> None:
    part = only("What was the Senate vote on the CHIPS and Science Act?")
    assert has_wanted("Passed the Senate on July 27, 2022 (64–33) with amendment.", part)
    assert not has_wanted("The act includes $39 billion in subsidies.", part)
    assert not has_wanted("Projects worth $160–200 billion were announced.", part)


def test_an_act_is_enacted_when_it_is_signed_into_law() -> None:
    part = only("When was the CHIPS and Science Act enacted?")
    signed = (
        "The CHIPS and Science Act is a statute enacted by the 117th United States Congress and "
        "signed into law by President Joe Biden on August 9, 2022."
    )
    assert has_wanted(signed, part)


def test_a_date_the_question_counts_from_is_no_date_the_answer_must_state() -> None:
    part = only("How has Commerce tightened the controls since October 2022?")
    assert (part.years, part.months) == ((), ())
    assert only("What did Commerce do in October 2022?").years == ("2022",)
    assert only("Since May 2023, what has BIS added?").years == ()


def test_who_holds_an_office_wants_a_name_beside_the_office() -> None:
    part = only("Who was the BIS Under Secretary when the 2022 controls came out?")
    assert asked_titles(part) == {"secretary"} and "secretary" in focus_words(part)
    assert has_wanted("Under Secretary Alan F. Estevez will conduct the briefing.", part)
    assert not has_wanted("BIS said the controls protect U.S. national security.", part)
    assert asked_titles(only("Who did Secretary Lutnick meet?")) == set()  # names the holder
    assert asked_titles(only("Who else is in the group besides the co-chairs?")) == set()


def test_a_surname_alone_answers_for_a_full_name() -> None:
    part = only("What did Warren say about Jensen Huang's closed-door meeting?")
    assert part.forenames == (("jensen", "Huang"),)
    assert only("What did Warren tell Huang?").forenames == ()
    assert only("What did South Korea adopt?").forenames == ()  # not North Korea's
    trust = only("How many homes will the Public Housing Preservation Trust convert?")
    assert ("public", "Trust") in trust.forenames and ("housing", "Trust") in trust.forenames


def test_plural_offices_are_not_names() -> None:
    part = only("What did the letter to the Secretaries of State ask?")
    assert part.names == ("state",)


def test_a_briefing_date_is_a_date_beside_a_briefing_not_beside_brief_summaries() -> None:
    part = only("On what date did BIS brief the public on its October 2023 rules?")
    assert has_wanted("On November 6, 2023, BIS conducted a public briefing on them.", part)
    summaries = "The press release of October 17, 2023 is out, with brief summaries below."
    assert not has_wanted(summaries, part)


def test_what_time_wants_a_time_of_day_not_another_date() -> None:
    part = only("What time did the November 6, 2023 briefing start?")
    other_day = "On November 6, 2023, BIS began a briefing on the October 17, 2023 rules."
    assert not has_wanted(other_day, part)
    assert has_wanted("The call starts at 10:30 a.m. EST.", part)


def test_kicking_in_and_coming_into_force_ask_when_a_rule_takes_effect() -> None:
    assert "effect" in focus_words(only("Which part of the rule doesn't kick in until 2026?"))
    assert wanted_heads(only("When does the rule come into force?")) == {"effect"}
    assert "effect" in wanted_heads(only("Is any piece phased in later, and if so when?"))


def test_effectiveness_is_no_taking_effect() -> None:
    assert inflects({"effect"}, "This rule is effective September 6, 2024.")
    assert not inflects({"effect"}, "Today's rules will increase effectiveness.")


def test_the_common_noun_ending_a_name_is_no_name_of_its_own() -> None:
    part = only("How much would Camp Margaritaville at Lake Berryessa in Napa County cost?")
    assert part.names == ("margaritaville", "berryessa", "napa")


def test_how_long_is_answered_by_a_span_of_time() -> None:
    part = only("How long before the deadline did his retirement become public?")
    assert has_wanted("It was revealed just 30 hours before the deadline.", part)
    assert has_wanted("It came a few days before the deadline.", part)
    assert not has_wanted("It was revealed before the deadline.", part)


def test_a_name_of_several_words_is_one_name() -> None:
    assert only("Who was arrested in the United States?").names == ("us",)
    assert only("What did the People’s Republic of China say?").names == ("china",)
    assert mentions(
        "Exports from the U.S. rose.",
        only("What did the European Union and the United States agree?").names[1],
    )


def test_a_premier_is_an_office_and_a_weight_an_amount() -> None:
    part = only("Who is acting premier after the arrest?")
    assert has_wanted("Deputy Premier Natalio Wheatley will remain Acting Premier.", part)
    cocaine = only("How much cocaine did the agents find?")
    assert has_wanted("Agents found 475 pounds of cocaine.", cocaine)
    assert not has_wanted("Agents found cocaine in the boat.", cocaine)


def test_near_misses_on_a_detail_want_that_detail() -> None:
    farm = only("What was the name of the wind farm that stopped producing power?")
    assert not has_wanted("Bill Powers, a San Diego engineer, said power was short.", farm)
    assert has_wanted("The Tule Wind Farm went offline.", farm)
    margin = only("By what margin of the vote did Meadows win his last race?")
    assert not has_wanted("Meadows retired 30 hours before the deadline.", margin)
    opening = only("When is the resort expected to open?")
    assert not has_wanted("The old resort shut down in the 2000s.", opening)
    assert has_wanted("The resort should open in 2025.", opening)
    bail = only("What bail amount was set for the premier?")
    assert bail.wants == "amount" and wanted_heads(bail) == {"bail"}  # not his fine


def test_how_many_counts_the_noun_after_a_name() -> None:
    assert counted_words(only("How many NYCHA apartments will the trust convert?")) == {"apart"}
    assert counted_words(only("How many ECCNs does the rule add?")) == {"eccn"}


@pytest.mark.parametrize(
    ("question", "sentence", "answers"),
    [
        ("How many Americans died in the crash?", "The crash killed 12 Americans.", True),
        ("How many Senators signed the letter?", "It was signed by six senators.", True),
        ("On what date did BIS brief the public?", "BIS will brief the public on May 6.", True),
        ("What time of year do the fires peak?", "The fires peak in August.", True),
        ("What time does the call start?", "The call starts in August.", False),
    ],
)
def test_ordinary_wordings_keep_their_answers(question: str, sentence: str, answers: bool) -> None:
    assert has_wanted(sentence, only(question)) is answers


def test_ordinary_wordings_are_not_read_as_something_else() -> None:
    assert not only("Which chips are in short supply?").summary
    assert not only("In short, who signed the letter?").summary
    assert not only("What was the meeting with the senators about?").summary
    assert asked_titles(only("Who told the chairman about the meeting?")) == set()
    assert only("Was Hartley granted bail?").wants == ""
    assert "effect" not in focus_words(only("Which phase in the rollout comes first?"))
    assert focus_words(only("What did the United States do?")) == set()
    assert focus_words(only("Briefly, what did BIS do?")) == set()


def test_a_second_part_may_open_with_a_preposition() -> None:
    parts = analyse("What was Saturday's peak demand, and in which year did demand peak?")
    assert [p.text for p in parts] == [
        "What was Saturday's peak demand",
        "in which year did demand peak?",
    ]


def test_a_name_may_open_with_small_letters() -> None:
    assert only("How much does the new iPhone SE cost?").names == ("iphone", "se")
    assert "ebay" in only("What did eBay say about Chinese-made chips?").names
    assert "made" not in only("What did eBay say about Chinese-made chips?").names


def test_a_numbered_grade_is_one_name() -> None:
    part = only("Why did the government not follow NPHET's Level 5 advice?")
    assert "level 5" in part.names
    assert mentions("NPHET advised Level 5 restrictions.", "level 5")
    assert not mentions("NPHET advised Level 3 restrictions.", "level 5")


def test_a_people_is_named_by_its_country() -> None:
    part = only("What processor does the Indian-launched iPhone use?")
    assert mentions("The iPhone SE is in India", part.names[0])
    assert mentions("Indian buyers pay less.", "india")


def test_a_country_whose_name_reads_as_a_list_is_one_country() -> None:
    assert split_names("Where will Barbados host Antigua and Barbuda?") == [
        ("Where will Barbados host Antigua and Barbuda?", "", ())
    ]


def test_a_price_may_be_in_any_currency_and_worded_as_a_price() -> None:
    part = only("How much does the new iPhone SE cost in India?")
    sentence = "All of this comes in at Rs 42,900, less than half the price of the flagships."
    assert has_wanted(sentence, part) and inflects(wanted_heads(part), sentence)
    assert has_wanted("It sells for ₹42,900.", part)
    storage = only("How much storage does the cheapest variant come with?")
    assert not inflects(wanted_heads(storage), sentence)
    assert inflects(wanted_heads(storage), "It comes with 64GB of storage.")
    assert wanted_heads(only("Under the act, how much goes to subsidies?")) == set()


def test_a_temperature_is_an_amount() -> None:
    part = only("At what temperature is the focaccia baked?")
    assert has_wanted("Cook in a preheated oven at 200°C /400F for 20 minutes.", part)
    assert not has_wanted("Cook in a preheated oven until golden.", part)


def test_how_long_is_a_span_of_whatever_the_sentence_says() -> None:
    part = only("How long are Docker Engine release branches supported with patches?")
    assert wanted_heads(part) == set()
    assert has_wanted("Releases are supported with patches for one month after the next.", part)
    assert not has_wanted("Releases of a year-month branch are supported with patches.", part)


def test_the_view_of_a_speaker_is_what_the_speaker_says() -> None:
    text = (
        "It will be a challenging task for the team. That is the view of football coach "
        "and administrator Renaldo “Peewee” Gilkes."
    )
    assert speaks(text, "Tridents’ challenge", "nationnews.com", "gilkes")
    assert speaks("Tanaiste Leo Varadkar revealed that NPHET's advice…", "", "", "varadkar")


def test_a_date_is_beside_its_event_counted_from_the_end_of_the_date() -> None:
    part = only("When did BIS hold its public briefing on the October 17, 2023 rules?")
    text = (
        "On November 6, 2023, the Bureau of Industry and Security conducted a public briefing "
        "on two interim final rules released on October 17, 2023."
    )
    assert has_wanted(text, part)


def test_an_exact_day_wants_a_day_not_a_month() -> None:
    part = only("On what exact day in May 2025 did Commerce rescind the rule?")
    assert not has_wanted("In May, the Commerce Department announced a rescission.", part)
    assert has_wanted("On May 13, 2025, the Commerce Department announced a rescission.", part)


def test_which_office_holder_and_whose_model_and_which_vote_are_read_as_such() -> None:
    quoted = only("Which BIS under secretary was quoted when Commerce announced the controls?")
    assert quoted.wants == "who" and asked_titles(quoted) == {"secretary"}
    model = only("What is the name of Baidu's flagship large language model in the article?")
    assert not has_wanted("Baidu, Alibaba and Tencent invested; DeepSeek rose.", model)
    assert only("What was the House floor vote on the bill?").wants == "count"


def test_the_new_rules_leave_near_misses_unanswered_and_old_answers_answered() -> None:
    # "how long" wants a span, and a rate is no span; a comparative is not what is measured
    after = only("How long after publication does the rule take effect?")
    assert not has_wanted("The rule was published on October 17, 2023.", after)
    when = only("When did BIS introduce the license fee?")
    assert not has_wanted("BIS introduced the license fee, which is charged once a year.", when)
    assert wanted_heads(only("How much more is the US spending on chips?")) == set()
    assert not inflects(
        wanted_heads(only("How much does the H20 chip cost?")), "Nvidia sold $12 billion worth."
    )
    # a relative "which" clause does not make a "what" question a "who" question
    assert (
        only("What does the rule, which the Commerce secretary signed in May, require?").wants == ""
    )
    # an exact day may be written day first; storage in gigabytes is an amount
    exact = only("On what exact day in May 2025 did Commerce rescind the rule?")
    assert has_wanted("On 13 May 2025, the Commerce Department announced a rescission.", exact)
    storage = only("How much storage does the cheapest variant come with?")
    assert has_wanted("It comes with 64GB of storage.", storage)
    # "C.F.R." is no temperature, and "assessment of Huawei" no words of Huawei's
    assert not has_wanted("It is codified at 15 C.F.R. part 744.", only("What temperature?"))
    assert not speaks(
        "The department's assessment of Huawei's capacity found gaps.", "", "", "huawei"
    )
    # a country whose name reads as a list stays one inside a longer list or possessive
    assert split_names("What is Antigua and Barbuda's ranking?")[0][1] == ""
    assert only("What did Varadkar reveal about NPHET's advice?").speakers == ("varadkar",)


def test_a_question_that_mentions_a_vote_wants_a_tally_only_when_it_asks_for_the_vote() -> None:
    share = only("What minimum share of residents must take part for the NYCHA vote to be valid?")
    assert has_wanted("At least 20 percent of the eligible population must participate.", share)
    tally = only("Senate vote tally on CHIPS?")
    assert not has_wanted("The act includes $39 billion in subsidies.", tally)


def test_how_much_of_something_other_than_money_wants_a_quantity_in_its_units() -> None:
    part = only("How much gallium inventory does the company have?")
    assert has_wanted("We have about five months of gallium inventory on hand.", part)
    assert not has_wanted("We have gallium inventory on hand.", part)
    money = only("How much money does the company have?")
    assert not has_wanted("We have five months of inventory.", money)


def test_which_bank_or_company_asks_for_a_name() -> None:
    part = only("Which bank runs the German Raw Materials Security Facility?")
    assert part.wants == "who"
    assert has_wanted("The facility will be administered by KfW.", part)
    assert not has_wanted("The reserves will be released to companies at cost.", part)


def test_a_rule_applies_from_the_date_it_applies_from() -> None:
    part = only("When do the new export licences come into force?")
    assert has_wanted("From April 1, exporters will need a licence for each shipment.", part)
    assert not has_wanted("Exporters will need licences, the ministry said on April 1.", part)


def test_a_topic_and_a_list_of_things_about_it_asks_each_of_them() -> None:
    parts = analyse("Rocket Pass 4: start date, end date and price?")
    assert [(p.text, p.wants) for p in parts] == [
        ("Rocket Pass 4: start date?", "date"),
        ("Rocket Pass 4: end date?", "date"),
        ("Rocket Pass 4: price?", "amount"),
    ]
    assert len(analyse("Ricketts letter: what harm do the senators say companies suffer?")) == 1
    assert [p.subject for p in analyse("AI plans: Baidu, Alibaba and Tencent?")] == [
        "baidu",
        "alibaba",
        "tencent",
    ]


def test_a_fee_question_wants_the_fee_not_any_figure() -> None:
    part = only("What licence fee does the ministry charge per application?")
    assert part.wants == "amount" and wanted_heads(part) == {"fee"}
    assert not has_wanted("Reviews can take up to 60 working days.", part)


def test_the_names_of_people_want_names_beside_them() -> None:
    part = only("What were the names of the 15-year-old driver and his passenger?")
    assert part.wants == "who"
    assert not has_wanted("Police have not disclosed identities, Miami-Dade Schools said.", part)
    assert has_wanted("The driver, Carlos Ruiz, died at the scene.", part)


def test_what_value_asks_for_a_number_of_that_value() -> None:
    part = only("What default perplexity value does the article recommend?")
    assert part.wants == "count" and wanted_heads(part) == {"default", "perplexity"}


def test_the_first_word_of_an_opening_quotation_is_no_name() -> None:
    part = only("Who was driving the car?")
    assert not has_wanted("“Immediately thereafter, the driver lost control of the car.", part)


def test_what_a_named_post_is_about_is_a_summary_question() -> None:
    assert is_summary("What is the GaijinPot 'Tweet of the Week' post on chikan in Japan about?")
    assert not is_summary("What was the meeting about?")


def test_a_later_part_without_names_is_about_what_the_part_before_is_about() -> None:
    first, second = analyse(
        "What did Cork University Hospital decide, and what exception was made?"
    )
    assert second.before == first.text
    assert "Cork University Hospital" in second.query


def test_a_terse_question_s_capitalised_label_word_is_no_name() -> None:
    assert only("Revised cost estimate for the Sentinel frigates?").names == ("sentinel",)
    assert only("Unit cost per frigate now?").names == ()
    assert only("Tencent cost estimate?").names == ("tencent",)


def test_how_much_of_something_is_a_share_of_it_not_a_measure() -> None:
    part = only("How much of the overspend is the shipbuilder going to swallow?")
    assert part.wants == "amount" and wanted_heads(part) == set()


def test_which_country_wants_a_country_and_a_measure_wants_that_measure() -> None:
    assert only("Which country's navy shortlisted the design?").wants == "place"
    speed = only("What is the top speed of a Sentinel-class frigate?")
    assert speed.wants == "count" and not inflects(wanted_heads(speed), "It costs £368m.")


def test_a_list_of_things_asked_about_may_hold_its_own_questions() -> None:
    parts = analyse("Lead ship: originally due when, now due when, and when does it arrive?")
    assert [p.wants for p in parts] == ["date", "date", "date"]


def test_a_why_question_asks_for_a_reason_not_a_figure() -> None:
    assert only("Why has the Sentinel frigate programme gone over budget?").wants == ""
    assert only("Frigates: why did the cost rise?").wants == ""


def test_a_question_for_an_office_s_words_names_the_office_as_speaker() -> None:
    assert only("How did the minister respond to the idea?").speakers == ("minister",)
    assert only("What did the Defence Secretary say about the delays?").speakers == (
        "defence secretary",
    )
    assert only("What did Commerce Secretary Lutnick say?").speakers == ("commerce", "lutnick")


def test_review_cases_read_as_an_analyst_means_them() -> None:
    assert wanted_heads(only("How much gallium does China have?")) == {"gallium"}
    assert only("Which university courses will close?").wants == ""
    assert only("Which bank runs the facility?").wants == "who"
    assert only("What is the main area of concern for regulators?").wants == ""
    assert only("Global Witness findings on cobalt?").names == ("global", "witness")
    assert not has_wanted(
        "Gallium prices have risen 22% from March 3.", only("When do the rules take effect?")
    )
    assert holds_turn("MINISTER ASHDOWN", "minister")
    assert not holds_turn("SHADOW MINISTER WEXLEY", "minister")


def test_a_start_date_is_the_date_a_measure_applies_from() -> None:
    part = only("Moratorium start date?")
    assert has_wanted("The moratorium applies from July 1, 2025, through December 31, 2026.", part)


def test_a_summary_of_everything_names_no_topic() -> None:
    assert is_corpus_summary("Give me a summary")
    assert is_corpus_summary("What are the key points?")
    assert not is_corpus_summary("Summarise the frigate programme")
    assert not is_corpus_summary("What did Warren say?")
