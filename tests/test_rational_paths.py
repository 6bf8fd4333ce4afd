"""The inference paths agree: the message-passing path (the default) against the earlier einsum and
forest paths and against brute-force enumeration.

Expected numbers come from two places: ``oracles.brute_force`` / ``oracles.expected_counts`` (every joint
assignment of a subject's relations, written out from the model's definition; no code shared with
``rational``), and the einsum path (one batched JAX contraction, differentiated by autodiff), which the
oracle tests of test_rational_exact.py checked before this path existed. All paths are the same
float64 sum-product in another order, so they agree to rounding: 1e-12 on thetas and marginals, 1e-9 on
log evidence (a sum of ~10 logs of numbers near 1e-10, each with relative error ~1e-16), and 1e-9 on
fitted thetas (EM stops at a change of 1e-10 per step; both paths take the same steps to rounding).
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from oracles import brute_force, chain_graph, diamond_graph, expected_counts, two_parents_graph

import rational
from rational import RelationGraph, _infer, _messages


def _pairs():  # two root -> leaf pairs: the closed-form pair of rational._messages
    g = RelationGraph()
    for i in range(2):
        g.add_relation(f"p{i}", [f"p{i}_{j}" for j in range(4)])
        g.add_relation(f"c{i}", [f"c{i}_{j}" for j in range(3)])
        g.add_edge(f"p{i}", f"c{i}")
    return g


def _paper_shape():
    """The paper world's edges (bridges' `paper` world) with domains of 2-3 objects: one root with a
    child of five children, a chain, and `award` with two parents closing a loop through the root's child."""
    sizes = {"place": 2, "country": 3, "continent": 2, "educated": 2, "field": 2, "award": 2, "language": 2,
             "occupation": 2, "religion": 2, "sport": 2}
    g = RelationGraph()
    for r, k in sizes.items():
        g.add_relation(r, [f"{r}{j}" for j in range(k)])
    g.add_edges_from([("place", "country"), ("country", "continent"), ("country", "educated"),
                      ("educated", "field"), ("continent", "award"), ("field", "award"),
                      ("country", "language"), ("field", "occupation"), ("country", "religion"),
                      ("country", "sport")])
    return g


#: graph, world options: every shape the elimination plan distinguishes (sparse leaves, dense steps,
#: relations in a message's scope and theta's at once, closed-form pairs, pair statements everywhere)
CASES = {
    "single": (lambda: RelationGraph().add_relation("a", ["x", "y", "z"]), dict()),
    "chain": (chain_graph, dict(eps=0.2)),
    "two_parents": (two_parents_graph, dict(statement_noise=0.05)),
    "diamond": (diamond_graph, dict(held_out_rate=0.4)),
    "pairs": (_pairs, dict(truth_concentration=0.2)),
    "example": (rational.example_graph, dict(statements_per_subject=2.0)),
    "paper_shape": (_paper_shape, dict(held_out_rate=0.2)),
}


def _world(case, n, seed):
    build, options = CASES[case]
    return rational.sample_world(build(), n_subjects=n, seed=seed, **{"connectives_per_subject": 2.0, **options})


def _random_thetas(graph, seed):
    """CPTs away from the fixed point (so the checks do not depend on EM), rows ~ Dirichlet(0.7)."""
    rng = np.random.default_rng(seed)
    return tuple(rng.dirichlet(np.full(graph.size_of(r), 0.7), size=graph.cpt_shape(r)[:-1])
                 for r in graph.relations)


@pytest.mark.parametrize("case", sorted(CASES))
def test_marginals_log_evidence_and_counts_match_enumeration(case):
    """At arbitrary CPTs: every subject's marginals and log evidence, and the expected counts of the
    E-step, equal brute-force enumeration (oracles.py)."""
    world = _world(case, 5, seed=3)
    graph, ev = world.graph, world.evidence
    thetas = _random_thetas(graph, 4)
    cpts = dict(zip(graph.relations, thetas))
    arrays = _infer.encode(ev)
    marg, log_z = _infer.marginals(arrays, thetas, path="messages")
    for s, subject in enumerate(world.subjects):
        expected, _, log_ev = brute_force(graph, cpts, ev, subject)
        for i, r in enumerate(graph.relations):
            np.testing.assert_allclose(marg[i][s], expected[r], atol=1e-12, rtol=0)
        assert log_z[s] == pytest.approx(log_ev, abs=1e-9)
    counts, expected = _messages.expected_counts(arrays, thetas), expected_counts(graph, cpts, ev)
    for i, r in enumerate(graph.relations):
        np.testing.assert_allclose(counts[i], expected[r], atol=1e-12, rtol=0)


@pytest.mark.parametrize("case", sorted(set(CASES) - {"paper_shape"}))  # its einsum fit compiles for 20 s
def test_fit_equals_the_einsum_path(case):
    """The fit through the new path equals the earlier einsum path's: thetas, every marginal, every
    subject's log evidence, and the number of E-steps."""
    world = _world(case, 40, seed=17)
    new = rational.fit(world.evidence, tol=1e-12, path="messages")
    old = rational.fit(world.evidence, tol=1e-12, path="einsum")
    assert new.info.iterations == old.info.iterations
    for i, r in enumerate(world.graph.relations):
        np.testing.assert_allclose(new.thetas[i], old.thetas[i], atol=1e-9, rtol=0)
        np.testing.assert_allclose(new.base_marginals[i], old.base_marginals[i], atol=1e-12, rtol=0)
    assert new.info.log_evidence == pytest.approx(old.info.log_evidence, abs=1e-9)
    s = world.subjects[5]
    assert new.log_evidence(s) == pytest.approx(old.log_evidence(s), abs=1e-9)


def test_paper_shaped_fit_is_the_fixed_point_of_enumerated_counts():
    """The paper world's shape (two parents, a loop, statements on every edge): the fitted theta is
    (alpha + n(theta)) / sum with the expected counts n enumerated by oracles.py. EM stops at a change of
    1e-10 per step; its distance to the exact fixed point stays far below 1e-7 on this world."""
    world = _world("paper_shape", 10, seed=11)
    post = rational.fit(world.evidence)
    assert post.info.converged
    counts = expected_counts(world.graph, dict(zip(world.graph.relations, post.thetas)), world.evidence)
    for i, r in enumerate(world.graph.relations):
        alpha = np.broadcast_to(world.graph.concentration(r), world.graph.cpt_shape(r))
        target = (alpha + counts[r]) / (alpha + counts[r]).sum(axis=-1, keepdims=True)
        np.testing.assert_allclose(post.thetas[i], target, atol=1e-7, rtol=0)


@pytest.mark.parametrize("case", ["chain", "pairs"])
def test_fit_equals_the_forest_path(case):
    world = _world(case, 40, seed=18)
    new = rational.fit(world.evidence, tol=1e-12, path="messages")
    old = rational.fit(world.evidence, tol=1e-12, path="forest")
    assert new.info.iterations == old.info.iterations
    for a, b in zip(new.thetas + new.base_marginals, old.thetas + old.base_marginals):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)


def test_updates_equal_the_einsum_path():
    """One-subject arrays (every update rule goes through them): a Bayes and a virtual update, new path
    and einsum path at the same CPTs."""
    world = _world("diamond", 20, seed=5)
    post = rational.fit(world.evidence)
    s = world.subjects[2]
    new = rational.update(post, "virtual", s, "c", "c1")
    row = new.overlay[world.evidence.subject_id(s)].arrays
    (m_new, z_new), (m_old, z_old) = (_infer.marginals(row, post.thetas, path=p) for p in ("messages", "einsum"))
    for a, b in zip(m_new, m_old):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)
    np.testing.assert_allclose(z_new, z_old, atol=1e-9, rtol=0)
    bayes = rational.update(post, "bayes", s, "b", "b2")
    assert bayes.probability(s, "b", "b2") == pytest.approx(1.0, abs=1e-12)


def test_subjects_in_chunks_give_the_same_fit(monkeypatch):
    """Chunks of 3 subjects (the last one shorter) give the fit and marginals of one chunk of all 14.

    The chunks' expected counts are added in another order than one chunk adds them, so the numbers
    agree to float64 rounding (1e-12), not bit for bit.
    """
    world = _world("diamond", 14, seed=7)
    whole = rational.fit(world.evidence)
    monkeypatch.setattr(_messages, "CHUNK_ENTRIES", 3 * _messages.largest_message(whole.arrays.layout))
    arrays = _infer.encode(world.evidence)
    assert [ch.n for ch in _messages._chunks(arrays)] == [3, 3, 3, 3, 2]
    chunked = rational.fit(world.evidence)
    assert chunked.info.iterations == whole.info.iterations
    for a, b in zip(chunked.thetas + chunked.base_marginals, whole.thetas + whole.base_marginals):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)
    assert chunked.info.log_evidence == pytest.approx(whole.info.log_evidence, abs=1e-9)


def test_the_paper_world_plan_keeps_messages_small():
    """The paper world (bridges): the elimination order carries `continent` through the loop, so no
    message is larger than 6 x 200 per subject (the einsum path's operands took 112,387 entries)."""
    from bridges import WORLDS

    world = WORLDS["paper"].with_options(n_subjects=20).sample(seed=0)
    layout = _infer.encode(world.evidence).layout
    assert _messages.largest_message(layout) == 6 * 200
    assert _messages.fused(layout) == {}  # the root has a child with children: no closed-form pair


def test_fit_is_the_same_in_every_process():
    """Rounding depends only on the inputs: the fitted numbers are bitwise equal under other string
    hashing (the plan is built from sorted indices, never from a set's iteration order)."""
    code = ("import hashlib, numpy as np, rational; from test_rational_paths import _world; "
            "p = rational.fit(_world('paper_shape', 30, seed=9).evidence); "
            "print(hashlib.sha1(b''.join(np.ascontiguousarray(x).tobytes() "
            "for x in p.thetas + p.base_marginals)).hexdigest())")
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join([here, os.path.dirname(here), os.environ.get("PYTHONPATH", "")])
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": path}).stdout
               for seed in range(2)}
    assert len(digests) == 1, digests


def test_unknown_path_is_refused():
    world = _world("single", 3, seed=0)
    with pytest.raises(ValueError, match="unknown inference path"):
        rational.fit(world.evidence, path="fast")
