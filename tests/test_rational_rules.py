"""Update rules: definitions checked by enumeration, known properties, and bad input."""

import numpy as np
import pytest
from oracles import brute_force

import rational
from rational import EvidenceError


@pytest.fixture(scope="module")
def world_post():
    world = rational.sample_world(rational.example_graph(), 30, seed=4, held_out_rate=0.3)
    return world, rational.fit(world.evidence)


def _cpts(post):
    return {r: post.cpt(r) for r in post.graph.relations}


def _one_hot(graph, r, o):
    v = np.zeros(graph.size_of(r))
    v[graph.object_index(r, o)] = 1.0
    return v


def test_bayes_is_conditioning_by_enumeration(world_post):
    world, post = world_post
    s = world.subjects[2]
    new = rational.update(post, "bayes", s, "country", "Japan")
    marg, _, _ = brute_force(world.graph, _cpts(post), world.evidence, s,
                             extra=[("country", _one_hot(world.graph, "country", "Japan"))])
    for r in world.graph.relations:
        np.testing.assert_allclose(new.distribution(s, r), marg[r], atol=1e-9)


def test_virtual_evidence_by_enumeration(world_post):
    world, post = world_post
    s = world.subjects[5]
    lik = np.array([0.2, 1.0, 0.5, 0.05])
    new = rational.update(post, "virtual", s, "country", likelihood=lik)
    marg, _, _ = brute_force(world.graph, _cpts(post), world.evidence, s, extra=[("country", lik)])
    for r in world.graph.relations:
        np.testing.assert_allclose(new.distribution(s, r), marg[r], atol=1e-9)


def test_jeffrey_sets_the_partition_and_keeps_conditionals(world_post):
    """P'(x_r = v) == q(v) and P'(other | x_r = v) == P(other | x_r = v) (the definition)."""
    world, post = world_post
    s = world.subjects[7]
    q = np.array([0.1, 0.6, 0.25, 0.05])
    new = rational.update(post, "jeffrey", s, "country", q=q)
    np.testing.assert_allclose(new.distribution(s, "country"), q, atol=1e-12)
    old_j, new_j = post.joint(s, ["country", "language"]), new.joint(s, ["country", "language"])
    np.testing.assert_allclose(new_j / new_j.sum(1, keepdims=True), old_j / old_j.sum(1, keepdims=True),
                               atol=1e-12)
    # P'(language) = sum_v P(language | country = v) q(v)
    expected = (old_j / old_j.sum(1, keepdims=True) * q[:, None]).sum(0)
    np.testing.assert_allclose(new.distribution(s, "language"), expected, atol=1e-12)


def test_jeffrey_with_one_hot_q_equals_bayes(world_post):
    world, post = world_post
    s = world.subjects[1]
    q = _one_hot(world.graph, "field", "law")
    a = rational.update(post, "jeffrey", s, "field", q=q)
    b = rational.update(post, "bayes", s, "field", "law")
    for r in world.graph.relations:
        np.testing.assert_allclose(a.distribution(s, r), b.distribution(s, r), atol=1e-12)


def test_bayesian_updates_commute(world_post):
    world, post = world_post
    s = world.subjects[3]
    ab = rational.update(rational.update(post, "bayes", s, "country", "Brazil"), "bayes", s, "field", "law")
    ba = rational.update(rational.update(post, "bayes", s, "field", "law"), "bayes", s, "country", "Brazil")
    lik = np.array([1.0, 0.3, 0.2, 0.9])  # virtual evidence is Bayesian too: it commutes
    av = rational.update(rational.update(post, "virtual", s, "country", likelihood=lik), "bayes", s,
                         "occupation", "lawyer")
    va = rational.update(rational.update(post, "bayes", s, "occupation", "lawyer"), "virtual", s,
                         "country", likelihood=lik)
    for r in world.graph.relations:
        np.testing.assert_allclose(ab.distribution(s, r), ba.distribution(s, r), atol=1e-12)
        np.testing.assert_allclose(av.distribution(s, r), va.distribution(s, r), atol=1e-12)


def test_jeffrey_updates_on_dependent_partitions_do_not_commute():
    """The documented case: country -> language for a subject with no evidence.

    Jeffrey on country (q_c) then on language (q_l) ends with P(language) = q_l exactly but moves
    P(country) away from q_c, because language carries information about country; in the other order
    P(country) = q_c exactly. The two results differ by far more than rounding (> 0.05 here).
    """
    g = rational.RelationGraph().add_relation("country", ["France", "Japan"])
    g.add_relation("language", ["French", "Japanese"])
    g.add_edge("country", "language")
    people = [f"p{i}" for i in range(20)]
    ev = rational.Evidence(g, ["Ann", *people])
    for i, p in enumerate(people):  # a population where country and language are strongly dependent
        ev.add_mention(p, "country", ["France", "Japan"][i % 2], count=3)
        ev.add_mention(p, "language", ["French", "Japanese"][i % 2], count=3)
    post = rational.fit(ev)
    q_c, q_l = [0.9, 0.1], [0.2, 0.8]
    cl = rational.update(rational.update(post, "jeffrey", "Ann", "country", q=q_c), "jeffrey", "Ann",
                         "language", q=q_l)
    lc = rational.update(rational.update(post, "jeffrey", "Ann", "language", q=q_l), "jeffrey", "Ann",
                         "country", q=q_c)
    np.testing.assert_allclose(cl.distribution("Ann", "language"), q_l, atol=1e-12)
    np.testing.assert_allclose(lc.distribution("Ann", "country"), q_c, atol=1e-12)
    assert abs(cl.probability("Ann", "country", "France") - lc.probability("Ann", "country", "France")) > 0.05


def test_observe_reaches_the_target_with_the_fewest_mentions(world_post):
    world, post = world_post
    s = world.subjects[0]
    obj = world.graph.domain("occupation")[int(np.argmin(post.distribution(s, "occupation")))]
    new = rational.update(post, "observe", s, "occupation", obj, target=0.95)
    assert new.probability(s, "occupation", obj) >= 0.95
    w = dict(new.history[-1][-1])["mentions"]
    assert float(w) >= 1
    fewer = rational.update(post, "observe", s, "occupation", obj, mentions=float(w) - 1)
    assert fewer.probability(s, "occupation", obj) < 0.95
    exact = rational.update(post, "observe", s, "occupation", obj, target=0.95, fractional=True)
    assert exact.probability(s, "occupation", obj) == pytest.approx(0.95, abs=1e-12)


def test_observe_equals_adding_mentions_to_the_evidence():
    """Two observed mentions == the same two mentions added to the evidence, theta held fixed."""
    world = rational.sample_world(rational.example_graph(), 20, seed=9)
    post = rational.fit(world.evidence)
    s = world.subjects[4]
    new = rational.update(post, "observe", s, "country", "Brazil", mentions=2)
    ev = world.evidence.copy()
    ev.add_mention(s, "country", "Brazil", count=2)
    marg, _, _ = brute_force(world.graph, _cpts(post), ev, s)
    for r in world.graph.relations:
        np.testing.assert_allclose(new.distribution(s, r), marg[r], atol=1e-9)


def test_updates_leave_the_old_posterior_untouched(world_post):
    world, post = world_post
    s = world.subjects[6]
    before = {r: post.distribution(s, r) for r in world.graph.relations}
    for rule, kw in [("bayes", {}), ("observe", {}), ("jeffrey", {}), ("virtual", {})]:
        new = rational.update(post, rule, s, "country", "Japan", **kw)
        assert new is not post and new.probability(s, "country", "Japan") > before["country"][1]
    for r in world.graph.relations:
        np.testing.assert_array_equal(post.distribution(s, r), before[r])
    other = world.subjects[8]
    np.testing.assert_array_equal(new.distribution(other, "language"), post.distribution(other, "language"))


def test_refit_includes_the_update_and_keeps_the_original(world_post):
    world, post = world_post
    s = world.subjects[6]
    new = rational.update(post, "observe", s, "country", "Japan", mentions=50)
    refit = new.refit()
    assert refit.info.converged
    assert not np.allclose(refit.cpt("country"), post.cpt("country"))
    assert refit.probability(s, "country", "Japan") > 0.999
    assert post.history == () and len(new.history) == 1


def test_a_user_rule_is_one_function_and_one_registration(world_post):
    world, post = world_post

    def half_way(posterior, subject, relation, obj, /):
        """Move halfway to certainty in obj (Jeffrey with q = (P + one-hot) / 2)."""
        p = posterior.distribution(subject, relation)
        q = 0.5 * p
        q[posterior.graph.object_index(relation, obj)] += 0.5
        return rational.update(posterior, "jeffrey", subject, relation, q=q)

    name = "test_half_way"
    rational.register_rule(name, half_way)
    s = world.subjects[0]
    p = post.probability(s, "field", "law")
    assert rational.update(post, name, s, "field", "law").probability(s, "field", "law") == pytest.approx(
        0.5 * p + 0.5, abs=1e-12)
    rational.register_rule(name, half_way)  # the same function again (a module loaded twice): replaced

    def other(posterior, subject, relation, obj, /):
        return posterior

    with pytest.raises(ValueError, match="already registered"):  # another function under that name
        rational.register_rule(name, other)
    assert rational.rule_options(name) == () and "target" in rational.rule_options("observe")
    rational.register_rule("test_forgot_return", lambda posterior, subject, relation, obj, /: None)
    with pytest.raises(EvidenceError, match="update rule 'test_forgot_return' returned NoneType, not a "
                                            "rational.Posterior"):
        rational.update(post, "test_forgot_return", s, "field", "law")
    with pytest.raises(ValueError, match="lower-case identifier"):
        rational.register_rule("Bad Name", half_way)


@pytest.mark.parametrize("kwargs, match", [
    (dict(q=[0.5, 0.6, -0.1, 0.0]), "negative at 'Trinidad and Tobago'"),
    (dict(q=[0.5, 0.6, 0.1, 0.0]), "must sum to 1"),
    (dict(q={"Atlantis": 1.0}), "unknown object 'Atlantis'"),
    (dict(q=[0.5, 0.5]), "must have 4 entries"),
    (dict(q=[np.nan, 0.5, 0.5, 0.0]), "non-finite"),
    (dict(q="uniform"), r"q must be a distribution over the domain of 'country': 4 non-negative numbers \(one "
                        r"per object of \['France', .*\]\) summing to 1 within 1e-09.*got 'uniform'"),
    (dict(q=["0.5", 0.5, 0, 0]), "q must be a distribution over the domain of 'country'"),
    (dict(q={"Japan": None}), "q must be a distribution over the domain of 'country'"),
    (dict(q={"Japan": [0.5, 0.5]}), "q must be a distribution over the domain of 'country'"),
    (dict(q=[0.5, 0.6, 0.1, 0.0]), r"must sum to 1 \(within 1e-09\), sums to 1.2"),
    (dict(q={"France": 0.9, "Japan": 0.1}, obj="Japan"),
     r"q does not favour the requested object 'Japan' \(q\['Japan'\] = 0.1, q\['France'\] = 0.9\)"),
    (dict(q=[0.0, 0.0, 0.0, 1.0], obj="Japan"), r"q\['Japan'\] = 0, q\['Brazil'\] = 1\)"),
])
def test_bad_jeffrey_distributions_are_named(world_post, kwargs, match):
    world, post = world_post
    kwargs = dict(kwargs)
    obj = kwargs.pop("obj", None)
    with pytest.raises(EvidenceError, match=match):
        rational.update(post, "jeffrey", world.subjects[0], "country", obj, **kwargs)


def test_jeffrey_takes_obj_with_a_q_that_favours_it(world_post):
    world, post = world_post
    s, q = world.subjects[0], {"France": 0.4, "Japan": 0.4, "Brazil": 0.2}  # a tie for the largest is fine
    for obj in (None, "France", "Japan"):
        new = rational.update(post, "jeffrey", s, "country", obj, q=q)
        assert new.probability(s, "country", "Japan") == pytest.approx(0.4, abs=1e-12)
    with pytest.raises(EvidenceError, match="virtual: likelihood must be weights over the domain of 'country': 4 "
                                            "non-negative numbers"):
        rational.update(post, "virtual", s, "country", likelihood="strong")


@pytest.mark.parametrize("args, error, match", [
    (("bayes", "Nobody", "country", "Japan"), EvidenceError, "unknown subject 'Nobody'"),
    (("bayes", None, "religion", "Japan"), EvidenceError, "unknown relation 'religion'"),
    (("bayes", None, "country", "Atlantis"), EvidenceError, "unknown object 'Atlantis' for relation 'country'"),
    (("telepathy", None, "country", "Japan"), KeyError, "unknown update rule 'telepathy'"),
    (("bayes", None, "country", None), EvidenceError, "needs the requested object"),
])
def test_bad_edit_requests_are_named(world_post, args, error, match):
    world, post = world_post
    rule, s, r, o = args
    with pytest.raises(error, match=match):
        rational.update(post, rule, s or world.subjects[0], r, o)


def test_bayes_against_an_impossible_value_is_an_error():
    g = rational.RelationGraph().add_relation("a", ["x", "y"])
    ev = rational.Evidence(g, ["s"], eps=0.0)
    ev.add_mention("s", "a", "x")
    post = rational.fit(ev)
    with pytest.raises(EvidenceError, match="contradicts the evidence"):
        rational.update(post, "bayes", "s", "a", "y")
    with pytest.raises(EvidenceError, match="probability zero now"):
        rational.update(post, "jeffrey", "s", "a", q=[0.5, 0.5])
