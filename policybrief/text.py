"""Pure text helpers shared by chunking, generation and verification.

Sentence spans are character offsets into the text given, so that whatever is quoted can be
traced back to the exact place it came from.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# Words after which a period does not end a sentence (compared case-insensitively).
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof sr jr st gen sen rep gov lt col sgt capt cmdr adm pres amb "
        "inc co corp ltd llc plc dept univ assn est approx govt "
        "jan feb mar apr jun jul aug sep sept oct nov dec "
        "no nos vol fig figs pp ch art sec para vs etc al cf ed eds rev fed reg pub "
        "e.g i.e u.s u.k u.n e.u p.m a.m d.c"
    ).split()
)

BULLET = "•◦▪‣·-–—*"

# Money in a sentence: a sign before the figure ("$52.7 billion", "₹42,900"), a code before it
# ("Rs 42,900", "USD 5"), or a currency's name after it ("380 billion RMB", "500 rupees").
CURRENCY_SIGN = "[$€£¥₹₩₽₺₪₦₱]"
CURRENCY_CODE = r"(?:RMB|USD|EUR|GBP|INR|JPY|Rs\.?)"
CURRENCY_NAME = r"(?:RMB|yuan|dollars|euros|USD|EUR|rupees|yen|pesos|francs)"

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Month names and their abbreviations, lower-cased, to the month's number.
MONTH_NUMBERS = {
    name: number
    for number, full in enumerate(MONTH_NAMES, start=1)
    for name in {full.lower(), full.lower()[:3], "sept" if number == 9 else full.lower()[:3]}
}
# A month in running text: capitalised (so the verb "may" is not a month); abbreviations only
# before a day ("Oct. 7").
MONTH = re.compile(
    r"\b(" + "|".join(MONTH_NAMES) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"(?=\.?\s+\d))\b"
)
# Spelled-out counts ("three new bills"); "one" is left out, being mostly not a number.
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if word != "_"
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# An ellipsis ends a sentence only as the end of a quotation ("…surveillance tools…’ Allowing").
# Comparatives: a comparison may turn round with its terms ("more in A than B" is "fewer in B"),
# and "how much longer does…" measures no "longer".
COMPARATIVES = frozenset(
    """more less fewer longer further farther higher lower greater smaller larger bigger better
    worse earlier later""".split()
)
# Reference marks may follow a sentence's end ("…was Aguamenti.[5] This spell…").
REFERENCE_MARKS = r"(?:\[(?:\d{1,3}|[a-z]|citation needed)\])*"
_CANDIDATE = re.compile(rf"(?:[.!?]+|…(?=[\"'”’)\]]))[\"'”’)\]]*{REFERENCE_MARKS}(?=\s)")
_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")


def _ends_sentence(text: str, end: int, limit: int) -> bool:
    """Whether the punctuation run ending at ``end`` closes a sentence (``limit``: line end)."""
    nxt = text[end : min(limit, end + 8)].lstrip()
    if not nxt:
        return True
    first = nxt[0]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘([" + BULLET):
        return False
    if text[end - 1] in "!?" or text[end - 1] in "\"'”’)]":
        return True
    word_start = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end)) + 1
    word = text[word_start : end - 1].lstrip("(\"'“‘").casefold()
    if not word:
        return True
    if word in ABBREVIATIONS:
        return False
    # Initials such as "J." or "H.R." are not sentence ends.
    return not re.fullmatch(r"(?:[a-z]\.)*[a-z]", word)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding white space and a leading bullet marker."""
    while start < end and text[start].isspace():
        start += 1
    if start < end and text[start] in BULLET and (end - start == 1 or text[start + 1] == " "):
        start += 1
        while start < end and text[start].isspace():
            start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (shifted by ``offset``). Line breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    for line in _PARAGRAPH.finditer(text):
        start = line.start()
        for match in _CANDIDATE.finditer(text, line.start(), line.end()):
            if _ends_sentence(text, match.end(), line.end()):
                spans.append(_trim(text, start, match.end()))
                start = match.end()
        spans.append(_trim(text, start, line.end()))
    return [(s + offset, e + offset) for s, e in spans if e > s]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of non-empty lines: the paragraph unit of every loader's output."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


def normalize_space(text: str) -> str:
    """Collapse runs of white space so comparisons ignore line wrapping."""
    return " ".join(text.split())


_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|"
    r"above|previous|prior|earlier)\b"
    r"|\byou are now\b|\bsystem prompt\b|\bnew instructions\b"
    r"|\b(?:as an ai|language model),? (?:you|write|say|respond)\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    """Whether a sentence addresses a language model (an injected instruction, not a fact)."""
    return bool(_INSTRUCTION.search(text))


# Words that carry no claim of their own, left out when comparing what two texts talk about.
FUNCTION_WORDS = frozenset(
    """
    a an and are as at be been being but by can could did do does for from had has have he her
    his how i if in into is it its may might more most much must no nor not of on or our she
    should so such than that the their them then there these they this those to too very was we
    were what when where which while who whom why will with would you your also about after
    against all any because before between both during each few further here just only other
    over same some under until up well
    """.split()
)
_CONTENT_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_POSSESSIVE = re.compile(r"'s$")
_NEGATED_AUXILIARY = re.compile(r"n't$")
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ingly",
    "ings",
    "ing",
    "edly",
    "ed",
    "ies",
    "es",
    "ly",
    "s",
)


def stem(word: str) -> str:
    """A crude English stemmer: enough to match "investing" with "invest", not a linguist."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """Stemmed, lower-cased words of ``text`` that are not function words. A negated auxiliary
    ("doesn't") is a function word, and a possessive is its noun ("Baidu's" is "baidu")."""
    words = (_POSSESSIVE.sub("", w.lower().replace("’", "'")) for w in _CONTENT_WORD.findall(text))
    return [
        stem(w)
        for w in words
        if w.split("'")[0] not in FUNCTION_WORDS  # "we're", "it'll"
        and not w.isdigit()
        and not _NEGATED_AUXILIARY.search(w)
    ]


def names_every_term(question: str, text: str) -> bool:
    """Whether ``text`` holds every content word of ``question``. A lookup such as "What is
    SiCarrier?" embeds far from a long passage that names SiCarrier once; the name still counts."""
    wanted = set(content_words(question))
    return bool(wanted) and wanted <= set(content_words(text))


def yaml_problem(exc: Exception, first_line: int = 1) -> str:
    """A YAML error as "line L, column C: problem" (``first_line``: where the YAML starts)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return str(problem)
    return f"line {mark.line + first_line}, column {mark.column + 1}: {problem}"


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y%m%d",
)
_TIME_SUFFIX = re.compile(r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?)?\s*$")
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")


def parse_date(value: Any) -> date | None:
    """A date from front matter, a dateline or a user (a spec, a flag, ``brief add``); None
    when it is not clearly a date. The one date parser: every caller says its own error."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    iso = _ISO_PREFIX.match(text)
    if iso:
        text = iso.group(1)
    text = _TIME_SUFFIX.sub("", text).strip().replace("Sept ", "Sep ")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
