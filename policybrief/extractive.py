"""The offline default generator: answers made of verbatim, cited sentences, or an honest gap.

Each question is read for its parts and constraints (``questions.analyse``). A sentence may
answer a part only if it meets them (``_fits``): it names what the part names (in the sentence,
its document's title or publisher, or for a plain "what" question the sentences around it),
is of a year or month the part dates, holds the figures the part states and the kind of fact it
asks for, and lets the person whose words are asked for speak. It must then be close enough
(``_answers``): similar, or sharing the part's telling words. Among those, sentences are ranked
by similarity to the part, by how many of the part's words they share (rare words weigh more),
by their passage's retrieval score, and by ``evidence.quality``. A part with no such sentence
becomes a ``Gap`` that says what is missing, instead of a quote that is merely related.

Every part gets its best sentence first, in question order; the rest of the budget goes to the
next best sentences by maximal marginal relevance, every source that answers getting one before
any gets a second. Summary
questions take the most central sentences. A sentence that another source states almost word
for word is cited to both (``[2][5]``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from policybrief.citations import numeric_facts
from policybrief.embedders import Embedder, SentenceVectors
from policybrief.evidence import Candidate, candidate_sentences, contains, overlaps, quality
from policybrief.questions import (
    SCENE_NAMES,
    QuestionPart,
    acts,
    amount_starts,
    analyse,
    asks_why,
    focus_words,
    has_wanted,
    holds,
    holds_turn,
    inflects,
    is_place,
    mention_count,
    mention_span,
    mentions,
    mentions_any,
    name_groups,
    name_run_texts,
    names_another_country,
    names_together,
    shares_focus,
    speaks,
    spells_out,
    states_day,
    wanted_heads,
    without_since,
)
from policybrief.retrieval import marginal_relevance
from policybrief.text import FUNCTION_WORDS, MONTH_NAMES, MONTH_NUMBERS, content_words
from policybrief.types import ANSWER, Gap, Passage, Placement, Statement

# Bump when the choice of sentences changes, so briefings written before are rebuilt.
SELECTION_SCHEME = 12
# Relevance against redundancy in the selection (1.0 would ignore redundancy).
MMR_LAMBDA = 0.8
# Sentences this similar to one already chosen say the same thing.
DUPLICATE_SIMILARITY = 0.88
# Another source's sentence this similar to a chosen one states the same fact: cite both.
CORROBORATION_SIMILARITY = 0.9
# Question vectors the generator keeps (least recently used out).
QUERIES_REMEMBERED = 1000
SAME_FACT_OVERLAP = 0.6  # share of content words two sources' sentences must share
# Weight of the share of the question's words (idf-weighted) that a sentence holds.
LEXICAL_WEIGHT = 0.5
# Weight of the retrieval score of the passage a sentence comes from: the answer to a question
# often lies in the passage that matches it best, in a sentence that alone says less.
PASSAGE_WEIGHT = 0.2
# Least cosine for a sentence that meets a question's specific constraints (names, years,
# the kind of fact asked for): those constraints already did most of the judging.
CONSTRAINED_FLOOR = 0.2
# Least cosine for a question with no constraints and a word that no candidate holds.
STRICT_FLOOR = 0.55
NAMED_STRICT_FLOOR = 0.35
# A name mentioned this often in what was read of a document is what the document is about.
SUBJECT_MENTIONS = 3
# Less score per other name of the list a sentence about one of them mentions.
SIBLING_PENALTY = 0.15
# A name in this share of the retrieved passages is the corpus's topic, not a constraint.
TOPIC_SHARE = 0.5
TOPIC_DOCUMENTS = 5  # fewer documents tell nothing about a corpus's topic
# Question words this long are seldom filler ("penalty", "gallium"; not "land", "came").
TELLING_LENGTH = 6
# More than this share of a question's telling words found nowhere calls for STRICT_FLOOR.
ABSENT_SHARE = 1 / 3
# Share of a question's (idf-weighted) words that lets a sentence answer without the
# similarity floor: "What's the working group's policy report called?" and the sentence
# naming "a bipartisan working group policy report" embed far apart.
LEXICAL_ANSWER = 0.6
# A sentence this close to a plain "what" question needs none of its words to answer it.
PARAPHRASE_FLOOR = 0.45
# How many words from the figure a name asked about may stand ("Alibaba planned to invest
# approximately 380 billion RMB" is four).
AMOUNT_WINDOW = 8
# What a summary adds for a document's first sentence: a report's lead says what it is about.
LEAD_WEIGHT = 0.1
# What a sentence stating a reason ("because…") adds for a "why" question, and one giving
# advice ("try taking it with a meal") for a question about what someone recommends.
REASON_WEIGHT = 0.15
_WHY = re.compile(
    r"^\W*why\b|\b(?:and|but|or) why\b|\bwhat (?:is|was|are|were) the (?:main )?reasons?\b"
    r"|\bjustif(?:y|ied|ies|ication)\b|\bexplain why\b|\bwhat (?:caused|drove|prompted|led to)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result of|driven by|in order to|so that|the reasons?"
    r"|blam(?:e|es|ed|ing)|factors?|attribut(?:e|es|ed) to|caused by|stemm(?:ed|ing) from"
    r"|on the grounds|intended to|aimed at|citing|in response to"
    r"|to (?:safeguard|protect|prevent))\b",
    re.IGNORECASE,
)
CAUSE_LEAD = 0.01  # how far a why-question's best stated cause is put ahead of its best answer
# A cause stated outright ("Officials blamed four main factors: …"), not a purpose or a
# response ("in order to…", "in response to…"), which may say why or may not.
_CAUSE = re.compile(
    r"\b(?:because|due to(?! (?:be|enter|start|begin|open|close|take|come|arrive|expire|end"
    r"|finish|report|meet|launch|sign|vote)\b)|owing to|as a result of|caused by"
    r"|blam(?:e|es|ed|ing)"
    r"|(?:main|key|several|two|three|four|five) (?:factors|reasons|causes)|stemm(?:ed|ing) from)\b",
    re.IGNORECASE,
)
# "What does the dietitian recommend?", "What advice…": not "the letter urging Lutnick to…"
_ASKS_ADVICE = re.compile(
    r"\b(?:what|which|how)\b[^?]*\b(?:recommend(?:s|ed)?|advise[sd]?|suggest(?:s|ed)?|urge[sd]?"
    r"|call(?:s|ed)? for)\b|\b(?:recommendations?|advice|suggestions?)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(?:should|ought to|recommend\w*|advis\w*|suggest\w*|urg(?:e|es|ed|ing)|calls? (?:on|for)"
    r"|try|consider|make sure|need to|must)\b",
    re.IGNORECASE,
)
_CLAUSES = ((_WHY, _REASON), (_ASKS_ADVICE, _ADVICE))
# A candidate that contains the best one may replace it if it scores this close.
WIDER_MARGIN = 0.05
_WANTED_WORDS = {
    "amount": "the amount",
    "count": "the number",
    "date": "the date",
    "who": "the name",
    "place": "the countries",
}


@dataclass(frozen=True)
class _Part:
    """A question part with what the candidates say about it."""

    part: QuestionPart
    relevance: np.ndarray  # cosine per candidate
    score: np.ndarray  # ranking score per candidate
    eligible: np.ndarray  # bool per candidate: may answer this part
    focused: np.ndarray  # bool per candidate: holds a word of what the part asks about
    gap: str  # why nothing answers it ("" when something does)


class ExtractiveGenerator:
    """Quotes the sentences that answer each question; needs no model beyond the embedder."""

    def __init__(
        self,
        embedder: Embedder,
        min_score: float,
        relative_score: float,
        stored: Callable[[Sequence[str]], Mapping[str, np.ndarray]] | None = None,
    ) -> None:
        """``stored`` looks sentences up among the vectors the index computed at ingest."""
        self.embedder = embedder
        self.min_score = min_score
        self.relative_score = relative_score
        self._embed = SentenceVectors(embedder, stored)
        # Briefings ask each part twice (``claims``, then ``stream``): embed it once. (The
        # most recent few only: a long-running service sees endless new questions.)
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        placement: Placement = ANSWER,
    ) -> Iterator[Statement | Gap]:
        parts, order = _parts(questions)
        candidates = candidate_sentences(passages, placement.used)
        if not parts:
            return
        if not candidates:
            for part in parts:
                yield Gap(part.describe(), "nothing in the sources is relevant to it")
            return
        judged, similarity, chosen, answered = self._plan(
            parts, order, candidates, _documents(passages), max_statements, placement
        )
        picked = [i for i, _ in chosen]
        for p, judgement in enumerate(judged):
            if judgement.gap:
                yield Gap(judgement.part.describe(), judgement.gap)
            elif p not in answered and not judgement.eligible[picked].any():
                limit = f"{max_statements} statement{'s' if max_statements > 1 else ''}"
                reason = f"the sources answer it, but the limit of {limit} was reached"
                yield Gap(judgement.part.describe(), reason)
        used = {i for i, _ in chosen}
        for i, _ in sorted(chosen, key=lambda pick: pick[1]):
            support = [candidates[i].citation]
            for j in np.argsort(-similarity[i]):
                j = int(j)
                if (
                    similarity[i, j] >= CORROBORATION_SIMILARITY
                    and j not in used
                    and candidates[j].citation.doc_id not in {c.doc_id for c in support}
                    and _same_fact(candidates[i].text, candidates[j].text)
                ):
                    support.append(candidates[j].citation)
                    used.add(j)
            yield Statement(candidates[i].text, tuple(support))

    def claims(
        self, questions: Sequence[str], passages: Sequence[Passage]
    ) -> frozenset[tuple[str, int]]:
        """The sentences these questions need: each part's best answer. A briefing reserves
        them for their section, so that another section's spare slots do not take them."""
        parts, order = _parts(questions)
        candidates = candidate_sentences(passages)
        if not parts or not candidates:
            return frozenset()
        documents = _documents(passages)
        _, _, chosen, _ = self._plan(
            parts, order, candidates, documents, len(parts), ANSWER, fill=False
        )
        return frozenset(key for i, _ in chosen for key in candidates[i].keys)

    def _plan(
        self,
        parts: Sequence[QuestionPart],
        order: Sequence[int],
        candidates: Sequence[Candidate],
        documents: Mapping[str, str],
        budget: int,
        placement: Placement,
        *,
        fill: bool = True,
    ) -> tuple[list[_Part], np.ndarray, list[tuple[int, int]], set[int]]:
        vectors = self._embed([c.text for c in candidates])
        similarity = vectors @ vectors.T
        if placement.said:
            said = self._embed(list(placement.said))
            # A sentence restates one said before when it is as close and states the same
            # figures and dates: two rules' titles embed alike, their dates tell them apart.
            close = (vectors @ said.T) >= DUPLICATE_SIMILARITY
            repeats = np.array(
                [
                    any(
                        numeric_facts(c.text) == numeric_facts(placement.said[j])
                        for j in np.flatnonzero(row)
                    )
                    for c, row in zip(candidates, close, strict=True)
                ],
                dtype=bool,
            )
        else:
            repeats = np.zeros(len(candidates), dtype=bool)
        reserved = np.array([any(k in placement.reserved for k in c.keys) for c in candidates])
        words = [set(content_words(c.text)) for c in candidates]
        judged = [
            self._judge(part, candidates, vectors, similarity, documents, words) for part in parts
        ]
        chosen, answered = self._select(
            judged, order, candidates, similarity, repeats, reserved, budget, fill
        )
        return judged, similarity, chosen, answered

    def _judge(
        self,
        part: QuestionPart,
        candidates: Sequence[Candidate],
        vectors: np.ndarray,
        similarity: np.ndarray,
        documents: Mapping[str, str],
        words: Sequence[set[str]],
    ) -> _Part:
        if part.query not in self._queries:
            self._queries[part.query] = self.embedder.embed_query(part.query)
            if len(self._queries) > QUERIES_REMEMBERED:
                self._queries.popitem(last=False)
        self._queries.move_to_end(part.query)
        relevance = vectors @ self._queries[part.query]
        texts = list(documents.values())
        part = _without_topic_names(_without_opener(part, texts), texts)
        named = {
            n: [mentions(f"{c.title}\n{c.context}", n) for c in candidates] for n in part.names
        }
        read = {doc_id: _Read(text, _subjects(part, text)) for doc_id, text in documents.items()}
        fits = np.array([_fits(part, c, read[c.citation.doc_id]) for c in candidates], dtype=bool)
        coverage = _coverage(part, words)
        bonus = np.array([quality(c) for c in candidates])
        if part.summary:
            # "Summarise the opinion piece arguing that the licences are a throttle": the
            # document whose title the question gives, read on its own
            own = _summarised(part, candidates)
            if own is not None:  # (its names said which document: each sentence is about it)
                fits = own
                centrality = (similarity * own).sum(axis=1) / max(int(own.sum()), 1)
            else:
                centrality = similarity.mean(axis=1)
            score = centrality + 0.5 * relevance + bonus + LEAD_WEIGHT * _leads(candidates)
            eligible = fits & (bonus > -0.05)
        else:
            passage = np.array([c.passage.score for c in candidates])
            score = relevance + LEXICAL_WEIGHT * coverage + PASSAGE_WEIGHT * passage + bonus
            # "Why…?" is answered by a sentence that gives a reason, "What do they recommend?"
            # by one that gives advice
            for asked, given in _CLAUSES:
                if asked.search(part.text):
                    score = score + REASON_WEIGHT * np.array(
                        [bool(given.search(c.text)) for c in candidates]
                    )
            if part.subject:  # one of a list of names: the sentence about it, alone if can be
                others = np.array(
                    [sum(mentions(c.text, n) for n in part.siblings) for c in candidates]
                )
                score = score - SIBLING_PENALTY * others
            eligible = fits & self._answers(part, candidates, relevance, coverage)
            if asks_why(part.text):  # a stated cause answers "why" first; what happened may follow
                causes = eligible & np.array([bool(_CAUSE.search(c.text)) for c in candidates])
                if causes.any():
                    best = int(np.argmax(np.where(causes, score, -np.inf)))
                    score = score.copy()
                    score[best] = float(score[eligible].max()) + CAUSE_LEAD
        gap = "" if eligible.any() else _why_unanswered(part, candidates, named)
        focused = np.array([shares_focus(part, c.text) for c in candidates], dtype=bool)
        return _Part(part, relevance, score, eligible, focused, gap)

    def _answers(
        self,
        part: QuestionPart,
        candidates: Sequence[Candidate],
        relevance: np.ndarray,
        coverage: np.ndarray,
    ) -> np.ndarray:
        """Which candidates are close enough to answer the part (given that they fit it)."""
        texts = [c.text for c in candidates]
        if part.subject:  # named in the sentence, or by the title of a document about it
            about = np.array(
                [mentions(f"{c.title}\n{c.text}", part.subject) for c in candidates], dtype=bool
            )
            return about & (relevance >= CONSTRAINED_FLOOR)
        if part.wants:
            # The figure must be about what is asked: "How many rules…" wants a count of rules.
            # (a date's nearness to its event is checked with the date, in ``has_wanted``)
            heads = wanted_heads(part) if part.wants != "date" else set()
            on_point = np.array([not heads or inflects(heads, t) for t in texts], dtype=bool)
        elif part.speakers:  # the speaker's own words answer "what did X say" in any words
            # … and a deed ("How did Baidu respond?") only when it is close to the question.
            on_point = np.array(
                [
                    all(
                        holds_turn(c.turn, s)
                        or speaks(f"{c.context}\n{c.text}", c.title, c.passage.document.source, s)
                        for s in part.speakers
                    )
                    for c in candidates
                ],
                dtype=bool,
            )
            on_point |= relevance >= PARAPHRASE_FLOOR
        else:
            on_point = np.array([shares_focus(part, t) for t in texts], dtype=bool)
            on_point |= relevance >= PARAPHRASE_FLOOR  # "what" may be answered in other words
            if asks_why(part.text):  # … and "why" by a reason in a document that matches
                matching = _top_documents(candidates)  # ("Officials blamed …")
                on_point |= np.array(
                    [
                        bool(_REASON.search(c.text)) and c.citation.doc_id in matching
                        for c in candidates
                    ],
                    dtype=bool,
                ) & (relevance >= CONSTRAINED_FLOOR)
        # A question whose telling words mostly appear nowhere ("the maximum penalty for
        # violating…", "such as gallium") is likely about something the sources do not cover.
        telling = [w for w in focus_words(part) if len(w) >= TELLING_LENGTH]
        absent = [w for w in telling if not any(mentions_any({w}, t) for t in texts)]
        if not part.wants and telling and len(absent) > ABSENT_SHARE * len(telling):
            # Names the sentence must meet already narrow the evidence, so the bar is lower
            # when the part names someone or something few candidates mention (not a place).
            narrowed = any(
                n not in SCENE_NAMES
                and sum(mentions(f"{c.title}\n{c.text}", n) for c in candidates)
                < TOPIC_SHARE * len(candidates)
                for n in part.names
            )
            on_point &= relevance >= (NAMED_STRICT_FLOOR if narrowed else STRICT_FLOOR)
        if part.constrained:
            in_text = np.array(
                [bool(part.names) and all(mentions(t, n) for n in part.names) for t in texts]
            )
            # The fact asked for, beside what it is of, in the document that matches the
            # question best: "This rule is effective September 6, 2024." says little alone.
            # (Only where documents compete: with one, the best match says nothing.)
            top = max(candidates, key=lambda c: c.passage.score).citation.doc_id
            competing = len({c.citation.doc_id for c in candidates}) > 1
            in_top = np.array(
                [competing and bool(part.wants) and c.citation.doc_id == top for c in candidates],
                dtype=bool,
            )
            close = in_text | in_top | (relevance >= CONSTRAINED_FLOOR)
            answers: np.ndarray = on_point & close
            return answers
        lexical = (coverage >= LEXICAL_ANSWER) & (relevance >= CONSTRAINED_FLOOR)
        return on_point & ((relevance >= self.min_score) | lexical)

    def _select(
        self,
        parts: Sequence[_Part],
        order: Sequence[int],
        candidates: Sequence[Candidate],
        similarity: np.ndarray,
        repeats: np.ndarray,
        reserved: np.ndarray,
        budget: int,
        fill: bool,
    ) -> tuple[list[tuple[int, int]], set[int]]:
        """(candidate, part) picks: each part's best first (in ``order``; none for a part that
        a pick already covers), then the rest by MMR. Sentences another section reserved are
        taken only when a part has no other answer. Also the parts a pick answers (a pick that
        replaced another answers both, and a covered part counts as answered)."""
        chosen: list[tuple[int, int]] = []
        answered: set[int] = set()

        def fresh(i: int, but: int = -1) -> bool:
            if repeats[i]:
                return False
            return all(
                not overlaps(candidates[i], candidates[j])
                and similarity[i, j] < DUPLICATE_SIMILARITY
                for j, _ in chosen
                if j != but
            )

        def widened(i: int) -> int:
            """The pick that ``i`` quotes with its neighbour, if it may replace it (else -1)."""
            for k, (j, _) in enumerate(chosen):
                if contains(candidates[i], candidates[j]) and fresh(i, but=j):
                    return k
            return -1

        for p in order:
            part = parts[p]
            if len(chosen) >= budget:
                break
            eligible = [int(i) for i in np.flatnonzero(part.eligible)]
            if _covered(part, eligible, [i for i, _ in chosen], candidates):
                answered.add(p)
                continue
            options = [i for i in eligible if fresh(i) or widened(i) >= 0]
            options = [i for i in options if not reserved[i]] or options
            if not options:
                continue
            top = max(options, key=lambda i: float(part.score[i]))
            top = _widest(top, options, candidates, part)
            # "The export controls … restrict …. These items are used by the PRC to …" answers
            # an earlier part and this one: the pair replaces the earlier part's sentence.
            if (k := widened(top)) >= 0:
                chosen[k] = (top, chosen[k][1])
            else:
                chosen.append((top, p))
            answered.add(p)
        while fill and len(chosen) < budget:
            cited = {candidates[i].citation.doc_id for i, _ in chosen}
            best: tuple[tuple[bool, float], int, int] | None = None
            for p, part in enumerate(parts):
                if not part.eligible.any():
                    continue
                # (a summary takes its document's central facts, not only those nearly as
                # central as the most central one)
                floor = 0.0 if part.part.summary else self.relative_score
                top_score = float(part.score[part.eligible].max())
                for i in map(int, np.flatnonzero(part.eligible)):
                    if part.score[i] < floor * top_score or not fresh(i):
                        continue
                    if reserved[i]:
                        continue
                    redundancy = max((similarity[i, j] for j, _ in chosen), default=0.0)
                    # (NumPy scalars in, as before: float32 redundancy keeps its rounding)
                    value = float(marginal_relevance(part.score[i], redundancy, MMR_LAMBDA))
                    # Every source that answers (in the part's own words) gets a statement
                    # before any gets a second.
                    spread = bool(part.focused[i]) and candidates[i].citation.doc_id not in cited
                    rank = (spread, value)
                    if best is None or rank > best[0]:
                        best = (rank, i, p)
            if best is None:
                break
            chosen.append((best[1], best[2]))
        return chosen, answered


def _covered(
    part: _Part, eligible: Sequence[int], chosen: Sequence[int], candidates: Sequence[Candidate]
) -> bool:
    """Whether a sentence already picked for another part answers this one as well as its own
    best would: the very date or figure it asks for (its best answer, already picked), or one
    name of a list in a sentence that names the list together ("Warren and Kim to Secretary
    Lutnick: …" answers for Kim as for Warren)."""
    if not eligible:
        return False
    if part.part.wants in ("date", "count", "amount"):
        return max(eligible, key=lambda i: float(part.score[i])) in chosen
    if part.part.subject:
        together = [part.part.subject, *part.part.siblings]
        return any(
            part.eligible[i] and names_together(candidates[i].text, together) for i in chosen
        )
    return False


def _parts(questions: Sequence[str]) -> tuple[list[QuestionPart], list[int]]:
    """The parts of every question, and the order they pick their best answer in: each
    question's first part before any question's second, so that a tight budget answers every
    question of a section rather than all parts of the first ones. The names of a list ("How
    are Baidu, Alibaba and Tencent responding?") are all first parts."""
    parts: list[QuestionPart] = []
    rank: list[tuple[int, int]] = []
    for q, question in enumerate(questions):
        for ordinal, part in enumerate(analyse(question)):
            parts.append(part)
            rank.append((0 if part.subject else ordinal, q))
    return parts, sorted(range(len(parts)), key=rank.__getitem__)


def _without_topic_names(part: QuestionPart, documents: Sequence[str]) -> QuestionPart:
    """The part without the names most retrieved documents mention: in a corpus about China's
    chips, a sentence on "US dependence on China" may say "the House" and "the CCP", or
    neither. A bare lookup ("H200", "Lutnick") keeps its names: they are all it asks about.
    ``documents`` holds each retrieved document's title and passages, whatever of them was
    already quoted elsewhere, so that the answer does not depend on what other sections took."""
    if not part.names:
        return part
    rare = tuple(
        n
        for n in part.names
        if sum(mentions(t, n) for t in documents) < TOPIC_SHARE * len(documents)
    )
    if rare == part.names or (not rare and not focus_words(part)):
        return part
    if len(documents) < TOPIC_DOCUMENTS:
        return part
    return dataclasses.replace(part, names=rare)


def _without_opener(part: QuestionPart, documents: Sequence[str]) -> QuestionPart:
    """The part without its first word as a name when only its place made it capitalised:
    "Overseas sales of H20?" is about H20, as the sources show by writing "overseas" in lower
    case and never capitalising it mid-sentence."""
    first = re.match(r"\W*([A-Z][a-z]+)\b", part.text)
    if not first or first.group(1).casefold() not in part.names:
        return part
    word = first.group(1)
    text = "\n".join(documents)
    lower = rf"\b{word.lower()}(?:s|es|ed|d|ing)?\b"  # "Comment deadline…": "public comments"
    if not re.search(lower, text) or re.search(rf"[a-z,;]\s+{word}\b", text):
        return part
    return dataclasses.replace(part, names=tuple(n for n in part.names if n != word.casefold()))


def _documents(passages: Sequence[Passage]) -> dict[str, str]:
    """Each retrieved document's title and passages, one text per document (by its id)."""
    texts: dict[str, list[str]] = {}
    for passage in passages:
        texts.setdefault(passage.document.doc_id, [passage.document.title]).append(
            passage.chunk.text
        )
    return {doc_id: "\n".join(dict.fromkeys(parts)) for doc_id, parts in texts.items()}


def _widest(best: int, options: Sequence[int], candidates: Sequence[Candidate], part: _Part) -> int:
    """``best``, or a nearly as good candidate that quotes it with its neighbour: a sentence
    with what follows from it ("… The letter calls on …") tells the reader more."""
    wider = [
        i
        for i in options
        if i != best
        and contains(candidates[i], candidates[best])
        and part.score[i] >= part.score[best] - WIDER_MARGIN
    ]
    return max(wider, key=lambda i: float(part.score[i])) if wider else best


@dataclass(frozen=True)
class _Read:
    """What was retrieved of a document, and the part's names it is about."""

    text: str
    subjects: frozenset[str]


def _subjects(part: QuestionPart, text: str) -> frozenset[str]:
    """The part's names that ``text`` (a document's retrieved passages) is about: those it
    mentions SUBJECT_MENTIONS times or more."""
    return frozenset(n for n in part.names if mention_count(text, n) >= SUBJECT_MENTIONS)


# Share of a title's content words a summary question must give to be about that document,
# which it calls a document ("Summarise the opinion piece arguing …", "the earnings call").
TITLE_SHARE = 0.5
_DOCUMENT_NOUN = re.compile(
    r"\b(?:piece|op-?ed|column|editorial|article|story|report|post|blog|release|statement"
    r"|transcript|call|interview|letter|notice|fact ?sheet|filing|speech|review|analysis|essay"
    r"|briefing|paper|page|explainer|newsletter|summary of the)\b",
    re.IGNORECASE,
)


def _summarised(part: QuestionPart, candidates: Sequence[Candidate]) -> np.ndarray | None:
    """Which candidates come from the one document a summary question names by its title
    (None when it names none, or more than one equally)."""
    if not _DOCUMENT_NOUN.search(part.text):
        return None
    asked = set(content_words(part.text))
    shares: dict[str, float] = {}
    for c in candidates:
        doc = c.citation.doc_id
        if doc not in shares:
            title = set(content_words(f"{c.title} {c.passage.document.source}"))
            shares[doc] = len(title & asked) / len(title) if title else 0.0
    ranked = sorted(shares.values(), reverse=True)
    if not ranked or ranked[0] < TITLE_SHARE or (len(ranked) > 1 and ranked[1] == ranked[0]):
        return None
    best = max(shares, key=shares.__getitem__)
    return np.array([c.citation.doc_id == best for c in candidates], dtype=bool)


TOP_DOCUMENTS = 2  # documents whose passages match a question best


def _top_documents(candidates: Sequence[Candidate]) -> set[str]:
    """The documents of the TOP_DOCUMENTS best-scoring passages among the candidates'."""
    best: dict[str, float] = {}
    for c in candidates:
        doc = c.citation.doc_id
        best[doc] = max(best.get(doc, 0.0), c.passage.score)
    return set(sorted(best, key=best.__getitem__, reverse=True)[:TOP_DOCUMENTS])


def _leads(candidates: Sequence[Candidate]) -> np.ndarray:
    """Whether each candidate opens its document, as far as was read: the earliest candidate
    from the document's first chunk (none when that chunk was not retrieved)."""
    first: dict[str, int] = {}
    for c in candidates:
        if c.passage.chunk.start == 0:
            doc = c.citation.doc_id
            first[doc] = min(first.get(doc, c.citation.start), c.citation.start)
    return np.array([first.get(c.citation.doc_id) == c.citation.start for c in candidates])


def _fits(part: QuestionPart, candidate: Candidate, document: _Read) -> bool:
    """Whether ``candidate`` meets the part's names, dates and the kind of fact it asks for
    (``document``: what was retrieved of its document)."""
    # A name may stand in the sentence, or in its document's title or publisher ("BIS's
    # rule"); for a plain "what" question also in the sentences around it, or anywhere in a
    # document about it ("A plumber … was jailed for three years" in a report that names Andrew
    # Hartley throughout). When a part asks for a figure, date or person, not there: Alibaba's
    # figure beside a sentence about Tencent is not Tencent's figure.
    info = candidate.passage.document
    named = f"{info.title}\n{info.source}\n{candidate.turn}\n{candidate.text}"
    if not part.wants:
        named += f"\n{candidate.context}"
        # capitalised, as names ("Hartley"), for the check of a shortened name below
        named += "".join(f"\n{name.title()}" for name in sorted(document.subjects))
    # (For a figure, date or person, counted by whole names: "the CHIPS and Science Act"
    # is one, so "How much of the CHIPS and Science Act money is for NASA?" names two.)
    groups = name_groups(part.text, part.names) if part.wants else tuple((n,) for n in part.names)
    specific = [s for g in groups if (s := tuple(n for n in g if n not in SCENE_NAMES))]
    met = sum(all(_names(part, n, named, document.text) for n in g) for g in specific)
    if len(groups) > 2 and 2 * met > len(specific):
        # A question that sets its scene at length ("How many fires had the Global Fire
        # Emissions Database detected in the Brazilian state of Amazonas?") is answered by a
        # sentence that names most of it, in a passage (for a plain "what" question, a
        # document) that names the rest; one name of three is another's figure ("Alibaba will
        # invest … in Shenzhen" for "How much is Tencent investing in Shenzhen, per Reuters?").
        named += f"\n{candidate.passage.chunk.text if part.wants else document.text}"
    elif part.wants and _framed(part, candidate.text, named, document):
        # A report about the question's names ("the Metro Times review of Mezcal Mexican") gives
        # its figures without repeating them ("a taco al pastor for $4.50").
        named += "".join(f"\n{name}" for name in sorted(document.subjects))
    for name in part.names:
        # An acronym a passage uses ("the SME IFR") is what the whole passage is about (for a
        # figure, date or person, one it repeats: "$174 billion for research, including NASA"
        # does not make the paragraph's "$280 billion" NASA's) …
        if name not in part.acronyms:
            if not _names(part, name, named, document.text):
                return False
            continue
        # … and one the document is about (named SUBJECT_MENTIONS times in what was read) is
        # met anywhere in it; one "NVIDIA" elsewhere does not make AMD's figure Nvidia's.
        if name in document.subjects:
            continue
        # (a list's lead-in and the section heading name the rule its items are about: "…
        # Interim Final Rule (SME IFR):")
        own = f"{named}\n{candidate.setting}"
        if mentions(own, name) or spells_out(own, name):
            continue
        chunk = candidate.passage.chunk.text
        if part.wants:  # (spelled out in full: a mention of its own)
            spelled = spells_out(re.sub(rf"\b{re.escape(name)}\b", " ", chunk, flags=re.I), name)
            if mention_count(chunk, name) + spelled < 2:
                return False
        elif not mentions(chunk, name) and not spells_out(chunk, name):
            return False
    dated = f"{candidate.title}\n{candidate.setting}\n{candidate.text}"
    published = candidate.passage.document.published
    # "What did the 2023 rules add to the 2022 controls?": one of the dates is the subject's,
    # the others are yardsticks, so any one of them will do.
    if part.years and not any(
        year in dated or (published and str(published.year) == year) for year in part.years
    ):
        return False
    if part.months and not any(
        re.search(rf"\b{month.capitalize()}\b", dated)
        or (published and published.month == MONTH_NUMBERS[month])
        for month in part.months
    ):
        return False
    # "Which rule took effect on November 17, 2022?" names a day: not any 17th, not 2023's.
    if part.days and not any(
        states_day(dated, day) or _published_on(candidate, day) for day in part.days
    ):
        return False
    # "What does the 35% tax credit apply to?" is not answered by the 25% one, nor "the four
    # new requirements" by the two. A day and month may be the document's own date, and a
    # number its own ("FR doc 2023-23049", in its title or source).
    asked = _figures(part.text)
    if asked:
        # (a paragraph's number is where it stands: "paragraph 7 of the fact sheet")
        have = numeric_facts(
            f"{candidate.title}\n{info.source}\n{candidate.setting}\n{candidate.text}"
        )
        if published and part.months:  # "on Oct 7" may be the document's own date
            have |= {str(published.day), f"month:{published.month}"}
        if not asked <= have:
            return False
    # "What did Lutnick say?" is not answered by a letter sent to Lutnick.
    spoken = f"{candidate.context}\n{candidate.text}"
    publisher = candidate.passage.document.source
    if not all(
        holds_turn(candidate.turn, s)
        or speaks(spoken, candidate.title, publisher, s)
        or (part.by_deed and acts(candidate.text, s))
        for s in part.speakers
    ):
        return False
    if part.wants == "amount" and not _amount_of(part, candidate, document.text):
        return False
    return not part.wants or has_wanted(candidate.text, part)


def _framed(part: QuestionPart, text: str, named: str, document: _Read) -> bool:
    """Whether the names of the part that ``text`` (with its title and publisher, ``named``)
    leaves out are all what its document is about, and ``text`` names no rival of them: for a
    country, another country ("the EU's rules"); for anything else, another name the document
    is about ("Alibaba will invest …" in a report on Baidu, Alibaba and Tencent)."""
    missing = [n for n in part.names if not _names(part, n, named, document.text)]
    if not missing or not all(n in document.subjects for n in missing):
        return False
    if all(is_place(n) for n in missing):
        return not names_another_country(text, part.names)
    return not any(
        mention_count(document.text, other.casefold()) >= SUBJECT_MENTIONS
        for other in _other_names(text, part, document.text)
    )


def _other_names(text: str, part: QuestionPart, document_text: str) -> list[str]:
    """The capitalised words of ``text`` that name something the part does not. Not those the
    document also writes in lower case ("Residents"), nor a sentence's first word unless the
    document capitalises it elsewhere ("Third, our board…")."""
    found = []
    for match in re.finditer(r"\b[A-Z][\w&'’-]*", text):
        word = re.sub(r"['’]s$", "", match.group())
        key = word.casefold()
        if key in part.names or key in FUNCTION_WORDS or key in _CALENDAR:
            continue
        if re.search(rf"\b{re.escape(word.lower())}\b", document_text):
            continue
        if not text[: match.start()].strip(" “\"‘'(") and not re.search(
            rf"[a-z,;] +{re.escape(word)}\b", document_text
        ):
            continue
        found.append(word)
    return found


_CALENDAR = frozenset(
    [m.lower() for m in MONTH_NAMES]
    + "monday tuesday wednesday thursday friday saturday sunday".split()
)


def _names(part: QuestionPart, name: str, text: str, document_text: str) -> bool:
    """Whether ``text`` names ``name``; the leading word of a name of several words counts as
    named when ``text`` gives the name's last word alone ("Mr. Huang" for Jensen Huang, "the
    facility" for the German Raw Materials Security Facility) and the document the whole name
    ("Tencent Cloud" does not name Alibaba Cloud)."""
    if mentions(text, name) or any(
        re.search(rf"\b{initials}\b", text) for initials in _initials(part.text, name)
    ):
        return True
    # "Castellan's chief executive" names Castellan Marine Systems in a document that does
    # (alone: "Critical Mineral Policy Working Group" is not the Critical Minerals … Act)
    for first, run in _first_words(part.text, name):
        standalone = rf"\b{first}(?:['’]s)?\b(?!\s+[A-Z])"
        if re.search(standalone, text) and mentions(document_text, run.casefold()):
            return True
    for lead, last in part.forenames:
        if lead != name:
            continue
        alone = re.search(rf"\b{last}\b|\b[Tt]he {last.lower()}\b", text)
        whole = rf"\b(?i:{re.escape(lead)})(?:\s+[A-Z][\w'’-]*){{0,4}}?\s+{last}\b"
        if alone and re.search(whole, document_text):
            return True
    return False


# First words that many names share ("United States", "National Science Foundation").
_SHARED_FIRST_WORDS = frozenset(
    """
    united national federal royal general central international american british chinese
    european state city new north south east west northern southern eastern western great
    """.split()
)


@functools.lru_cache(maxsize=256)
def _first_words(question: str, name: str) -> tuple[tuple[str, str], ...]:
    """(first word, whole name) of the question's names of several words that ``name`` is a
    word of, when the first word may stand for the whole ("Castellan" for Castellan Marine
    Systems)."""
    found = []
    for run in name_run_texts(question):
        first = run.split()[0]
        words = run.casefold().split()
        if (
            name in words
            and len(first) >= 4
            and words[0] not in _SHARED_FIRST_WORDS
            and not is_place(words[0])  # "Korea's chipmakers" are not the Korea Development Bank
        ):
            found.append((first, run))
    return tuple(found)


@functools.lru_cache(maxsize=256)
def _initials(question: str, name: str) -> tuple[str, ...]:
    """The acronyms of the question's names of three words or more that ``name`` is a word of:
    "BVI" for "british" in "the British Virgin Islands"."""
    return tuple(
        "".join(w[0] for w in run.split())
        for run in name_run_texts(question)
        if len(run.split()) >= 3 and name in run.casefold().split()
    )


def _published_on(candidate: Candidate, day: tuple[int, int, str]) -> bool:
    published = candidate.passage.document.published
    return bool(
        published
        and (published.month, published.day) == day[:2]
        and (not day[2] or str(published.year) == day[2])
    )


# Reported speech, where a figure may be another party's ("Tencent said its rival will…").
_SAID = re.compile(r"\b(?:said|says|told|according to|stated|claimed)\b", re.IGNORECASE)
# A name introduced as one of several ("including NASA") shares the amount with the others.
_INCLUDING = re.compile(
    r"\b(?:including|includes|such as|among(?: them)?|notably)\s+(?:the\s+)?$", re.IGNORECASE
)


def _amount_of(part: QuestionPart, candidate: Candidate, document_text: str) -> bool:
    """Whether the sentence's amount is of what the part names: "How much is earmarked for
    NASA?" is not answered by "$174 billion for research, including NASA and the NSF" unless
    NASA stands beside the figure. Names of the document's own subject (its title) are exempt:
    they are what every figure in it is about."""
    text = candidate.text
    # "our board has approved $45 million … at our Tucson plant": whose else? (but "$174
    # billion … including NASA" is not all NASA's)
    if (
        not _SAID.search(text)
        and not _other_names(text, part, document_text)
        and not any(
            (span := mention_span(text, name)) and _INCLUDING.search(text[: span[0]])
            for name in part.names
        )
    ):
        return True
    words = text.split()
    at = [len(text[:start].split()) for start in amount_starts(text)]
    title = candidate.passage.document.title
    for name in part.names:
        if name in SCENE_NAMES or mentions(title, name) or not mentions(text, name):
            continue
        spots = [i for i, word in enumerate(words) if mentions(word, name)]
        if spots and not any(abs(i - j) <= AMOUNT_WINDOW for i in spots for j in at):
            return False
    return True


def _coverage(part: QuestionPart, words: Sequence[set[str]]) -> np.ndarray:
    """Share of the part's words each candidate holds, a word weighing more the fewer
    candidates hold it (so "Lutnick" counts for more than "chips")."""
    wanted = focus_words(part) | {w for name in part.names for w in content_words(name)}
    if not wanted:
        return np.zeros(len(words))
    held = [{w for w in wanted if holds(have, w)} for have in words]
    frequency = Counter(w for found in held for w in found)
    weight = {w: math.log((len(words) + 1) / (frequency[w] + 1)) + 1.0 for w in wanted}
    total = sum(weight.values())
    return np.array([sum(weight[w] for w in found) / total for found in held])


def _same_fact(first: str, second: str) -> bool:
    """Whether two sentences state one fact: the same figures and dates, and mostly the same
    words ("25 percent" and "35 percent" embed alike and are not)."""
    if numeric_facts(first) != numeric_facts(second):
        return False
    a, b = set(content_words(first)), set(content_words(second))
    return bool(a | b) and len(a & b) / len(a | b) >= SAME_FACT_OVERLAP


# "Which two secretaries…", "Name the three rules": how many things the answer lists, not a
# figure the sentence must state.
_ANSWER_SIZE = re.compile(
    r"\b(?:which|what|name|list|give)\s+(?:me\s+)?(?:the\s+)?"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
    # a plural follows ("which two cabinet secretaries"), not a unit ("what 2 percent tariff")
    r"(?=\s+(?!(?:percent|per|nm|mm|cm|km|kg|billion|million|trillion|thousand)\b)"
    r"(?:[a-z]+\s+)?[a-z]+s\b)",
    re.IGNORECASE,
)


def _figures(question: str) -> set[str]:
    """The numbers a question states, years aside (they are checked as dates), and numbers
    inside names ("H20", "H.R. 4346" keeps 4346: a bill's number is what it asks about)."""
    facts = numeric_facts(_ANSWER_SIZE.sub(" ", without_since(question)))
    return {fact for fact in facts if not re.fullmatch(r"19\d\d|20\d\d", fact)}


def _why_unanswered(
    part: QuestionPart, candidates: Sequence[Candidate], named: dict[str, list[bool]]
) -> str:
    """What the sources lack, in the words a reader can check: a name, a year, the figure."""
    absent = [n for n, hits in named.items() if not any(hits)]
    if absent:
        return f"the sources never mention {_spelled(part.text, absent)}"
    for year in part.years:
        if not any(
            year in f"{c.title}\n{c.context}" or _published_year(c) == year for c in candidates
        ):
            return f"nothing in the sources is from or about {year}"
    if part.wants:
        # Name what the figure would be about: the names no sentence with such a figure names.
        unmatched = [
            n
            for n in part.names
            if not any(
                has_wanted(c.text, part) and mentions(f"{c.title}\n{c.text}", n) for c in candidates
            )
        ]
        about = f" for {_spelled(part.text, unmatched)}" if unmatched else ""
        return f"no passage gives {_wanted_words(part)}{about}"
    return "no passage answers it closely enough"


def _wanted_words(part: QuestionPart) -> str:
    """What the part asks for, in its own word where it names one ("the penalty", "the price")."""
    if part.wants == "amount":
        for head in sorted(wanted_heads(part)):
            asked = re.search(rf"\b{re.escape(head)}\w*", part.text, re.IGNORECASE)
            if asked:
                return f"the {asked.group().lower()}"
    return _WANTED_WORDS[part.wants]


def _published_year(candidate: Candidate) -> str:
    published = candidate.passage.document.published
    return str(published.year) if published else ""


def _spelled(text: str, names: Sequence[str]) -> str:
    """The names as the question wrote them, joined for a sentence."""
    spelled = []
    for name in names:
        match = re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)
        spelled.append(match.group() if match else name)
    return " and ".join(spelled)
