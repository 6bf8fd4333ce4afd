"""Documents that make reading pay off (one-off people, documents about several people, documents read once)
and the in-context probes (bridges.bench.in_context), on tiny worlds and stub readers."""

import itertools
import json
from collections import Counter

import numpy as np
import pytest

import bridges
import lm
import rational
from bridges.bench.in_context import InContextConfig, belief_formation, in_context_editing, new_people, with_new_subjects
from lm._train import TrainConfig, _batches, _pack_documents, read_epochs

MAIN, ONEOFF = 20, 15


@pytest.fixture(scope="module")
def worlds():
    base = bridges.build_world("tiny", seed=0, n_subjects=MAIN)
    more = bridges.WORLDS["tiny"].with_options(n_subjects=MAIN, oneoff_people=ONEOFF).sample(0)
    return base, more


def _mentions(evidence, keep):
    out = Counter()
    for r in evidence.graph.relations:
        s, o = evidence.mentions(r)
        out.update((evidence.subjects[i], r, int(j)) for i, j in zip(s.tolist(), o.tolist()) if keep(i))
    return out


def _documents(out):
    return [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


def _about(doc):
    return doc.get("subjects", [doc.get("subject")])


# -- worlds -----------------------------------------------------------------------------------------
def test_oneoff_people_leave_the_world_unchanged(worlds):
    base, more = worlds
    assert more.subjects == base.subjects
    assert len(more.extra_subjects) == ONEOFF and not set(more.extra_subjects) & set(base.subjects)
    for r in base.graph.relations:
        assert np.array_equal(more.cpts[r], base.cpts[r])
        assert np.array_equal(more.truth[r][:MAIN], base.truth[r]) and more.truth[r].size == MAIN + ONEOFF
        assert np.array_equal(more.held_out[r][:MAIN], base.held_out[r])
    assert _mentions(more.evidence, lambda i: i < MAIN) == _mentions(base.evidence, lambda i: True)
    assert sum(_mentions(more.evidence, lambda i: i >= MAIN).values()) > 0  # the one-off people have evidence
    main_statements = [st for st in more.evidence.statements if st.subject in base.subjects]
    assert main_statements == list(base.evidence.statements)
    # a world file keeps them apart
    again = rational.World.from_dict(more.to_dict())
    assert again.subjects == base.subjects and again.extra_subjects == more.extra_subjects
    assert again.evidence.fingerprint() == more.evidence.fingerprint()
    assert base.with_extra_subjects((), seed=5).evidence.fingerprint() == base.evidence.fingerprint()
    with pytest.raises(rational.EvidenceError, match="already subjects"):
        base.with_extra_subjects([base.subjects[0]], seed=1)


def test_extra_people_are_drawn_from_the_population():
    # true objects of many extra people follow the CPTs (expected: the CPT itself; binomial sd <= 0.0035)
    w = rational.sample_world(rational.example_graph(), 5, seed=0)
    n = 20_000
    w2 = w.with_extra_subjects([f"p{i}" for i in range(n)], seed=3)
    country = w2.truth["country"][5:]
    assert np.abs(np.bincount(country, minlength=4) / n - w.cpts["country"]).max() < 0.015
    language = w2.truth["language"][5:][country == 0]  # given France: the CPT row of France
    assert np.abs(np.bincount(language, minlength=3) / language.size - w.cpts["language"][0]).max() < 0.03
    # mentions state the truth at the world's rate (eps 0.05 by default; 3 mentions per fact)
    s, o = w2.evidence.mentions("country")
    extra = s >= 5
    assert abs(np.mean(o[extra] != w2.truth["country"][s[extra]]) - 0.05) < 0.006


def test_more_person_names():
    taken = bridges.person_names(50, seed=0)
    new = bridges.more_person_names(40, seed=1, exclude=taken)
    assert len(set(new)) == 40 and not set(new) & set(taken) and new == bridges.more_person_names(40, 1, taken)
    words = {"Ana", "Bruno", "Kim", "Lee"}
    few = bridges.more_person_names(6, seed=2, words=words)  # 2 x 2 pairs, then triples
    assert all(set(x.split()) <= words for x in few) and len(set(few)) == 6
    assert sum(len(x.split()) == 3 for x in few) == 2


# -- corpus -----------------------------------------------------------------------------------------
def test_corpus_with_oneoff_people_and_documents_about_several(worlds, tmp_path):
    _, more = worlds
    summary = bridges.write_corpus(more, tmp_path, shuffles=3, chunk=4, multi_person_share=0.5,
                                   people_per_document=(2, 3), quiet=True)
    assert bridges.evidence_from_corpus(tmp_path).fingerprint() == more.evidence.fingerprint()
    docs = _documents(tmp_path)
    meta = bridges.load_metadata(tmp_path)
    assert meta["oneoff_subjects"] == ONEOFF and len(meta["facts"]) == MAIN * len(more.graph.relations)
    assert meta["subjects"] == list(more.evidence.subjects)
    sentences = sum(len(bridges.split_sentences(d["text"])) for d in docs)
    assert sentences == meta["counts"]["sentences"] == summary.sentences
    # every one-off person is in exactly one document, read once, in shuffle 0, with all its sentences
    where = Counter(s for d in docs for s in _about(d))
    for s in more.extra_subjects:
        (doc,) = [d for d in docs if s in _about(d)]
        assert doc["once"] is True and doc["shuffle"] == 0 and where[s] == 1
        assert all(x in more.extra_subjects for x in _about(doc))  # joined only with one-off people
    assert not any(d.get("once") for d in docs if set(_about(d)) & set(more.subjects))
    # joined documents: 2-3 different people, their segments contiguous, each sentence about one of them
    joined = [d for d in docs if "subjects" in d]
    assert joined and all(2 <= len(set(d["subjects"])) == len(d["subjects"]) <= 3 for d in joined)
    for d in joined:
        firsts = [next(n for n in d["subjects"] if f"{n} " in t) for t in bridges.split_sentences(d["text"])]
        assert [k for k, _ in itertools.groupby(firsts)] == d["subjects"]
    for k in (1, 2):  # about half of a shuffle's documents are joined; its sentences are shuffle 0's (main people)
        units = [len(_about(d)) for d in docs if d["shuffle"] == k]
        assert 0.3 <= sum(u for u in units if u > 1) / sum(units) <= 0.5
        same = Counter(t for d in docs if d["shuffle"] == k for t in bridges.split_sentences(d["text"]))
        canon = Counter(t for d in docs if d["shuffle"] == 0 and not d.get("once")
                        for t in bridges.split_sentences(d["text"]))
        assert same == canon


def test_fresh_evidence_about_known_people_is_read_once(worlds, tmp_path):
    _, more = worlds
    bridges.write_corpus(more, tmp_path, shuffles=3, chunk=4, fresh_share=0.5, multi_person_share=0.3, quiet=True)
    assert bridges.evidence_from_corpus(tmp_path).fingerprint() == more.evidence.fingerprint()
    docs = _documents(tmp_path)
    canon = Counter(t for d in docs if d["shuffle"] == 0 for t in bridges.split_sentences(d["text"])
                    if not any(f"{s} " in t for s in more.extra_subjects))
    # shuffle 0: every person of the world in exactly one document, read once, with all of their sentences
    for s in more.subjects:
        (doc,) = [d for d in docs if d["shuffle"] == 0 and s in _about(d)]
        assert doc["once"] is True
    for k in (1, 2):  # the other shuffles: the same sentences less the fresh ones, in documents read every epoch
        other = Counter(t for d in docs if d["shuffle"] == k for t in bridges.split_sentences(d["text"]))
        assert not any(d.get("once") for d in docs if d["shuffle"] == k)
        fresh = canon - other
        assert not other - canon and fresh  # nothing new, something left out
        assert not any(t.startswith('"') for t in fresh)  # statements are never fresh
        mentions = Counter(t for t in canon.elements() if not t.startswith('"'))
        for s in more.subjects:  # a fact's first mention is never fresh: every mentioned fact stays in each shuffle
            for r in more.graph.relations:
                said = sum(n for t, n in mentions.items() if t.startswith(f"{s} {r} "))
                kept = sum(n for t, n in other.items() if t.startswith(f"{s} {r} ") and not t.startswith('"'))
                assert (said == 0) == (kept == 0)


def test_corpus_layout_off_writes_what_it_always_wrote(worlds, tmp_path):
    base, _ = worlds
    bridges.write_corpus(base, tmp_path / "a", shuffles=2, quiet=True)
    bridges.write_corpus(base, tmp_path / "b", shuffles=2, quiet=True, multi_person_share=0.0,
                         people_per_document=(2, 4))
    assert (tmp_path / "a" / "corpus.jsonl").read_bytes() == (tmp_path / "b" / "corpus.jsonl").read_bytes()
    assert all(set(d) == {"text", "subject", "shuffle", "part"} for d in _documents(tmp_path / "a"))
    meta = bridges.load_metadata(tmp_path / "a")
    assert "oneoff_subjects" not in meta and "multi_person_share" not in meta["corpus"]
    for bad in ({"multi_person_share": 1.5}, {"multi_person_share": 0.2, "people_per_document": 1},
                {"multi_person_share": 0.2, "people_per_document": (3, 2)}):
        with pytest.raises(bridges.CorpusError):
            bridges.write_corpus(base, tmp_path / "c", quiet=True, **bad)


# -- reading once -----------------------------------------------------------------------------------
def test_each_once_document_is_read_in_exactly_one_epoch():
    # documents 0-29: token 10 + i, then filler, then <eod> (2); the even ones are read once
    docs = [np.array([10 + i, 5, 6, 7, 2][: 3 + i % 3]) for i in range(30)]
    docs = [np.concatenate([d[:-1], [2]]) if d[-1] != 2 else d for d in docs]
    once = [i % 2 == 0 for i in range(30)]
    cfg = TrainConfig(epochs=4, batch_size=3, context=12, packing="documents")
    read_in = read_epochs(once, cfg)
    assert sorted(Counter(read_in[read_in >= 0].tolist()).values()) == [3, 4, 4, 4]  # spread evenly
    seen = Counter()
    for e in range(cfg.epochs):
        ids = _batches(docs, cfg, e, read_in, eod_id=2, pad_id=0).flatten().tolist()
        seen.update(t - 10 for t in ids if t >= 10)
    assert all(seen[i] == (1 if once[i] else cfg.epochs) for i in range(30))
    assert _batches(docs, cfg, 0).shape[1:] == (3, 13)


def test_document_packing_keeps_documents_whole():
    rng = np.random.default_rng(0)
    docs = [np.concatenate([[100 + i], rng.integers(3, 9, size=int(rng.integers(1, 9))), [2]]) for i in range(40)]
    rows = _pack_documents(docs, np.arange(40), 16, eod_id=2, pad_id=0)
    assert (rows[:, 0] == 2).all()
    found = {}
    for row in rows.tolist():
        body = row[1:]
        used = len(body) - body[::-1].index(2) if 2 in body else 0
        assert all(t == 0 for t in body[used:]) and 0 not in body[:used]  # padding only at the end
        for j, t in enumerate(body):
            if t >= 100:
                found[t - 100] = body[j: j + len(docs[t - 100])]
    assert all(found[i] == docs[i].tolist() for i in range(40))  # every document, whole
    long = [np.arange(100, 140)]  # longer than a sequence: cut into pieces of 15 that each fill one
    rows = _pack_documents(long, np.arange(1), 16, eod_id=2, pad_id=0)
    assert [t for row in rows.tolist() for t in row[1:] if t >= 100] == list(range(100, 140))


def test_once_weight_weighs_the_loss_on_documents_read_once():
    import torch

    from lm._model import ModelConfig, build_model
    from lm._train import make_optimizer, train_step

    model = build_model(ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32, max_len=16), 20, 0, 2, seed=0)
    batch = torch.tensor([[2, 5, 6, 7, 2, 8, 9, 10, 11], [2, 12, 13, 2, 14, 15, 16, 17, 2]])
    once = torch.zeros_like(batch, dtype=torch.bool)
    once[0, 5:] = True  # the second document of row 0 is read once
    with torch.no_grad():
        ce = torch.nn.functional.cross_entropy(model(input_ids=batch[:, :-1]).logits.flatten(0, 1),
                                               batch[:, 1:].flatten(), reduction="none")
    weight = 1 + 2.0 * once[:, 1:].flatten().float()
    for w, expected in ((1.0, ce.mean()), (3.0, (ce * weight).sum() / ce.numel())):
        cfg = TrainConfig(once_weight=w, doc_mask=False, bf16=False, lr=1e-9)
        marked = batch + 20 * once if w != 1.0 else batch  # as train_from_corpus marks them
        opt = make_optimizer(model, cfg, torch.device("cpu"))
        assert abs(train_step(model, model, opt, marked, 0.0, cfg) - float(expected)) < 1e-5


def test_training_reads_one_off_documents_once(worlds, tmp_path):
    _, more = worlds
    bridges.write_corpus(more, tmp_path / "corpus", shuffles=2, multi_person_share=0.3, quiet=True)
    corpus = lm.read_corpus(tmp_path / "corpus")
    n_once = sum(corpus.once)
    assert 0 < n_once < ONEOFF  # some of the one-off people are joined with others
    m = lm.train_from_corpus(tmp_path / "corpus", tmp_path / "lm", epochs=2, batch_size=4, context=48,
                             packing="documents", d_model=16, n_layers=1, n_heads=2, d_ff=32, max_len=64,
                             progress=False, compile=False, eval_facts=20)
    assert m["once_documents"] == n_once and m["epochs_completed"] == 2.0
    assert m["n_train_facts"] + m["n_heldout_facts"] == MAIN * len(more.graph.relations)  # main people only


# -- the probes -------------------------------------------------------------------------------------
class Reader:
    """A stub LM that reads as the agent does: each sentence of its context is one more mention (a fact
    stated k times: k mentions); without ``reads`` it is a database that ignores its context."""

    def __init__(self, agent, reads=True):
        self.agent, self.reads = agent, reads
        g = agent.graph
        self.atoms = {f"{s} {r} {o}": (s, r, o) for s in agent.subjects for r in g.relations for o in g.domain(r)}

    def distributions_in_context(self, queries, contexts):
        out = []
        for (s, r), prefix in zip(queries, contexts):
            post = self.agent
            if self.reads:
                said = Counter(t.strip() for t in prefix.split(" .") if t.strip())
                for text, k in said.items():
                    post = rational.update(post, "observe", *self.atoms[text], mentions=k)
            out.append(post.distribution(s, r))
        return out, out


@pytest.fixture(scope="module")
def probe_setup(worlds):
    base, _ = worlds
    post = rational.fit(base)
    config = InContextConfig(people=12, seed=7, stated_share=0.4, upstream_per_person=2)
    words = {w for s in bridges.person_names(200, seed=9) for w in s.split()}
    _, names = new_people(base, config.people, config.seed, words=words)
    return base, post, config, words, with_new_subjects(post, names)


def test_the_database_row_gives_back_what_it_read_and_infers_nothing(probe_setup):
    """The issue's zero: a database scores 0 on held-out facts and 0 shift, copies what it read."""
    base, post, config, words, _ = probe_setup
    db = bridges.DatabaseBeliever.from_evidence(base.evidence)
    known = bridges.knowledge(base, bridges.BayesBeliever(post), db)
    assert known["held_out"]["agent"]["mean"] == 0.0 and known["held_out"]["n"] > 0  # uniform: no answer
    assert known["held_out"]["reference"]["mean"] > 0.2  # the agent answers through the graph
    fig = belief_formation(base, db, post, config, words=words)["figures"]
    assert fig["copy"]["lm"]["mean"] == 1.0 and fig["shift"]["mean"] == 0.0 and fig["shift"]["n"] > 10
    assert fig["unstated"]["agree"]["mean"] == 0.0  # never told: no answer


def test_a_new_subject_starts_from_the_population_and_reads_one_mention_exactly(probe_setup):
    base, post, _, _, agent = probe_setup
    g = base.graph
    rels = list(g.relations)
    # oracle: the joint of one new subject by enumeration, the product of the fitted CPTs over all relations
    axes = {r: i for i, r in enumerate(rels)}
    joint = np.ones([g.size_of(r) for r in rels])
    for r in rels:
        shape = [1] * len(rels)
        for a in [*g.parents(r), r]:
            shape[axes[a]] = g.size_of(a)
        joint = joint * post.cpt(r).reshape(shape)
    name = agent.subjects[-1]
    for r in rels:
        other = tuple(i for i in range(len(rels)) if i != axes[r])
        assert np.allclose(agent.distribution(name, r), joint.sum(axis=other), atol=1e-6)
    # one mention of (continent, o): likelihood m if x = o else (1 - m) / (K - 1), m = E[rho] = mean reliability
    r, o = "continent", 1
    k = g.size_of(r)
    m = float(np.mean(base.options.reliability))
    lik = np.full(k, (1 - m) / (k - 1))
    lik[o] = m
    shape = [1] * len(rels)
    shape[axes[r]] = k
    expected = joint * lik.reshape(shape)
    new = rational.update(agent, "observe", name, r, g.domain(r)[o], mentions=1)
    for q in rels:
        other = tuple(i for i in range(len(rels)) if i != axes[q])
        assert np.allclose(new.distribution(name, q), expected.sum(axis=other) / expected.sum(), atol=1e-6)


def test_belief_formation_of_an_exact_reader_and_of_a_database(probe_setup):
    base, post, config, words, agent = probe_setup
    exact = belief_formation(base, Reader(agent), post, config, words=words)["figures"]
    assert exact["unstated"]["mae"]["mean"] < 1e-6 and exact["unstated"]["agree"]["mean"] == 1.0
    assert abs(exact["copy"]["difference"]["mean"]) < 1e-6 and exact["copy"]["agent"]["mean"] > 0.5
    assert abs(exact["shift"]["mean"] - 1.0) < 1e-6 and exact["shift"]["n"] > 10
    database = belief_formation(base, Reader(agent, reads=False), post, config, words=words)["figures"]
    assert database["shift"]["mean"] == 0.0 and database["shift"]["n"] == exact["shift"]["n"]
    assert database["copy"]["lm"]["mean"] < exact["copy"]["agent"]["mean"] - 0.2  # the prior, not the mention
    assert database["no_context"]["mae"]["mean"] < 1e-6  # without context it is the agent's prior


def test_in_context_editing_of_an_exact_reader_and_of_a_database(probe_setup):
    base, post, config, _, agent = probe_setup
    requests = [bridges.EditRequest(s, "continent", base.graph.domain("continent")[0]) for s in base.subjects[:6]]
    exact = in_context_editing(base, Reader(agent), post, requests, config)["figures"]
    assert np.allclose(exact["lm"]["post"]["mean"], exact["agent"]["post"]["mean"], atol=1e-6)
    assert exact["agent"]["delta"]["mean"] > 0.05
    assert exact["locality"]["without"]["mean"] == exact["locality"]["with"]["mean"] == 1.0
    database = in_context_editing(base, Reader(agent, reads=False), post, requests, config)["figures"]
    assert database["lm"]["delta"]["mean"] == 0.0 and database["locality"]["delta"]["mean"] == 0.0


def test_conditional_coherence_of_the_agent_a_database_and_a_fixed_guesser(probe_setup):
    """The conditional check per believer: the rational agent and a database read 0 (to float rounding); a
    believer with the agent's sentence probabilities that answers every P(B | A told) with 0.5 reads
    |0.5 - the agent's P(B | A told)| per pair (the agent is coherent: its P(A and B) / P(A) is that), and the
    report keeps the median of those beside the mean."""
    from bridges.bench.in_context import conditional_coherence

    base, post, _, _, _ = probe_setup
    agent = bridges.BayesBeliever(post)
    db = bridges.DatabaseBeliever.from_evidence(base.evidence)
    asked = []

    class Half:
        name = "half"

        def sentence_probabilities(self, sentences):
            return agent.sentence_probabilities(sentences)

        def conditional_probabilities(self, pairs):
            asked.extend(pairs)
            return np.full(len(pairs), 0.5)

    config = InContextConfig(conditional_pairs=30, seed=3)
    out = conditional_coherence(base, {"agent": agent, "database": db, "half": Half()}, agent, config)
    assert out["pairs"] == 30
    for name in ("agent", "database"):
        assert out["checks"][name]["mean_violation"] < 1e-12 and out["checks"][name]["median_violation"] < 1e-12
    expected = np.abs(0.5 - np.asarray(agent.conditional_probabilities(asked)))
    half = out["checks"]["half"]
    assert half["count"] == len(asked) > 0
    assert half["median_violation"] == pytest.approx(float(np.median(expected)), abs=1e-9)  # float64 sums
    assert half["mean_violation"] == pytest.approx(float(np.mean(expected)), abs=1e-9)
