"""lm: the ``rational`` edit method (LoRA trained on the edit and a teacher's beliefs), single and batched.

The world of the toy corpus has two relations, ``country of citizenship`` and ``continent`` (which
depends on the country). Every request changes a subject's country; its teacher says where the
continent should go (0.8 on one continent, the rest uniform) and its anchors are other subjects' pairs.
"""

import dataclasses
import os
from dataclasses import dataclass, field

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from lm._toy import write_toy_corpus  # noqa: E402

SMALL = dict(d_model=64, n_layers=2, n_heads=4, d_ff=128, max_len=64)
TRAIN = dict(epochs=60, batch_size=16, context=32, lr=1e-2, progress=False, eval_every=0, seed=0, compile=False)
# The test model (d_model 64, 2 layers) needs a larger lr than the tiny model's default 5e-3: a lora edit
# reaches the argmax from 1e-2 (test_lm_model.py); a rational edit shares its rank-1 adapter (384
# weights) between the edit, its target and its anchors: with the default weights the requested object
# became the argmax in 2, 4 and 6 of the 6 requests below at lr 1e-2, 2e-2 and 3e-2.
LR = 3e-2
COUNTRY, CONTINENT = "country of citizenship", "continent"


@dataclass(frozen=True)
class Request:
    """What a caller passes: bridges.EditRequest's fields plus the teacher's beliefs (plain data)."""

    subject: str
    relation: str
    obj: str
    targets: dict = field(default_factory=dict, hash=False)
    anchors: dict = field(default_factory=dict, hash=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = write_toy_corpus(tmp_path_factory.mktemp("corpus"), n_subjects=30, n_relations=2, seed=5)
    return lm.read_corpus(d), d


@pytest.fixture(scope="module")
def model(corpus, tmp_path_factory):
    torch.set_num_threads(1)  # tiny matrices: one thread is as fast and leaves a core to the neighbours
    out = tmp_path_factory.mktemp("run")
    lm.train_from_corpus(corpus[1], out, **SMALL, **TRAIN)
    return lm.load(out)


@pytest.fixture(scope="module")
def requests(corpus):
    c = corpus[0]
    truth = {(f.subject, f.relation): f.object for f in c.facts}
    countries, continents = c.domains[COUNTRY], c.domains[CONTINENT]
    out = []
    for i, s in enumerate(c.subjects[:6]):
        obj = countries[(countries.index(truth[(s, COUNTRY)]) + 1 + i) % len(countries)]
        moved = continents[(continents.index(truth[(s, CONTINENT)]) + 1) % len(continents)]
        teacher = {o: 0.8 if o == moved else 0.2 / (len(continents) - 1) for o in continents}
        others = c.subjects[10 + 2 * i:12 + 2 * i]
        anchors = {(t, r): c.domains[r] for t in others for r in (COUNTRY, CONTINENT)}
        out.append(Request(s, COUNTRY, obj, {(s, CONTINENT): teacher}, anchors))
    return out


def _kl(p, q):
    """KL(p || q) in nats, written out here (not lm's code): sum over p > 0 of p log(p / q)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return float(np.sum(p[p > 0] * np.log(p[p > 0] / q[p > 0])))


def _plain(r):
    return (r.subject, r.relation, r.obj)


def _adapter(edited):
    return {k: v for k, v in edited.peft_model.state_dict().items() if "lora_" in k}


# ---- the method without beliefs is lora, exactly --------------------------------------------------------
CASES = [
    ("tuple request, default weights", _plain, lm.RationalEditConfig(lr=LR)),
    ("object without targets or anchors", lambda r: Request(*_plain(r)), lm.RationalEditConfig(lr=LR)),
    ("beliefs with both weights 0", lambda r: r, lm.RationalEditConfig(lr=LR, target_weight=0, locality_weight=0)),
]


@pytest.mark.parametrize("make,config", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_without_beliefs_rational_is_lora_exactly(model, requests, make, config):
    lora_config = lm.LoraEditConfig(**{k: getattr(config, k) for k in lm.LoraEditConfig.__dataclass_fields__})
    a = _adapter(lm.edit(model, "rational", [make(requests[0])], config))
    b = _adapter(lm.edit(model, "lora", [_plain(requests[0])], lora_config))
    assert a.keys() == b.keys() and a
    assert all(torch.equal(a[k], b[k]) for k in a)  # the same computation: equal, not close
    many = lm.edit_many(model, "rational", [make(r) for r in requests[:3]], config)
    ref = lm.edit_many(model, "lora", [_plain(r) for r in requests[:3]], lora_config)
    assert all(torch.equal(many.A[k], ref.A[k]) and torch.equal(many.B[k], ref.B[k]) for k in ref.A)


# ---- the loss -------------------------------------------------------------------------------------------
def test_loss_equals_plain_teacher_forcing_in_value_and_gradient(model, requests):
    """The packed prefix-tree loss against the formula written with one plain causal pass per candidate."""
    from lm._edit import _peft, trainable_copy
    from lm._objective import Objective, training_view

    r = requests[0]
    config = lm.RationalEditConfig(target_weight=1.5, locality_weight=0.7)
    peft_model = _peft(trainable_copy(model), config)
    hf = peft_model.get_base_model()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    with torch.no_grad():  # a non-zero adapter, so that the anchors' KL and its gradient are not 0
        for p in params:
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())) * 0.3)
    loss = Objective(training_view(model, hf), model, [r], np.zeros(1, dtype=np.int64), 1.5, 0.7)()
    grads = torch.autograd.grad(loss, params)

    tok = model.tokenizer

    def logprob(net, prompt, cont):  # log P(cont | <eod> prompt) by plain teacher forcing
        p, c = [tok.eod_id] + tok.encode([prompt])[0], tok.encode([cont])[0]
        lp = net(input_ids=torch.tensor([p + c])).logits[0].float().log_softmax(-1)
        return sum(lp[len(p) - 1 + i, t] for i, t in enumerate(c))

    def log_dist(net, pair, cands):  # normalised over the candidates, each followed by " ."
        s = torch.stack([logprob(net, f"{pair[0]} {pair[1]}", f"{o} .") for o in cands]).double()
        return s - torch.logsumexp(s, 0)

    obj_tokens = len(tok.encode([r.obj])[0])
    ref = -logprob(hf, f"{r.subject} {r.relation}", r.obj) / obj_tokens
    (pair, teacher), = r.targets.items()
    p = torch.tensor(list(teacher.values()), dtype=torch.float64)
    ref = ref + 1.5 * (p * (p.log() - log_dist(hf, pair, list(teacher)))).sum()
    anchor_kl = []
    for pair, cands in r.anchors.items():
        with torch.no_grad():
            base = log_dist(model.model, pair, cands).exp()
        anchor_kl.append((base * (base.log() - log_dist(hf, pair, cands))).sum())
    ref = ref + 0.7 * torch.stack(anchor_kl).mean()
    ref_grads = torch.autograd.grad(ref, params)
    # tree mask vs. plain causal passes: float32 rounding of the same sums (scores are O(10) nats)
    torch.testing.assert_close(loss.double(), ref.double(), rtol=1e-5, atol=1e-5)
    for g, h in zip(grads, ref_grads):
        torch.testing.assert_close(g.float(), h.float(), rtol=1e-4, atol=1e-5)


# ---- what the method does on a trained model ------------------------------------------------------------
def _report(model, edited, requests, domains):
    """Per request: requested object is the argmax, KL(teacher || LM) on the target, mean anchor KL."""
    ok, kl_t, kl_a = [], [], []
    for r, e in zip(requests, edited):
        (pair, teacher), = r.targets.items()
        norm, _ = e.distributions([(r.subject, r.relation), pair, *r.anchors], domains)
        ok.append(domains[r.relation][int(np.argmax(norm[0]))] == r.obj)
        kl_t.append(_kl(list(teacher.values()), norm[1]))
        base, _ = model.distributions(list(r.anchors), domains)
        kl_a.append(np.mean([_kl(b, q) for b, q in zip(base, norm[2:])]))
    return np.array(ok), np.array(kl_t), np.array(kl_a)


def test_targets_move_toward_the_teacher_and_the_edit_still_succeeds(model, corpus, requests):
    domains = corpus[0].domains
    lora = [lm.edit(model, "lora", [_plain(r)], lm.LoraEditConfig(lr=LR)) for r in requests]
    # weights 1 on this 0.1M-parameter test model (the defaults, 2 and 3, are tuned on the tiny model of the
    # default world; here target weight 2 leaves one of the six requested objects short of the argmax)
    rational = [lm.edit(model, "rational", [r], lm.RationalEditConfig(lr=LR, target_weight=1.0, locality_weight=1.0))
                for r in requests]
    ok_l, kl_l, _ = _report(model, lora, requests, domains)
    ok_r, kl_r, _ = _report(model, rational, requests, domains)
    _, kl_0, _ = _report(model, [model] * len(requests), requests, domains)
    # measured: argmax 6/6 for both; mean KL(teacher || LM) 5.8 before, 3.6 after lora, 0.19 after rational
    assert ok_l.all() and ok_r.all()
    assert kl_r.mean() < 0.2 * kl_l.mean() and kl_r.mean() < 0.1 * kl_0.mean(), (kl_0, kl_l, kl_r)
    for r, e in zip(requests, rational):  # the teacher's favourite continent is the LM's, for every edit
        (pair, teacher), = r.targets.items()
        norm, _ = e.distributions([pair], domains)
        assert domains[CONTINENT][int(np.argmax(norm[0]))] == max(teacher, key=teacher.get)


def test_anchors_keep_the_unedited_answers(model, corpus, requests):
    domains = corpus[0].domains
    free = [lm.edit(model, "rational", [r], lm.RationalEditConfig(lr=LR, locality_weight=0)) for r in requests]
    held = [lm.edit(model, "rational", [r], lm.RationalEditConfig(lr=LR)) for r in requests]
    _, _, kl_free = _report(model, free, requests, domains)
    _, _, kl_held = _report(model, held, requests, domains)
    # measured mean KL(unedited || edited) over the anchors: 1.9 without the term, 0.16 with it (lora: 3.2)
    assert kl_held.mean() < 0.25 * kl_free.mean(), (kl_free, kl_held)


# ---- batched --------------------------------------------------------------------------------------------
def test_edit_many_equals_the_one_at_a_time_loop(model, corpus, requests):
    domains = corpus[0].domains
    config = lm.RationalEditConfig(lr=LR, steps=15, bf16=False)  # float32: batched == single to rounding
    reqs = requests[:5]
    many = lm.edit_many(model, "rational", reqs, config, chunk_size=3)  # two chunks: 3 + 2
    assert isinstance(many, lm.EditBatch) and many.config is config
    queries = [(r.subject, rel) for r in reqs for rel in (COUNTRY, CONTINENT)] + list(reqs[0].anchors)
    for i, r in enumerate(reqs):
        single = lm.edit(model, "rational", [r], config)
        # same peft initialisation, same loss per edit and elementwise AdamW; bmm vs. mm and another
        # batch composition change float32 rounding only (the lora batch test's tolerance; measured
        # differences are 200 times smaller)
        for a, b in zip(single.distributions(queries, domains)[1], many[i].distributions(queries, domains)[1]):
            np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-6)
        for a, b in zip(single.distributions(queries, domains)[1],
                        many.materialize(i).distributions(queries, domains)[1]):
            np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-6)



def test_on_step_sees_what_a_shorter_edit_gives(model, corpus, requests):
    """One run traced step by step: the edits after step k are those of a k-step run, bit for bit (the
    learning rate is constant, and scoring inside the callback changes nothing)."""
    domains = corpus[0].domains
    config = lm.RationalEditConfig(lr=LR, steps=6, bf16=False)
    reqs = requests[:3]
    queries = [(r.subject, rel) for r in reqs for rel in (COUNTRY, CONTINENT)]
    rows = [i for i in range(len(reqs)) for _ in (COUNTRY, CONTINENT)]
    seen = {}
    full = lm.edit_many(model, "rational", reqs, config,
                        on_step=lambda k, e: seen.setdefault(k, e.distributions(rows, queries, domains)[1]))
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]
    for k in (2, 6):
        short = lm.edit_many(model, "rational", reqs, dataclasses.replace(config, steps=k))
        for a, b in zip(seen[k], short.distributions(rows, queries, domains)[1]):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(seen[6], full.distributions(rows, queries, domains)[1]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(lm.LMError, match="one chunk"):
        lm.edit_many(model, "rational", reqs, config, chunk_size=2, on_step=lambda k, e: None)

# ---- errors ---------------------------------------------------------------------------------------------
BAD = [
    ("probabilities", lambda r: Request(*_plain(r), targets={(r.subject, CONTINENT): {"x": 0.5}}),
     lm.LMError, r"targets\[\(.*'continent'\)\].*sum to 1"),
    ("negative", lambda r: Request(*_plain(r), targets={(r.subject, CONTINENT): {"a": 1.5, "b": -0.5}}),
     lm.LMError, "non-negative"),
    ("pair", lambda r: Request(*_plain(r), targets={r.subject: {"a": 1.0}}), lm.LMError, "tuple"),
    ("anchor", lambda r: Request(*_plain(r), anchors={(r.subject, CONTINENT): "Asia"}), lm.LMError,
     r"anchors\[.*sequence"),
    ("word", lambda r: Request(*_plain(r), anchors={(r.subject, CONTINENT): ["Atlantisx"]}),
     lm.VocabularyError, "Atlantisx"),
]


@pytest.mark.parametrize("make,error,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
@pytest.mark.parametrize("batched", [False, True], ids=["edit", "edit_many"])
def test_malformed_beliefs_are_clear_errors(model, requests, make, error, message, batched):
    bad = make(requests[0])
    with pytest.raises(error, match=message):
        if batched:
            lm.edit_many(model, "rational", [requests[1], bad])
        else:
            lm.edit(model, "rational", [bad])


def test_requests_and_configs_are_checked(model, requests):
    with pytest.raises(lm.LMError, match="neither an object with subject, relation and obj"):
        lm.edit(model, "rational", [("only", "two")])
    with pytest.raises(lm.LMError, match="must be strings"):
        lm.edit_many(model, "lora", [(requests[0].subject, COUNTRY, 3)])
    with pytest.raises(lm.LMError, match="takes a LoraEditConfig, got RationalEditConfig"):
        lm.edit(model, "lora", [_plain(requests[0])], lm.RationalEditConfig())
    with pytest.raises(lm.LMError, match="edit_many makes the edits of methods registered with batch= or many="):
        lm.edit_many(model, "context", [_plain(requests[0])])
