"""The causal LM: a Llama-style decoder built with ``AutoModelForCausalLM.from_config``.

One block, as ``transformers``' Llama implements it (B batch, T tokens, D = ``d_model``, H heads,
F = ``d_ff``, V vocabulary)::

    x: (B, T, D)
    x = x + Attention(RMSNorm(x))      # q, k, v: (B, H, T, D/H), rotary positions, causal softmax
    x = x + MLP(RMSNorm(x))            # down_proj(silu(gate_proj(x)) * up_proj(x)), (B, T, F) inside
    logits = lm_head(RMSNorm(x))       # (B, T, V); lm_head shares the embedding matrix when tied

No dropout and no biases. The presets size the model for the corpus: ``tiny`` memorises the default
world (about 5,000 facts) on 2 CPU cores in minutes; ``paper`` is the seed paper's 83M model (its
32k vocabulary came from a larger corpus; here the vocabulary is the corpus's words).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from transformers import AttentionInterface, AutoModelForCausalLM, LlamaConfig, PreTrainedModel
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, sdpa_mask

from ._errors import LMError
from ._fields import check_types

__all__ = ["ATTENTION", "PRESETS", "ModelConfig", "build_model", "get_preset", "hf_config", "n_params"]

#: The ``attn_implementation`` every model of this package runs with (registered below).
ATTENTION = "lm"


def attention(module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
              attention_mask: torch.Tensor | None, scaling: float, dropout: float = 0.0, **kwargs):
    """Attention as ``transformers`` calls it: PyTorch's SDPA, except when a gradient flows through it.

    Then it is computed as two matmuls and a softmax, which ``torch.compile`` fuses: on CPU, SDPA's
    flash-attention backward took 31% of a ``tiny`` training step (64 ms of 200 ms under bf16, head
    dimension 32, 64 tokens); the explicit form runs the same step 1.4-1.6x faster (measured 2026-11-25 on
    the project's 2-core AMD EPYC; docs/lm.md).
    query: (B, H, Tq, Dh); key, value: (B, H_kv, Tk, Dh); ``attention_mask`` None (causal) or (B, 1, Tq, Tk)
    boolean (True = attend) or additive. Returns (B, Tq, H, Dh) and no attention weights.

    Example:
        >>> q = k = v = torch.randn(1, 2, 3, 4, requires_grad=True)
        >>> out, _ = attention(None, q, k, v, None, scaling=0.5)
        >>> ref, _ = sdpa_attention_forward(None, q, k, v, None, scaling=0.5)
        >>> bool(torch.allclose(out, ref, atol=1e-6)), out.shape
        (True, torch.Size([1, 3, 2, 4]))
    """
    if not (torch.is_grad_enabled() and query.requires_grad):
        return sdpa_attention_forward(module, query, key, value, attention_mask, scaling=scaling,
                                      dropout=dropout, **kwargs)
    groups = query.shape[1] // key.shape[1]  # grouped-query attention: each key/value head serves `groups`
    key, value = key.repeat_interleave(groups, 1), value.repeat_interleave(groups, 1)
    scores = (query @ key.transpose(2, 3)) * scaling  # (B, H, Tq, Tk)
    if attention_mask is None:  # causal, the queries being the last Tq of the Tk positions
        t_q, t_k = scores.shape[-2:]
        attention_mask = torch.ones(t_q, t_k, dtype=torch.bool, device=scores.device).tril(t_k - t_q)
    if attention_mask.dtype == torch.bool:  # finite fill: a fully masked row gives zeros, not NaN
        scores = scores.masked_fill(~attention_mask, torch.finfo(scores.dtype).min)
    else:
        scores = scores + attention_mask
    probs = F.dropout(scores.softmax(-1, dtype=torch.float32).to(query.dtype), dropout,
                      training=getattr(module, "training", False))
    return (probs @ value).transpose(1, 2).contiguous(), None


AttentionInterface.register(ATTENTION, attention)
ALL_MASK_ATTENTION_FUNCTIONS.register(ATTENTION, sdpa_mask)  # masks as SDPA takes them (boolean, or None)


@dataclass(frozen=True)
class ModelConfig:
    """Size of a Llama-style decoder; the vocabulary size comes from the tokenizer.

    Example:
        >>> ModelConfig(d_model=64, n_layers=2, n_heads=4, d_ff=128).head_dim
        16
    """

    d_model: int = 256  # hidden size D
    n_layers: int = 2  # decoder blocks
    n_heads: int = 4  # attention heads; D must be divisible by it
    d_ff: int = 1024  # MLP inner size F (gate/up/down projections)
    n_kv_heads: int | None = None  # grouped-query attention; None = n_heads (plain multi-head)
    max_len: int = 128  # longest sequence (training context and scoring prompts)
    tie_embeddings: bool = True  # lm_head shares the input embedding (fewer parameters, honest 6N FLOPs)
    rope_theta: float = 10_000.0  # rotary position base
    init_std: float = 0.02  # normal init of every weight matrix

    def __post_init__(self):
        check_types(self)
        for name in ("d_model", "n_layers", "n_heads", "d_ff", "max_len"):
            if getattr(self, name) < 1:
                raise LMError(f"ModelConfig.{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.d_model % self.n_heads:
            raise LMError(f"ModelConfig.d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        kv = self.n_kv_heads or self.n_heads
        if kv < 1 or self.n_heads % kv:
            raise LMError(f"ModelConfig.n_heads={self.n_heads} is not divisible by n_kv_heads={kv}")
        if self.init_std <= 0 or self.rope_theta <= 0:
            raise LMError("ModelConfig.init_std and rope_theta must be positive")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads


#: name -> size. ``tiny``: the CPU default (see docs/lm.md for its training figures); ``paper``: hidden 512,
#: FFN 2048, 8 heads, 12 layers, the seed paper's 83M model (with its 32k vocabulary).
PRESETS: dict[str, ModelConfig] = {
    "tiny": ModelConfig(d_model=192, n_layers=4, n_heads=6, d_ff=512),
    "small": ModelConfig(d_model=384, n_layers=6, n_heads=6, d_ff=1536),
    "paper": ModelConfig(d_model=512, n_layers=12, n_heads=8, d_ff=2048, max_len=256),
}


def get_preset(name: str) -> ModelConfig:
    """The :class:`ModelConfig` of a preset; :class:`LMError` listing the presets if unknown.

    Example:
        >>> get_preset("paper").n_layers
        12
    """
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise LMError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}") from None


def hf_config(cfg: ModelConfig, vocab_size: int, pad_id: int, eod_id: int) -> LlamaConfig:
    """The ``transformers`` config for ``cfg``.

    Special-token ids are set explicitly: Llama's defaults lie outside small vocabularies.
    """
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=cfg.d_model, intermediate_size=cfg.d_ff,
        num_hidden_layers=cfg.n_layers, num_attention_heads=cfg.n_heads,
        num_key_value_heads=cfg.n_kv_heads or cfg.n_heads, max_position_embeddings=cfg.max_len,
        rope_theta=cfg.rope_theta, initializer_range=cfg.init_std, tie_word_embeddings=cfg.tie_embeddings,
        attention_bias=False, mlp_bias=False, attention_dropout=0.0, hidden_act="silu",
        pad_token_id=pad_id, bos_token_id=eod_id, eos_token_id=eod_id, use_cache=True,
    )


def build_model(cfg: ModelConfig, vocab_size: int, pad_id: int = 0, eod_id: int = 2,
                seed: int = 0) -> PreTrainedModel:
    """A freshly initialised causal LM; the same ``seed`` gives the same weights.

    Example:
        >>> m = build_model(ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64), vocab_size=50)
        >>> m(torch.zeros(1, 3, dtype=torch.long)).logits.shape
        torch.Size([1, 3, 50])
    """
    config = hf_config(cfg, vocab_size, pad_id, eod_id)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, attn_implementation=ATTENTION, dtype=torch.float32)
    return model


def n_params(model: torch.nn.Module) -> int:
    """Number of distinct parameters (a tied embedding counted once)."""
    return sum(p.numel() for p in model.parameters())


def model_config_dict(cfg: ModelConfig) -> dict:
    return asdict(cfg)
