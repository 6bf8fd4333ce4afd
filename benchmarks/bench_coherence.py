"""Benchmark the coherence layer on a Wikidata-like world.

Builds a world (subjects, relations with 20-40 objects each, some names with
"and"/"or"/"not" in them), an exact joint per subject (a latent-class mixture,
so the relations of one subject are dependent), and random sentences nested up
to depth 2. Times the render -> parse round trip and ``check_axioms`` with exact
probabilities, against the 10 s target for 10,000 sentences.

Usage:
    python benchmarks/bench_coherence.py
    python benchmarks/bench_coherence.py --sentences 200 --subjects 20   # smoke test
"""

from __future__ import annotations

import argparse
import time
from functools import lru_cache

import numpy as np

from coherence import (
    And,
    Atom,
    Implies,
    Not,
    Or,
    Vocabulary,
    check_axioms,
    formula_probabilities,
    parse,
    render,
)

# Real names that contain connective words, mixed into the generated ones.
TRICKY_SUBJECTS = [
    "Trinidad and Tobago",
    "Bosnia and Herzegovina",
    "Antigua and Barbuda",
    "Saint Kitts and Nevis",
    "Sao Tome and Principe",
    "Oregon or Bust",
    "Iffy Thenardier",
    "Notre Dame",
    "If Then Else",
]
RELATIONS = [
    "country of citizenship",
    "occupation",
    "native language",
    "field of work",
    "member of",
    "religion or worldview",
    "place of birth",
    "is true of",
]
TRICKY_OBJECTS = ["arts and crafts", "war or peace", "not applicable", "if and only if", "then and now"]
SYLLABLES = ["ka", "lo", "mi", "ra", "tu", "ne", "so", "vi", "da", "be", "or", "an", "is"]


def make_world(rng: np.random.Generator, n_subjects: int, n_relations: int, min_objects: int, max_objects: int):
    """A vocabulary with distinct names, some of them tricky."""

    def name(used: set[str], words: int) -> str:
        while True:
            text = " ".join(
                "".join(rng.choice(SYLLABLES, size=rng.integers(2, 4))).capitalize() for _ in range(words)
            )
            if text not in used:
                used.add(text)
                return text

    used: set[str] = set(TRICKY_SUBJECTS)
    subjects = TRICKY_SUBJECTS[: min(len(TRICKY_SUBJECTS), n_subjects)]
    subjects += [name(used, int(rng.integers(1, 4))) for _ in range(n_subjects - len(subjects))]
    relations = {}
    for rel in (RELATIONS * (n_relations // len(RELATIONS) + 1))[:n_relations]:
        while rel in relations:
            rel = rel + " again"
        objs_used = set(TRICKY_OBJECTS)
        size = int(rng.integers(min_objects, max_objects + 1))
        objs = list(rng.choice(TRICKY_OBJECTS, size=2, replace=False))
        objs += [name(objs_used, int(rng.integers(1, 3))).lower() for _ in range(size - 2)]
        relations[rel] = objs
    return Vocabulary(subjects, relations)


def make_joint(rng: np.random.Generator, vocab: Vocabulary, n_classes: int = 3):
    """An exact joint per subject: a mixture over latent classes, cached per (subject, relations)."""
    rels = list(vocab.relations)
    weights = {s: rng.dirichlet(np.ones(n_classes)) for s in vocab.subjects}
    # Per subject and relation: (n_classes, domain size) conditional tables.
    tables = {
        s: {r: rng.dirichlet(np.full(len(vocab.relations[r]), 0.5), size=n_classes) for r in rels}
        for s in vocab.subjects
    }
    letters = "abcdefghijklmnopqrstuvwxyz"

    @lru_cache(maxsize=None)
    def joint(subject: str, relations: tuple[str, ...]) -> np.ndarray:
        # P(v_1..v_n) = sum_k w_k prod_i P(v_i | k), an exact, dependent joint.
        spec = "z," + ",".join(f"z{letters[i]}" for i in range(len(relations)))
        spec += "->" + letters[: len(relations)]
        return np.einsum(spec, weights[subject], *(tables[subject][r] for r in relations))

    return joint


def make_sentences(rng: np.random.Generator, vocab: Vocabulary, n: int, max_depth: int = 2):
    """Random sentences nested up to ``max_depth``, each about one subject and two relations.

    70% of a sentence's atoms are about its subject, the rest about random
    subjects; every atom uses one of the sentence's two relations, so atoms often
    share a (subject, relation) and exclude each other. 30% of the time a sentence
    keeps the previous sentence's subject and relations, so consecutive pairs
    often interact through the background knowledge and the subject's joint.
    """
    subjects = vocab.subjects
    rels = list(vocab.relations)
    sentences = []
    subject, topic = subjects[0], rels[:2]
    for _ in range(n):
        if rng.random() > 0.3:
            subject = subjects[int(rng.integers(len(subjects)))]
            topic = [rels[int(i)] for i in rng.choice(len(rels), size=min(2, len(rels)), replace=False)]

        def atom() -> Atom:
            s = subject if rng.random() < 0.7 else subjects[int(rng.integers(len(subjects)))]
            r = topic[int(rng.integers(len(topic)))]
            domain = vocab.relations[r]
            return Atom(s, r, domain[int(rng.integers(len(domain)))])

        def formula(depth: int):
            if depth == 0 or rng.random() < 0.35:
                return atom()
            kind = int(rng.integers(4))
            if kind == 0:
                return Not(formula(depth - 1))
            cls = (And, Or, Implies)[kind - 1]
            return cls(formula(depth - 1), formula(depth - 1))

        sentences.append(formula(max_depth))
    return sentences


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10_000, help="number of base sentences")
    parser.add_argument("--subjects", type=int, default=500, help="subjects in the world")
    parser.add_argument("--relations", type=int, default=8, help="relations in the world")
    parser.add_argument("--min-objects", type=int, default=20, help="smallest relation domain")
    parser.add_argument("--max-objects", type=int, default=40, help="largest relation domain")
    parser.add_argument("--seed", type=int, default=0, help="seed of the world and sentences")
    parser.add_argument("--target", type=float, default=10.0, help="time target in seconds for check_axioms")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    vocab = make_world(rng, args.subjects, args.relations, args.min_objects, args.max_objects)
    joint = make_joint(rng, vocab)
    sentences = make_sentences(rng, vocab, args.sentences)
    n = len(sentences)

    start = time.perf_counter()
    texts = [render(s) for s in sentences]
    parsed = [parse(t, vocab) for t in texts]
    round_trip_s = time.perf_counter() - start
    if parsed != sentences:
        raise AssertionError("render -> parse round trip changed a sentence")

    prob_s = 0.0

    def prob_many(batch):
        nonlocal prob_s
        t0 = time.perf_counter()
        values = formula_probabilities(batch, joint, vocab.relations)
        prob_s += time.perf_counter() - t0
        return values

    start = time.perf_counter()
    report = check_axioms(sentences, prob_many=prob_many, truth_prob_many=prob_many, domains=vocab.relations)
    check_s = time.perf_counter() - start

    figures = {
        "sentences": n,
        "probabilities_asked": report.n_queries,
        "round_trip_s": round_trip_s,
        "round_trip_sentences_per_s": n / round_trip_s,
        "check_axioms_s": check_s,
        "of_which_exact_probabilities_s": prob_s,
        "check_axioms_sentences_per_s": n / check_s,
        "max_violation": report.max_violation,
        "under_target": check_s < args.target,
    }
    print(
        f"world: {len(vocab.subjects)} subjects, {len(vocab.relations)} relations, "
        f"{sum(len(d) for d in vocab.relations.values())} objects; {n} sentences (depth <= 2)"
    )
    print(f"render + parse round trip: {round_trip_s:.2f} s ({n / round_trip_s:,.0f} sentences/s)")
    print(
        f"check_axioms: {check_s:.2f} s ({n / check_s:,.0f} sentences/s, {report.n_queries:,} probabilities "
        f"asked): {prob_s:.2f} s computing exact probabilities, {check_s - prob_s:.2f} s in the checks"
    )
    print(
        f"target: check_axioms under {args.target:g} s: {'yes' if figures['under_target'] else 'NO'}; "
        f"max violation of the exact agent: {report.max_violation:.1e}"
    )
    return figures


if __name__ == "__main__":
    main()
