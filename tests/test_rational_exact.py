"""Exactness of the rational agent against brute-force enumeration (oracles.py), case by case.

Every expected number here comes from ``oracles.brute_force``: the joint of one subject's relations
written out term by term from the model's definition (CPT entries x noisy-channel mention likelihoods x
noisy statement labels), then normalised. Tolerance 1e-6 is the project's contract; the computations
agree to ~1e-12 in float64, so a real bug cannot hide under it.
"""

import numpy as np
import opt_einsum
import pytest
from oracles import brute_force, chain_graph, diamond_graph, expected_counts, two_parents_graph

import rational
from bridges import WORLDS
from rational import RelationGraph, _infer

ATOL = 1e-6


def _single():
    return RelationGraph().add_relation("a", ["x", "y", "z"])


CASES = {
    "single": (_single, dict()),
    "chain": (chain_graph, dict(eps=0.2)),
    "two_parents": (two_parents_graph, dict(statement_noise=0.05)),
    "diamond": (diamond_graph, dict(held_out_rate=0.4, connectives_per_subject=2.0)),
    "example": (rational.example_graph, dict(statements_per_subject=2.0)),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def fitted(request):
    build, options = CASES[request.param]
    world = rational.sample_world(build(), n_subjects=14, seed=7, **options)
    return world, rational.fit(world.evidence)


def _cpts(post):
    return {r: post.cpt(r) for r in post.graph.relations}


def test_marginals_and_joint_match_enumeration(fitted):
    world, post = fitted
    rels = world.graph.relations
    for s in world.subjects:
        marg, joint, log_ev = brute_force(world.graph, _cpts(post), world.evidence, s)
        for r in rels:
            np.testing.assert_allclose(post.distribution(s, r), marg[r], atol=ATOL, rtol=0)
        np.testing.assert_allclose(post.joint(s, rels), joint, atol=ATOL, rtol=0)
        assert post.log_evidence(s) == pytest.approx(log_ev, abs=1e-8)


@pytest.mark.parametrize("case", sorted(c for c in CASES if c != "single"))
def test_joint_of_a_subset_in_any_order(case):
    build, options = CASES[case]
    world = rational.sample_world(build(), n_subjects=6, seed=8, **options)
    post = rational.fit(world.evidence)
    rels = world.graph.relations
    s = world.subjects[3]
    _, joint, _ = brute_force(world.graph, _cpts(post), world.evidence, s)
    pair = [rels[-1], rels[0]]
    expected = joint.sum(axis=tuple(range(1, len(rels) - 1))).T
    np.testing.assert_allclose(post.joint(s, pair), expected, atol=ATOL, rtol=0)


def test_fit_is_the_fixed_point_of_expected_counts(fitted):
    """theta[r | c] == (alpha + n(c; theta)) / sum, with n from enumeration at the fitted theta."""
    world, post = fitted
    counts = expected_counts(world.graph, _cpts(post), world.evidence)
    assert post.info.converged
    for r in world.graph.relations:
        alpha = np.broadcast_to(world.graph.concentration(r), world.graph.cpt_shape(r))
        target = (alpha + counts[r]) / (alpha + counts[r]).sum(axis=-1, keepdims=True)
        # the fixed point is reached to EM's tol=1e-10 per step; its distance to the exact fixed point
        # is bounded by tol / (1 - contraction rate), far below 1e-7 on these worlds
        np.testing.assert_allclose(post.cpt(r), target, atol=1e-7, rtol=0)


def test_noise_free_complete_data_gives_the_conjugate_posterior_mean():
    """With every fact mentioned and eps = 0, theta is (alpha + counts) / (sum alpha + n) in closed form."""
    graph = two_parents_graph()
    world = rational.sample_world(graph, 40, seed=3, eps=0.0, held_out_rate=0.0, statements_per_subject=0,
                                  connectives_per_subject=0)
    post = rational.fit(world.evidence)
    for r in graph.relations:
        n = np.zeros(graph.cpt_shape(r))
        np.add.at(n, tuple(world.truth[p] for p in graph.parents(r)) + (world.truth[r],), 1.0)
        alpha = np.broadcast_to(graph.concentration(r), graph.cpt_shape(r))
        np.testing.assert_allclose(post.cpt(r), (alpha + n) / (alpha + n).sum(-1, keepdims=True), atol=1e-12)
    for s in world.subjects[:5]:
        for r in graph.relations:
            assert post.probability(s, r, world.true_object(s, r)) == pytest.approx(1.0, abs=1e-12)


def test_unmentioned_facts_are_inferred_through_the_graph():
    """A held-out child's belief moves with its parent's evidence: no independence shortcut."""
    graph = chain_graph()
    world = rational.sample_world(graph, 200, seed=11, held_out_rate=0.3, truth_concentration=0.2)
    post = rational.fit(world.evidence)
    # b and its child c unobserved, a observed: b's belief can only come through a and the CPT
    s = next(s for i, s in enumerate(world.subjects)
             if world.held_out["b"][i] and world.held_out["c"][i] and not world.held_out["a"][i])
    before = post.distribution(s, "b")
    a_obj = graph.domain("a")[int(np.argmin(post.distribution(s, "a")))]
    after = rational.update(post, "bayes", s, "a", a_obj).distribution(s, "b")
    assert np.abs(after - before).max() > 1e-3
    cpt_b = post.cpt("b")
    np.testing.assert_allclose(after, cpt_b[graph.object_index("a", a_obj)], atol=1e-12)


def test_same_seed_same_world_and_numbers():
    a = rational.sample_world(rational.example_graph(), 25, seed=5)
    b = rational.sample_world(rational.example_graph(), 25, seed=5)
    c = rational.sample_world(rational.example_graph(), 25, seed=6)
    assert a.evidence.statements == b.evidence.statements
    for r in a.graph.relations:
        np.testing.assert_array_equal(a.truth[r], b.truth[r])
        np.testing.assert_array_equal(a.evidence.mentions(r)[1], b.evidence.mentions(r)[1])
    assert any((a.truth[r] != c.truth[r]).any() for r in a.graph.relations)
    pa, pb = rational.fit(a.evidence), rational.fit(b.evidence)
    for r in a.graph.relations:
        np.testing.assert_array_equal(pa.cpt(r), pb.cpt(r))
        np.testing.assert_array_equal(pa.distributions(r), pb.distributions(r))


def test_held_out_facts_get_no_evidence():
    world = rational.sample_world(rational.example_graph(), 60, seed=2, held_out_rate=0.3)
    for r in world.graph.relations:
        np.testing.assert_array_equal(world.evidence.mentioned_mask(r), ~world.held_out[r])
    for st in world.evidence.statements:
        s = world.evidence.subject_id(st.subject)
        assert not any(world.held_out[r][s] for r in st.relations)


@pytest.mark.parametrize("case", ["single", "chain"])
def test_forest_and_einsum_paths_agree(case):
    """The sparse forest path and the dense einsum path are two orders of the same sum-product."""
    from rational._posterior import _alphas

    build, options = CASES[case]
    world = rational.sample_world(build(), n_subjects=40, seed=17, connectives_per_subject=2.0, **options)
    arrays = _infer.encode(world.evidence)
    alphas = _alphas(world.graph)
    fast = _infer.em(arrays, alphas, 1e-12, 500, path="forest")
    dense = _infer.em(arrays, alphas, 1e-12, 500, path="einsum")
    assert fast[1] == dense[1]  # same number of EM iterations
    for a, b in zip(fast[0], dense[0]):
        np.testing.assert_allclose(a, b, atol=1e-12)
    (mf, zf), (md, zd) = _infer.marginals(arrays, fast[0], "forest"), _infer.marginals(arrays, fast[0], "einsum")
    np.testing.assert_allclose(zf, zd, atol=1e-9)
    for a, b in zip(mf, md):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_subjects_in_chunks_give_the_same_fit(monkeypatch):
    """Chunks of 3 subjects (the last one padded) give the fit and marginals of one chunk of all 14.

    The gradients of the chunks are summed in another order than one contraction sums them, so the
    numbers agree to float64 rounding (1e-12), not bit for bit.
    """
    world = rational.sample_world(diamond_graph(), n_subjects=14, seed=7, connectives_per_subject=2.0)
    whole = rational.fit(world.evidence)
    _, per_subject = _infer._contraction(whole.arrays.layout, 14)
    monkeypatch.setattr(_infer, "_CHUNK_ENTRIES", 3 * per_subject)
    assert _infer._chunked(whole.arrays)[-1].shape == (5, 3)  # 14 subjects + 1 pad
    chunked = rational.fit(world.evidence)
    assert chunked.info.iterations == whole.info.iterations
    for r in world.graph.relations:
        np.testing.assert_allclose(chunked.cpt(r), whole.cpt(r), atol=1e-12)
        for s in world.subjects:
            np.testing.assert_allclose(chunked.distribution(s, r), whole.distribution(s, r), atol=1e-12)
    assert chunked.info.log_evidence == pytest.approx(whole.info.log_evidence, abs=1e-9)


def test_paper_scale_contraction_stays_small():
    """The seed paper's world (10 relations, domains up to 300, statements on every edge, two parents
    of 'award received'): the contraction order keeps a subject's work and memory small. The greedy
    order over the statement tables' class indices needed a 1.7e9-entry intermediate for 10,000
    subjects, and the fit ran out of memory."""
    world = WORLDS["paper"].with_options(n_subjects=60).sample(seed=0)
    arrays = _infer.encode(world.evidence)
    assert len(arrays.layout.pair_edges) == len(world.graph.edges)  # statements on every edge
    shapes = _infer._operand_shapes(arrays.layout, 60)
    path, per_subject = _infer._path(arrays.layout.subscripts(), shapes)
    _, info = opt_einsum.contract_path(arrays.layout.subscripts(), *shapes, shapes=True, optimize=path)
    assert info.opt_cost / 60 < 2e6  # multiply-adds per subject (5.4e5 measured)
    assert info.largest_intermediate / 60 < 1e5  # entries per subject (1.2e3 measured)
    assert per_subject < 2e5  # operands (the statements' per-subject CPTs, 1.1e5) + intermediate


def test_contraction_order_is_the_same_in_every_process():
    """The order decides the float64 rounding of every fitted number, so it must not depend on Python's
    per-process string hashing (opt_einsum's 'auto-hq' order did, and the default world's fit moved in
    the last bits from one run to the next)."""
    import os
    import subprocess
    import sys

    code = ("from bridges import build_world; from rational import _infer; "
            "a = _infer.encode(build_world('default', seed=0).evidence); "
            "print(_infer._contraction(a.layout, a.n_subjects))")
    orders = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(4)}
    assert len(orders) == 1, orders
