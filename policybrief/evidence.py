"""Quotable sentences of retrieved passages, and what makes one worth quoting.

A reader judges a briefing by its quotes. A sentence is a good quote when it stands alone and
carries specifics (names, numbers, dates, what a rule requires); it is a poor one when it is
framing ("This page provides information on…"), a label ("ACTION: Interim final rule"), a list
fragment ("a. If the designer…"), or leans on the sentence before ("The letter was also
signed by…"). A leaning sentence is quoted together with the sentence it leans on, so the reader
gets its antecedent; both are verbatim and adjacent, so the pair cites one exact span (a pair
across a line break is shown on one line: the verbatim check ignores white space).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from policybrief.text import (
    BULLET,
    CURRENCY_SIGN,
    MONTH_NAMES,
    REFERENCE_MARKS,
    looks_like_instruction,
    split_sentences,
)
from policybrief.types import Chunk, Citation, DocumentInfo, Passage, text_before

MIN_WORDS = 6
MAX_WORDS = 80
# A sentence and its antecedent are quoted together up to this length.
MAX_PAIR_WORDS = 90
# A list's lead-in ("The 2023 SME rule:") is looked for this many lines above an item.
LIST_REACH = 6
_TRUNCATED = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|…)\s*$")
# A quotable sentence ends as a sentence does; link lines, headings and list fragments do not.
_COMPLETE = re.compile(rf"(?:[.!?]|…(?=[\"'”’)\]]))[\"'”’)\]]*{REFERENCE_MARKS}$")
_OPEN_QUOTES = {"“": "”", '"': '"', "‘": "’"}
# "It will be a challenging task to…", "It is likely that…": an "it" that stands for what follows.
_EXPLETIVE_IT = re.compile(
    r"it (?:is|was|will be|would be|has been|had been|may be|might be|could be|remains"
    r"|seems|seemed|appears|appeared) (?:not )?(?:(?:very|so|too|also|still|increasingly) )?"
    r"(?:(?:a|an) (?:[\w’'-]+ )?)?(?:likely|unlikely|clear|unclear|possible|impossible"
    r"|important|necessary|difficult|hard|easy|essential|critical|vital|true|worth|time"
    r"|challenge|challenging|task|mistake|question|matter|surprise|risk|risky)\b"
    r"(?: [\w’'-]+){0,10}? (?:to|that|whether)\b",
    re.IGNORECASE,
)
# Openings that point back to the paragraph before: a pronoun, not a connective or "The rule".
_POINTS_BACK = re.compile(r"(?:that|this|these|those|it|he|she|they)\b", re.IGNORECASE)
# Sentences whose subject or opening refers back to the sentence before.
_LEANS_BACK = re.compile(
    r"^(?:it|its|this|these|that|those|they|their|them|he|she|his|her|such|both|the latter"
    r"|the former|however|also|additionally|moreover|furthermore|in addition(?! to)|in contrast"
    r"|meanwhile|therefore|thus|hence|instead(?! of)|likewise|similarly|as a result|by contrast"
    r"|the (?:letter|rule|rules|act|statement|report|bill|bills|measure|move|ban|decision"
    r"|order|agency|department|company|firm|senators?|lawmakers|official|officials|group"
    r"|proposal|update|updates|announcement|program|law|document|notice)\b(?! of\b))\b",
    re.IGNORECASE,
)
# Text about the page, the document or the reader, not about the world.
_META = re.compile(
    r"^(?:this (?:page|announcement|notice|document|section|site|release|newsletter)\b"
    r"|see (?:below|above)|click\b|read (?:the|more|lawmakers)|for (?:more|further) information"
    r"|a recording\b|the text of\b|welcome to\b|dear\b|subscribe|sign up|share this"
    # a page's links to other pages ("Related:", "You might also like:", "Most read")
    r"|related(?: articles| stories| content| coverage| reading| news)?\s*:"
    r"|you (?:may|might) also like\b"
    r"|(?:see also|recommended|most (?:read|popular|viewed)|trending|read next|further reading"
    r"|more (?:on this|stories))\s*:?\s*$"
    r"|(?:agency|action|rin|docket)\s*:"
    # a speaker's courtesies ("Good afternoon, and welcome to…", "I would now like to turn the
    # call over to…")
    r"|good (?:morning|afternoon|evening)\b|thank you\b|thanks\b(?!\s+to\b)|ladies and gentlemen\b"
    r"|let me (?:give|turn|start|begin|walk|take|hand|first)\b|let's (?:start|begin|turn)\b"
    r"|before (?:i|we) (?:start|begin|turn)\b"
    # a page saying what it is ("Press release from the Alliance on Senate Bill 214.")
    r"|(?:press|news|media) release (?:from|by|on)\b|(?:statement|transcript) (?:from|by)\b"
    r"|i(?: would|'d|’d) (?:now )?like to (?:turn|hand)\b|i(?:'ll| will) now (?:turn|hand)\b)"
    r"|\b(?:is|are) available (?:here|at|below|online|on)\b|https?://|www\.|frequently asked"
    r"|\bFAQs?\b|\bcontact (?:us|the)\b"
    r"|\barXiv:|\bdoi:|\bISBN\b|(?-i:\bRetrieved (?:on )?(?:\d|[A-Z][a-z]+ \d))",  # references
    re.IGNORECASE,
)
# "Legislative history:\nIntroduced in…": an infobox's field, quotable for what it states but
# no sentence to lead a summary with.
_LABELLED = re.compile(r"^(?:\S+\s+){0,2}\S+:\s*\n")
# "a. If…", "(ii) The…", "3) …": an item cut from a list whose lead-in is elsewhere.
_LIST_ITEM = re.compile(r"^(?:\(?[a-z]{1,2}\)|[a-z]\.|\(?[ivx]{1,4}[.)]|\(?\d{1,2}[.)])\s")
_SPECIFIC = re.compile(
    rf"{CURRENCY_SIGN}\s?\d|\b\d[\d,.]*\b|\b(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\b|%"
)
_OBLIGATION = re.compile(
    r"\b(?:requires?|required|restrict\w*|prohibit\w*|bans?|banned|must|shall|licen[cs]e\w*"
    r"|imposes?|imposed|controls?|effective|deadline|threshold|authori[sz]\w*|invest\w*"
    r"|fund\w*|appropriat\w*|subsid\w*|adds?|added|withdraw\w*|urge\w*|announc\w*)\b",
    re.IGNORECASE,
)
_NAME_IN_TEXT = re.compile(r"(?<=\s)[A-Z][\w’'-]+|\b[A-Z]{2,}\b|\b[A-Z]+\d\w*")


@dataclass(frozen=True)
class Candidate:
    """A quotable sentence (or a leaning sentence with its antecedent) and where it came from.

    ``keys`` are the (doc_id, start) of every sentence it quotes, so that a sentence used in one
    section is not quoted again in another; ``context`` is the sentence before and after, where
    a name the question asks about may stand instead; ``setting`` is the section heading and
    the line that introduces the sentence's list ("… Interim Final Rule” (SME IFR):"), which
    say what the sentence is about as a title does; ``turn`` is who speaks it, when its line
    opens with a speaker's label ("SEN. ALVAREZ: …", "Dr. Raman: …").
    """

    text: str
    citation: Citation
    keys: tuple[tuple[str, int], ...]
    context: str
    passage: Passage
    standalone: bool = True
    setting: str = ""
    turn: str = ""  # the speaker label of its line in a transcript ("SEN. ALVAREZ")

    @property
    def title(self) -> str:
        return self.passage.document.title


def leans_back(text: str) -> bool:
    text = text.lstrip("“\"‘'(")
    return bool(_LEANS_BACK.match(text)) and not _EXPLETIVE_IT.match(text)


# A step of a bill's history, as legislative records list it without a full stop: "Passed the
# Senate as the Chips and Science Act on July 27, 2022 (64–33) with amendment".
_RECORDED_STEP = re.compile(
    r"(?:(?:House|Senate|Congress|Parliament|Committee)\s+)?(?:[Pp]assed|[Ss]igned|[Ii]ntroduced"
    r"|[Rr]eported|[Aa]greed|[Ee]nacted|[Aa]pproved|[Aa]dopted|[Rr]atified|[Vv]etoed|[Aa]mended)\b"
    rf"[^\n]*\b(?:{'|'.join(MONTH_NAMES)})(?: \d{{1,2}},)? \d{{4}}\b[^\n.]*$"
)


def _quotable(text: str) -> bool:
    words = len(text.split())
    return (
        MIN_WORDS <= words <= MAX_WORDS
        and not _TRUNCATED.search(text)
        and bool(_COMPLETE.search(text) or _RECORDED_STEP.match(text))
        and not looks_like_instruction(text)
    )


# A news release's dateline, before the sentence proper: a place in capitals or "City, D.C."
# ("WASHINGTON, D.C. – ", "Washington, D.C.--", "BEIJING (Reuters) - "), maybe dated
# ("BRUSSELS, March 4 (Meridian) - ", "Berlin, 6 March 2025 – "). (A rule's "DATES:
# Effective date: This rule…" keeps its label: without it, "This rule" has nothing to stand on.)
_DATELINE_DATE = (  # ", March 4", ", Oct. 9, 2025", ", 6 March 2025"
    r",\s*(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s*\d{4})?"
    r"|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{4})?)"
)
_DATELINE = re.compile(
    rf"(?:[A-Z]{{3,}}(?: [A-Z]{{2,}})*(?:, [A-Z][A-Z.]+)?(?:{_DATELINE_DATE})?"
    rf"|[A-Z][a-z]+(?: [A-Z][a-z]+)?(?:, [A-Z]\.[A-Z]\.|{_DATELINE_DATE}))"
    r"\s*(?:\([^)]{1,30}\)\s*)?(--|—|–|\s-\s)\s*(?=[A-Z“\"‘])"
)


# A numbered paragraph's number, opening its line ("7. ", "(7) ").
_PARAGRAPH_NUMBER = re.compile(r"^\s*\(?(\d{1,3})[.)]\s")
# A transcript's speaker label, opening a line: "SEN. ALVAREZ: ", "Dr. Priya Raman: ".
_TURN = re.compile(r"^\s*(?:\*\*)?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)(?:\*\*)?\s*:\s")


def _closes(mark: str, text: str) -> bool:
    """Whether ``text`` closes a quotation opened by ``mark`` before it: more closing marks
    than opening ones (straight quotes: an odd number; single marks, which apostrophes share,
    never)."""
    if mark == '"':
        return text.count('"') % 2 == 1
    if mark == "“":
        return text.count("”") > text.count("“")
    return False


def _unquote(text: str, start: int, end: int, opens_line: bool = True) -> tuple[str, int]:
    """Drop a dateline (from a sentence that opens its line, when its dash opens no aside:
    "SMIC – China's largest chipmaker – said…" keeps its subject), and an opening quotation
    mark whose quotation goes on past this sentence."""
    dateline = _DATELINE.match(text) if opens_line else None
    if dateline and dateline.group(1).strip() not in text[dateline.end() :]:
        text, start = text[dateline.end() :], start + dateline.end()
    closing = _OPEN_QUOTES.get(text[:1])
    if closing and closing not in text[1:]:
        inner = text[1:].lstrip()
        return inner, end - len(inner)
    return text, start


def _cell_span(text: str, start: int, end: int, offset: int) -> tuple[int, int]:
    """A sentence's span without the pipes of the table row it sits in ("| Seamus Finnigan |
    1996–1997 | He used this spell… |" is quoted from "Seamus" to "…spell…"), shifted by
    ``offset``."""
    sentence = text[start:end]
    lead = re.match(r"\|\s*", sentence)
    tail = re.search(r"\s*\|$", sentence)
    if lead:
        start += lead.end()
    if tail and start < end - len(tail.group()):
        end -= len(tail.group())
    return start + offset, end + offset


class _Sentences:
    """The sentences of one chunk, with their document offsets."""

    def __init__(self, passage: Passage) -> None:
        chunk = passage.chunk
        self.chunk = chunk
        self.spans = [
            _cell_span(chunk.text, s, e, chunk.start) for s, e in split_sentences(chunk.text)
        ]
        self.texts = [self.quote(s, e) for s, e in self.spans]
        self.before = passage.before
        earlier = split_sentences(passage.before)
        self.previous = passage.before[earlier[-1][0] : earlier[-1][1]] if earlier else ""

    def context(self, i: int) -> str:
        """The sentence before ``i`` (from the text before the chunk for its first), ``i`` and
        the sentence after."""
        around = self.texts[max(0, i - 1) : i + 2]
        return " ".join([self.previous, *around] if i == 0 and self.previous else around)

    def setting(self, i: int) -> str:
        """The chunk's section heading, the number of the paragraph sentence ``i`` is in ("7.
        For ships three to five, …" is paragraph 7) and the lead-in of the list it is an item
        of: the nearest line before it that ends with a colon, up to LIST_REACH lines back."""
        start = self.spans[i][0] - self.chunk.start
        numbered = _PARAGRAPH_NUMBER.match(self._line_before(i))
        heading = f"{self.chunk.heading}\nparagraph {numbered.group(1)}" if numbered else ""
        heading = heading or self.chunk.heading
        above = f"{self.before.rstrip()}\n{self.chunk.text[:start]}".split("\n")
        for line in reversed(above[-LIST_REACH - 1 : -1]):
            line = line.strip()
            if line.endswith(":") and not _META.search(line):
                return f"{heading}\n{line}"
        return heading

    def turn(self, i: int) -> str:
        """The speaker label that opens sentence ``i``'s line, if any ("SEN. ALVAREZ")."""
        label = _TURN.match(self._line_before(i) + self.texts[i])  # (or opens the sentence)
        return label.group(1) if label else ""

    def _line_before(self, i: int) -> str:
        """What stands on sentence ``i``'s line before it."""
        start = self.spans[i][0] - self.chunk.start
        line_start = self.chunk.text.rfind("\n", 0, start) + 1
        line = self.chunk.text[line_start:start]
        if line_start == 0 and self.before and not self.before.endswith("\n"):
            line = self.before.rsplit("\n", 1)[-1] + line
        return line

    def quote(self, start: int, end: int) -> str:
        return self.chunk.text[start - self.chunk.start : end - self.chunk.start]

    def joined(self, i: int) -> bool:
        """Whether sentence ``i`` follows sentence ``i - 1`` on the same line."""
        if i == 0:
            return False
        between = self.quote(self.spans[i - 1][1], self.spans[i][0])
        return "\n" not in between

    def with_antecedent(self, i: int) -> tuple[str, int, int] | None:
        """Sentence ``i`` with the one it leans on, when that reads whole: (text, start, and
        where the one before starts when quoted alone, its key). The one before may also be the
        line before, when that line is one sentence that stands alone, as in news written a
        sentence a paragraph ("It will be a challenging task…" / "That is the view of …
        Gilkes")."""
        if i == 0:
            return None
        before, before_start = _unquote(
            self.texts[i - 1], *self.spans[i - 1], opens_line=not self.joined(i - 1)
        )
        if not self.joined(i) and not self._follows_paragraph(i, before):
            return None
        pair_start = before_start
        # A quotation the pair closes keeps its opening mark ("“Today’s rules … strategy,”
        # said Secretary Raimondo.").
        dropped = self.quote(self.spans[i - 1][0], before_start).rstrip()
        if dropped[-1:] in _OPEN_QUOTES and _closes(
            dropped[-1], self.quote(before_start, self.spans[i][1])
        ):
            pair_start = self.spans[i - 1][0] + len(dropped) - 1
        pair = self.quote(pair_start, self.spans[i][1])
        if "\n" in pair:  # one statement, one line; the verbatim check ignores white space
            pair = " ".join(pair.split())
        if _quotable(before) and len(pair.split()) <= MAX_PAIR_WORDS:
            return pair, pair_start, before_start
        return None

    def _follows_paragraph(self, i: int, before: str) -> bool:
        """Whether sentence ``i``, which opens its line, points back ("That is the view of…",
        "It…", "They…") to the line before, itself one sentence that stands alone; list items
        do not lean on one another."""
        bulleted = self._bulleted(i) or self._bulleted(i - 1)
        return (
            _POINTS_BACK.match(self.texts[i]) is not None
            and not self.joined(i - 1)
            and not leans_back(before)
            and not bulleted
        )

    def _bulleted(self, i: int) -> bool:
        text = self.chunk.text
        line = text[text.rfind("\n", 0, self.spans[i][0] - self.chunk.start) + 1 :].lstrip()
        return line[:1] in BULLET and line[1:2] == " "

    def with_lead_in(self, i: int) -> tuple[str, int, int] | None:
        """The first item of a list with the line that introduces it ("… clarifying that:"),
        its trailing "; and" left out, when the two read as one sentence."""
        if i == 0 or self.joined(i) or not self.texts[i - 1].endswith(":"):
            return None
        if _COMPLETE.search(self.texts[i]):
            return None  # a whole sentence stands on its own
        if self.texts[i].endswith(":") or _META.search(self.texts[i - 1]):
            return None  # "Read the full letter here or below:" / "Dear Secretary Lutnick:"
        item = _LIST_TAIL.sub("", self.texts[i])
        lead_start = self.spans[i - 1][0]
        end = self.spans[i][0] + len(item)
        text = self.quote(lead_start, end)
        if not MIN_WORDS <= len(text.split()) <= MAX_PAIR_WORDS:
            return None
        return text, lead_start, end


_LIST_TAIL = re.compile(r"\s*(?:[;,]\s*(?:and|or)?|\s(?:and|or))\s*$")


def candidate_sentences(
    passages: Sequence[Passage], exclude: Collection[tuple[str, int, int]] = ()
) -> list[Candidate]:
    """Quotable sentences of the passages, each once, cited to the best-scoring passage."""
    seen: set[tuple[str, int, int]] = set()
    quoted: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in exclude:
        quoted.setdefault(doc_id, []).append((start, end))
    candidates: list[Candidate] = []
    for passage in sorted(passages, key=lambda p: -p.score):
        chunk = passage.chunk
        sentences = _Sentences(passage)
        for i, (start, end) in enumerate(sentences.spans):
            text, start = _unquote(
                sentences.texts[i], start, end, opens_line=not sentences.joined(i)
            )
            key = (chunk.doc_id, start)
            context = sentences.context(i)
            setting = sentences.setting(i)
            turn = sentences.turn(i)
            # (text, start, end, keys, standalone) of each way to quote this sentence
            quotes: list[tuple[str, int, int, tuple[tuple[str, int], ...], bool]] = []
            listed = sentences.with_lead_in(i)
            if listed is not None:
                item, lead_start, item_end = listed
                quotes.append((item, lead_start, item_end, ((chunk.doc_id, lead_start), key), True))
            elif _quotable(text):
                standalone = not leans_back(text)
                paired = None if standalone else sentences.with_antecedent(i)
                if paired is not None:  # with its antecedent, and alone for when that is used
                    pair, pair_start, before_key = paired
                    pair_keys = ((chunk.doc_id, before_key), key)
                    quotes.append((pair, pair_start, end, pair_keys, True))
                quotes.append((text, start, end, (key,), standalone))
            for quote, first, last, keys, standalone in quotes:
                spans = quoted.get(chunk.doc_id, ())
                if (chunk.doc_id, first, last) in seen or any(
                    first < end and start < last for start, end in spans
                ):
                    continue
                seen.add((chunk.doc_id, first, last))
                citation = Citation(chunk.chunk_id, chunk.doc_id, first, last, chunk.page)
                candidates.append(
                    Candidate(quote, citation, keys, context, passage, standalone, setting, turn)
                )
    return candidates


def quotable_texts(chunk: Chunk, previous: Chunk | None) -> list[str]:
    """The texts ``candidate_sentences`` may quote from ``chunk`` when it is retrieved (after
    ``previous``): what the index embeds at ingest, so that an answer need not."""
    info = DocumentInfo(chunk.doc_id, "", "")
    passage = Passage(chunk, info, 0.0, before=text_before(chunk, previous))
    return list(dict.fromkeys(c.text for c in candidate_sentences([passage])))


def quality(candidate: Candidate) -> float:
    """A small bonus for specifics and a penalty for framing, labels and fragments (≈ ±0.15),
    added to a candidate's relevance so that it decides between near-equals."""
    text = candidate.text
    specifics = len(_SPECIFIC.findall(text)) + len(_NAME_IN_TEXT.findall(text))
    score = 0.015 * min(specifics, 6) + (0.02 if _OBLIGATION.search(text) else 0.0)
    if _META.search(text):
        score -= 0.2
    if _LIST_ITEM.match(text) or _LABELLED.match(text):
        score -= 0.15
    if not candidate.standalone:
        score -= 0.1
    return score


def overlaps(a: Candidate, b: Candidate) -> bool:
    """Whether two candidates quote some of the same text."""
    return a.citation.doc_id == b.citation.doc_id and (
        a.citation.start < b.citation.end and b.citation.start < a.citation.end
    )


def contains(wide: Candidate, narrow: Candidate) -> bool:
    """Whether ``wide`` quotes all of ``narrow`` and more (a sentence with its neighbour)."""
    a, b = wide.citation, narrow.citation
    return (
        a.doc_id == b.doc_id
        and a.start <= b.start
        and b.end <= a.end
        and (a.start, a.end) != (b.start, b.end)
    )
