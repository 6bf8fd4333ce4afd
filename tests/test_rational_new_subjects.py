"""New subjects (``Posterior.with_subjects``) against brute-force enumeration (oracles.py).

A new subject is drawn from the fitted population (theta held fixed) and its mentions go through the
evidence's channel. Every expected number comes from ``oracles.brute_force`` run on an Evidence that holds
only the new subject and its mentions, with the fitted CPTs: the joint of the subject's relations written
out term by term (CPT entries x the fixed channel's mention probabilities, or the scipy-quadrature integral
over the fact's shared rho), then normalised. Tolerance 1e-6 is the project's contract (test_rational_exact).
"""

import math

import numpy as np
import pytest
from oracles import brute_force, chain_graph, two_parents_graph

import rational
from rational import Evidence, EvidenceError

ATOL = 1e-6

GRAPHS = {"chain": chain_graph, "two_parents": two_parents_graph}  # both: relations a, b, c
CHANNELS = {"eps": dict(eps=0.2), "reliability": dict(reliability=(0.6, 1.0), mentions_per_fact=(1, 3))}

# objects every graph has: a0, a1, b0, b1, c0, c1
MENTIONS = {
    "Ann Lee": [("b", "b1")],
    "Bo Chen": [("b", "b1"), ("b", "b1")],  # two mentions of one fact
    "Cy Diaz": [("c", "c0"), ("c", "c0"), ("c", "c0")],  # three
    "Di Eng": [("a", "a1"), ("c", "c1"), ("c", "c1")],  # several facts
    "Ed Fox": [("a", "a0"), ("a", "a1"), ("a", "a0")],  # conflicting mentions of one fact
    "Flo Gil": [],  # no evidence: the population prior
}


@pytest.fixture(scope="module", params=[(g, c) for g in sorted(GRAPHS) for c in sorted(CHANNELS)],
                ids=lambda p: f"{p[0]}-{p[1]}")
def fitted(request):
    graph, channel = request.param
    world = rational.sample_world(GRAPHS[graph](), n_subjects=14, seed=5, connectives_per_subject=1.0,
                                  **CHANNELS[channel])
    return world, rational.fit(world)


def _cpts(post):
    return {r: post.cpt(r) for r in post.graph.relations}


def _alone(post, name, items):
    """An Evidence of one subject with ``items`` as its mentions, in the posterior's channel."""
    ev = Evidence(post.graph, [name], eps=post.evidence.eps, statement_noise=post.evidence.statement_noise,
                  reliability=post.evidence.reliability)
    for r, o in items:
        ev.add_mention(name, r, o)
    return ev


def _oracle(post, name, items, extra=()):
    return brute_force(post.graph, _cpts(post), _alone(post, name, items), name, extra)


def test_new_subjects_match_enumeration(fitted):
    world, post = fitted
    new = post.with_subjects(MENTIONS)
    rels = world.graph.relations
    for name, items in MENTIONS.items():
        marg, joint, log_ev = _oracle(post, name, items)
        for r in rels:
            np.testing.assert_allclose(new.distribution(name, r), marg[r], atol=ATOL, rtol=0)
            for o in world.graph.domain(r):
                assert new.probability(name, r, o) == pytest.approx(marg[r][world.graph.object_index(r, o)],
                                                                    abs=ATOL)
        np.testing.assert_allclose(new.joint(name, rels), joint, atol=ATOL, rtol=0)
        np.testing.assert_allclose(new.joint(name, ["c", "a"]), joint.sum(axis=1).T, atol=ATOL, rtol=0)
        assert new.log_evidence(name) == pytest.approx(log_ev, abs=1e-8)


def test_one_new_subject_at_a_time_gives_the_batch(fitted):
    _, post = fitted
    batch = post.with_subjects(MENTIONS)
    for name, items in MENTIONS.items():
        one = post.with_subjects({name: items})
        for r in post.relations:
            np.testing.assert_allclose(one.distribution(name, r), batch.distribution(name, r), atol=1e-12)


def test_no_mentions_is_the_population_prior(fitted):
    """P(x) of an evidence-free subject is the marginal of the CPTs, written out here in closed form."""
    world, post = fitted
    new = post.with_subjects({"Flo Gil": []})
    ta, tb, tc = post.cpt("a"), post.cpt("b"), post.cpt("c")
    if world.graph.parents("c") == ("b",):  # chain a -> b -> c
        pa, pb = ta, ta @ tb
        pc = pb @ tc
    else:  # two parents (a, b) -> c
        pa, pb = ta, tb
        pc = np.einsum("a,b,abc->c", ta, tb, tc)
    for r, prior in (("a", pa), ("b", pb), ("c", pc)):
        np.testing.assert_allclose(new.distribution("Flo Gil", r), prior, atol=1e-12, rtol=0)
    assert new.log_evidence("Flo Gil") == pytest.approx(0.0, abs=1e-12)  # no evidence: probability 1


def test_mention_distribution_is_the_evidence_ratio(fitted):
    """P(next mention = o | D) = P(D and a mention of o) / P(D), both by enumeration; under the reliability
    model the next mention shares the fact's rho with the stated ones."""
    world, post = fitted
    new = post.with_subjects(MENTIONS)
    for name, items in MENTIONS.items():
        _, _, log_ev = _oracle(post, name, items)
        for r in ("a", "c"):
            expected = [math.exp(_oracle(post, name, items + [(r, o)])[2] - log_ev) for o in world.graph.domain(r)]
            np.testing.assert_allclose(new.mention_distribution(name, r), expected, atol=ATOL, rtol=0)


def test_update_rules_work_on_new_subjects(fitted):
    world, post = fitted
    new = post.with_subjects(MENTIONS)
    name, items = "Di Eng", MENTIONS["Di Eng"]
    onehot = np.array([0.0, 1.0] + [0.0] * (world.graph.size_of("b") - 2))
    after = rational.update(new, "bayes", name, "b", "b1")
    marg, _, _ = _oracle(post, name, items, extra=[("b", onehot)])
    for r in world.graph.relations:
        np.testing.assert_allclose(after.distribution(name, r), marg[r], atol=ATOL, rtol=0)
    # observe: two more mentions of c1 join the fact's own (they share its rho under the reliability model)
    observed = rational.update(new, "observe", name, "c", "c1", mentions=2)
    marg, _, _ = _oracle(post, name, items + [("c", "c1")] * 2)
    for r in world.graph.relations:
        np.testing.assert_allclose(observed.distribution(name, r), marg[r], atol=ATOL, rtol=0)
    jeffrey = rational.update(new, "jeffrey", name, "a", "a0", target=0.7)
    assert jeffrey.probability(name, "a", "a0") == pytest.approx(0.7, abs=1e-12)
    virtual = rational.update(new, "virtual", name, "a", "a0", ratio=3.0)
    assert virtual.probability(name, "a", "a0") > new.probability(name, "a", "a0")


def test_the_old_posterior_and_the_corpus_subjects_are_untouched(fitted):
    world, post = fitted
    before = {r: post.distributions(r) for r in post.relations}
    new = post.with_subjects(MENTIONS)
    n = len(world.subjects)
    assert post.subjects == world.subjects and "Ann Lee" not in post.evidence.subject_index
    assert new.subjects == world.subjects + tuple(MENTIONS)
    for r in post.relations:
        np.testing.assert_array_equal(post.distributions(r), before[r])
        table = new.distributions(r)
        np.testing.assert_array_equal(table[:n], before[r])  # theta fixed: corpus subjects unchanged
        assert table.shape == (n + len(MENTIONS), post.graph.size_of(r))
        np.testing.assert_array_equal(table[n], new.distribution("Ann Lee", r))
    assert np.all([np.array_equal(a, b) for a, b in zip(new.thetas, post.thetas)])
    assert post.with_subjects({}) is post
    # added in two batches: the second sees the first as an existing subject
    twice = post.with_subjects({"Ann Lee": MENTIONS["Ann Lee"]}).with_subjects({"Bo Chen": MENTIONS["Bo Chen"]})
    for r in post.relations:
        np.testing.assert_allclose(twice.distribution("Bo Chen", r), new.distribution("Bo Chen", r), atol=1e-12)
    with pytest.raises(EvidenceError, match="already exists"):
        twice.with_subjects({"Ann Lee": []})
    with pytest.raises(EvidenceError, match="added"):
        new.save("never-written")


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_an_evidence_free_subject_keeps_the_em_fixed_point(channel):
    """A subject with no evidence adds its prior P(c, v) = P(c) theta(v | c) to the expected counts, and
    theta = (alpha + C) / (A + M) solves theta = (alpha + C + P(c) theta) / (A + M + P(c)) too: the fixed
    point does not move. Both fits run to tol 1e-13 so that their distance to the exact fixed point is far
    below 1e-8; then ``observe`` with k mentions on the corpus's evidence-free subject is ``with_subjects``
    with k mentions."""
    world = rational.sample_world(chain_graph(), n_subjects=20, seed=9, **CHANNELS[channel])
    post = rational.fit(world, tol=1e-13)
    more = world.evidence.copy()
    more.add_subjects(["Gus Hu"])
    refit = rational.fit(more, tol=1e-13)
    for a, b in zip(refit.thetas, post.thetas):
        np.testing.assert_allclose(a, b, atol=1e-8, rtol=0)
    for a, b in zip(post.with_subjects({"Gus Hu": []}).refit(tol=1e-13).thetas, post.thetas):
        np.testing.assert_allclose(a, b, atol=1e-8, rtol=0)
    for k in (1, 2, 3):
        observed = rational.update(refit, "observe", "Gus Hu", "b", "b0", mentions=k)
        stated = post.with_subjects({"Gus Hu": [("b", "b0")] * k})
        for r in world.graph.relations:
            np.testing.assert_allclose(observed.distribution("Gus Hu", r), stated.distribution("Gus Hu", r),
                                       atol=1e-9, rtol=0)


@pytest.mark.parametrize("subjects, fragment", [
    ({"s00003": []}, "'s00003' already exists"),
    ({"": []}, "non-empty"),
    ({"   ": []}, "non-empty"),
    ({7: []}, "non-empty string, got 7"),
    ({"Ann": [("colour", "red")]}, "'Ann'.*unknown relation 'colour'"),
    ({"Ann": [("a", "a9")]}, "'Ann'.*unknown object 'a9' for relation 'a'"),
    ({"Ann": [("a",)]}, r"'Ann': mention \('a',\) is not a \(relation, object\) pair"),
    ({"Ann": [("a", "a0", "b0")]}, "'Ann': mention .* is not a"),
    ({"Ann": [("a", 0)]}, "'Ann': mention .* is not a"),
    ({"Ann": ["a a0"]}, "'Ann': mention 'a a0' is not a"),
    ({"Ann": "a a0"}, "'Ann': mentions must be a sequence"),
    ([("Ann", [])], "takes a mapping"),
])
def test_bad_new_subjects_are_named(subjects, fragment):
    post = rational.fit(rational.sample_world(chain_graph(), n_subjects=6, seed=1))
    with pytest.raises(EvidenceError, match=fragment):
        post.with_subjects(subjects)


def test_contradicting_mentions_under_a_certain_channel_are_named():
    post = rational.fit(rational.sample_world(chain_graph(), n_subjects=6, seed=1, eps=0.0))
    with pytest.raises(EvidenceError, match="'Ann'.*relation 'a'"):
        post.with_subjects({"Ann": [("a", "a0"), ("a", "a1")]})
