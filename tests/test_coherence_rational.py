"""The real rational agent, asked through the logic layer, is coherent on random small worlds.

Random graphs (a chain or a fork over 2-3 relations with 2-3 objects each), random worlds sampled from
them, and random formulas over the atoms of their subjects; the agent's probability of a formula is exact
from its joint (coherence.formula_probability with Posterior.joint). Every axiom check and the coherence
distance must be below 1e-9 (float64 sums of at most a few hundred terms).
"""

import hypothesis.strategies as st
import numpy as np
from hypothesis import given, settings
from test_coherence_invariants import assert_rational_invariants, formulas

import rational
from coherence import Atom, Or, check_axioms, formula_probability


@st.composite
def rational_worlds(draw):
    n_rel = draw(st.integers(2, 3))
    g = rational.RelationGraph()
    names = ["country", "language", "continent"][:n_rel]
    for name in names:
        k = draw(st.integers(2, 3))
        g.add_relation(name, [f"{name} {i} and co" for i in range(k)])  # names with a connective word
    g.add_edge(names[0], names[1])
    if n_rel == 3:
        g.add_edge(names[draw(st.integers(0, 1))], names[2])
    seed = draw(st.integers(0, 10_000))
    subjects = ["s00000", "s00001"]  # sample_world's names for the first two subjects
    leaves = [Atom(s, r, o) for s in subjects for r in g.relations for o in g.domain(r)]
    sentences = draw(st.lists(formulas(st.sampled_from(leaves), max_leaves=3), min_size=2, max_size=5))
    return g, seed, sentences


@settings(max_examples=6, derandomize=True, database=None, deadline=None)
@given(rational_worlds())
def test_rational_agent_is_coherent_through_the_logic_layer(case):
    graph, seed, sentences = case
    world = rational.sample_world(graph, 6, seed=seed, connectives_per_subject=1.5)
    assert world.subjects[:2] == ("s00000", "s00001")
    post = rational.fit(world.evidence)
    domains = {r: post.graph.domain(r) for r in post.graph.relations}

    def joint(subject, relations):
        return post.joint(subject, list(relations))

    def prob(sentence):
        return formula_probability(sentence, joint, domains)

    assert_rational_invariants(sentences, prob, domains)


def test_rational_agent_told_an_upstream_fact_reads_zero_on_the_conditional_check():
    """P(B | A told) for the exact agent is conditioning on A (rule ``bayes``), then B's probability from the
    updated posterior's joint; the check compares it with P(A and B) / P(A) from the joint before. Both are
    float64 sums of a few dozen terms: they agree to 1e-12."""
    world = rational.sample_world(rational.example_graph(), 8, seed=2, eps=0.3, held_out_rate=0.3,
                                  connectives_per_subject=1.0)  # noisy enough that no P(A) is ~0
    post = rational.fit(world)
    domains = {r: post.graph.domain(r) for r in post.graph.relations}

    def prob_under(p):
        return lambda sentence: formula_probability(sentence, lambda s, rels: p.joint(s, list(rels)), domains)

    def told(a, b):
        return prob_under(rational.update(post, "bayes", a.subject, a.relation, a.obj))(b)

    s, t = world.subjects[:2]

    def ranked(subject, relation, k):  # the agent's k-th most probable object (so that P(A) is not ~0)
        return Atom(subject, relation, domains[relation][int(np.argsort(-post.distribution(subject, relation))[k])])

    sentences = [ranked(s, "country", 0), Atom(s, "language", "Japanese"),
                 ranked(s, "country", 1), Or(Atom(s, "occupation", "lawyer"), Atom(s, "continent", "Asia")),
                 ranked(t, "field", 1), Atom(t, "occupation", "lawyer"),
                 ranked(t, "country", 0), Atom(s, "language", "French")]  # another subject: independent
    report = check_axioms(sentences, prob_under(post), conditional=told, pairs=[(0, 1), (2, 3), (4, 5), (6, 7)])
    assert report["conditional"].count == 4 and report["conditional"].skipped == 0
    assert report["conditional"].max_violation < 1e-12
    moved = [abs(told(sentences[i], sentences[i + 1]) - prob_under(post)(sentences[i + 1])) for i in (0, 2, 4)]
    assert max(moved) > 0.01  # being told A moves B: the check is not comparing P(B) with itself
