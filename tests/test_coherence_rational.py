"""The real rational agent, asked through the logic layer, is coherent on random small worlds.

Random graphs (a chain or a fork over 2-3 relations with 2-3 objects each), random worlds sampled from
them, and random formulas over the atoms of their subjects; the agent's probability of a formula is exact
from its joint (coherence.formula_probability with Posterior.joint). Every axiom check and the coherence
distance must be below 1e-9 (float64 sums of at most a few hundred terms).
"""

import hypothesis.strategies as st
from hypothesis import given, settings
from test_coherence_invariants import assert_rational_invariants, formulas

import rational
from coherence import Atom, formula_probability


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
