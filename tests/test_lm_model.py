"""lm: scoring and editing on a small model trained once for this module (a few seconds)."""

import copy
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from lm._toy import write_toy_corpus  # noqa: E402

SMALL = dict(d_model=64, n_layers=2, n_heads=4, d_ff=128, max_len=64)
TRAIN = dict(epochs=60, batch_size=16, context=32, lr=1e-2, progress=False, eval_every=0, seed=0, compile=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = write_toy_corpus(tmp_path_factory.mktemp("corpus"), n_subjects=30, n_relations=2, seed=5)
    return d, lm.read_corpus(d)


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    torch.set_num_threads(1)  # tiny matrices: one thread is as fast and leaves a core to the neighbours
    out = tmp_path_factory.mktemp("run")
    metrics = lm.train_from_corpus(corpus[0], out, **SMALL, **TRAIN)
    return lm.load(out), metrics


@pytest.fixture(scope="module")
def requests(corpus, trained):
    """Edits that change a training fact to another object of the relation's domain."""
    c = corpus[1]
    out = []
    for i, f in enumerate(c.train_facts[:6]):
        dom = c.domains[f.relation]
        out.append((f.subject, f.relation, dom[(dom.index(f.object) + 1 + i) % len(dom)]))
    return out


def _p_obj(model, reqs):
    return np.exp(model.logprob([f"{s} {r}" for s, r, _ in reqs], [o for _, _, o in reqs]))


def test_training_learned_the_facts(trained):
    model, metrics = trained
    # 60 epochs on 52 facts memorise most of them (90% measured); the threshold only guards against a broken loop
    assert metrics["train_fact_accuracy"] > 0.6, metrics["train_fact_accuracy"]
    assert 0 <= metrics["heldout_fact_accuracy"] <= 1


# ---- scoring -------------------------------------------------------------------------------------------
def test_distributions_agree_with_logprob_and_single_queries(corpus, trained):
    model, _ = trained
    c = corpus[1]
    queries = [(s, r) for s in c.subjects[:7] for r in c.domains]
    norm, raw = model.distributions(queries, c.domains)
    for (s, r), pn, pr in zip(queries, norm, raw):
        lp = model.logprob([f"{s} {r}"] * len(c.domains[r]), [f"{o} ." for o in c.domains[r]])
        # cache + grouped-by-length path vs. plain teacher forcing: float32 rounding only
        np.testing.assert_allclose(pr, np.exp(lp), rtol=1e-4, atol=1e-9)
        np.testing.assert_allclose(pn, pr / pr.sum(), rtol=1e-9)
        one_n, one_r = model.distribution(s, r, c.domains[r])
        np.testing.assert_allclose(one_r, pr, rtol=1e-4, atol=1e-9)  # batch composition changes rounding only
    assert all(abs(p.sum() - 1) < 1e-9 for p in norm) and all(p.sum() <= 1 + 1e-6 for p in raw)


def test_distributions_with_nested_candidates(corpus, trained):
    """Candidates that are prefixes of one another ("A", "A B", "A B C") share trie nodes; each still
    gets its own end-of-sentence probability, as plain teacher forcing computes it."""
    model, _ = trained
    c = corpus[1]
    rel = next(iter(c.domains))
    a, b, d = c.domains[rel][:3]
    objects = [a, f"{a} {b}", f"{a} {b} {d}", d, f"{d} {a}"]
    trie = lm._score._Trie(model.tokenizer.encode(objects, "object"), model.tokenizer.end_id)
    assert len(trie.tokens) == len({tuple(o.split()[:k]) for o in objects for k in range(1, len(o.split()) + 1)})
    queries = [(s, rel) for s in c.subjects[:9]]
    norm, raw = model.distributions(queries, {rel: objects})
    lp = model.logprob([f"{s} {r}" for s, r in queries for _ in objects], [f"{o} ." for _ in queries for o in objects])
    np.testing.assert_allclose(np.concatenate(raw), np.exp(lp), rtol=1e-4, atol=1e-9)


def test_fact_correct_equals_greedy_generation(corpus, trained):
    model, _ = trained
    facts = corpus[1].facts
    gen = model.generate([f"{f.subject} {f.relation}" for f in facts], max_new_tokens=6)
    expected = np.array([g == f"{f.object} ." for g, f in zip(gen, facts)])
    np.testing.assert_array_equal(model.fact_correct(facts), expected)
    assert expected.any() and not expected.all()  # both outcomes occur, so the check has teeth


def test_p_true_is_normalised_and_batch_invariant(corpus, trained):
    model, _ = trained
    f = corpus[1].train_facts
    sents = [f"{x.subject} {x.relation} {x.object}" for x in f[:5]]
    sents.append(f"not {f[0].subject} {f[0].relation} {f[0].object}")
    norm, raw = model.p_true(sents, return_raw=True)
    assert ((0 < raw) & (raw <= norm) & (norm < 1)).all()
    np.testing.assert_allclose(model.p_true(sents[:1]), norm[:1], rtol=1e-5)  # padding changes rounding only
    np.testing.assert_allclose(model.p_true([s + " ." for s in sents]), norm, rtol=1e-12)


def test_unknown_words_in_scoring_are_clear_errors(corpus, trained):
    model, _ = trained
    r, objects = next(iter(corpus[1].domains.items()))
    with pytest.raises(lm.VocabularyError, match="Qwertyx"):
        model.distribution("Qwertyx Lee", r, objects)
    with pytest.raises(lm.VocabularyError, match="Qwertyx"):
        model.distribution(corpus[1].subjects[0], r, [*objects, "Qwertyx"])


# ---- editing: invariants shared by the methods ---------------------------------------------------------
# Training edits: the requested object's probability must rise. (In-context editing is a baseline whose
# effect depends on what the LM learned from its corpus; its own test checks what it does.)
METHODS = [
    ("lora", lm.LoraEditConfig(lr=1e-2, steps=20)),
    ("ft", lm.FTEditConfig(layers=(0, 1), lr=3e-3, steps=20)),
]


@pytest.mark.parametrize("method,config", METHODS, ids=[m[0] for m in METHODS])
def test_edit_raises_the_requested_object_and_leaves_the_base_alone(trained, requests, method, config):
    model, _ = trained
    before_state = copy.deepcopy(model.model.state_dict())
    before = _p_obj(model, requests[:1])
    edited = lm.edit(model, method, requests[:1], config)
    assert _p_obj(edited, requests[:1])[0] > before[0]
    # the base model is untouched (no reload needed to reset it)
    after_state = model.model.state_dict()
    assert all(torch.equal(before_state[k], after_state[k]) for k in before_state)
    np.testing.assert_array_equal(_p_obj(model, requests[:1]), before)


@pytest.mark.parametrize("method,config", METHODS, ids=[m[0] for m in METHODS])
def test_batch_and_sequential_edits_raise_every_request(trained, requests, method, config):
    model, _ = trained
    before = _p_obj(model, requests[:3])
    batch = lm.edit(model, method, requests[:3], config)
    assert (_p_obj(batch, requests[:3]) > before).all()
    # sequential: each edit starts from the previous one (a later edit of the same subject may partly
    # undo an earlier one, so only the last is checked), and the result differs from the batch edit
    seq = lm.edit(model, method, requests[:3], config, sequential=True)
    assert _p_obj(seq, requests[2:3])[0] > before[2]
    assert not np.allclose(_p_obj(seq, requests[:3]), _p_obj(batch, requests[:3]))


def test_lora_adapter_disabled_is_the_base_exactly_and_merged_matches(trained, requests):
    model, _ = trained
    edited = lm.edit(model, "lora", requests[:1], lm.LoraEditConfig(lr=1e-2))
    probe = requests[1:4]
    # the adapter does something: P(requested object) grows 100-fold at least (measured: 4e-7 -> 0.02)
    assert (_p_obj(edited, requests[:1]) > 100 * _p_obj(model, requests[:1])).all()
    with edited.peft_model.disable_adapter():
        np.testing.assert_array_equal(_p_obj(edited, probe), _p_obj(model, probe))
    merged = lm.LanguageModel(copy.deepcopy(edited.peft_model).merge_and_unload(), model.tokenizer)
    # merging adds B @ A into the weight: float32 rounding, far below any effect of the edit
    np.testing.assert_allclose(_p_obj(merged, requests), _p_obj(edited, requests), rtol=1e-4)


def test_lora_adapter_saves_and_reloads_offline(trained, requests, tmp_path, monkeypatch):
    model, _ = trained
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    edited = lm.edit(model, "lora", requests[:1], lm.LoraEditConfig(lr=1e-2))
    edited.save_adapter(tmp_path / "adapter")
    again = lm.load_adapter(model, tmp_path / "adapter")
    np.testing.assert_array_equal(_p_obj(again, requests), _p_obj(edited, requests))
    # a saved edited model (merged) reloads through lm.load
    edited.save(tmp_path / "merged")
    np.testing.assert_allclose(_p_obj(lm.load(tmp_path / "merged"), requests), _p_obj(edited, requests), rtol=1e-4)


def test_context_edit_prepends_the_fact(trained, requests):
    model, _ = trained
    s, r, o = requests[0]
    edited = lm.edit(model, "context", [requests[0]])
    assert edited.prefix == f"{s} {r} {o} ." and edited.model is model.model  # no weights copied or changed
    manual = model.logprob([f"{s} {r} {o} . {s} {r}"], [o])
    np.testing.assert_allclose(edited.logprob([f"{s} {r}"], [o]), manual, rtol=1e-12)


def test_edit_errors_change_nothing(trained, requests):
    model, _ = trained
    before = _p_obj(model, requests)
    with pytest.raises(lm.VocabularyError, match="Atlantisx"):
        lm.edit(model, "lora", [(*requests[0][:2], "Atlantisx")])
    with pytest.raises(lm.LMError, match="unknown edit method"):
        lm.edit(model, "grace", requests[:1])
    with pytest.raises(lm.LMError, match="takes a LoraEditConfig"):
        lm.edit(model, "lora", requests[:1], lm.FTEditConfig())
    np.testing.assert_array_equal(_p_obj(model, requests), before)


# configs that do not fit the 2-layer model: refused by lm.edit and lm.edit_many alike, before training
MISFITS = [
    ("lora", lm.LoraEditConfig(layers=(5,)), r"LoraEditConfig.layers \[5\] out of range for a 2-layer model"),
    ("rational", lm.RationalEditConfig(layers=(0, -3)),
     r"RationalEditConfig.layers \[-3\] out of range for a 2-layer model"),
    ("lora", lm.LoraEditConfig(target_modules=("down_proj", "mlp")),
     r"LoraEditConfig.target_modules \['mlp'\] name no Linear module .*'down_proj', 'gate_proj'"),
    ("ft", lm.FTEditConfig(layers=(2,)), r"FTEditConfig.layers \[2\] out of range for a 2-layer model"),
]


@pytest.mark.parametrize("method,config,message", MISFITS, ids=[f"{m[0]} {i}" for i, m in enumerate(MISFITS)])
@pytest.mark.parametrize("how", ["edit", "edit_many"])
def test_edit_config_that_does_not_fit_the_model_is_refused(trained, requests, method, config, message, how):
    model, _ = trained
    with pytest.raises(lm.LMError, match=message):
        getattr(lm, how)(model, method, requests[:1], config)
    with pytest.raises(lm.LMError, match=message):  # the same check, before any model exists
        lm.check_edit_config(config, lm.ModelConfig(**SMALL))


def test_registry_rejects_duplicate_and_malformed_names():
    with pytest.raises(lm.LMError, match="already registered"):  # another function under a taken name
        lm.register_edit_method("lora")(lambda model, requests, config: model)
    lm.register_edit_method("lora", lm.LoraEditConfig, batch=lm.lora_weights)(lm.get_edit_method("lora").fn)  # the same: kept
    with pytest.raises(lm.LMError, match="must match"):
        lm.register_edit_method("Bad Name")
    assert {"lora", "ft", "context"} <= set(lm.edit_methods())


# ---- batched independent edits ------------------------------------------------------------------------
# (method, config, rtol on probabilities). lora: same peft initialisation and AdamW; bmm vs. mm changes
# float32 rounding only. ft: AdamW normalises each weight's step by its gradient's scale, so weights whose
# gradient is near 0 turn rounding noise into steps of up to lr; on full weights there are many (measured:
# the same ft edit trained on its row once or three times over already differs by 1.6e-4 in log-probability,
# the batch by up to 1.4e-3). The RMSNorm weights are included to check their hook.
BATCHED = [
    # float32 training (bf16=False): batched and single edits then differ by float32 rounding only; under
    # bf16 autocast (the default where bf16 is native) the batch shapes round differently, by ~1e-2
    ("lora", lm.LoraEditConfig(lr=1e-2, steps=15, bf16=False), 1e-3),
    ("ft", lm.FTEditConfig(layers=(0, 1), lr=3e-3, steps=20, bf16=False), 1e-2),
    ("ft", lm.FTEditConfig(layers=(0,), modules=("mlp", "layernorm"), lr=3e-3, steps=20, bf16=False), 1e-2),
]


@pytest.mark.parametrize("method,cfg,rtol", BATCHED, ids=["lora", "ft", "ft with norms"])
def test_edit_many_equals_the_one_at_a_time_loop(corpus, trained, requests, method, cfg, rtol):
    model, _ = trained
    c = corpus[1]
    base_before = _p_obj(model, requests)
    many = lm.edit_many(model, method, requests, cfg, chunk_size=4)  # two chunks: 4 + 2
    queries = [(s, r) for s, r, _ in requests]
    for i, r in enumerate(requests):
        single = lm.edit(model, method, [r], cfg)
        for a, b in zip(single.distributions(queries, c.domains)[1], many[i].distributions(queries, c.domains)[1]):
            np.testing.assert_allclose(b, a, rtol=rtol, atol=1e-6)
        np.testing.assert_allclose(_p_obj(many.materialize(i), requests), _p_obj(single, requests), rtol=rtol)
    # row-wise batched scoring == per-edit views
    ids = np.arange(len(requests))
    prompts, objs = [f"{s} {r}" for s, r, _ in requests], [o for _, _, o in requests]
    np.testing.assert_allclose(many.logprob(ids, prompts, objs),
                               [many[i].logprob([p], [o])[0] for i, (p, o) in enumerate(zip(prompts, objs))],
                               rtol=1e-4)
    norm, _ = many.distributions(ids[::-1], queries, c.domains)  # rows mixing edits in another order
    for i, q in zip(ids[::-1], queries):
        np.testing.assert_allclose(norm[len(requests) - 1 - i], many[i].distributions([q], c.domains)[0][0],
                                   rtol=1e-4)
    # the base model is untouched
    np.testing.assert_array_equal(_p_obj(model, requests), base_before)
