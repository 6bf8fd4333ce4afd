"""Graded worlds: a per-fact reliability, mention ranges, per-relation held-out rates, statements about
mentioned objects, real-world associations. The agent's model matches the sampler, and every number still
agrees with brute-force enumeration (tests/oracles.py integrates the reliability by scipy quadrature)."""

import math

import numpy as np
import pytest

import rational
from oracles import brute_force

ATOL = 1e-6  # as in test_rational_exact: enumeration sums in a different order; the fit converges to 1e-10

GRADED = dict(reliability=(0.6, 1.0), mentions_per_fact=(1, 3), statement_atoms="mentions",
              held_out_by_relation={"language": 0.5, "occupation": 0.4}, association_strength=5.0,
              associations=rational.example_associations(), statements_per_subject=1.5,
              connectives_per_subject=1.5)


@pytest.fixture(scope="module")
def graded():
    world = rational.sample_world(rational.example_graph(), n_subjects=12, seed=3, **GRADED)
    return world, rational.fit(world)


def _cpts(post):
    return {r: post.cpt(r) for r in post.graph.relations}


def test_graded_world_matches_enumeration(graded):
    world, post = graded
    assert world.evidence.reliability == (0.6, 1.0)
    for s in world.subjects:
        marg, joint, log_ev = brute_force(world.graph, _cpts(post), world.evidence, s)
        for r in world.graph.relations:
            np.testing.assert_allclose(post.distribution(s, r), marg[r], atol=ATOL, rtol=0)
        assert post.log_evidence(s) == pytest.approx(log_ev, abs=1e-8)


def test_mentions_per_fact_range_and_held_out_rates():
    world = rational.sample_world(rational.example_graph(), n_subjects=400, seed=1, mentions_per_fact=(2, 4),
                                  held_out_rate=0.1, held_out_by_relation={"language": 0.6})
    for r in world.graph.relations:
        s, _ = world.evidence.mentions(r)
        counts = np.bincount(s, minlength=400)[~world.held_out[r]]
        assert counts.min() == 2 and counts.max() == 4  # every attested fact has 2-4 mentions
        assert not np.bincount(s, minlength=400)[world.held_out[r]].any()  # held out: never mentioned
    # 400 draws: the held-out share is within 4 binomial standard deviations of its rate
    assert abs(world.held_out["language"].mean() - 0.6) < 4 * math.sqrt(0.6 * 0.4 / 400)
    assert abs(world.held_out["country"].mean() - 0.1) < 4 * math.sqrt(0.1 * 0.9 / 400)


def test_reliability_varies_from_fact_to_fact():
    world = rational.sample_world(rational.example_graph(), n_subjects=2000, seed=2, reliability=(0.6, 1.0),
                                  mentions_per_fact=10, held_out_rate=0.0)
    s, o = world.evidence.mentions("country")
    right = (o == world.truth["country"][s]).reshape(-1, 10).mean(axis=1)  # each fact's share of true mentions
    # a fixed channel would give binomial(10, 0.8) / 10 shares, variance 0.016; rho ~ U(0.6, 1) adds
    # Var(rho) = 0.4^2 / 12 = 0.0133: the observed variance must show it (2,000 facts, sd of the variance ~0.001)
    assert right.mean() == pytest.approx(0.8, abs=0.01)
    assert right.var() > 0.016 + 0.008


def test_associations_centre_the_cpts():
    world = rational.sample_world(rational.example_graph(), 50, seed=0, association_strength=50.0,
                                  associations=rational.example_associations())
    language = world.cpts["language"]  # rows: France, Japan, Trinidad and Tobago, Brazil
    assert language[0].argmax() == 0 and language[1].argmax() == 1 and language[2].argmax() == 2
    assert language[0, 0] > 0.8  # Dirichlet(0.3 + 50 * [1, 0, 0]): mean 0.97, sd 0.02
    unknown = rational.sample_world(rational.example_graph(), 50, seed=0, association_strength=0.0,
                                    associations=rational.example_associations())
    assert not np.allclose(unknown.cpts["language"], language)


def test_statements_about_mentioned_objects_name_what_the_corpus_says():
    world = rational.sample_world(rational.example_graph(), 300, seed=4, statement_atoms="mentions",
                                  statements_per_subject=3.0, reliability=(0.6, 1.0))
    said = {}
    for r in world.graph.relations:
        for si, oi in zip(*world.evidence.mentions(r)):
            said.setdefault((int(si), r), set()).add(world.graph.domain(r)[int(oi)])
    named = [st for st in world.evidence.statements if st.kind == "atom"]
    hits = [st.atoms[0][1] in said[(world.evidence.subject_id(st.subject), st.atoms[0][0])] for st in named]
    # half of the atoms name a mentioned object, the other half a uniform one (which can be mentioned too)
    assert np.mean(hits) > 0.5


def test_observe_adds_mentions_that_share_the_facts_reliability(graded):
    world, post = graded
    s = next(x for x in world.subjects if world.evidence.mentioned(x, "country"))
    obj = "Brazil"
    new = rational.update(post, "observe", s, "country", obj, mentions=2)
    more = world.evidence.copy()
    more.add_mention(s, "country", obj, count=2)
    marg, _, _ = brute_force(world.graph, _cpts(post), more, s)
    for r in world.graph.relations:
        np.testing.assert_allclose(new.distribution(s, r), marg[r], atol=ATOL, rtol=0)
    reached = rational.update(post, "observe", s, "country", obj, target=0.9)
    assert reached.probability(s, "country", obj) >= 0.9
    w = int(float(dict(reached.history[-1][4])["mentions"]))  # the update's note records its mentions
    assert w >= 1
    fewer = rational.update(post, "observe", s, "country", obj, mentions=w - 1)
    assert fewer.probability(s, "country", obj) < 0.9  # the smallest number of mentions that reaches it


def test_mention_distribution_is_the_evidence_ratio(graded):
    """P(next mention = o | D) = P(D and a mention of o) / P(D), both by enumeration."""
    world, post = graded
    for s in world.subjects[:4]:
        for r in ("country", "language"):
            _, _, log_ev = brute_force(world.graph, _cpts(post), world.evidence, s)
            expected = []
            for o in world.graph.domain(r):
                more = world.evidence.copy()
                more.add_mention(s, r, o)
                expected.append(math.exp(brute_force(world.graph, _cpts(post), more, s)[2] - log_ev))
            np.testing.assert_allclose(post.mention_distribution(s, r), expected, atol=ATOL, rtol=0)


def test_fixed_channel_mention_distribution():
    world = rational.sample_world(rational.example_graph(), 10, seed=0, eps=0.2)
    post = rational.fit(world)
    s = world.subjects[0]
    p, k = post.distribution(s, "country"), world.graph.size_of("country")
    np.testing.assert_allclose(post.mention_distribution(s, "country"), 0.8 * p + 0.2 / (k - 1) * (1 - p),
                               atol=1e-15)
