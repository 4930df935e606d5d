"""Would a MiniLM cross-encoder trained here on generated changes of meaning judge statements
better than the verifier's rules? (issue 12, point 2)

    .venv/bin/python scripts/bench_cross_encoder.py [--shared ../shared] [--steps 1650]

About 25 minutes on two cores. Training pairs are made FactCC-style, only from documents the
benchmark's split puts in the calibration half (corpus-dev, the sample article, SciFact
abstracts) and from the English web pages of ``../shared/eval/html-extraction``. Each source
sentence gives one faithful rewrite (a parenthesis dropped, clauses reordered, an attribution
added, a WordNet synonym, the first clause alone, or two sentences merged) and one change of
meaning (another name from the document, a negation added or removed, a WordNet antonym or an
opposite direction, two names swapped, a stronger quantifier or modal, a plan told as done, a
cause from another sentence, another number), half of the changes also edited faithfully so
that "edited" is not learned as "wrong". The packaged all-MiniLM-L6-v2, with its embeddings and
lower three layers frozen and a linear head on its mean-pooled output, reads "source sentence
[SEP] statement" and learns to tell the two apart (AdamW, learning rate 1e-4, batches of 16,
seeds fixed). Then it reads every case of ``bench_meaning.py`` against the sentence the
verifier aligns the statement to, and the table compares it (alone, and or-ed with the rules)
with the rules, per half. Deterministic on one machine: the same seeds, data and step count
give the same table.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from bench_learned_verifier import summary
from bench_meaning import REPO, cases_with_citations
from benchkit import by_set_and_half, case_masks, flagged_by, scifact_records, table_head

from policybrief import meaning
from policybrief.config import EmbeddingSettings
from policybrief.embedders import resolve_model_path
from policybrief.loaders import load_document
from policybrief.text import split_sentences

SEED = 7
SCIFACT_DOCUMENTS = 600
FROZEN_LAYERS = 3
BATCH = 16
MAX_TOKENS = 112
LEARNING_RATE = 1e-4

_NAME = re.compile(r"\b[A-Z][a-zA-Z&.-]+(?:\s+(?:of\s+)?[A-Z][a-zA-Z&.-]+)*")
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_AUXILIARY = re.compile(
    r"\b(?:is|are|was|were|will|would|can|could|has|have|had|should|must|may|might|does|do|did)"
    r"\s+(?!not\b)(?=[a-z])"
)
_NEGATION = re.compile(r"\b(?:not|never|no longer)\s+")
_STRONGER = {
    "some": "all", "several": "all", "many": "all", "most": "all", "various": "all",
    "may": "will", "might": "will", "could": "will certainly", "likely": "certain",
    "initially": "always", "partly": "fully", "partially": "fully", "often": "always",
    "sometimes": "always", "usually": "always", "generally": "always", "largely": "entirely",
    "mostly": "entirely", "can": "will always", "possibly": "certainly", "probably": "certainly",
}  # fmt: skip
_PLANNED = re.compile(
    r"\b(?:will|would|(?:is|are) (?:set|expected) to|(?:plans?|aims?|intends?|seeks?) to)\s+"
)
_DIRECTIONS = [
    ("increase", "decrease"), ("more", "less"), ("higher", "lower"), ("before", "after"),
    ("rise", "fall"), ("expand", "restrict"), ("strengthen", "weaken"), ("larger", "smaller"),
    ("accelerate", "slow"), ("allow", "prohibit"), ("first", "last"), ("gain", "loss"),
]  # fmt: skip
_SUBORDINATE = re.compile(
    r"^(When|After|As|Although|While|If|Since|Because|Before|Until|Once|Though)\b"
    r"([^,]{8,}),\s+(.+?)([.!?])$"
)
_PARENTHESIS = re.compile(r"\s*\([^()]{1,80}\)")
_ATTRIBUTIONS = ["The source says that ", "According to the document, ", "It is reported that "]
_ENGLISH = re.compile(r"\b(?:the|of|and|to|in|is|that|for|with|was)\b")

Edit = Callable[[str, random.Random, dict], str | None]


def half(name: str) -> str:
    """The benchmark's split (``bench_meaning.Case.half``)."""
    return "calibration" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "held-out"


def sentences_of(text: str) -> list[str]:
    found = []
    for start, end in split_sentences(text):
        sentence = " ".join(text[start:end].split())
        words = sentence.split()
        english = len(_ENGLISH.findall(sentence)) > 0.12 * len(words)
        if english and 8 <= len(words) <= 60 and sentence[0].isupper() and sentence[-1] in ".!?":
            found.append(sentence)
    return found


def names_in(sentence: str) -> list[str]:
    return [m.group().rstrip(".") for m in _NAME.finditer(sentence) if m.start() > 0]


def lowered(text: str) -> str:
    first = text.split()[0]
    return text[0].lower() + text[1:] if first in ("The", "A", "An", "This", "It", "In") else text


def _drop_parenthesis(s: str, rng: random.Random, context: dict) -> str | None:
    return _PARENTHESIS.sub("", s)


def _reorder(s: str, rng: random.Random, context: dict) -> str | None:
    m = _SUBORDINATE.match(s)
    if not m:
        return None
    main = m.group(3)
    return f"{main[0].upper()}{main[1:]}, {m.group(1).lower()}{m.group(2)}{m.group(4)}"


def _attribute(s: str, rng: random.Random, context: dict) -> str | None:
    return rng.choice(_ATTRIBUTIONS) + lowered(s)


def _synonym(s: str, rng: random.Random, context: dict) -> str | None:
    return _replace_word(s, rng, context["synonyms"], r"\b[a-z]{4,}\b")


def _first_clause(s: str, rng: random.Random, context: dict) -> str | None:
    parts = re.split(r",\s+(?:which|while|and|but|as|including)\s+", s, maxsplit=1)
    return parts[0].rstrip(",;") + "." if len(parts) == 2 and len(parts[0].split()) >= 6 else None


def _merge(s: str, rng: random.Random, context: dict) -> str | None:
    following = context["next"]
    return f"{s.rstrip('.')}, and {lowered(following)}" if following else None


def _other_name(s: str, rng: random.Random, context: dict) -> str | None:
    names = names_in(s)
    others = [n for n in context["names"] if n not in s]
    return s.replace(rng.choice(names), rng.choice(others), 1) if names and others else None


def _negate(s: str, rng: random.Random, context: dict) -> str | None:
    negation = _NEGATION.search(s)
    if negation and rng.random() < 0.5:
        return s[: negation.start()] + s[negation.end() :]
    auxiliary = _AUXILIARY.search(s)
    return s[: auxiliary.end()] + "not " + s[auxiliary.end() :] if auxiliary else None


def _opposite(s: str, rng: random.Random, context: dict) -> str | None:
    swapped = _replace_word(s, rng, context["antonyms"], r"\b[a-z]{3,}\b")
    if swapped:
        return swapped
    for pair in _DIRECTIONS:
        for word, opposite in (pair, pair[::-1]):
            if re.search(rf"\b{word}\b", s):
                return re.sub(rf"\b{word}\b", opposite, s, count=1)
    return None


def _swap_roles(s: str, rng: random.Random, context: dict) -> str | None:
    names = list(dict.fromkeys(names_in(s)))
    if len(names) < 2:
        return None
    a, b = rng.sample(names, 2)
    return None if a in b or b in a else s.replace(a, "\0").replace(b, a).replace("\0", b)


def _overstate(s: str, rng: random.Random, context: dict) -> str | None:
    weak = [w for w in _STRONGER if re.search(rf"\b{w}\b", s)]
    if not weak:
        return None
    word = rng.choice(weak)
    return re.sub(rf"\b{word}\b", _STRONGER[word], s, count=1)


def _done(s: str, rng: random.Random, context: dict) -> str | None:
    return _PLANNED.sub("has already begun to ", s, count=1) if _PLANNED.search(s) else None


def _cause(s: str, rng: random.Random, context: dict) -> str | None:
    other = context["other"]
    if not other:
        return None
    clause = lowered(other.rstrip(".!?"))
    if rng.random() < 0.5:
        return f"{s.rstrip('.!?')}, because {clause}."
    return f"Because {clause}, {lowered(s)}"


def _renumber(s: str, rng: random.Random, context: dict) -> str | None:
    numbers = list(_NUMBER.finditer(s))
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = float(m.group().replace(",", ""))
    if 1900 <= value <= 2100 and "." not in m.group():
        new = str(int(value) + rng.choice([-2, -1, 1, 2]))
    else:
        new = f"{value * rng.choice([0.5, 2, 3, 10]):g}"
    return s[: m.start()] + new + s[m.end() :]


def _replace_word(s: str, rng: random.Random, table: dict, pattern: str) -> str | None:
    words = list(re.finditer(pattern, s))
    rng.shuffle(words)
    for w in words:
        options = sorted(o for o in table.get(w.group(), ()) if " " not in o)
        if options:
            return s[: w.start()] + rng.choice(options) + s[w.end() :]
    return None


FAITHFUL: list[Edit] = [_drop_parenthesis, _reorder, _attribute, _synonym, _first_clause, _merge]
# How soon each change is tried (lower first, on average): the rare ones get their share.
CHANGES: dict[Edit, float] = {
    _done: 0.2, _overstate: 0.2, _renumber: 0.6, _negate: 0.6, _swap_roles: 0.8,
    _opposite: 1.0, _other_name: 1.0, _cause: 1.6,
}  # fmt: skip


def synonyms() -> dict[str, set[str]]:
    """Words of WordNet synsets of two to four single words (fewer senses, fewer misfits)."""
    folder = meaning.wordnet_folder()
    if folder is None:
        raise SystemExit("WordNet is not installed: run `make install`")
    table: dict[str, set[str]] = {}
    for name in ("verb", "adj", "adv", "noun"):
        for line in (folder / f"data.{name}").read_bytes().splitlines():
            if line[:1].isdigit():
                fields = line.split(b" | ")[0].split()
                words = [w for w in meaning._synset_words(fields) if " " not in w and "-" not in w]
                if 2 <= len(words) <= 4:
                    for w in words:
                        table.setdefault(w, set()).update(x for x in words if x != w)
    return {w: s for w, s in table.items() if len(s) <= 3}


def pairs_of(text: str, rng: random.Random, tables: dict) -> list[tuple[str, str, int]]:
    """(source, statement, changed) pairs: one faithful and one changed per sentence."""
    sentences = sentences_of(text)
    names = sorted({n for s in sentences for n in names_in(s) if len(n) > 2})
    pairs = []
    for i, sentence in enumerate(sentences):
        context = {
            "names": names,
            "next": sentences[i + 1] if i + 1 < len(sentences) else None,
            "other": rng.choice(sentences) if len(sentences) > 1 else None,
            **tables,
        }
        for edit in rng.sample(FAITHFUL, len(FAITHFUL)):
            rewrite = edit(sentence, rng, context)
            if rewrite and rewrite != sentence:
                source = f"{sentence} {context['next']}" if edit is _merge else sentence
                pairs.append((source, rewrite, 0))
                break
        else:
            pairs.append((sentence, sentence, 0))
        for change in sorted(CHANGES, key=lambda c: CHANGES[c] * rng.random()):
            changed = change(sentence, rng, context)
            if changed and changed != sentence:
                if rng.random() < 0.5:  # equally edited: a faithful edit on top
                    for edit in rng.sample(FAITHFUL[:4], 4):
                        edited = edit(changed, rng, context)
                        if edited and edited != changed:
                            changed = edited
                            break
                pairs.append((sentence, changed, 1))
                break
    return pairs


def training_pairs(shared: Path) -> list[tuple[str, str, int]]:
    rng = random.Random(SEED)
    texts = [
        load_document(path, path.name).text
        for path in sorted((shared / "corpus-dev").glob("*.md"))
        if path.name != "README.md" and half(f"dev:{path.name}") == "calibration"
    ]
    texts += [
        load_document(path, path.name).text
        for path in sorted((REPO / "corpus").iterdir())
        if half(f"sample:{path.name}") == "calibration"
    ]
    for path in sorted((shared / "eval" / "html-extraction" / "pages").iterdir()):
        texts.append(load_document(path, path.name).text)
    abstracts = [
        f"{record['title']}. {record['text']}"
        for record in scifact_records(shared)
        if half(f"scifact:{record['_id']}") == "calibration"
    ]
    rng.shuffle(abstracts)
    texts += abstracts[:SCIFACT_DOCUMENTS]
    tables = {"antonyms": meaning.antonyms(), "synonyms": synonyms()}
    pairs = [pair for text in texts for pair in pairs_of(text, rng, tables)]
    rng.shuffle(pairs)
    return pairs


def train(
    pairs: list[tuple[str, str, int]], steps: int
) -> Callable[[list[tuple[str, str]]], np.ndarray]:
    """Fine-tune the packaged model's upper layers and a head; returns a scorer."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    path = resolve_model_path(EmbeddingSettings().model, REPO)
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)
    head = torch.nn.Linear(encoder.config.hidden_size, 1)
    for module in (encoder.embeddings, *encoder.encoder.layer[:FROZEN_LAYERS]):
        module.requires_grad_(False)

    def logits(batch: list[tuple[str, str]]) -> torch.Tensor:
        enc = tokenizer(
            [b[0] for b in batch], [b[1] for b in batch], truncation=True,
            max_length=MAX_TOKENS, padding=True, return_tensors="pt",
        )  # fmt: skip
        hidden = encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    trained = [p for p in (*encoder.parameters(), *head.parameters()) if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=LEARNING_RATE, weight_decay=0.01)
    warmup = max(steps // 10, 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps)
    )
    encoder.train()
    began = time.perf_counter()
    for step in range(steps):
        at = (step * BATCH) % (len(pairs) - BATCH)
        batch = pairs[at : at + BATCH]
        labels = torch.tensor([float(p[2]) for p in batch])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits([(p[0], p[1]) for p in batch]), labels
        )
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if (step + 1) % 200 == 0:
            print(f"step {step + 1}/{steps}, {time.perf_counter() - began:.0f} s", flush=True)
    encoder.eval()

    def score(batch: list[tuple[str, str]]) -> np.ndarray:
        with torch.no_grad():
            return np.concatenate(
                [torch.sigmoid(logits(batch[i : i + 32])).numpy() for i in range(0, len(batch), 32)]
            )

    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--steps", type=int, default=1650)
    args = parser.parse_args()
    cases, citing, verifier = cases_with_citations(args.shared)
    sources, by_rules = [], []
    for case, cited in zip(cases, citing, strict=True):
        _, window, _ = verifier.support(case.statement, cited)
        sources.append(window.text if window else "")
        by_rules.append(flagged_by(verifier, case.statement, cited)[0])
    pairs = training_pairs(args.shared)
    print(f"{len(pairs)} training pairs, {sum(p[2] for p in pairs)} of them changed")
    began = time.perf_counter()
    score = train(pairs, args.steps)
    print(f"trained {args.steps} steps in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    probability = score([(s, c.statement) for s, c in zip(sources, cases, strict=True)])
    per_case = (time.perf_counter() - began) / len(cases) * 1000
    print(f"{per_case:.1f} ms per statement, in batches of 32\n")
    rules = np.array(by_rules)
    changed, scifact, calibration = case_masks(cases)
    print(table_head("set, half", "judge", "P / R / BA", "faithful flagged"))
    for part, m in by_set_and_half(scifact, calibration):
        print(f"| {part} | rules | {summary(rules[m], changed[m])} |")
        for threshold in (0.5, 0.7):
            flagged = probability >= threshold
            print(f"| {part} | model ≥ {threshold} | {summary(flagged[m], changed[m])} |")
            both = flagged | rules
            print(f"| {part} | rules or model ≥ {threshold} | {summary(both[m], changed[m])} |")


if __name__ == "__main__":
    main()
