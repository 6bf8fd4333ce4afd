"""lm: tokenizer, configs, presets, corpus reading, model construction (fast, no training)."""

import json
import os
from types import SimpleNamespace

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: a busy neighbour must not stall threads

import pytest  # noqa: E402
import torch  # noqa: E402

import lm  # noqa: E402
from lm._toy import write_toy_corpus  # noqa: E402

TINY = lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=64)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return write_toy_corpus(tmp_path_factory.mktemp("corpus"), n_subjects=20, n_relations=3, seed=3)


def test_tokenizer_is_deterministic_and_compositional(corpus_dir):
    c = lm.read_corpus(corpus_dir)
    a = lm.train_tokenizer(c.texts, c.names())
    b = lm.train_tokenizer(c.texts, c.names())
    assert a.tokenizer.to_str() == b.tokenizer.to_str() and a.fingerprint() == b.fingerprint()
    assert (a.pad_id, a.unk_id, a.eod_id) == (0, 1, 2)
    texts = [t.replace(" <eod>", "") for t in c.texts[:20]]
    # compositional: encode(x + " " + y) == encode(x) + encode(y), which scoring relies on
    for x in texts:
        cut = x.find(" ", len(x) // 2)
        left, right = x[:cut], x[cut + 1:]
        assert a.encode([x]) == [a.encode([left])[0] + a.encode([right])[0]]
    # quotes and parentheses are tokens of their own
    ids = a.encode(['"not (' + c.subjects[0] + ')" is'])[0]
    assert a.decode(ids) == '" not ( ' + c.subjects[0] + ' ) " is'
    # every name is in the vocabulary, even objects that no sentence mentions
    a.encode(c.names())


def test_unknown_word_is_a_clear_error(corpus_dir):
    c = lm.read_corpus(corpus_dir)
    tok = lm.train_tokenizer(c.texts, c.names())
    with pytest.raises(lm.VocabularyError, match="Zanzibarx"):
        tok.encode(["Zanzibarx ."], "object")


def test_presets_and_config_checks():
    assert set(lm.PRESETS) >= {"tiny", "small", "paper"}
    paper = lm.get_preset("paper")
    assert (paper.d_model, paper.d_ff, paper.n_heads, paper.n_layers) == (512, 2048, 8, 12)
    with pytest.raises(lm.LMError, match="unknown preset 'huge'"):
        lm.get_preset("huge")
    with pytest.raises(lm.LMError, match="divisible"):
        lm.ModelConfig(d_model=30, n_heads=4)
    with pytest.raises(lm.LMError, match="lr"):
        lm.TrainConfig(lr=0)
    with pytest.raises(lm.LMError, match="positive integer"):
        lm.TrainConfig(epochs=0)


def test_edit_configs_check_their_fields():
    # a rational config is a LoRA config plus two weights; each check names its field
    cfg = lm.RationalEditConfig(rank=2, target_weight=0.5)
    assert isinstance(cfg, lm.LoraEditConfig) and cfg.scaling == 0.5 and cfg.locality_weight == 4.0
    with pytest.raises(lm.LMError, match="target_weight"):
        lm.RationalEditConfig(target_weight=-1)
    with pytest.raises(lm.LMError, match="locality_weight"):
        lm.RationalEditConfig(locality_weight=float("nan"))
    with pytest.raises(lm.LMError, match="RationalEditConfig: rank"):
        lm.RationalEditConfig(rank=0)
    with pytest.raises(lm.LMError, match="RationalEditConfig.target_modules"):
        lm.RationalEditConfig(target_modules=())
    with pytest.raises(lm.LMError, match="FTEditConfig: steps must be >= 0 and lr positive"):
        lm.FTEditConfig(lr=0)
    assert not hasattr(lm, "EditRequest")  # one request type in the toolkit: bridges.EditRequest (or tuples)


# one type check for every field of every config, from the type hints: (class, field, value, expected)
BAD_TYPES = [
    (lm.LoraEditConfig, "steps", 2.5, "an int"),
    (lm.LoraEditConfig, "rank", "1", "an int"),
    (lm.LoraEditConfig, "rank", True, "an int"),  # a bool is an int to Python, not here
    (lm.LoraEditConfig, "lr", "5e-3", "a finite float"),
    (lm.LoraEditConfig, "alpha", float("inf"), "a finite float"),
    (lm.LoraEditConfig, "target_modules", "down_proj", "a list or tuple of strs"),  # was split into letters
    (lm.LoraEditConfig, "layers", [0, 1.0], "a list or tuple of ints or None"),
    (lm.LoraEditConfig, "bf16", 1, "a bool (true or false) or None"),
    (lm.RationalEditConfig, "target_weight", "2", "a finite float"),
    (lm.RationalEditConfig, "seed", None, "an int"),
    (lm.FTEditConfig, "layers", 0, "a list or tuple of ints"),
    (lm.FTEditConfig, "modules", ["mlp", 1], "a list or tuple of strs"),
    (lm.ContextEditConfig, "repeats", 2.0, "an int"),
    (lm.TrainConfig, "lr", "abc", "a finite float"),
    (lm.TrainConfig, "epochs", 3.0, "an int"),
    (lm.TrainConfig, "compile", "false", "a bool (true or false)"),
    (lm.TrainConfig, "target_accuracy", float("nan"), "a finite float or None"),
    (lm.TrainConfig, "threads", 1.5, "an int or None"),
    (lm.ModelConfig, "d_model", 64.0, "an int"),
    (lm.ModelConfig, "tie_embeddings", 0, "a bool (true or false)"),
    (lm.ModelConfig, "rope_theta", "1e4", "a finite float"),
]
CONFIGS = [lm.LoraEditConfig, lm.RationalEditConfig, lm.FTEditConfig, lm.ContextEditConfig, lm.TrainConfig,
           lm.ModelConfig]


@pytest.mark.parametrize("cls, field, value, expected", BAD_TYPES,
                         ids=[f"{c.__name__}.{f}={v!r}" for c, f, v, _ in BAD_TYPES])
def test_config_fields_have_strict_types(cls, field, value, expected):
    with pytest.raises(lm.LMError) as err:
        cls(**{field: value})
    assert str(err.value) == f"{cls.__name__}.{field} must be {expected}, got {value!r}"


@pytest.mark.parametrize("cls", CONFIGS, ids=[c.__name__ for c in CONFIGS])
def test_every_config_field_is_type_checked(cls):
    import dataclasses

    for f in dataclasses.fields(cls):
        with pytest.raises(lm.LMError, match=f"^{cls.__name__}.{f.name} must be "):
            cls(**{f.name: object()})


def test_config_types_are_normalised():
    import numpy as np

    cfg = lm.LoraEditConfig(alpha=2, lr=np.float32(0.5), layers=[0], target_modules=["q_proj"], steps=np.int64(3))
    assert (cfg.alpha, cfg.layers, cfg.target_modules, cfg.steps) == (2.0, (0,), ("q_proj",), 3)
    assert type(cfg.alpha) is float and type(cfg.lr) is float and type(cfg.steps) is int
    assert type(lm.TrainConfig(lr=1, target_accuracy=1).target_accuracy) is float
    assert lm.FTEditConfig(layers=[-1], modules=["mlp"]) == lm.FTEditConfig(layers=(-1,))


def test_edit_config_is_checked_against_the_model_size():
    # before any model exists: a pipeline validates its edit configs with the run's ModelConfig
    paper = lm.get_preset("paper")  # 12 layers, built on the meta device
    lm.check_edit_config(lm.LoraEditConfig(layers=(0, 11, -12), target_modules=("q_proj", "mlp.up_proj")), paper)
    lm.check_edit_config(lm.FTEditConfig(layers=(-1,), modules=("self_attn",)), paper)
    lm.check_edit_config(lm.ContextEditConfig(), paper)  # nothing to check against the model
    with pytest.raises(lm.LMError, match=r"LoraEditConfig.layers \[12\] out of range for a 12-layer model"):
        lm.check_edit_config(lm.LoraEditConfig(layers=(12,)), paper)
    with pytest.raises(lm.LMError, match=r"target_modules \['lm_head'\] name no Linear module of the decoder "
                                         r"layers; known: \['down_proj', 'gate_proj', 'k_proj', 'o_proj', "
                                         r"'q_proj', 'up_proj', 'v_proj'\]"):
        lm.check_edit_config(lm.RationalEditConfig(target_modules=("lm_head",)), TINY)
    with pytest.raises(lm.LMError, match=r"FTEditConfig.modules \('ffn',\) match no parameter"):
        lm.check_edit_config(lm.FTEditConfig(modules=("ffn",)), TINY)
    with pytest.raises(lm.LMError, match="LoraEditConfig.layers is empty"):
        lm.LoraEditConfig(layers=())
    with pytest.raises(lm.LMError, match="takes an lm.ModelConfig, got str"):
        lm.check_edit_config(lm.LoraEditConfig(), "tiny")


@pytest.mark.parametrize("name,params_million", [("paper", 83.0)])
def test_paper_preset_has_the_seed_papers_size(name, params_million):
    # the seed paper's 83M counts a 32k vocabulary; 12 layers x (4 x 512^2 + 3 x 512 x 2048) = 50.3M
    # plus 32k x 512 embeddings and the same again untied = 83.9M. Built on the meta device: no memory.
    cfg = lm.get_preset(name)
    with torch.device("meta"):
        model = lm.build_model(lm.ModelConfig(**{**cfg.__dict__, "tie_embeddings": False}), vocab_size=32_000)
    assert abs(lm.n_params(model) / 1e6 - params_million) < 1.5


def test_same_seed_same_weights():
    a = lm.build_model(TINY, vocab_size=50, seed=7)
    b = lm.build_model(TINY, vocab_size=50, seed=7)
    c = lm.build_model(TINY, vocab_size=50, seed=8)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


@pytest.mark.parametrize("masked", [False, True], ids=["causal", "padding mask"])
def test_training_attention_matches_sdpa_in_values_and_gradients(masked):
    # lm's attention computes the autograd case explicitly (faster backward on CPU); it must be the same
    # function as SDPA. float32 throughout; 1e-5 bounds the reassociation error of 64-term sums of O(1) terms.
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    from lm._model import attention

    g = torch.Generator().manual_seed(0)
    q = torch.randn(2, 4, 5, 8, generator=g)
    k, v = torch.randn(2, 2, 5, 8, generator=g), torch.randn(2, 2, 5, 8, generator=g)  # 2 kv heads: GQA
    mask = None
    if masked:  # row 1 has two left-padding positions; every query still sees itself
        keep = torch.tensor([[True] * 5, [False, False, True, True, True]])
        mask = (torch.ones(5, 5, dtype=torch.bool).tril() & keep[:, None, :]) | torch.eye(5, dtype=torch.bool)
        mask = mask[:, None]
    outs, grads = [], []
    for fn in (attention, sdpa_attention_forward):
        qkv = [t.clone().requires_grad_() for t in (q, k, v)]
        module = SimpleNamespace(num_key_value_groups=2, is_causal=True, training=True)  # as LlamaAttention
        out, _ = fn(module, *qkv, mask, scaling=8 ** -0.5)
        out.pow(2).sum().backward()
        outs.append(out)
        grads.append([t.grad for t in qkv])
    assert outs[0].shape == (2, 5, 4, 8)
    torch.testing.assert_close(outs[0], outs[1], atol=1e-5, rtol=0)
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)


def test_document_mask_gives_a_packed_document_the_context_of_a_question():
    # Under the mask, a document packed after another one gets the logits it gets alone after <eod> (how
    # prompts are scored); without it, the earlier document leaks in. RoPE makes attention depend on
    # relative positions only; the shift of 4 positions changes float32 rounding in the rotations,
    # bounded by 1e-4 on logits of magnitude < 10.
    from lm._train import document_mask

    model = lm.build_model(TINY, vocab_size=50, pad_id=1, eod_id=0, seed=3).train()
    first, second = [7, 8, 9, 0], [0, 11, 12, 13, 14]  # the first ends with <eod>, where the second starts
    packed = torch.tensor([first + second[1:]])
    alone = torch.tensor([second])
    ref = model(input_ids=alone, attention_mask=document_mask(alone, 0)).logits[0]
    masked = model(input_ids=packed, attention_mask=document_mask(packed, 0)).logits[0, 3:]
    leaky = model(input_ids=packed).logits[0, 3:]
    torch.testing.assert_close(masked, ref, atol=1e-4, rtol=0)
    assert (leaky - ref).abs().max() > 1e-2


CORRUPTIONS = [
    ("missing metadata", lambda d: (d / "metadata.json").unlink(), "metadata.json is missing"),
    ("bad json line", lambda d: (d / "corpus.jsonl").write_text('{"text": "a ."}\nnot json\n'), r"corpus.jsonl:2"),
    ("no text", lambda d: (d / "corpus.jsonl").write_text('{"txt": "a ."}\n'), "text"),
    ("bad metadata", lambda d: (d / "metadata.json").write_text(json.dumps({"format_version": 1, "graph": {}})),
     "graph.relations"),
    ("other format version", lambda d: (d / "metadata.json").write_text(json.dumps({"format_version": 2})),
     "unsupported corpus format_version 2"),
    ("empty corpus", lambda d: (d / "corpus.jsonl").write_text(""), "holds no documents"),
]


@pytest.mark.parametrize("name,corrupt,message", CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_bad_corpus_is_a_clear_error(tmp_path, name, corrupt, message):
    d = write_toy_corpus(tmp_path / "c", n_subjects=3, n_relations=1)
    corrupt(d)
    with pytest.raises(lm.LMError, match=message):
        lm.read_corpus(d)


def test_toy_corpus_matches_the_format(corpus_dir):
    c = lm.read_corpus(corpus_dir)
    assert all(t.endswith(" <eod>") for t in c.texts)
    heldout = {(f.subject, f.relation, f.object) for f in c.heldout_facts}
    text = " ".join(c.texts)
    # held-out facts never appear in the text (as mentions or inside statements)
    assert heldout and not any(f"{s} {r} {o}" in text for s, r, o in heldout)
    assert len(c.facts) == len(c.subjects) * len(c.domains)
