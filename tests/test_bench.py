"""The benchmark's numbers on cases worked out by hand: intervals, the downstream slope, groups, case
assignment, request sampling, and any agent behind the Believer protocol getting its rows in the table."""

import json
import math

import numpy as np
import pytest

import bridges
import rational
from bridges.bench.evaluate import CASES, EvaluateConfig, evaluate, total_variation
from bridges.bench.protocol import EditRequest
from bridges.bench.summary import interval, slope_through_origin, summarise
from stubs import Copycat


# -- formulas -------------------------------------------------------------------------------------------
def test_wilson_interval_by_hand():
    # 3 of 4: centre (0.75 + z^2/8) / (1 + z^2/4), half z sqrt(0.75 * 0.25 / 4 + z^2/64) / (1 + z^2/4)
    z = 1.959963984540054
    centre = (0.75 + z * z / 8) / (1 + z * z / 4)
    half = z * math.sqrt(0.75 * 0.25 / 4 + z * z / 64) / (1 + z * z / 4)
    out = interval([1, 0, 1, 1], proportion=True)
    assert out["mean"] == 0.75 and out["n"] == 4
    assert out["lo"] == pytest.approx(centre - half, abs=1e-15) and out["hi"] == pytest.approx(centre + half, abs=1e-15)
    assert out["lo"] == pytest.approx(0.30064, abs=1e-5)  # the textbook value for 3/4


def test_normal_interval_by_hand_and_clipping():
    out = interval([0.1, 0.3, 0.5])  # mean 0.3, sample sd 0.2: half width 1.96 * 0.2 / sqrt(3)
    half = 1.959963984540054 * 0.2 / math.sqrt(3)
    assert out["mean"] == pytest.approx(0.3) and out["lo"] == pytest.approx(0.3 - half)
    assert interval([0.0, 0.02, 0.9])["lo"] == 0.0  # clipped at the bottom of [0, 1]
    assert interval([-0.9, -0.1], bounds=(-1, 1))["lo"] == -1.0


def test_slope_through_origin_by_hand():
    # y = 0.5 x exactly: slope 0.5, residuals 0, so the interval is a point
    r = slope_through_origin([0.2, 0.4, -0.6], [0.1, 0.2, -0.3], [0, 0, 1])
    assert r["mean"] == pytest.approx(0.5) and r["lo"] == pytest.approx(0.5) and r["hi"] == pytest.approx(0.5)
    # x = (1, 1), y = (0, 1) in two clusters: b = 0.5, residuals (-0.5, 0.5), cluster scores (-0.5, 0.5),
    # variance 2/1 * 0.5 / 2^2 = 0.25, se 0.5
    r = slope_through_origin([1.0, 1.0], [0.0, 1.0], [0, 1])
    assert r["mean"] == 0.5 and r["hi"] - r["mean"] == pytest.approx(1.959963984540054 * 0.5)
    assert slope_through_origin([0.0], [0.3], [0])["mean"] is None  # nothing moved: no slope


def test_total_variation():
    assert total_variation(np.array([0.2, 0.8]), np.array([0.7, 0.3])) == pytest.approx(0.5)


# -- stub agents behind the protocol ----------------------------------------------------------------------
class Database:
    """An agent that stores the edited fact and changes nothing else."""

    def __init__(self, inner, name="database", fact=None):
        self.inner, self.name, self.fact = inner, name, fact

    def domain(self, relation):
        return self.inner.domain(relation)

    def distributions(self, queries):
        norm, _ = self.inner.distributions(queries)
        out = []
        for (s, r), p in zip(queries, norm):
            if self.fact is not None and (s, r) == (self.fact.subject, self.fact.relation):
                p = np.zeros_like(p)
                p[list(self.domain(r)).index(self.fact.obj)] = 1.0
            out.append(p)
        return out, [p.copy() for p in out]

    def sentence_probabilities(self, sentences):
        return self.inner.sentence_probabilities(sentences)

    def edit(self, request, seed=0):
        return Database(self.inner, self.name, request)


@pytest.fixture(scope="module")
def world_and_agent():
    world = bridges.build_world("tiny", seed=0, n_subjects=30)
    agent = bridges.BayesBeliever(rational.fit(world))
    return world, agent


@pytest.fixture(scope="module")
def requests(world_and_agent):
    world, agent = world_and_agent
    config = bridges.EvaluateConfig(n_requests=8, implication_share=0.5, seed=1)
    return bridges.sample_requests(world, agent, config, agent)


def test_implication_requests_move_the_exact_posterior(world_and_agent, requests):
    import networkx as nx

    world, agent = world_and_agent
    post = agent.posterior
    shifts = []
    for req in requests:
        new = rational.update(post, "bayes", req)
        down = nx.descendants(world.graph, req.relation)
        shifts.append(max((total_variation(post.distribution(req.subject, x), new.distribution(req.subject, x))
                           for x in down), default=0.0))
    assert sum(s >= 0.2 for s in shifts) >= 4  # half of 8: checked against the exact posterior here
    assert len({(r.subject, r.relation) for r in requests}) == len(requests)


def test_asking_for_more_requests_than_the_world_has(world_and_agent):
    world, agent = world_and_agent
    with pytest.raises(ValueError, match=r"asked for 100,000 edit requests, but a world of \d+ people .* has at most"):
        bridges.sample_requests(world, agent, bridges.EvaluateConfig(n_requests=100_000, implication_share=0.0))


def test_copycat_scores_slope_one_and_database_zero(world_and_agent, requests):
    world, agent = world_and_agent
    agents = {"copycat": Copycat(agent), "database": Database(agent)}
    records = evaluate(world, {"bayes": agent}, agents, requests, list(range(len(requests))),
                       EvaluateConfig(logic_requests=2))
    summary = summarise(records)
    shift = summary["downstream_shift"]
    assert summary["counts"]["downstream"] >= 4
    assert shift["copycat"]["bayes"]["slope"]["mean"] == pytest.approx(1.0, abs=1e-12)
    assert shift["copycat"]["bayes"]["follows"]["mean"] == 1.0
    assert shift["database"]["bayes"]["slope"]["mean"] == pytest.approx(0.0, abs=1e-12)
    for case in CASES:  # the copycat agrees with the rational agent everywhere, after every edit
        block = summary["groups"]["all"]["agents"]["copycat"]["against"]["bayes"].get(case)
        if block:
            assert block["accuracy"]["post"]["mean"] == 1.0 and block["mae"]["post"]["mean"] == pytest.approx(0)
    same = summary["groups"]["all"]["agents"]["database"]["against"]["bayes"]["same_subject_same_relation"]
    assert same["accuracy"]["post"]["mean"] == 1.0  # it stores the edited fact itself
    json.dumps(summary, allow_nan=False)


def test_groups_by_hand(world_and_agent):
    world, agent = world_and_agent
    s = world.subjects[0]
    rel = "continent"
    truth = world.true_object(s, rel)
    wrong = next(o for o in world.graph.domain(rel) if o != truth)
    base = Database(agent)
    top = agent.domain(rel)[int(np.argmax(agent.distributions([(s, rel)])[0][0]))]
    records = evaluate(world, {"bayes": agent}, {"db": base}, [EditRequest(s, rel, truth), EditRequest(s, rel, wrong)],
                       [0, 1], EvaluateConfig(logic_requests=0))
    fix, brk = records[0]["groups"], records[1]["groups"]
    assert ("fixing" in fix) == (top != truth) and ("updating" in fix) == (top != truth)
    assert ("breaking" in brk) == (top == truth) and ("updating" in brk) == (top != wrong)


def test_a_third_agent_gets_its_rows_in_the_table(world_and_agent, requests):
    world, agent = world_and_agent
    agents = {"copycat": Copycat(agent), "stub:database": Database(agent)}
    records = evaluate(world, {"bayes:bayes": agent}, agents, requests[:3], [0, 1, 2], EvaluateConfig())
    table = bridges.render_table({"summary": summarise(records), "records": records})
    rows = [line for line in table.splitlines() if line.strip().startswith("stub:database")]
    assert len(rows) >= 8  # P(o*), downstream shift, beliefs, six cases


def test_cases_partition_the_subjects_relations(world_and_agent):
    import networkx as nx

    from bridges.bench.evaluate import _plan

    world, _ = world_and_agent
    req = EditRequest(world.subjects[2], "country of citizenship", "Japan")
    plan = _plan(world, req, 0, EvaluateConfig(other_subjects=2))
    case_of = {q: c for c, sl in plan.spans.items() for q in plan.queries[sl]}
    same = {q[1]: c for q, c in case_of.items() if q[0] == req.subject}
    assert set(same) == set(world.graph.relations)
    for r, c in same.items():
        expected = ("same_subject_same_relation" if r == req.relation else "same_subject_downstream"
                    if r in nx.descendants(world.graph, req.relation) else "same_subject_upstream"
                    if r in nx.ancestors(world.graph, req.relation) else "same_subject_sibling")
        assert c == expected
    others = [q for q in plan.queries if q[0] != req.subject]
    assert len(others) == 4 and len({q[0] for q in others}) == 4  # 2 + 2 distinct other subjects


# -- the rational method's teacher ---------------------------------------------------------------------------
def test_teacher_targets_are_the_agents_post_edit_beliefs(world_and_agent, requests):
    world, agent = world_and_agent
    for rule in ("bayes", "jeffrey"):
        ref = bridges.BayesBeliever(agent.posterior, rule)
        teacher = bridges.Teacher(ref, world.subjects, world.graph.relations, bridges.TeacherSettings(min_shift=0.0))
        req = requests[0]
        taught = teacher.teach(req, seed=5)
        post = ref.edit(req)
        others = [r for r in world.graph.relations if r != req.relation]
        assert sorted(r for _, r in taught.targets) == sorted(others)  # min_shift 0: every other relation
        for (s, r), target in taught.targets.items():
            np.testing.assert_array_equal(list(target.values()), post.distributions([(s, r)])[0][0])
            assert list(target) == list(world.graph.domain(r))
        assert all(r == req.relation and s != req.subject for s, r in taught.anchors)


def test_rational_method_with_a_teacher_that_moves_nothing_is_lora(tmp_path):
    """A teacher whose beliefs do not change gives no targets; without anchors the rational method trains
    exactly the adapter of plain lora (same initialisation, same steps)."""
    import lm

    corpus = lm._toy.write_toy_corpus(tmp_path / "c", n_subjects=6, n_relations=2, seed=1)
    c = lm.read_corpus(corpus)
    model = lm.LanguageModel.untrained(corpus, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
    r = next(iter(c.domains))
    req = EditRequest(c.subjects[0], r, c.domains[r][1])

    class Frozen:
        name = "frozen"

        def domain(self, relation):
            return c.domains[relation]

        def distributions(self, queries):
            d = [np.full(len(c.domains[q[1]]), 1 / len(c.domains[q[1]])) for q in queries]
            return d, d

        def edit(self, request, seed=0):
            return self

    teacher = bridges.Teacher(Frozen(), c.subjects, list(c.domains), bridges.TeacherSettings(min_shift=0.01, anchors=0))
    config = lm.RationalEditConfig(steps=5, lr=1e-2, bf16=False)  # float32: the two objectives pack their
    #                                                                sequences differently, bf16 rounds apart
    taught = bridges.LMBeliever(model, c.domains, "rational", config, teacher=teacher).edit(req)
    plain = bridges.LMBeliever(model, c.domains, "lora", lm.LoraEditConfig(steps=5, lr=1e-2, bf16=False)).edit(req)
    queries = [(s, rel) for s in c.subjects for rel in c.domains]
    for a, b in zip(taught.distributions(queries)[0], plain.distributions(queries)[0]):
        np.testing.assert_array_equal(a, b)


def test_in_context_edits_batched_as_prefixes_equal_one_at_a_time(tmp_path):
    import lm

    corpus = lm.write_toy_corpus(tmp_path / "c", n_subjects=6, n_relations=2, seed=2)
    c = lm.read_corpus(corpus)
    model = lm.LanguageModel.untrained(corpus, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
    agent = bridges.LMBeliever(model, c.domains, "context", lm.ContextEditConfig(repeats=2))
    rels = list(c.domains)
    reqs = [EditRequest(s, rels[0], c.domains[rels[0]][i % len(c.domains[rels[0]])]) for i, s in enumerate(c.subjects)]
    batch = agent.edit_many(reqs, list(range(len(reqs))))
    queries = [(s, r) for s in c.subjects for r in rels]
    rows = [i for i in range(len(reqs)) for _ in queries]
    norm, _ = batch.distributions(rows, queries * len(reqs))
    for i, req in enumerate(reqs):
        single = agent.edit(req).distributions(queries)[0]
        for a, b in zip(norm[i * len(queries):(i + 1) * len(queries)], single):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)  # padding to other rows' lengths: rounding
