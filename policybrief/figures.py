"""Numbers and dates in quoted sentences: the "Key figures" table and the timeline's order.

An analyst skims a briefing for its figures (amounts, percentages, thresholds, counts, dates)
and wants each with what it measures and where it came from. The figures are read from the
quoted sentences themselves, so every row is as verbatim and as cited as its statement.
Pure functions, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from policybrief.text import CURRENCY_CODE, CURRENCY_NAME, CURRENCY_SIGN, MONTH_NAMES

_MONTH = "|".join(MONTH_NAMES)
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion))"
_NUMBER = r"\d+(?:[,.]\d+)*"
# A number or a range, which is one figure ("between 25 and 50 projects", "5 to 10 percent").
_RANGE = rf"{_NUMBER}(?:(?:[–-]|\s(?:and|to)\s){_NUMBER})?"
# The kinds of figure, most specific first; a figure is what one of these matches.
_FIGURE = re.compile(
    rf"(?P<date>\b(?:{_MONTH})\s+\d{{1,2}},\s+\d{{4}}\b|\b\d{{1,2}}\s+(?:{_MONTH})\s+\d{{4}}\b"
    rf"|\b(?:{_MONTH})\s+\d{{4}}\b)"
    rf"|(?P<money>(?:{CURRENCY_SIGN}|\b{CURRENCY_CODE}\s)\s?{_NUMBER}(?:[–-]{_NUMBER})?{_SCALE}?"
    rf"(?:\s{CURRENCY_NAME})?|\b{_RANGE}{_SCALE}?\s{CURRENCY_NAME}\b)"
    rf"|(?P<percent>\b{_RANGE}\s?(?:%|percent\b|per cent\b))"
    # Counts in digits only: "two rules" or "three bills" fill a table without informing it.
    rf"|(?P<count>(?:\b{_RANGE}{_SCALE}?)"
    r"(?=\s+(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*))",
)
# A clause that starts with one is another clause, even after a date's comma.
_CONJUNCTION = re.compile(r"(?:and|but|or|while|which|who|whereas)\b")
# Clause boundaries: a figure's clause says what it measures.
_BOUNDARY = re.compile(r"[,;:—–()]\s|\s[—–]\s|(?<![A-Z])\.\s(?=[A-Z])")
MAX_CONTEXT_WORDS = 18
MIN_CONTEXT_WORDS = 5
_YEAR_ONLY = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


@dataclass(frozen=True)
class Figure:
    """A number or date as a sentence gives it, with the clause that says what it measures."""

    text: str
    kind: str  # "date" | "money" | "percent" | "count"
    context: str


def figures_in(sentence: str) -> list[Figure]:
    """The figures of ``sentence`` in order; years standing alone and legal citations ("15
    CFR", "87 FR 62186") are not figures an analyst tabulates."""
    found = []
    for match in _FIGURE.finditer(sentence):
        kind = match.lastgroup or "count"
        text = match.group().strip()
        years = re.split(r"[–-]|\s(?:and|to)\s", text)  # "2022 and 2023" is no count either
        if kind == "count" and (
            all(_YEAR_ONLY.fullmatch(y) for y in years)
            or _legal(sentence, match.start(), match.end())
        ):
            continue
        found.append(Figure(text, kind, _clause(sentence, match.start(), match.end())))
    return found


def _legal(sentence: str, start: int, end: int) -> bool:
    """A citation or designation, not a figure: "15 CFR", "87 FR 62186", "Section 301",
    "Executive Order 14117", "Public Law 117-167", "No. 5"."""
    after = re.match(r"\s+(?:CFR|FR|U\.S\.C\.|Stat\.|Fed\.)", sentence[end:])
    before = re.search(
        r"\b(?:Sections?|Articles?|Tables?|Titles?|Chapters?|Figures?|Order|Law|No\.|Docket|RIN"
        r"|Parts?)\s*$",
        sentence[:start],
    )
    return bool(after or before)


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around ``sentence[start:end]``, at most MAX_CONTEXT_WORDS words. A date's
    commas, its own and the one that closes it ("On October 17, 2023, BIS released…", "the
    October 7, 2022, controls"), end no clause: what follows is what the date is of."""
    dates = [m.span() for m in _FIGURE.finditer(sentence) if m.lastgroup == "date"]
    cuts = [
        m
        for m in _BOUNDARY.finditer(sentence)
        if not (
            sentence[m.start()] == ","
            and any(a <= m.start() <= b for a, b in dates)
            and not _CONJUNCTION.match(sentence, m.end())
        )
    ]
    boundaries = [0] + [m.end() for m in cuts if m.end() <= start]
    left = 0
    # "…380 billion RMB, or around $52.7 billion": a clause that only restates the figure
    # takes the clause before it along.
    figure_words = len(sentence[start:end].split())
    for earlier in reversed(boundaries):
        left = earlier
        if len(sentence[earlier:start].split()) + figure_words >= MIN_CONTEXT_WORDS:
            break
    right = next((m.start() for m in cuts if m.start() >= end), len(sentence))
    words = sentence[left:right].strip(" .").split()
    if len(words) > MAX_CONTEXT_WORDS:
        before = len(sentence[left:start].split())
        first = max(0, min(before - MAX_CONTEXT_WORDS // 2, len(words) - MAX_CONTEXT_WORDS))
        words = words[first : first + MAX_CONTEXT_WORDS]
        return ("… " if first else "") + " ".join(words) + " …"
    return " ".join(words)


def event_date(sentence: str) -> tuple[date, str] | None:
    """The earliest date ``sentence`` mentions, with how precisely ("day", "month", "year")."""
    found: list[tuple[date, str]] = []
    taken: list[tuple[int, int]] = []
    for match in re.finditer(rf"\b({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})\b", sentence):
        month = MONTH_NAMES.index(match.group(1)) + 1
        found.append((_safe_date(int(match.group(3)), month, int(match.group(2))), "day"))
        taken.append(match.span())
    for match in re.finditer(rf"\b(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})\b", sentence):
        month = MONTH_NAMES.index(match.group(2)) + 1
        found.append((_safe_date(int(match.group(3)), month, int(match.group(1))), "day"))
        taken.append(match.span())
    for match in re.finditer(rf"\b({_MONTH})\s+(\d{{4}})\b", sentence):
        if any(start <= match.start() < end for start, end in taken):
            continue  # the month of a full date already found
        month = MONTH_NAMES.index(match.group(1)) + 1
        found.append((date(int(match.group(2)), month, 1), "month"))
    if not found:
        pattern = r"\b(?:in|by|since|from|until|during)\s+(19[5-9]\d|20[0-4]\d)\b"
        for match in re.finditer(pattern, sentence):
            found.append((date(int(match.group(1)), 1, 1), "year"))
    return min(found, default=None)


def _safe_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # "February 30": keep the month
        return date(year, month, 1)
