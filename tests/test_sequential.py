"""Sequential editing: the agent's order effects (none under bayes, some under jeffrey), and an agent that
copies the rational agent against one that only stores what it was told, measured edit after edit."""

import networkx as nx
import numpy as np
import pytest

import bridges
import rational
from bridges.bench.protocol import EditRequest
from bridges.bench.sequential import SequentialConfig, draw_sequence, order_effect, run_sequence
from stubs import Copycat


class Store:
    """Stores every fact it is told (certain of it) and changes nothing else."""

    def __init__(self, inner, facts=None):
        self.inner, self.facts, self.name = inner, dict(facts or {}), "store"

    def domain(self, relation):
        return self.inner.domain(relation)

    def distributions(self, queries):
        out = []
        for (s, r), p in zip(queries, self.inner.distributions(queries)[0]):
            if (s, r) in self.facts:
                p = np.zeros_like(p)
                p[list(self.domain(r)).index(self.facts[s, r])] = 1.0
            out.append(p)
        return out, [p.copy() for p in out]

    def sentence_probabilities(self, sentences):
        return self.inner.sentence_probabilities(sentences)

    def edit(self, request, seed=0):
        return Store(self.inner, {**self.facts, (request.subject, request.relation): request.obj})

    def edit_together(self, requests, seed=0):
        return Store(self.inner, {**self.facts, **{(r.subject, r.relation): r.obj for r in requests}})


@pytest.fixture(scope="module")
def world_post():
    world = bridges.build_world("tiny", seed=0, n_subjects=30)
    return world, rational.fit(world)


CONFIG = SequentialConfig(n_edits=12, checkpoints=(1, 6, 12), per_person=2, other_facts=40, logic_people=2)


def test_the_sequence_edits_linked_relations_of_each_person(world_post):
    world, post = world_post
    agent = bridges.BayesBeliever(post)
    seq = draw_sequence(world, agent, CONFIG)
    assert len(seq) == 12 and len({(r.subject, r.relation) for r in seq}) == 12  # no pair edited twice
    by_person = {}
    for r in seq:
        by_person.setdefault(r.subject, []).append(r.relation)
    assert len(by_person) == 6 and all(len(v) == 2 for v in by_person.values())
    for rels in by_person.values():  # an upstream relation and one of its descendants
        assert any(b in nx.descendants(world.graph, a) for a in rels for b in rels if a != b)
    tops = agent.distributions([(r.subject, r.relation) for r in seq])[0]
    assert all(world.graph.domain(r.relation)[int(np.argmax(t))] != r.obj for r, t in zip(seq, tops))
    assert draw_sequence(world, agent, CONFIG) == seq  # seeded


def test_bayes_is_order_free_and_jeffrey_is_not(world_post):
    world, post = world_post
    seq = draw_sequence(world, bridges.BayesBeliever(post), CONFIG)
    refs = {b.name: b for b in (bridges.BayesBeliever(post, u) for u in ("bayes", "jeffrey"))}
    effect = order_effect(refs, seq, world.graph.relations)
    assert effect["bayes:bayes"] < 1e-12  # conditioning on the same facts in any order: the same posterior
    assert effect["bayes:jeffrey"] > 1e-4  # Jeffrey on dependent partitions of one person: order matters
    # and a random permutation, not only the reverse, leaves bayes where it was
    rng = np.random.default_rng(3)
    perm = [seq[i] for i in rng.permutation(len(seq))]
    a, b = refs["bayes:bayes"], refs["bayes:bayes"]
    for r in seq:
        a = a.edit(r)
    for r in perm:
        b = b.edit(r)
    q = [(r.subject, x) for r in seq for x in world.graph.relations]
    assert max(float(np.abs(x - y).max()) for x, y in zip(a.distributions(q)[0], b.distributions(q)[0])) < 1e-12


def test_a_copycat_follows_and_a_store_does_not(world_post):
    world, post = world_post
    ref = bridges.BayesBeliever(post)
    seq = draw_sequence(world, ref, CONFIG)
    out = run_sequence(world, {"bayes:bayes": ref}, {"copycat": Copycat(ref), "store": Store(ref)}, seq, CONFIG,
                       batch_agents={"store": Store(ref)})
    copy, store = out["agents"]["copycat"]["at"], out["agents"]["store"]["at"]
    last = copy[-1]
    assert last["edits"] == 12 and last["efficacy"]["mean"] == pytest.approx(1.0)
    assert last["retention_change"]["mean"] == pytest.approx(0.0, abs=1e-12)  # nothing forgotten
    assert last["downstream_shift"]["mean"] == pytest.approx(1.0)  # moves exactly as the rational agent
    assert last["other_accuracy"]["mean"] == 1.0
    assert last["coherence_violation"] < 1e-12
    assert store[-1]["efficacy"]["mean"] == 1.0 and store[-1]["downstream_shift"]["mean"] == pytest.approx(0.0)
    batch = out["agents"]["store (batch)"]
    assert batch["mode"] == "batch" and batch["at"][-1]["efficacy"]["mean"] == 1.0
    assert [e["edits"] for e in copy] == [1, 6, 12]


def test_bad_sequential_settings_are_named(world_post):
    world, post = world_post
    with pytest.raises(ValueError, match="checkpoints must be increasing edit counts in \\[1, n_edits = 10\\]"):
        SequentialConfig(n_edits=10, checkpoints=(1, 20))
    assert len(draw_sequence(world, bridges.BayesBeliever(post), SequentialConfig(n_edits=1000, checkpoints=(1,)))) \
        == 60  # at most per_person edits for each of the 30 people
    with pytest.raises(ValueError, match="cannot take many requests in one edit"):
        run_sequence(world, {"bayes:bayes": bridges.BayesBeliever(post)}, {}, [EditRequest(
            post.subjects[0], "continent", post.graph.domain("continent")[1])],
            SequentialConfig(n_edits=1, checkpoints=(1,)), batch_agents={"copy": Copycat(bridges.BayesBeliever(post))})
