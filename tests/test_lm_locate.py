"""lm: ROME and MEMIT (``lm._locate``), their closed forms (``lm._closed_form``) and key statistics (``lm._keys``).

Where the expected numbers come from: ROME's insertion is checked against its definition (Meng et al.
2022, eq. 2: the new ``W`` maps ``k*`` to ``v*``, and any key ``k`` gains ``(v* - W k*) (C^{-1}k*).k /
(C^{-1}k*).k*``), MEMIT's update against its normal equations (Meng et al. 2023, eq. 14), both computed
here with numpy; the key statistics against a plain mean of outer products of keys captured by a separate
forward pass per document. Most tests use an untrained 3-layer model (the mechanics do not need a trained
one); what an edit does to answers is measured on a briefly trained one, and on the default world's model
in ``benchmarks/bench_rome_layers.py`` (docs/editors.md).
"""

import os
from types import SimpleNamespace

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from lm import _locate  # noqa: E402
from lm._closed_form import directions, directions_each  # noqa: E402
from lm._toy import write_toy_corpus  # noqa: E402

SIZE = lm.ModelConfig(d_model=16, n_layers=3, n_heads=2, d_ff=32, max_len=64)
F32 = dict(bf16=False)  # float32 value optimisation: comparisons at float32 rounding


def Request(subject, relation, obj, targets=None, anchors=None):  # noqa: N802 (a request, as bridges gives one)
    """What a caller passes: bridges.EditRequest's fields plus a teacher's beliefs (plain data)."""
    return SimpleNamespace(subject=subject, relation=relation, obj=obj, targets=targets or {}, anchors=anchors or {})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = write_toy_corpus(tmp_path_factory.mktemp("corpus"), n_subjects=20, n_relations=3, seed=3)
    return lm.read_corpus(d), d


@pytest.fixture(scope="module")
def stats(corpus):
    model = lm.LanguageModel.untrained(corpus[1], SIZE)
    return lm.key_statistics(model, corpus[1], layers=[0, 1], contexts=4)


@pytest.fixture(scope="module")
def base(corpus, stats):
    torch.set_num_threads(1)  # tiny matrices: one thread is as fast and leaves a core to the neighbours
    return lm.LanguageModel.untrained(corpus[1], SIZE).with_key_statistics(stats)


@pytest.fixture(scope="module")
def requests(corpus):
    c = corpus[0]
    rels = list(c.domains)
    return [(s, rels[i % len(rels)], c.domains[rels[i % len(rels)]][i]) for i, s in enumerate(c.subjects[:4])]


def _p(model, reqs, domains, batch=None):
    """P(requested object) of each request, normalised over its relation's domain (edit i scores request i)."""
    queries = [(s, r) for s, r, _ in reqs]
    norm = batch.distributions(range(len(reqs)), queries, domains)[0] if batch is not None \
        else model.distributions(queries, domains)[0]
    return np.array([d[list(domains[r]).index(o)] for d, (_, r, o) in zip(norm, reqs)])


def _down(model, layer):
    return model.model.model.layers[layer].mlp.down_proj.weight.detach().double()


def _internals(model, reqs, config, method="rome"):
    """(keys (N, F), site outputs h (N, D), targets z (N, D)) as the edit computes them, from lm's internals."""
    spec = _locate._spec(model, config, method)
    rows = _locate._Rows(model, reqs, config, spec, False)
    with torch.no_grad():
        keys, h = rows.subject_pass(model.model, spec.layers[0], spec.site(model.model))
    return keys[:, 0], h, _locate._values(model, rows, spec, config)


# ---- key statistics -----------------------------------------------------------------------------------------
def test_key_statistics_are_the_mean_outer_product_of_the_keys(corpus, base):
    stats = lm.key_statistics(base, corpus[1], layers=[1], max_tokens=10**6, contexts=0)
    # the oracle: every document read alone ("<eod> text", as scoring reads a prompt), keys captured by a hook
    hf, tok, seen = base.model, base.tokenizer, []
    handle = hf.model.layers[1].mlp.down_proj.register_forward_pre_hook(lambda m, a: seen.append(a[0][0]))
    with torch.no_grad():
        for text in corpus[0].texts:
            hf(input_ids=torch.tensor([[tok.eod_id] + tok.encode([text.replace("<eod>", "").strip()])[0]]))
    handle.remove()
    keys = torch.cat(seen).double().numpy()
    assert stats.n_tokens == len(keys) and stats.layers == (1,)
    # float32 keys from differently shaped batches: equal to float32 rounding
    np.testing.assert_allclose(stats.moments[1], keys.T @ keys / len(keys), rtol=1e-5, atol=1e-9)


def test_key_statistics_keep_corpus_sentences_and_relations(corpus, stats):
    c = corpus[0]
    assert stats.relations == tuple(c.domains) and len(stats.contexts) == 4
    text = " ".join(c.texts)
    assert all(s.endswith(" .") and s in text and not s.startswith('"') for s in stats.contexts)


def test_statistics_round_trip_and_refuse_another_model(corpus, stats, base, tmp_path):
    stats.save(tmp_path / "s")
    again = lm.load_key_statistics(tmp_path / "s", base)
    assert again.layers == stats.layers and again.n_tokens == stats.n_tokens
    assert all(np.array_equal(again.moments[i], stats.moments[i]) for i in stats.layers)  # exact float64
    assert (again.contexts, again.relations, again.fingerprint) == (stats.contexts, stats.relations, stats.fingerprint)
    other = lm.LanguageModel.untrained(corpus[1], SIZE, seed=1)
    with pytest.raises(lm.CheckpointError, match="belong to another model"):
        lm.load_key_statistics(tmp_path / "s", other)
    with pytest.raises(lm.CheckpointError, match="belong to another model"):
        other.with_key_statistics(stats)
    raw = bytearray((tmp_path / "s" / "key_statistics.npz").read_bytes())
    raw[-40] ^= 1
    (tmp_path / "s" / "key_statistics.npz").write_bytes(bytes(raw))
    with pytest.raises(lm.CheckpointError, match="sha256 mismatch"):
        lm.load_key_statistics(tmp_path / "s", base)
    with pytest.raises(lm.CheckpointError, match="key_statistics.json is missing"):
        lm.load_key_statistics(tmp_path, base)


# ---- the closed forms against their definitions ------------------------------------------------------------
def _spd(rng, f):
    a = rng.standard_normal((f, 3 * f))
    return torch.from_numpy(a @ a.T / (3 * f))


def test_closed_forms_solve_their_definitions(rng):
    f, d, n, lam = 12, 5, 3, 0.7
    C = _spd(rng, f)
    K, R = torch.from_numpy(rng.standard_normal((f, n))), torch.from_numpy(rng.standard_normal((d, n)))
    # MEMIT: Delta = R K^T (lam C + K K^T)^{-1}, written with numpy's inverse
    ref = R.numpy() @ K.numpy().T @ np.linalg.inv(lam * C.numpy() + K.numpy() @ K.numpy().T)
    delta = R @ directions(C, K, lam).T
    np.testing.assert_allclose(delta.numpy(), ref, rtol=1e-10, atol=1e-12)
    # ... which solves the normal equations Delta (lam C + K K^T) = R K^T
    np.testing.assert_allclose((delta @ (lam * C + K @ K.T)).numpy(), (R @ K.T).numpy(), rtol=1e-10, atol=1e-12)
    # lam -> 0 with N < F keys: the keys map exactly to their residuals
    np.testing.assert_allclose((R @ directions(C, K, 1e-10).T @ K).numpy(), R.numpy(), atol=1e-7)
    # ROME: lam = 0, one key: Delta k* = r exactly, and Delta C = r k*^T / (k*^T C^{-1} k*) (the minimum-C-norm
    # change: its rows are C^{-1} k* scaled)
    k, r = K[:, :1], R[:, :1]
    rome = r @ directions(C, k, 0.0).T
    np.testing.assert_allclose((rome @ k).numpy(), r.numpy(), rtol=1e-12, atol=1e-12)
    s = (k.numpy().T @ np.linalg.solve(C.numpy(), k.numpy())).item()
    np.testing.assert_allclose((rome @ C).numpy(), (r @ k.T).numpy() / s, rtol=1e-10, atol=1e-12)
    # independent edits, each with its own key first and keys to keep (residual 0), against the joint form
    Ks = torch.from_numpy(rng.standard_normal((4, f, 3)))
    each = directions_each(C, Ks, lam)
    for i in range(4):
        np.testing.assert_allclose(each[i].numpy(), directions(C, Ks[i], lam)[:, 0].numpy(), rtol=1e-10, atol=1e-12)


def test_rome_maps_the_key_to_the_value_and_changes_other_keys_as_predicted(base, requests, rng):
    config = lm.RomeConfig(layer=0, contexts=2, steps=3, **F32)
    key, _, z = _internals(base, requests[:1], config)
    edited = lm.edit(base, "rome", requests[:1], config)
    W, W1 = _down(base, 0), _down(edited, 0)
    k, v = key[0], z[0]  # k*: the key averaged over the bare prompt and 2 contexts; v* = W k* + delta
    # float32 weights: W_new k* = v* to float32 rounding of |W| |k*|
    np.testing.assert_allclose((W1 @ k).numpy(), v.numpy(), atol=1e-5 * float(W.abs().max() * k.abs().sum()))
    u = np.linalg.solve(base.key_statistics.moments[0], k.numpy())  # C^{-1} k*, with numpy
    keys = rng.standard_normal((10, len(k))) * k.abs().mean().item()
    expected = np.outer((v - W @ k).numpy(), keys @ u / (u @ k.numpy()))  # (D, 10)
    np.testing.assert_allclose(((W1 - W) @ torch.from_numpy(keys.T)).numpy(), expected,
                               atol=1e-5 * np.abs(expected).max())  # a float32 difference of float32 weights
    assert torch.equal(_down(edited, 1), _down(base, 1))  # only the edited layer changes


def test_memit_update_solves_its_normal_equations_on_the_model(base, requests):
    lam = 2.0
    config = lm.MemitConfig(layers=(0,), mom2_weight=lam, contexts=1, steps=3, **F32)
    K, h, z = _internals(base, requests, config, "memit")
    edited = lm.edit(base, "memit", requests, config)  # four requests in one update
    delta = (_down(edited, 0) - _down(base, 0)).numpy()
    C, K, R = base.key_statistics.moments[0], K.numpy().T, (z - h).numpy().T  # (F, F), (F, N), (D, N)
    lhs, rhs = delta @ (lam * C + K @ K.T), R @ K.T
    np.testing.assert_allclose(lhs, rhs, atol=1e-5 * np.abs(rhs).max())  # float32 weights


def test_memit_layers_reach_the_target_together(base, requests):
    """lam -> 0, one request: each layer's update interpolates its key, so after the last layer the residual
    stream at the subject's last token is the optimised target z (the residual spread over the layers)."""
    config = lm.MemitConfig(layers=(0, 1), mom2_weight=1e-8, contexts=0, steps=3, **F32)
    _, _, z = _internals(base, requests[:1], config, "memit")
    edited = lm.edit(base, "memit", requests[:1], config)
    _, h_after, _ = _internals(edited, requests[:1], config, "memit")
    np.testing.assert_allclose(h_after.numpy(), z.numpy(), atol=1e-4 * float(z.abs().max()))
    assert not torch.equal(_down(edited, 0), _down(base, 0)) and not torch.equal(_down(edited, 1), _down(base, 1))


# ---- batched = one at a time -------------------------------------------------------------------------------
def _taught(corpus, requests):
    c = corpus[0]
    out = []
    for i, (s, r, o) in enumerate(requests):
        other = next(x for x in c.domains if x != r)
        dom = c.domains[other]
        teacher = {x: 0.7 if x == dom[i] else 0.3 / (len(dom) - 1) for x in dom}
        out.append(Request(s, r, o, {(s, other): teacher}, {(c.subjects[10 + i], r): c.domains[r]}))
    return out


# an untrained model's MLP outputs are small (|v0| ~ 1e-3): a loose clamp lets the edits move the answers
LOOSE = dict(clamp=1e3, weight_decay=0.0, steps=4, **F32)
CONFIGS = [
    ("rome", lm.RomeConfig(layer=1, contexts=2, **LOOSE)),
    ("memit", lm.MemitConfig(layers=(0, 1), mom2_weight=3.0, contexts=1, **LOOSE)),
    ("memit_rational", lm.MemitRationalConfig(layers=(0, 1), mom2_weight=3.0, contexts=1, **LOOSE)),
]


@pytest.mark.parametrize("method,config", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_edit_many_equals_one_at_a_time(corpus, base, requests, method, config):
    reqs = _taught(corpus, requests) if method == "memit_rational" else requests
    domains = corpus[0].domains
    many = lm.edit_many(base, method, reqs, config, chunk_size=3)  # two chunks: 3 + 1
    subjects = [requests[i][0] for i in range(len(reqs))]
    queries = [[(s, x) for x in domains] for s in subjects]  # every relation of the edited subject
    got = [many.distributions([i] * len(q), q, domains)[1] for i, q in enumerate(queries)]
    for i, r in enumerate(reqs):
        want = lm.edit(base, method, [r], config).distributions(queries[i], domains)[1]
        # float32: the same sums in other batch shapes, then Adam steps, whose normalisation can enlarge a
        # rounding difference of a near-zero gradient; measured: at most 2e-6 relative
        for a, b in zip(got[i], want):
            np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-9)
    unedited = [base.distributions(q, domains)[1] for q in queries]
    moved = max(np.abs(a / b - 1).max() for g, u in zip(got, unedited) for a, b in zip(g, u))
    assert moved > 0.05, moved  # the edits did move the answers
    for i in (0, 3):  # a materialised edit scores as its row does
        for a, b in zip(many.materialize(i).distributions(queries[i], domains)[1], got[i]):
            np.testing.assert_allclose(a, b, rtol=1e-5)


def test_on_step_traces_the_value_optimisation(base, requests, corpus):
    config = lm.RomeConfig(layer=0, contexts=0, steps=3, **F32)
    seen = {}
    final = lm.edit_many(base, "rome", requests, config,
                         on_step=lambda k, e: seen.__setitem__(k, _p(None, requests, corpus[0].domains, e)))
    assert sorted(seen) == [1, 2, 3]
    np.testing.assert_allclose(seen[3], _p(None, requests, corpus[0].domains, final), rtol=1e-6)
    two = lm.edit_many(base, "rome", requests, lm.RomeConfig(layer=0, contexts=0, steps=2, **F32))
    np.testing.assert_allclose(seen[2], _p(None, requests, corpus[0].domains, two), rtol=1e-6)


def test_without_beliefs_memit_rational_is_memit_exactly(base, requests):
    cfg = dict(layers=(0, 1), mom2_weight=3.0, contexts=1, steps=3, **F32)
    a = lm.edit_many(base, "memit_rational", [Request(*r) for r in requests], lm.MemitRationalConfig(**cfg))
    b = lm.edit_many(base, "memit", requests, lm.MemitConfig(**cfg))
    assert a.U.keys() == b.U.keys() == {"model.layers.0.mlp.down_proj", "model.layers.1.mlp.down_proj"}
    assert all(torch.equal(a.U[k], b.U[k]) and torch.equal(a.V[k], b.V[k]) for k in b.U)


def test_rome_edits_several_requests_one_after_another(base, requests):
    config = lm.RomeConfig(layer=0, contexts=0, steps=2, **F32)
    both = lm.edit(base, "rome", requests[:2], config)
    chained = lm.edit(lm.edit(base, "rome", requests[:1], config), "rome", requests[1:2], config)
    assert torch.equal(_down(both, 0), _down(chained, 0))
    assert both.key_statistics is base.key_statistics  # the base model's statistics, as the paper's sequence


# ---- on a trained model --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    lm.train_from_corpus(corpus[1], out, d_model=48, n_layers=3, n_heads=4, d_ff=96, max_len=64, epochs=60,
                         batch_size=16, context=32, lr=1e-2, progress=False, eval_every=0, seed=0, compile=False)
    model = lm.load(out)
    return model.with_key_statistics(lm.key_statistics(model, corpus[1], layers=[0]))


def test_edits_raise_the_requested_object_on_a_trained_model(trained, corpus, requests):
    domains = corpus[0].domains
    before = _p(trained, requests, domains)
    for method, config in [("rome", lm.RomeConfig(layer=0, contexts=0, **F32)),
                           ("memit", lm.MemitConfig(layers=(0,), contexts=0, mom2_weight=1.0, **F32))]:
        after = _p(None, requests, domains, lm.edit_many(trained, method, requests, config))
        # a toy model keeps little about a subject at its last token (the default world's model does: ROME's
        # P(o*) there is 0.9, docs/editors.md); measured here: mean log P(o*) up by 6.5 nats (rome), 4.4 (memit)
        assert (after > before).all() and np.log(after / before).mean() > 2.0, (method, before, after)


def test_teacher_targets_pull_the_subjects_other_relations(trained, corpus, requests):
    taught = _taught(corpus, requests)
    domains = corpus[0].domains
    config = dict(layers=(0,), contexts=0, mom2_weight=1.0, **F32)
    plain = lm.edit_many(trained, "memit", requests, lm.MemitConfig(**config))
    rational = lm.edit_many(trained, "memit_rational", taught, lm.MemitRationalConfig(**config))

    def kl(edits):  # KL(teacher || LM) on each request's target pair, written out here
        out = []
        for i, r in enumerate(taught):
            (pair, teacher), = r.targets.items()
            q = edits.distributions([i], [pair], domains)[0][0]
            p = np.array(list(teacher.values()))
            out.append(float(np.sum(p * np.log(p / q))))
        return np.array(out)

    # measured: mean KL(teacher || LM) 6.9 after memit (lora 7.0), 5.0 after memit_rational
    assert kl(rational).mean() < 0.85 * kl(plain).mean(), (kl(rational), kl(plain))


# ---- bad input -----------------------------------------------------------------------------------------------
BAD = [
    ("layer out of range", lambda b, s, r: lm.edit(b, "rome", r, lm.RomeConfig(layer=5)),
     lm.LMError, "RomeConfig.layer 5 out of range for a 3-layer model"),
    ("the top layer", lambda b, s, r: lm.edit(b, "rome", r, lm.RomeConfig(layer=-1)),
     lm.LMError, "RomeConfig.layer ends at the top layer 2 of a 3-layer model"),
    ("range outside the model", lambda b, s, r: lm.edit_many(b, "memit", r, lm.MemitConfig(layers=(0, 7))),
     lm.LMError, r"MemitConfig.layers \[7\] out of range for a 3-layer model"),
    ("range checked before any model", lambda b, s, r: lm.check_edit_config(lm.MemitConfig(layers=(-4, 0)), SIZE),
     lm.LMError, r"MemitConfig.layers \[-4\] out of range"),
    ("no statistics", lambda b, s, r: lm.edit(lm.LanguageModel(b.model, b.tokenizer), "memit", r),
     lm.LMError, "'memit' needs the key statistics of this model"),
    ("statistics without the layer", lambda b, s, r: lm.edit(
        b.with_key_statistics(lm.key_statistics(b, s, layers=[0], contexts=0)), "rome", r, lm.RomeConfig(layer=1)),
     lm.LMError, r"needs the key statistics of layer 1, but they hold layers \[0\]"),
    ("statistics of an unknown layer", lambda b, s, r: lm.key_statistics(b, s, layers=[9]),
     lm.LMError, r"key_statistics layers \[9\] out of range for a 3-layer model"),
    ("lam 0", lambda b, s, r: lm.MemitConfig(mom2_weight=0.0), lm.LMError, "mom2_weight must be positive"),
    ("empty range", lambda b, s, r: lm.MemitConfig(layers=()), lm.LMError, "MemitConfig.layers is empty"),
    ("a float layer", lambda b, s, r: lm.RomeConfig(layer=1.5), lm.LMError, "RomeConfig.layer must be an int"),
    ("lr 0", lambda b, s, r: lm.RomeConfig(lr=0), lm.LMError, "lr and clamp must be positive"),
    ("negative target weight", lambda b, s, r: lm.MemitRationalConfig(target_weight=-1),
     lm.LMError, "MemitRationalConfig.target_weight must be >= 0"),
]


@pytest.mark.parametrize("call,error,message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_names_the_culprit(base, corpus, requests, call, error, message):
    with pytest.raises(error, match=message):
        call(base, corpus[1], requests[:1])


def test_registrations_carry_their_capabilities():
    n = 4
    for name, cls, teacher in [("rome", lm.RomeConfig, False), ("memit", lm.MemitConfig, False),
                               ("memit_rational", lm.MemitRationalConfig, True)]:
        m = lm.get_edit_method(name)
        assert m.config_cls is cls and m.batched and m.many is not None and m.batch is None
        assert m.teacher is teacher and m.prefix is None and m.counterpart is None
        assert m.key_layers(cls(), n) == cls().edited_layers(n)
        assert name in lm.batched_edit_methods()
    assert lm.get_edit_method("rome").key_layers(lm.RomeConfig(layer=-2), n) == (2,)
    assert lm.get_edit_method("lora").key_layers is None and lm.get_edit_method("lora").many is None
    with pytest.raises(lm.LMError, match="not both"):
        lm.register_edit_method("both_doc_test", lm.RomeConfig, batch=lm.lora_weights, many=_locate.rome_many)
