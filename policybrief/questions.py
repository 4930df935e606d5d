"""What a question asks for: its parts, the names and years it is about, the kind of fact wanted.

An extractive answer is only as honest as its test of whether a sentence answers the question.
Similarity alone cannot tell "How much is Tencent investing?" from the sentence giving
Alibaba's figure, nor "What did Nvidia say?" from a sentence about the ban that never names
Nvidia. So each question is read for hard constraints (named entities, years, and the kind of fact
asked for by "how much", "how many", "when", "who") that a quoted sentence must meet; similarity
then ranks only the sentences that meet them. Pure functions, no model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from policybrief.text import (
    COMPARATIVES,
    CURRENCY_CODE,
    CURRENCY_NAME,
    CURRENCY_SIGN,
    FUNCTION_WORDS,
    MONTH,
    MONTH_NAMES,
    MONTH_NUMBERS,
    NUMBER_WORDS,
    content_words,
    stem,
)

# Capitalised words that start questions or name roles and parties (which the sources write
# as "(R-NE)") rather than the thing asked about.
_NOT_NAMES = frozenset(
    """
    what which who whom whose when where why how is are was were do does did can could should
    would will has have had tell give list describe explain summarize summarise compare name
    according the a an in on of for to and or by with from about at as into this that these those
    mr mrs ms dr sen senator senators rep representative secretary president chairman chair
    ranking member members ceo under assistant deputy commissioner minister director
    secretaries presidents chairmen ceos deputies commissioners ministers directors
    department bureau office committee subcommittee agency administration government congress
    house senate act rule rules law bill bills order report letter statement press release
    please i we you my our me show find explain any summary overview briefly were
    beyond instead besides apart aside since despite following given regarding overall now
    both either neither each every many among within without except including like unlike
    whether although though because roughly approximately exactly another
    full exact latest current main total official original initial final new recent first
    last earliest run walk outline remind help let catch fill get break sketch lay spell
    identify check confirm clarify detail define
    republican republicans democrat democrats democratic gop bipartisan
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    """.split()
)
# Words, in title case, that stand before a document's number.
_DESIGNATORS = frozenset(("Doc", "Docket", "Vol"))
# The common nouns that end many names ("Napa County", "Lake Berryessa", "Nostrand Houses"):
# the rest of the name is what a source repeats; a source may say "the county" or nothing.
_NAME_HEADS = frozenset(
    """
    county counties city lake river island islands mount camp park street houses university
    corporation center centre council board party fund database
    """.split()
)
# A country and its people: "the Indian-launched iPhone" in a report "in India".
_PEOPLES = tuple(
    tuple(name.replace("_", " ") for name in pair.split("/"))
    for pair in """
    india/indian japan/japanese korea/korean russia/russian germany/german france/french
    ireland/irish canada/canadian mexico/mexican brazil/brazilian australia/australian
    taiwan/taiwanese italy/italian spain/spanish israel/israeli iran/iranian
    ukraine/ukrainian netherlands/dutch barbados/barbadian/bajan pakistan/pakistani
    vietnam/vietnamese singapore/singaporean malaysia/malaysian egypt/egyptian
    saudi/saudi_arabia nigeria/nigerian sweden/swedish norway/norwegian finland/finnish
    greece/greek switzerland/swiss scotland/scottish wales/welsh indonesia/indonesian
    philippines/filipino thailand/thai argentina/argentine/argentinian
    """.split()
)
# Names that the sources spell several ways; a question naming one matches any of them.
_ALIASES = (
    (
        "us",
        "u.s",
        "usa",
        "u.s.a",
        "united states",
        "america",
        "american",
        "americans",
        "washington",
    ),
    ("china", "chinese", "prc", "people's republic of china", "ccp", "beijing"),
    ("uk", "u.k", "united kingdom", "britain", "british"),
    ("eu", "e.u", "european union"),
    ("ai", "artificial intelligence"),
    ("bis", "bureau of industry and security"),
    ("commerce", "department of commerce", "commerce department"),
    ("nvidia",),
    *_PEOPLES,
)
_ALIAS_OF = {name: group for group in _ALIASES for name in group}
# Countries, for "which specific countries…": those above and others sources name.
_OTHER_COUNTRIES = """
    cuba jamaica haiti colombia chile peru venezuela ecuador bolivia uruguay paraguay
    south_africa kenya ethiopia ghana morocco algeria tunisia turkey poland belgium austria
    denmark portugal czechia hungary romania bulgaria serbia croatia new_zealand bangladesh
    sri_lanka nepal myanmar cambodia laos mongolia hong_kong macau united_arab_emirates uae
    qatar kuwait iraq syria jordan lebanon afghanistan kazakhstan belarus antigua
    """.split()
_COUNTRIES = tuple(
    name.replace("_", " ")
    for name in ("us", "china", "uk", *(people[0] for people in _PEOPLES), *_OTHER_COUNTRIES)
)
_PLACES = frozenset(
    (*(n for group in _PEOPLES for n in group), *(n.replace("_", " ") for n in _OTHER_COUNTRIES))
)
# A name of several words ("United States", "European Union") is one name, its group's first.
_SHORT_ALIAS = {name: group[0].upper() for group in _ALIASES for name in group if " " in name}
_LONG_ALIAS = re.compile(r"\b(?:" + "|".join(map(re.escape, _SHORT_ALIAS)) + r")\b", re.IGNORECASE)
# Countries, blocs and AI itself set the scene of most questions here rather than narrow them.
SCENE_NAMES: frozenset[str] = frozenset(name for group in _ALIASES[:5] for name in group)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# A name starts with a capital, or with up to three small letters before one ("iPhone", "eBay",
# "mRNA"); a code holds a digit ("H20"); a numbered grade is one name ("Level 5").
_GRADE = r"\b(?:Level|Phase|Tier|Stage) \d+\b"
_NAME = re.compile(
    rf"{_GRADE}|\b[a-z]{{1,3}}[A-Z][\w’'&.-]*[\w]|[A-Z][\w’'&.-]*[\w]|[A-Z]|\b[a-z]*\d[\w-]*"
)
_SUMMARY = re.compile(
    r"\b(?:summar(?:y|ise|ize)|overview|(?:key|main|major|top) (?:points|facts|findings|issues"
    r"|messages)|takeaways?"
    r"|highlights|gist|tl;?dr|brief me|sum (?:it |this |that )?up|recap|rundown"
    r"|^\s*in a nutshell\b|big picture"
    r"|what (?:is|are) (?:this|these|it|the (?:article|document|"
    r"documents|sources?|corpus|story))\b.{0,20}\babout|why does (?:this|it) matter"
    r"|why should (?:i|we|you|someone|anyone|they)\b.{0,60}\bcare"
    r"|what do (?:i|we) need to know|bottom line)\b|^\s*what happened\s*\??\s*$"
    # "What is the Vice report on the fires about?" (not "What was the meeting about?")
    r"|^\s*what (?:is|was) (?=(?:the|this) (?:[\w'’-]+ ){0,6}(?:story|article|report|piece|document"
    r"|letter|statement|release|rule|page|post|paper|speech|op-ed)\b.{0,100}\babout\s*\??\s*$)",
    re.IGNORECASE,
)
# What a figure in money measures: a question about one wants that figure, not any amount.
_PRICED = (
    "price|prices|revenue|revenues|cost|costs|salary|valuation|budget|worth|profit|profits"
    "|capitali[sz]ation|capitali[sz]|market value|penalty|penalties|penalt|fines|fees?|levy"
    "|levies|tolls?|fares?"
)
# What an organisation asked about does, after its kind ("Which bank runs…", not "Which court
# rulings…").
_ACTING = (
    r"(?:is|was|are|were|has|had|have|will|would|did|does|do|can|could|runs?|ran|operates?"
    r"|operated|administers?|administered|manages?|managed|owns?|owned|makes?|made|builds?|built"
    r"|leads?|led|won|wins?|handles?|handled|issued|fixed|repaired|supplies|supplied|provides?"
    r"|provided|bought|sold|funds?|funded|got|gets)\b"
)
# Kinds of organisation whose name "which …" asks for (one: "which companies" may want kinds).
_ORGANISATIONS = (
    "bank|company|firm|agency|ministry|department|regulator|court|university|institute|utility"
    "|lender|insurer|airline|refiner|manufacturer|maker|newspaper|publisher|developer|contractor"
    "|supplier|operator|hospital|organi[sz]ation|association|union|think tank|consultancy"
)
# Offices whose holder "Which … secretary" asks for (the start of each word).
_OFFICES = (
    "secretar|chair|ceo|director|commissioner|minister|ambassador|administrator|governor"
    "|premier|mayor|spokes|executive"
)
# The fact a question asks for, by its wording ("" when any relevant sentence may answer).
_WANTS = (
    (
        "amount",
        re.compile(
            r"\bhow (?:much|large|big)\b|\bwhat temperatures?\b"
            rf"|\bwhat (?:\w+ )?(?:amount|sum|value|budget)\b|\b(?:{_PRICED})\b"
            # … but "What costs do companies bear?" asks which costs, not how much
            r"(?<!\bwhat costs)(?<!\bwhich costs)",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"\bhow many\b|\bwhat (?:(?:is|was|are|were) )?(?:the )?"
            r"(?:(?!(?:do|does|did|will|would|can|could)\b)\w+ ){0,3}"  # "what did X share" no
            r"(?:number|percentage|share|threshold|margin|value|speed|length|weight|height|width"
            r"|depth|population|distance|displacement|headcount)\b"
            r"|\bvote (?:count|tally)\b|\bwhat was the (?:\w+ ){0,2}vote\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"(?:^|:)\s*when\b|\b(?:and|but|or) when\b"
            r"|\b(?:what|which) (?:\w+ )?(?:date|day|year|month|deadline)s?\b"
            r"|\bdeadlines?\b|\beffective date\b|\bby when\b|\bsince when\b"
            r"|\bhow long\b|\bwhat time\b|\bif so,? when\b|\bwhen\s*\??\s*$"
            r"|\b(?:start|starting|end|ending|launch|release|effective|expiry|expiration|closing"
            r"|opening|due|target|publication|filing|completion|delivery) dates?\b",
            re.I,
        ),
    ),
    (
        # "Which specific countries…", "which countries does the rule name": the countries by
        # name, not "countries that have implemented equivalent controls"
        "place",
        re.compile(
            r"\bwhich (?:specific|particular|individual) (?:countries|nations|partners|allies)\b"
            r"|\bwhich (?:[\w-]+ )?(?:countries|nations)\b.{0,60}\bnamed?\b"
            r"|\b(?:which|what) (?:country|nation)(?:'s|’s)?\b(?!-)",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"^\s*who\b|\b(?:and|but|or) who\b"
            r"|\bwhich (?:other |\w+ )?(?:senators?|lawmakers?|officials?|people|persons?)\b"
            rf"|^\s*which (?:[\w.]+ ){{0,2}}(?:{_OFFICES})"
            # "Which bank runs the facility?": one named organisation ("KfW")
            rf"|^\s*which (?:[\w-]+ ){{0,2}}(?:{_ORGANISATIONS})(?:['’]s\b|\s+{_ACTING})"
            r"|\bwhat(?:'s|’s| is| was| are| were)\b.{1,60}\b(?:called|named)\b"
            r"|\bwhat(?:'s|’s| is| was| are| were) the names? of\b|\bwhat (?:make|model|brand)\b",
            re.I,
        ),
    ),
)
_PART_BREAK = re.compile(
    r"\?\s+(?=\S)|[,;]?\s+\b(?:and|but|also)\s+"
    r"(?=(?:(?:in|on|at|by|for|from|to|with|under|since|until)\s+)?"  # "…, and in which year…?"
    r"(?:what|which|who|whom|when|where|why|how|is|are|was|were|does|do|did|has|have|can|will)\b)",
    re.IGNORECASE,
)
# Capitalised, and matched with case, so that the verb "may" is no month.
_MONTHS = (
    "(?-i:January|February|March|April|May|June|July|August|September|October|November"
    "|December|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?)"
)
_CLOCK_TIME = r"\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)"
# how long: "30 hours", "three years", "one month"
_SPAN = "|".join(NUMBER_WORDS) + r"|one|a few|several|\d+"
_UNIT = r"(?:minutes?|hours?|days?|weeks?|months?|years?|decades?)\b(?!-)"
_DATE_IN_TEXT = re.compile(
    rf"\b(?:{_MONTHS})\b|\b(?:19|20)\d\d\b"
    rf"|\b(?:{_SPAN})[ -]{_UNIT}"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday)\b"
    rf"|\b{_CLOCK_TIME}",
    re.IGNORECASE,
)
_AMOUNT_IN_TEXT = re.compile(
    rf"{CURRENCY_SIGN}\s?\d|\b\d[\d,.]*\s*(?:%|(?:percent|per cent|billion|million|trillion"
    rf"|thousand|{CURRENCY_NAME})\b)|\b{CURRENCY_CODE}\s?\d"
    # "How much cocaine…": a quantity measured in its units
    r"|\b\d[\d,.]*\s*(?:pounds|lbs?|kilos|kilograms|kg|(?:metric )?tons|tonnes|barrels|gallons"
    r"|lit(?:re|er)s|megawatts|gigawatts|mw|gw|acres|hectares|miles|kilomet(?:re|er)s|km"
    r"|[kmgt]b|(?:kilo|mega|giga|tera)bytes)\b"
    # "at what temperature…": "200°C", "400F", "180 degrees"
    r"|\b\d+\s?(?:°\s?[CF]?|degrees\b|(?-i:[CF])\b(?!\.))",
    re.IGNORECASE,
)
_NUMBER_WORDS = "|".join(NUMBER_WORDS) + "|hundreds?|thousands|dozens?"
# "October 17," in a sentence is a date, not a count.
_DAY = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}\b", re.IGNORECASE)
_COUNT_IN_TEXT = re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
# (not a sentence's first word, nor the first word of a quotation that opens it)
_PROPER_NAME = re.compile(r"(?<![.!?]\s)(?<!^)(?<!^[“\"‘'(\[])\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


@dataclass(frozen=True)
class QuestionPart:
    """One thing a question asks: its words, and what a sentence must hold to answer it."""

    text: str
    names: tuple[str, ...] = ()  # named entities, lower-cased, as the question spells them
    acronyms: tuple[str, ...] = ()  # those of the names written as acronyms ("SME", "IFR")
    years: tuple[str, ...] = ()
    months: tuple[str, ...] = ()  # lower-cased full month names
    # Full dates the question states ("November 17, 2022"): (month number, day, year or "")
    days: tuple[tuple[int, int, str], ...] = ()
    wants: str = ""  # "amount" | "count" | "date" | "place" | "who" | ""
    summary: bool = False
    # For one name of a list ("Baidu, Alibaba and Tencent"): that name, which the sentence
    # itself must hold, and the others, whose mention makes a sentence less about it.
    subject: str = ""
    siblings: tuple[str, ...] = ()
    # The part before, when this one refers back to it ("… and which countries does it cover?")
    before: str = ""
    # Whose words it asks for ("What did Raimondo say…", "How did Lutnick respond…"), and
    # whether a deed answers too ("How did Baidu respond?": by reconsidering its model)
    speakers: tuple[str, ...] = ()
    by_deed: bool = False
    # The leading words of names of several words, each with the name's last word as written
    # (("jensen", "Huang"), ("preservation", "Trust")): a sentence may give the last word
    # alone ("Mr. Huang", "the Trust"), capitalised, in a document that gives the full name.
    forenames: tuple[tuple[str, str], ...] = ()

    @property
    def query(self) -> str:
        """What to embed: the part, with the part it refers back to."""
        return f"{self.before} {self.text}".strip()

    @property
    def constrained(self) -> bool:
        return bool(self.names or self.years or self.months or self.wants)

    def describe(self) -> str:
        """What is missing, in words, when no sentence answers this part."""
        text = self.text.rstrip(" ?.")
        return text[:1].upper() + text[1:] + "?"


_COMPARED = re.compile(
    r"\b(?:replac\w*|versus|vs\.?|than|compared (?:with|to)|unlike|instead of|rather than"
    r"|like)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


_YARDSTICK = re.compile(_COMPARED.pattern.removesuffix("$") + r"[A-Z][\w’'.-]*", re.IGNORECASE)


_NATIONAL_DOLLARS = re.compile(r"\b(?:US|U\.S\.|American|Hong Kong) dollars?\b", re.IGNORECASE)


def question_acronyms(text: str) -> tuple[str, ...]:
    """The names a question writes as acronyms, lower-cased ("SME IFR" → sme, ifr)."""
    names = set(question_names(text))
    return tuple(
        w.casefold() for w in re.findall(r"\b[A-Z]{2,6}s?\b", text) if w.casefold() in names
    )


def question_names(text: str) -> tuple[str, ...]:
    """Named entities of a question: capitalised words, acronyms and codes such as "H20"."""
    names: list[str] = []
    text = _NATIONAL_DOLLARS.sub(" ", text)  # "in US dollars" names a currency, not a country
    text = _LONG_ALIAS.sub(lambda m: _SHORT_ALIAS[m.group().casefold()], text.replace("’", "'"))
    for match in _NAME.finditer(text):
        if _COMPARED.search(text[: match.start()]):
            continue  # "to replace Nvidia", "compared with Baidu": a yardstick, not the topic
        if (
            not text[: match.start()].strip()
            and match.group().casefold() in _FIELD_WORDS
            and not re.match(r"\s+[A-Z]", text[match.end() :])
        ):
            continue  # "Revised cost estimate for…?", not "Global Witness findings?"
        word = match.group().strip(".’'-").replace("’s", "").replace("'s", "")
        # "Warren-Rounds" names two people, "U.S.-China" two countries; "Chinese-made" and
        # "Huawei-backed" name what comes before the hyphen.
        pieces = [p for p in word.split("-") if p[:1].isdigit() or not p[:4].islower()]
        for piece in pieces:
            key = piece.strip(".").casefold()
            if piece.strip(".") in _DESIGNATORS:  # "FR Doc. 2023-23049" (but "DOC" is Commerce)
                continue
            if not key or key in _NOT_NAMES or key in _NAME_HEADS or key in FUNCTION_WORDS:
                continue
            if _YEAR.fullmatch(key) or key.isdigit():
                continue  # a bare number is a quantity, not a name
            names.append(key)
    return tuple(dict.fromkeys(names))


_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:[A-Z]\.\s+)?[A-Z][a-z]+)+\b")


def name_run_texts(text: str) -> list[str]:
    """The runs of capitalised words in ``text`` ("British Virgin Islands", "Andrew Fahie")."""
    return [run.group() for run in _NAME_RUN.finditer(text)]


# Words that open an analyst's terse question as a field's label, capitalised only by their
# place ("Revised cost estimate for the frigates?", "Unit cost per ship?"); _NOT_NAMES are
# never names anywhere.
_FIELD_WORDS = frozenset(
    """
    unit revised average estimated projected planned expected updated proposed combined net
    gross annual overall domestic foreign global daily monthly weekly yearly quarterly peak
    median typical minimum maximum base start end delivery launch release opening closing
    overseas approved budgeted forecast
    """.split()
)
# Words that tell one place from another ("South Korea" is not "North Korea").
_DISTINGUISHING = frozenset("north south east west new northern southern eastern western".split())


def question_forenames(text: str, names: Collection[str]) -> tuple[tuple[str, str], ...]:
    """The leading words of the names of several words a question gives (``names``: its
    names), each with the name's last word: ("jensen", "Huang") in "Jensen Huang's meeting",
    ("public", "Trust") and ("housing", "Trust") in "the Public Housing Preservation Trust"."""
    found: list[tuple[str, str]] = []
    for run in _NAME_RUN.finditer(text):
        words = [w for w in re.findall(r"[A-Za-z]+", run.group()) if w.casefold() in names]
        if len(words) < 2 or any(w.casefold() in _DISTINGUISHING for w in words):
            continue
        found.extend((w.casefold(), words[-1]) for w in words[:-1])
    return tuple(dict.fromkeys(found))


def question_months(text: str) -> tuple[str, ...]:
    """Months a question dates its subject by ("the October 2022 rules", "Oct 7")."""
    found = []
    for match in MONTH.finditer(text):
        found.append(MONTH_NAMES[MONTH_NUMBERS[match.group(1).lower()] - 1].lower())
    return tuple(dict.fromkeys(found))


_MONTH_WORD = "|".join(MONTH_NAMES) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_FULL_DATE = re.compile(
    rf"\b({_MONTH_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d\d)\b)?"
    rf"|\b(\d{{1,2}})\s+({_MONTH_WORD})(?:,?\s+((?:19|20)\d\d)\b)?"
)


def _full_dates(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _FULL_DATE.finditer(text):
        month, day, year = match.group(1, 2, 3) if match.group(1) else match.group(5, 4, 6)
        yield MONTH_NUMBERS[month.lower().rstrip(".")], int(day), year or ""


def question_days(text: str) -> tuple[tuple[int, int, str], ...]:
    """Full dates a question states ("Nov 17, 2022", "17 November"): (month, day, year)."""
    return tuple(dict.fromkeys(_full_dates(text)))


def states_day(text: str, day: tuple[int, int, str]) -> bool:
    """Whether ``text`` states that day (of that year, when both write one)."""
    month, number, year = day
    return any(
        (m, n) == (month, number) and (not year or not y or y == year)
        for m, n, y in _full_dates(text)
    )


_REFERS_BACK = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those)\b", re.I)


_ASKS_WHY = re.compile(r"^\W*(?:[^:?]{1,60}:\s*)?why\b", re.IGNORECASE)


def asks_why(question: str) -> bool:
    """Whether the question opens with "why" ("Frigates: why did the cost rise?")."""
    return bool(_ASKS_WHY.match(question))


# "Rocket Pass 4: start date, end date and price?": a topic, then the things asked about it.
_ATTRIBUTE_LIST = re.compile(r"^(?P<topic>[^:?]{3,}):\s*(?P<items>[^:?]+?)\s*\??$")
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
MAX_ATTRIBUTE_WORDS = 6
_QUESTION_WORD = re.compile(r"^(?:what|which|who|whom|when|where|why|how)\b", re.IGNORECASE)


def _attributes(question: str) -> list[str]:
    """One question per thing a "topic: a, b and c?" question asks about (none for a list of
    names: "AI plans: Baidu, Alibaba and Tencent?" is split by name)."""
    match = _ATTRIBUTE_LIST.match(question.strip())
    if match is None:
        return []
    items = [i.strip() for i in _LIST_SEPARATOR.split(match.group("items")) if i.strip()]
    if not 2 <= len(items) <= 6 or any(len(i.split()) > MAX_ATTRIBUTE_WORDS for i in items):
        return []
    if all(_QUESTION_WORD.match(i) for i in items):
        return []  # "X: who signed and when?" is split as any question is
    if all(i[:1].isupper() for i in items):
        return []
    return [f"{match.group('topic').strip()}: {item}?" for item in items]


def split_parts(question: str) -> list[str]:
    """The sub-questions of a multi-part question ("How much … and what …?", "Rocket Pass 4:
    start date, end date and price?")."""
    if listed := _attributes(question):
        return listed
    pieces = [p.strip(" ,;") for p in _PART_BREAK.split(question.strip())]
    pieces = [p for p in pieces if len(content_words(p)) >= 1]
    return pieces or [question.strip()]


def analyse(question: str) -> list[QuestionPart]:
    """The parts of ``question`` with their constraints."""
    if _SUMMARY.search(question):
        topic = _SUMMARY.sub(" ", question)
        dated = without_since(topic)
        return [
            QuestionPart(
                question.strip(),
                names=question_names(topic),
                years=tuple(dict.fromkeys(_YEAR.findall(dated))),
                months=question_months(dated),
                summary=True,
            )
        ]
    parts: list[QuestionPart] = []
    for piece in split_parts(question):
        # "… and what exception was made?" is about what the part before is about, as is a
        # part that refers back to it ("… and which countries does it cover?")
        leans = _REFERS_BACK.search(piece) or not question_names(piece)
        before = parts[-1].text if parts and leans else ""
        for text, subject, siblings in split_names(piece):
            wants = next((kind for kind, pattern in _WANTS if pattern.search(text)), "")
            if asks_why(text):  # "Why has it gone over budget?" asks for a reason
                wants = ""
            dated = without_since(text)
            names = question_names(text)
            parts.append(
                QuestionPart(
                    text,
                    names=names,
                    acronyms=question_acronyms(text),
                    years=tuple(dict.fromkeys(_YEAR.findall(dated))),
                    months=question_months(dated),
                    days=question_days(dated),
                    wants=wants,
                    subject=subject,
                    siblings=siblings,
                    before=before,
                    speakers=question_speakers(text),
                    by_deed=bool(_DEED_QUESTION.search(text)),
                    forenames=question_forenames(text, names),
                )
            )
    return parts


# A date a question counts from: the answer is dated after it, not by it.
_SINCE = re.compile(
    rf"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTHS}\s+)?(?:\d{{1,2}},?\s+)?(?:19|20)\d\d\b"
    rf"|\bsince\s+(?:{_MONTHS})\b",
    re.IGNORECASE,  # "Since October 2022, …" too; the months keep their capitals
)


def without_since(question: str) -> str:
    """The question without the date it counts from: "How has Commerce tightened the controls
    since October 2022?" asks about what came after, not about October 2022."""
    return _SINCE.sub(" ", question)


_SPEECH_QUESTION = re.compile(
    # "What did X say", and "What damage did X warn of" (not "How much did X say…")
    r"\b(?:what|how|why)(?:\s+(?!(?:much|many|long|often|far|soon|else)\b)\w+)?"
    r"\s+(?:did|does|do|has|have|had)\s+(.{1,50}?)\s+(?:say|said|respond"
    r"|react|reply|argue|claim|write|tell|think|warn|urge|want|propose|ask|call for|reveal|admit"
    r"|insist|confirm"
    r"|describe|characteri[sz]e)\b",
    re.IGNORECASE,
)
_SPEAKING_OFFICE = re.compile(
    rf"the ((?:[\w-]+ )?(?:(?:{_OFFICES})\w*|senator|president))$", re.IGNORECASE
)
# Verbs of speaking that may follow a speaker's name ("Ricketts led…", "Warren's statement").
_SPEECH = re.compile(
    r"\b(?:said|says|say|stated|states|wrote|writes|told|tells|urged|urges|urge|argued|argues"
    r"|warned|warns|criticiz\w*|criticis\w*|responded|replied|added|continued|noted|asked"
    r"|pressed|presses|statement|remarks|testified|leads?|led|published|detail(?:s|ed|ing)"
    r"|explain(?:s|ed|ing)|saying|op-ed|reveal(?:s|ed)|claim(?:s|ed)?|insist(?:s|ed)"
    r"|admit(?:s|ted)|confirm(?:s|ed)|acknowledg(?:es|ed)|conceded?|concedes|believes?"
    r"|believed)\b",
    re.IGNORECASE,
)
# Those that may also come before it, attributing a quotation ("…,” said Secretary Raimondo);
# "the following statement: “NVIDIA CEO Jensen Huang…" is not Huang speaking.
_SAID = re.compile(
    r"\b(?:said|says|stated|wrote|writes|told|added|continued|noted|asked|argued|warned"
    r"|replied|responded)\b",
    re.IGNORECASE,
)
# "the view of X": the statement before it is X's, however X is introduced
_VIEW_OF = re.compile(
    r"\b(?:that|this|such) (?:is|was) (?:the|also the) (?:view|opinion|verdict) of\b", re.IGNORECASE
)
SPEECH_WINDOW = 12  # words between a speaker's name and the verb of speaking
_TITLE_FILLER = frozenset("senator senators rep rep. secretary chairman sen sen. and".split())


_DEED_QUESTION = re.compile(r"\b(?:respond|react|reply|answer)\b", re.IGNORECASE)
# Words after which a name is acted upon or addressed, not acting ("a letter to … Lutnick").
_ACTED_UPON = frozenset("to toward towards against at from by".split())


def acts(text: str, name: str) -> bool:
    """Whether ``name`` is named in ``text`` other than as whom something was sent or done
    to: "while Baidu initially favored a closed model…", not "a letter to Secretary Lutnick"
    (the few words before the name, back to a comma, hold no "to", "from", "by")."""
    words = text.split()
    for i, word in enumerate(words):
        if not mentions(word, name):
            continue
        before: list[str] = []
        for previous in reversed(words[max(0, i - 4) : i]):
            if previous.endswith((",", ";", ":")):
                break
            before.append(previous.casefold())
        if not set(before) & _ACTED_UPON:
            return True
    return False


def question_speakers(text: str) -> tuple[str, ...]:
    """The names whose words a question asks for: "What did Raimondo say…" → raimondo."""
    match = _SPEECH_QUESTION.search(text)
    if match is None:
        return ()
    # "What did the letter to Lutnick ask for?": Lutnick is addressed, not speaking.
    who = re.split(r"\b(?:to|from|about|of|with|for|on|at|by)\b", match.group(1))[0]
    # "What does the US government say…" asks what the sources say: a country is no speaker.
    # "How did the minister respond…", "What did the Defence Secretary say…": whoever the
    # sources give that office ("MINISTER ASHDOWN: …", "said the minister"), not "Defence"
    office = _SPEAKING_OFFICE.match(who.strip())
    if office:
        return (office.group(1).casefold(),)
    return tuple(n for n in question_names(who) if n not in SCENE_NAMES)


# Labels that name another holder of an office than the one asked about ("SHADOW MINISTER")
_OTHER_HOLDER = frozenset("shadow former deputy prime vice junior acting assistant".split())


def holds_turn(turn: str, speaker: str) -> bool:
    """Whether a transcript's speaker label ("MINISTER ASHDOWN") gives ``speaker`` the turn;
    "SHADOW MINISTER" is not the minister, unless the question says shadow minister."""
    if not mentions(turn, speaker):
        return False
    before = turn.casefold().split(speaker.split()[0])[0].split()
    return not any(word.strip(".") in _OTHER_HOLDER for word in before)


def _title_leaders(title: str) -> list[str]:
    """Who a title puts first: "Warren Criticizes…" → Warren; "Senators Warren and Rounds
    Call on…" → Warren, Rounds."""
    words = [w.strip(",:") for w in title.split()]
    while words and words[0].casefold() in _TITLE_FILLER:
        words.pop(0)
    leaders = words[:1]
    if len(words) > 2 and words[1].casefold() == "and":
        leaders.append(words[2])
    return leaders


def speaks(text: str, title: str, publisher: str, speaker: str) -> bool:
    """Whether ``speaker`` speaks in ``text`` (named within a few words of a verb of speaking),
    leads the document (the first name of its title: "Warren Criticizes…") or published it."""
    if mentions(publisher, speaker):
        return True
    if any(mentions(leader, speaker) for leader in _title_leaders(title)):
        return True
    for view in _VIEW_OF.finditer(text):  # "That is the view of football coach … Gilkes"
        named = mention_span(text[view.end() :], speaker)
        if named and len(text[view.end() : view.end() + named[0]].split()) <= SPEECH_WINDOW:
            return True
    words = text.split()
    verbs = [i for i, word in enumerate(words) if _SPEECH.search(word)]
    for i, word in enumerate(words):
        if not mentions(word, speaker):
            continue
        for v in verbs:
            if v < i and not _SAID.search(words[v]):
                continue
            between = words[min(i, v) + 1 : max(i, v)]
            if len(between) <= SPEECH_WINDOW and all(map(_in_name, between)):
                return True
    return False


def _in_name(word: str) -> bool:
    """Whether ``word`` can stand inside a name and its titles ("Under Secretary of Commerce
    for Industry and Security Alan", "Pete Ricketts (R-NE)"), so that a verb of speaking
    beyond it still belongs to the name."""
    bare = word.strip(",;:“”\"'")
    if bare in _PRONOUNS:  # "Lutnick: “We urge you…" is someone else speaking to Lutnick
        return False
    return not bare or bare[:1].isupper() or bare in _NAME_JOINERS or bare.startswith("(")


_NAME_JOINERS = frozenset("of for and the & de van von".split())
_PRONOUNS = frozenset("I We You He She They It This These".split())


# A capitalised word ("O'Brien" too), possessive or not; a list's last name that goes on into
# a capitalised word is part of a longer name, unless it is possessive ("Baidu's AI model").
_CAPITALISED = r"[A-Z][\w.-]*(?:[’'](?!s\b)[\w.-]+)*"
_NAME_LIST = re.compile(
    rf"\b{_CAPITALISED}(?:[’']s)?(?:, {_CAPITALISED}(?:[’']s)?)*,? (?:and|or) "
    rf"{_CAPITALISED}(?:[’']s\b|\b(?! [A-Z]))"
)


# Places whose names read as lists ("Antigua and Barbuda" is one country).
_ONE_PLACE = frozenset(
    (
        "antigua and barbuda",
        "trinidad and tobago",
        "bosnia and herzegovina",
        "saint kitts and nevis",
        "st kitts and nevis",
        "st. kitts and nevis",
        "turks and caicos",
        "sao tome and principe",
        "são tomé and príncipe",
    )
)


def split_names(question: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """One question per name of a list, with that name and the others: "How are Baidu,
    Alibaba and Tencent responding?" asks about each of them, and a sentence about one of them
    answers its share. A list that goes on into a longer name ("the CHIPS and Science Act")
    is one name."""
    match = _NAME_LIST.search(question)
    if match is None or any(place in question.casefold() for place in _ONE_PLACE):
        return [(question, "", ())]
    names = [n for n in re.split(r",? (?:and|or) |, ", match.group()) if n]
    bare = [re.sub(r"[’']s$", "", n) for n in names]
    if len(bare[-1]) < len(names[-1]):  # "Baidu and Tencent's plans": each one's plans
        names = [f"{n}{names[-1][len(bare[-1]) :]}" for n in bare]
    keys = [n.casefold().strip(".") for n in bare]
    if any(key in _NOT_NAMES for key in keys):
        return [(question, "", ())]
    return [
        (
            question[: match.start()] + name + question[match.end() :],
            key,
            tuple(k for k in keys if k != key),
        )
        for name, key in zip(names, keys, strict=True)
    ]


# A run of capitalised words, maybe joined by "and", "of" or "&": one name ("CHIPS and Science
# Act", "Bureau of Industry and Security"; "Intel for Ohio" is two).
_NAME_PHRASE = re.compile(rf"{_CAPITALISED}(?:\s+(?:(?:and|of|&)\s+)?{_CAPITALISED})*")


def names_together(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` names the first of ``names`` in one list with another of them
    ("Warren and Kim to Secretary Lutnick", "Baidu, Alibaba and Tencent")."""
    first, *others = names
    text = text.replace("’", "'")
    for other in others:
        for a, b in ((first, other), (other, first)):
            listed = rf"{_spellings(a).pattern}(?:,\s*[\w.'-]+)*,?\s+(?:and|&)\s+"
            if re.search(listed + _spellings(b).pattern, text, re.IGNORECASE):
                return True
    return False


@functools.lru_cache(maxsize=256)
def name_groups(text: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """``names`` grouped by the run of capitalised words of ``text`` they stand in: "the CHIPS
    and Science Act's money for NASA" has two names, (chips, science) and (nasa), not three.
    (Cached: every candidate sentence asks it of the same question.)"""
    groups: list[tuple[str, ...]] = []
    left = list(names)
    for phrase in _NAME_PHRASE.finditer(text.replace("’", "'")):
        words = {w.strip(".'").removesuffix("'s").casefold() for w in phrase.group().split()}
        group = tuple(n for n in left if n in words)
        if group:
            groups.append(group)
            left = [n for n in left if n not in group]
    return (*groups, *((n,) for n in left))


def is_summary(question: str) -> bool:
    return bool(_SUMMARY.search(question))


# Words of a summary question that ask about no topic ("Give me a summary of the news").
_NO_TOPIC = frozenset(
    content_words(
        """
        give me us summary summarise summarize overview key main top major points facts findings
        issues messages takeaways takeaway gist brief briefly recap rundown sum up sources source
        documents document corpus articles article news story stories matter care know need
        bottom line big picture highlights happened happening latest tldr nutshell everything
        """
    )
)


def is_corpus_summary(question: str) -> bool:
    """Whether ``question`` asks for a summary of everything ("Give me a summary", "What are the
    key points?"), naming no topic of its own."""
    return is_summary(question) and set(content_words(question)) <= _NO_TOPIC


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` (or one of its spellings), as a whole word."""
    return bool(_spellings(name).search(text.replace("’", "'")))


def mention_span(text: str, name: str) -> tuple[int, int] | None:
    """Where ``text`` first names ``name`` (or one of its spellings: "U.S." for "us")."""
    match = _spellings(name).search(text.replace("’", "'"))
    return match.span() if match else None


def mention_count(text: str, name: str) -> int:
    """How often ``text`` names ``name`` (or one of its spellings)."""
    return len(_spellings(name).findall(text.replace("’", "'")))


def spells_out(text: str, acronym: str) -> bool:
    """Whether ``text`` holds a capitalised phrase with the acronym's initials: "AI Diffusion
    Rule" for "AIDR" (an all-caps word gives all its letters, small words are skipped)."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    target = acronym.upper()
    for start in range(len(words)):
        initials = ""
        for word in words[start:]:
            if word.casefold() in _NAME_JOINERS and initials:
                continue
            if not word[0].isupper():
                break
            initials += word if word.isupper() else word[0]
            if not target.startswith(initials):
                break
            if initials == target:
                return True
    return False


@functools.lru_cache(maxsize=1024)
def _spellings(name: str) -> re.Pattern[str]:
    """One pattern for every spelling of ``name``, plural or possessive. The short spellings
    of known names ("US", "EU", "AI") match only in capitals, so "us" is not the US;
    "U.S." is also written with the final period that the alias leaves out."""
    alternatives = []
    for spelling in _ALIAS_OF.get(name, (name,)):
        escaped = re.escape(spelling.replace("’", "'"))
        if spelling.endswith(".s"):
            escaped += r"\.?"
        if name in _ALIAS_OF and len(spelling.replace(".", "")) <= 3:
            escaped = "(?-i:" + escaped.upper() + ")"  # "US", never "us"
        alternatives.append(escaped)
    return re.compile(
        r"(?<![\w])(?:" + "|".join(alternatives) + r")(?:'s|s)?(?![\w])", re.IGNORECASE
    )


def amount_starts(text: str) -> list[int]:
    """Where amounts of money and percentages start in ``text``."""
    return [match.start() for match in _AMOUNT_IN_TEXT.finditer(text)]


_WHAT_TIME = re.compile(r"\bwhat time\b(?!\s+(?:of|period|frame))", re.IGNORECASE)
_CLOCK = re.compile(_CLOCK_TIME, re.IGNORECASE)
# "brief summaries" is no briefing: a date's event is "briefing" or "briefed".
_BRIEF_ADJECTIVE = re.compile(
    r"\bbrief\s+(?=(?:summar\w*|descriptions?|overviews?|statements?|notes?|periods?|moments?"
    r"|histor\w*|updates?|introductions?|explanations?|looks?|comments?|remarks|reviews?)\b)",
    re.IGNORECASE,
)


def has_wanted(text: str, part: QuestionPart) -> bool:
    """Whether ``text`` holds the kind of fact the part asks for; for "how many X", a number
    that counts X ("two rules", not "two new license requirements" for "how many ECCNs")."""
    if part.wants == "amount":
        if _AMOUNT_IN_TEXT.search(text):
            return True
        # a quantity of something else, in its own units ("five months of inventory")
        return bool(_measured(part)) and bool(
            _COUNT_IN_TEXT.search(_DAY.sub(" ", _YEAR.sub(" ", text)))
        )
    if part.wants == "count":
        if _VOTE.search(part.text):  # "What was the Senate vote?" wants the tally: "(64–33)"
            return bool(_TALLY.search(text))
        plain = _DAY.sub(" ", _YEAR.sub(" ", text))
        counted = counted_words(part)
        for match in _COUNT_IN_TEXT.finditer(plain):
            following = " ".join(plain[match.end() :].split()[:COUNTED_WINDOW])
            if not counted or mentions_any(counted, following):
                return True
        return False
    if part.wants == "date":  # a date beside the event asked about ("effective November 17")
        heads = wanted_heads(part)
        spans = _DURATION if _HOW_LONG.search(part.text) else _DATE_IN_TEXT
        days = [m.span() for m in _FULL_DATE.finditer(text)]
        for match in spans.finditer(text):
            if _stated(match, text, part):
                continue
            if _WHAT_TIME.search(part.text) and not _CLOCK.fullmatch(match.group()):
                continue  # "What time did it start?" wants "9 a.m.", not the day
            before = text[: match.start()].split()[-DATED_WINDOW:]
            # counted from the end of a full date ("On November 6, 2023, the Bureau … conducted
            # a public briefing"), not from its month
            whole = next((d for d in days if d[0] <= match.start() < d[1]), None)
            if _EXACT_DAY.search(part.text) and not whole:
                continue  # "On what exact day in May…" is not answered by "In May"
            if _WHAT_DATE.search(part.text) and _SPAN_OF_TIME.fullmatch(match.group()):
                continue  # "On what date…" wants a date, not "30 days after publication"
            after = text[whole[1] if whole else match.end() :].lstrip(" ,").split()
            after = after[:DATED_WINDOW]
            around = _BRIEF_ADJECTIVE.sub(" ", " ".join(before + after))
            around = _TAKING_EFFECT.sub(" take effect ", around)  # "comes into force on…"
            if not heads or inflects(heads, around):
                return True
            # "From April 1, exporters will need…" is when a rule starts to apply
            if heads & _STARTING and _FROM_DATE.search(text[: match.start()]):
                return True
        return False
    if part.wants == "place":  # a country the question does not name ("Apart from China…")
        asked = part.text.replace("’", "'")  # and that sets no scene ("U.S. national security")
        return any(
            c not in SCENE_NAMES and not mentions(asked, c) and _names_country(text, c)
            for c in _COUNTRIES
        )
    if part.wants == "who":
        found = [
            m
            for m in map(_without_leading_title(part), _PROPER_NAME.finditer(text))
            if m is not None
            and not any(mentions(m.group().casefold(), own) for own in part.names)
            and m.group().casefold() not in FUNCTION_WORDS
            and m.group().casefold() not in _NOT_NAMES  # "October", "Senate" name no one
        ]
        heads = _named_heads(part)
        return bool(found) and (not heads or any(_names_head(text, m, heads) for m in found))
    return True


def _without_leading_title(part: QuestionPart) -> Callable[[re.Match[str]], re.Match[str] | None]:
    """A name found, without the words before it that the question itself gives as a title
    ("Premier Natalio Wheatley" for "Who is Acting Premier…?" is Natalio Wheatley)."""

    def strip(match: re.Match[str]) -> re.Match[str] | None:
        words = match.group().split()
        lead = 0
        while lead < len(words) - 1 and words[lead].casefold() in part.names:
            lead += 1
        if not lead:
            return match
        rest = " ".join(words[lead:])
        return re.compile(re.escape(rest)).search(match.string, match.start())

    return strip


# "the U.S. Department of Commerce", "Chinese officials": a country as an actor's, not one named
# among others.
_ACTOR = re.compile(
    r"\s+(?:Department|Senators?|Senate|House|Congress|[Gg]overnment|Commerce|Bureau|Treasury"
    r"|Administration|officials?|companies|firms)\b"
)


def is_place(name: str) -> bool:
    """Whether ``name`` is a country, a bloc or one of their peoples or capitals."""
    return name in SCENE_NAMES or name in _PLACES


def names_another_country(text: str, names: Collection[str]) -> bool:
    """Whether ``text`` names a country or bloc other than those of ``names`` ("the EU's
    rules" in a report on China's)."""
    own = {spelling for name in names for spelling in _ALIAS_OF.get(name, (name,))}
    return any(place not in own and mentions(text, place) for place in (*_COUNTRIES, "eu"))


def _names_country(text: str, place: str) -> bool:
    """Whether ``text`` names the country ``place`` other than as an actor's."""
    text = text.replace("’", "'")
    return any(not _ACTOR.match(text, m.end()) for m in _spellings(place).finditer(text))


def _named_heads(part: QuestionPart) -> set[str]:
    """What a "what is X called" question wants the name of: "model" in "What is Baidu's AI
    model called?" (a name elsewhere in the sentence, such as a rival's, is no answer); and
    whom "which senators…" wants named: senators ("Senators Thom Tillis, …"), not whoever
    else the sentence names ("officials" have other titles, so they are not read this way)."""
    which = _WHICH_PEOPLE.search(part.text)
    if which:
        return set(content_words(which.group(1)))
    of = _NAME_OF.search(part.text)  # "the name of the wind farm", "what make of boiler"
    if of:
        named = set(content_words(" ".join(part.names)))
        return set(content_words(of.group(1))) - named - set(content_words("make model brand"))
    titles = asked_titles(part)
    if titles:
        return titles
    if not _CALLED.search(part.text):
        return set()
    asked = set(content_words(part.text)) - set(content_words(" ".join(part.names)))
    asked -= _QUESTION_VERBS | set(content_words("called named titled dubbed name"))
    return {word for word in asked if len(word) > 2}


def _names_head(text: str, name: re.Match[str], heads: set[str]) -> bool:
    """Whether the name stands within NAME_WINDOW words of one of ``heads`` ("Tencent's
    Hunyuan 3D AI model", "a policy report, Creating Resilient…")."""
    before = text[: name.start()].split()[-NAME_WINDOW:]
    after = text[name.end() :].split()[:NAME_WINDOW]
    return inflects(heads, " ".join([*before, name.group(), *after]))  # "Senators Thom Tillis"


def _stated(match: re.Match[str], text: str, part: QuestionPart) -> bool:
    """Whether the date found is one the question itself states: "By when were comments due
    on the October 7, 2022 rule?" is not answered by "On October 7, 2022, BIS released…"."""
    if match.group() in part.years:
        return True
    day = next(_full_dates(text[match.start() :]), None)
    return bool(day and text[match.start() :].startswith(match.group()) and _same_day(day, part))


def _same_day(day: tuple[int, int, str], part: QuestionPart) -> bool:
    return any(day[:2] == asked[:2] for asked in part.days)


# "Comments must be received by BIS no later than December 18": how far a date may stand from
# the event it dates.
DATED_WINDOW = 10
# "25 and 50 separate potential projects": how far after a number the counted thing may come.
COUNTED_WINDOW = 5
# A question after the vote itself ("What was the Senate vote…", "vote tally", "margin of the
# vote"), not one that mentions a vote ("…for the NYCHA vote to be valid?")
_VOTE = re.compile(
    r"\bvotes?\s+(?:count|tally|margin|split)\b|\bwhat (?:was|were) the (?:[\w-]+ ){0,3}votes?\b"
    r"|^\W*(?:[\w-]+ ){0,2}votes? on\b|\bmargin of (?:the )?votes?\b|\bhow many votes\b",
    re.IGNORECASE,
)
_TALLY = re.compile(
    r"(?<![$€£\d.,])\b\d{1,3}\s?[–—-]\s?\d{1,3}\b(?![–—-]\d|\s*(?:[mb]illion|trillion|percent|%))"
)
# "Tencent's Hunyuan 3D AI model": how far a name may stand from what it names.
NAME_WINDOW = 3
_CALLED = re.compile(r"\b(?:called|named|titled|dubbed)\b", re.IGNORECASE)
_NAME_OF = re.compile(
    # "the name of Baidu's flagship large language model": the words after the owner
    r"\b(?:the names?|make|model|brand) of (?:the |a |an |its |their |his |her )?"
    r"(?:\w+['’]s )?"
    r"([\w-]+(?: (?!(?:that|which|who|whose|in|on|at|for|by|mentioned)\b)[\w-]+){0,3})",
    re.IGNORECASE,
)
# Roles that are also titles, written before the names they give: "Senators Thom Tillis, …".
_WHICH_PEOPLE = re.compile(r"\bwhich (?:other |\w+ )?(senators?|representatives?)\b", re.I)
_HOW_MANY = re.compile(
    r"\bhow many (?:(?:new|more|other|additional|different|separate|total|of the) )?"
    r"(?:(?:pieces|kinds|types|sorts) of )?"
    # "how many NYCHA apartments" counts apartments; "how many ECCNs does…" counts ECCNs
    r"(?:(?-i:[A-Z][\w'’-]*)\s+(?=[a-z]+s\b)(?!(?:does|has|was|is)\b))?(\w+)",
    re.IGNORECASE,
)


def counted_words(part: QuestionPart) -> set[str]:
    """What "how many" counts: the word after it ("rules", "ECCNs")."""
    return _with_kin({w for m in _HOW_MANY.finditer(part.text) for w in content_words(m.group(1))})


# Words the sources use for what a question's word names: a budget is what is invested or
# spent, a piece of legislation a bill.
_KIN = {
    stem: tuple(content_words(kin))
    for words, kin in (
        ("budget budgets spending spend", "invest spend fund allocate commit"),
        ("legislation legislative", "bill act law"),
        ("start starts started", "begin"),
        ("enact enacted enactment", "sign pass"),  # "signed into law on August 9, 2022"
        # "How much does it cost?": "priced at", "comes in at Rs 42,900, half the price of…"
        ("cost costs", "price priced retail"),
        ("worth valuation", "value valued"),  # "what was it worth?": "The estimated value…"
        ("price prices", "quoted"),  # "quoted the metal at $720 per kilogram"
    )
    for stem in content_words(words)
}


def _with_kin(words: set[str]) -> set[str]:
    return words.union(*(_KIN.get(w, ()) for w in words))


_HEAD = re.compile(
    r"\bhow many (?:(?:new|more|other|additional|different|separate|total|of the) )?"
    r"(?:(?:pieces|kinds|types|sorts) of )?(\w+(?: \w+)?)"
    r"|\b(?:what|which) (?:(?:is|was|are|were) )?(?:the )?((?:\w+ ){1,3}?)"
    r"(?:number|threshold|percentage|share|value|deadline|date"
    # (what is measured is itself asked for: "the top speed" wants a speed)
    r"|(speed|length|weight|height|width|depth|population|distance|displacement|headcount))s?\b"
    r"|\b(\w+) (?:deadline|date)s?\b",
    re.IGNORECASE,
)


# Events whose date a "when" question asks for; the dated sentence must name the event.
_EVENT_WORDS = (
    "held",
    "hold",
    "conduct",
    "brief",
    "open",
    "reopen",
    "begin",
    "start",
    "conclud",
    "schedul",
    "effect",
    "enact",
    "sign",
    "releas",
    "publish",
    "announc",
    "issu",
    "expir",
    "introduc",
    "pass",
    "adopt",
    "rescind",
    "rescission",
    "withdr",
    "approv",
    "impos",
)


# "How much storage does…" (a noun, then its verb), not "How much does…", "How much goes to…"
# or "How much money…"
_HOW_MUCH = re.compile(
    r"\bhow much (?!of\b)((?:(?!(?:does|did|do|is|was|are|were|will|would|has|have|had|can|could"
    r"|should)\b)[a-z]+ ){0,2}[a-z]{4,}) "
    r"(?=(?:does|did|do|is|was|are|were|will|would|has"
    r"|have|had|can|could|should)\b)",
    re.IGNORECASE,
)
_MONEY = frozenset(
    """
    money funding cash capital financing revenue revenues spending profit profits investment
    income cost costs budget sales earnings pay salary wages debt loans aid subsidy subsidies
    tax taxes
    """.split()
)
_EXACT_DAY = re.compile(r"\b(?:exact|precise|specific) (?:day|date)\b", re.IGNORECASE)
_WHAT_DATE = re.compile(r"\b(?:what|which) (?:\w+ ){0,2}(?:date|day)\b", re.IGNORECASE)
_SPAN_OF_TIME = re.compile(rf"(?:{_SPAN})[ -]{_UNIT}", re.IGNORECASE)  # "30 days", not "Monday"
_HOW_LONG = re.compile(r"\bhow long\b", re.IGNORECASE)
# What "how long" wants: a span ("one month", "a year", "up to three years"), not a date;
# "once a year" and "per month" are rates.
_DURATION = re.compile(
    rf"(?<!\bonce )(?<!\btwice )(?<!\bper )(?<!\bevery )\b(?:{_SPAN}|an?)[ -]{_UNIT}", re.IGNORECASE
)
_AMOUNT_OF = re.compile(r"\bwhat (\w+) (?:amount|sum|value)\b", re.IGNORECASE)
# Ways of saying a rule takes effect that share no word with "effective".
# A date a rule applies from: "From April 1, …", "as of 1 July", "with effect from…"
_FROM_DATE = re.compile(
    r"(?:^|[,;:]\s*|\b(?:applies|apply|applying|runs?|effective|valid|in force)\s+)"
    r"(?:from|as of|starting(?: on)?|beginning(?: on)?)\s+$",
    re.IGNORECASE,
)
_STARTING = set(content_words("effect start begin apply"))
_TAKING_EFFECT = re.compile(
    r"\b(?:kick(?:s|ed|ing)?|phas(?:ed|ing))\s+in\b"
    r"|\b(?:come|comes|came|coming|enter|enters|entered|entering)\s+into\s+force\b"
    r"|\b(?:go|goes|went|gone|going)\s+into\s+effect\b",
    re.IGNORECASE,
)


# Words that qualify what is counted without naming it ("what total … threshold").
_HEAD_MODIFIERS = set(content_words("total overall exact maximum minimum current new"))


def wanted_heads(part: QuestionPart) -> set[str]:
    """What a "how many" or "what … deadline" question counts or dates ("rules" in "How many
    rules…", "comment" in "the comment deadline"): a figure about something else is no answer."""
    if part.wants == "amount":  # "Alibaba's share price" wants a price, not an investment
        priced = {w for w in content_words(part.text) if re.fullmatch(_PRICED, w)}
        of = _AMOUNT_OF.search(part.text)  # "What bail amount…" wants bail, not a fine
        # "How much storage…" wants a quantity of storage, not the phone's price
        measured = _measured(part)
        return _with_kin(priced | measured | (set(content_words(of.group(1))) if of else set()))
    if part.wants not in ("count", "date"):
        return set()
    words: set[str] = set()
    for match in _HEAD.finditer(part.text):
        phrase = " ".join(g for g in match.groups() if g)
        words.update(content_words(phrase))
    # "When did … take effect?" wants the date it took effect; "How long are release branches
    # supported?" wants a span, of whatever the sentence says is supported.
    if part.wants == "date" and not _HOW_LONG.search(part.text):
        asked = _TAKING_EFFECT.sub(" take effect ", part.text)
        words.update(w for w in content_words(asked) if w.startswith(_EVENT_WORDS))
    return _with_kin(
        words - set(content_words(" ".join(part.names))) - _QUESTION_VERBS - _HEAD_MODIFIERS
    )


def _measured(part: QuestionPart) -> set[str]:
    """What "how much" measures when it is not money: "How much storage does…", "how much
    gallium inventory does it have?" (a quantity in any unit: "five months of inventory")."""
    much = _HOW_MUCH.search(part.text)
    if not much or not much.group(1).islower():
        return set()
    words = set(content_words(much.group(1)))
    return (
        set() if words & _MONEY else words - COMPARATIVES - set(content_words(" ".join(part.names)))
    )


def mentions_any(words: set[str], text: str) -> bool:
    """Whether ``text`` holds one of ``words`` (or a word sharing its first five letters)."""
    have = set(content_words(text))
    return any(holds(have, word) for word in words)


def inflects(words: set[str], text: str) -> bool:
    """Whether ``text`` holds one of the stemmed ``words`` as such, not as an adverb:
    "effective" for "effect" and "rescission" for "rescind", but not "effectively": stricter
    than ``mentions_any``, for the word a figure or date is of."""
    raw = {w.lower() for w in re.findall(r"[^\W_]+", text)}
    return any(
        stem(other) == word
        or (
            len(word) >= 5  # "com" (comment) must not meet "company"
            and not other.endswith(("ly", "ness"))  # "effectively", "effectiveness"
            and (other.startswith(word) or (len(word) >= 6 and other[:5] == word[:5]))
        )
        for word in words
        for other in raw
    )


def holds(have: set[str], word: str) -> bool:
    """Whether the content words ``have`` include ``word`` or a word related to it."""
    return word in have or any(_related(word, other) for other in have)


def focus_words(part: QuestionPart) -> set[str]:
    """The part's content words other than its names and yardsticks: what it asks about."""
    named = {w for name in part.names for w in content_words(name)}
    asked = _LONG_ALIAS.sub(" ", _BRIEFLY.sub(" ", part.text))  # "United States" is a name
    asked = _TAKING_EFFECT.sub(" take effect ", _YARDSTICK.sub(" ", asked))
    return (set(content_words(asked)) - named - _QUESTION_VERBS - _ROLE_WORDS) | asked_titles(part)


# Offices a "who" question may ask the holder of.
_OFFICE = re.compile(
    r"\b(secretar(?:y|ies)|chair(?:man|woman|person)?s?|ceos?|directors?|commissioners?"
    r"|ministers?|ambassadors?|administrators?|governors?|premiers?|mayors?"
    r"|spokes(?:man|woman|person))\b"
    r"(?!\s+(?-i:[A-Z]))",  # "Secretary Lutnick" names someone the question already knows
    re.IGNORECASE,
)


# "Who was the Under Secretary…", "Who chairs…": the office is what is asked, not whom
# someone told ("Who told the chairman?").
_WHO_HOLDS = re.compile(
    r"^\s*who\s+(?:is|was|are|were|serves|served|became|becomes|has been|had been|will be"
    r"|chairs|chaired|heads|headed|leads|led|runs|ran|directs|directed)\b",
    re.IGNORECASE,
)
# "Which BIS under secretary was quoted…?" asks for the holder of that office too.
_WHICH_HOLDER = re.compile(rf"^\s*which (?:[\w.]+ ){{0,2}}(?:{_OFFICES})", re.IGNORECASE)
_BESIDES = re.compile(
    r"\b(?:besides|apart from|aside from|other than|except(?: for)?)\s+(?:the\s+)?(?:co-)?$",
    re.IGNORECASE,
)


def asked_titles(part: QuestionPart) -> set[str]:
    """The office whose holder a "who" question asks for: "secretari" in "Who was the BIS
    Under Secretary in 2022?", but none in "Who did Secretary Lutnick meet?" or "Who else
    sits on the group besides the co-chairs?"."""
    if part.wants != "who" or not (_WHO_HOLDS.search(part.text) or _WHICH_HOLDER.search(part.text)):
        return set()
    return {
        w
        for m in _OFFICE.finditer(part.text)
        if not _BESIDES.search(part.text[: m.start()])
        for w in content_words(m.group(1))
    }


def shares_focus(part: QuestionPart, text: str) -> bool:
    """Whether ``text`` says something about what the part asks (or it asks nothing beyond its
    names). Words match on a shared start of five letters, so "planned" meets "plan" and
    "restriction" meets "restrict", which the crude stemmer keeps apart."""
    focus = focus_words(part)
    return not focus or mentions_any(focus, text)


def _related(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 4 and (longer.startswith(shorter) or shorter[:5] == longer[:5])


# Institutions and roles ("Congress", "the Senate", "the department"): who acts, not what about.
# "brief" is what a briefing is about; the adverb "briefly" is taken out of the question instead.
_ROLE_WORDS = set(content_words(" ".join(_NOT_NAMES))) - {"brief"}
_BRIEFLY = re.compile(r"\bbriefly\b", re.IGNORECASE)
_QUESTION_VERBS = set(
    content_words(
        "say said says tell describe explain give list state states stated mention mentioned "
        "happen happened respond responding doing done make made know need want think "
        "role mean means matter problem problems issue issues purpose goal goals aim aims "
        "reason reasons tackle address meant intend intended seek seeks try trying"
    )
)


def names_everything(question: str, text: str) -> bool:
    """Whether ``text`` names every name and year the question asks about (and it asks about
    at least one): such a passage is evidence however far its embedding lies from the
    question's, as a long passage that names "Lutnick" once does from the query "Lutnick"."""
    names = question_names(question)
    years = _YEAR.findall(question)
    if not names and not years:
        return False
    return all(mentions(text, n) for n in names) and all(y in text for y in years)
