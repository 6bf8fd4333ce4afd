"""Training from scratch on a corpus directory: one function, resumable, single-process or ``torchrun``.

``train_from_corpus`` runs these steps:

1. join the process group if launched by ``torchrun`` (gloo on CPU, nccl on GPU);
2. read the corpus and train the tokenizer (deterministic, so every process gets the same one);
3. build the model from the preset, or restore model, optimizer, RNG and position from
   ``out_dir/checkpoint`` (refusing a checkpoint of another corpus or configuration);
4. every epoch, shuffle the documents (seeded by epoch), pack them into one token stream, cut it into
   sequences of ``context + 1`` tokens (or, with ``packing="documents"``, fill each sequence with whole
   documents and pad it), shuffle those, and take optimizer steps on batches of them
   (AdamW, linear warmup then cosine decay, gradient clipping); each process takes its slice of a batch.
   Attention stays inside a document (:func:`document_mask`), as when the model is asked a question.
   A document the corpus marks ``"once"`` (about people who appear nowhere else) is in the stream of
   one epoch only (:func:`read_epochs`): the LM reads it once in its whole training.
   The step runs under ``torch.compile`` (falling back to eager with a warning if compilation fails),
   with deterministic kernels, and under bf16 autocast where the hardware has native bf16;
5. after every ``eval_every`` epochs, measure greedy generative accuracy on a fixed sample of training
   facts and write a checkpoint atomically;
6. measure accuracy on all training and held-out facts; write ``out_dir/model`` and
   ``out_dir/metrics.json`` atomically.

The learning rate is a pure function of the step, and the data order a pure function of (seed, epoch),
so a run resumed from a checkpoint continues exactly where the interrupted one stopped. So does a run that
stopped early at ``target_accuracy``, resumed with a higher target or none: its weights are then those of
an uninterrupted run with the new target (the schedule depends on ``epochs``, not on the target).
"""

from __future__ import annotations

import math
import os
import random
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from tqdm.auto import tqdm

from ._checkpoint import atomic_dir, atomic_json, complete_dir
from ._corpus import read_corpus
from ._errors import CheckpointError, LMError
from ._fields import check_types
from ._model import ModelConfig, build_model, get_preset, n_params
from ._score import LM_CONFIG_FILE, LanguageModel, load_weights, quiet
from ._tokenizer import train_tokenizer

__all__ = ["TrainConfig", "bf16_native", "make_optimizer", "read_epochs", "train_from_corpus", "train_step"]

_STATE_FILE = "trainer_state.pt"


@dataclass(frozen=True)
class TrainConfig:
    """How to train; the defaults memorise the default world with the ``tiny`` preset (see docs/lm.md).

    Example:
        >>> TrainConfig(epochs=2).lr
        0.003
    """

    epochs: int = 6  # passes over the corpus (the default corpus states each item of evidence 8 times per pass)
    batch_size: int = 32  # sequences per optimizer step, summed over processes
    context: int = 64  # tokens per training sequence (at most the model's max_len)
    lr: float = 3e-3  # peak learning rate
    min_lr_ratio: float = 0.1  # the cosine decays to lr * min_lr_ratio
    warmup: float = 0.05  # fraction of the steps with linear warmup
    weight_decay: float = 0.0  # AdamW decoupled weight decay (facts are memorised; decay only forgets)
    beta2: float = 0.98  # AdamW second-moment decay (beta1 is 0.9)
    grad_clip: float = 1.0  # max global gradient norm (0: no clipping)
    doc_mask: bool = True  # attention stays inside a document (see document_mask); False: across the stream
    seed: int = 0  # weights, data order and evaluation sample
    bf16: bool | None = None  # bf16 autocast of the forward pass (weights, optimizer, loss stay float32);
    # None: on where the hardware computes bf16 natively (see bf16_native), which is faster there
    compile: bool = True  # torch.compile the training step (~1.25x on CPU after a 5-30 s first step)
    eval_every: int = 1  # epochs between accuracy evaluations and checkpoints (0: at the end only)
    eval_facts: int = 1000  # training facts sampled for the periodic evaluation (0: all)
    checkpoint_every: int = 0  # also checkpoint every this many steps (0: only at evaluations)
    target_accuracy: float | None = None  # stop after an evaluation reaching this accuracy (None: never); a run
    # that stopped early and is resumed with a target above the accuracy it stopped at trains on
    threads: int | None = None  # torch threads per process (None: as set; under torchrun cores / processes)
    progress: bool = True  # tqdm progress bar with loss and tokens/s (rank 0 only)
    once_epochs: int = 0  # documents read once are spread over all epochs (0), the first n (n > 0) or the
    #                      last -n (n < 0)
    once_weight: float = 1.0  # weight of the loss on the tokens of documents read once (the others: 1)
    packing: str = "stream"  # "stream": documents end to end, cut every `context` tokens (a document may
    # straddle two sequences, its second part then not seeing its first); "documents": whole documents per
    # sequence (first fit; one longer than the context is cut), the rest padded (no loss on padding)

    def __post_init__(self):
        check_types(self)
        for name in ("epochs", "batch_size", "context"):
            if getattr(self, name) < 1:
                raise LMError(f"TrainConfig.{name} must be a positive integer, got {getattr(self, name)!r}")
        if not self.lr > 0:
            raise LMError(f"TrainConfig.lr must be positive, got {self.lr!r}")
        if not (0 <= self.min_lr_ratio <= 1 and 0 <= self.warmup < 1 and 0 <= self.beta2 < 1):
            raise LMError("TrainConfig: min_lr_ratio must be in [0, 1], warmup and beta2 in [0, 1)")
        if self.weight_decay < 0 or self.grad_clip < 0 or self.eval_every < 0 or self.eval_facts < 0 \
                or self.checkpoint_every < 0:
            raise LMError("TrainConfig: weight_decay, grad_clip, eval_every, eval_facts and "
                          "checkpoint_every must be non-negative")
        if self.target_accuracy is not None and not 0 < self.target_accuracy <= 1:
            raise LMError(f"TrainConfig.target_accuracy must be in (0, 1], got {self.target_accuracy!r}")
        if self.threads is not None and self.threads < 1:
            raise LMError(f"TrainConfig.threads must be positive, got {self.threads!r}")
        if not isinstance(self.once_epochs, int) or isinstance(self.once_epochs, bool) \
                or not -self.epochs <= self.once_epochs <= self.epochs:
            raise LMError(f"TrainConfig.once_epochs must be an integer in [-epochs, epochs], got {self.once_epochs!r}")
        if not self.once_weight > 0:
            raise LMError(f"TrainConfig.once_weight must be positive, got {self.once_weight!r}")
        if self.packing not in ("stream", "documents"):
            raise LMError(f'TrainConfig.packing must be "stream" or "documents", got {self.packing!r}')

    def lr_at(self, step: int, total: int) -> float:
        """Learning rate at ``step`` (0-based) of ``total``: linear warmup, then cosine to the floor."""
        warm = max(1, round(self.warmup * total))
        if step < warm:
            return self.lr * (step + 1) / warm
        progress = (step - warm) / max(1, total - warm)
        return self.lr * (self.min_lr_ratio + (1 - self.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))

    def affects_weights(self) -> dict:
        """The settings a resumed run must share with the interrupted one."""
        skip = {"eval_every", "eval_facts", "checkpoint_every", "threads", "progress", "target_accuracy",
                "compile"}
        return {k: v for k, v in asdict(self).items() if k not in skip}


def _split_overrides(overrides: dict) -> tuple[dict, dict]:
    train_names = {f.name for f in fields(TrainConfig)}
    model_names = {f.name for f in fields(ModelConfig)}
    unknown = sorted(set(overrides) - train_names - model_names)
    if unknown:
        raise LMError(f"unknown settings {unknown}; TrainConfig has {sorted(train_names)}, "
                      f"ModelConfig has {sorted(model_names)}")
    return ({k: v for k, v in overrides.items() if k in train_names},
            {k: v for k, v in overrides.items() if k in model_names})


def read_epochs(once: tuple[bool, ...] | list[bool], cfg: TrainConfig) -> np.ndarray | None:
    """The epoch in which each document is read: -1 (every epoch) for most; for the documents marked
    ``once``, one epoch each, spread evenly in a random order (a pure function of the seed) over the
    epochs that ``cfg.once_epochs`` names. None when no document is marked.

    Example:
        >>> read_epochs([False, True, True, True], TrainConfig(epochs=3)).tolist()
        [-1, 0, 2, 1]
        >>> read_epochs([False, True, True, True], TrainConfig(epochs=3, once_epochs=-1)).tolist()
        [-1, 2, 2, 2]
    """
    once = np.asarray(once, bool)
    if not once.any():
        return None
    epochs = np.full(once.size, -1, np.int64)
    idx = np.flatnonzero(once)
    rng = np.random.default_rng([cfg.seed, 3 << 20])
    n = cfg.once_epochs
    span, first = (cfg.epochs, 0) if n == 0 else (n, 0) if n > 0 else (-n, cfg.epochs + n)
    epochs[idx] = first + rng.permutation(idx.size) % span
    return epochs


def _pack_documents(docs: list[np.ndarray], order: np.ndarray, length: int, eod_id: int, pad_id: int,
                    open_bins: int = 32) -> np.ndarray:
    """(n, length) sequences, each ``<eod>`` (the context a document starts from) then whole documents in
    ``order`` (first fit over ``open_bins`` open sequences), padded with ``pad_id``; a document longer than a
    sequence is cut into pieces that each fill one (as ``"stream"`` packing cuts it). On the default world
    with 12,000 one-off people at 129 tokens, padding is 7.6% of the tokens with 8 open sequences, 4.1% with
    32 and 2.9% with 128 (0.1, 0.1 and 0.6 s per epoch)."""
    bins: list[list[np.ndarray]] = []  # open sequences
    room: list[int] = []
    done: list[list[np.ndarray]] = []
    pieces = (docs[i][j:j + length - 1] for i in order.tolist() for j in range(0, len(docs[i]), length - 1))
    for d in pieces:
        for b in range(len(bins)):
            if room[b] >= d.size:
                bins[b].append(d)
                room[b] -= d.size
                break
        else:
            if len(bins) == open_bins:  # close the fullest
                b = int(np.argmin(room))
                done.append(bins.pop(b))
                room.pop(b)
            bins.append([d])
            room.append(length - 1 - d.size)
    done += bins
    out = np.full((len(done), length), pad_id, np.int64)
    out[:, 0] = eod_id
    for row, parts in zip(out, done):
        seq = np.concatenate(parts)
        row[1:1 + seq.size] = seq
    return out


def _batches(docs: list[np.ndarray], cfg: TrainConfig, epoch: int, read_in: np.ndarray | None = None,
             eod_id: int = 2, pad_id: int = 0) -> torch.Tensor:
    """(steps, batch_size, context + 1) token ids for one epoch: a pure function of (seed, epoch).

    ``read_in`` (:func:`read_epochs`) leaves out the documents read in another epoch. ``"stream"`` packing
    drops the last sequences that do not fill a batch; ``"documents"`` packing keeps every document and
    fills the last batch with padding rows."""
    rng = np.random.default_rng([cfg.seed, epoch])
    index = np.arange(len(docs)) if read_in is None else np.flatnonzero((read_in == -1) | (read_in == epoch))
    order = index[rng.permutation(index.size)]
    if cfg.packing == "documents":
        seqs = _pack_documents(docs, order, cfg.context + 1, eod_id, pad_id)
        n = len(seqs)
        steps = -(-n // cfg.batch_size)
        seqs = np.concatenate([seqs[rng.permutation(n)],
                               np.full((steps * cfg.batch_size - n, cfg.context + 1), pad_id, np.int64)])
        return torch.from_numpy(seqs).view(steps, cfg.batch_size, cfg.context + 1)
    stream = np.concatenate([docs[i] for i in order])
    n = (len(stream) - 1) // cfg.context
    seqs = np.lib.stride_tricks.sliding_window_view(stream, cfg.context + 1)[::cfg.context][:n]
    steps = n // cfg.batch_size
    seqs = seqs[rng.permutation(n)[: steps * cfg.batch_size]]
    return torch.from_numpy(np.ascontiguousarray(seqs)).view(steps, cfg.batch_size, cfg.context + 1)


def document_mask(ids: torch.Tensor, eod_id: int) -> torch.Tensor:
    """(b, 1, t, t) boolean attention mask for packed sequences ``ids`` (b, t): causal, and a token sees
    only its own document, which starts at its ``<eod>`` (the end of the previous one).

    That is what the model meets when asked a question: ``<eod>``, then the prompt, with nothing before
    (RoPE is relative, so the positions need no reset). Attending across the packed stream instead, to
    unrelated documents, slowed memorisation: on the default world (``tiny``, 5 epochs, seeds 0-2) the
    training-fact accuracy was 88.4-95.3% across the stream and 96.2-97.6% masked (measured 2026-11-26 on
    the project's 2-core AMD EPYC, on the default world of that day).

    Example:
        >>> m = document_mask(torch.tensor([[5, 0, 6, 7]]), eod_id=0)
        >>> m[0, 0].int().tolist()
        [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 0], [0, 1, 1, 1]]
    """
    doc = (ids == eod_id).cumsum(1)  # (b, t) document index along each row
    t = ids.shape[1]
    causal = torch.ones(t, t, dtype=torch.bool, device=ids.device).tril()
    return ((doc[:, :, None] == doc[:, None, :]) & causal)[:, None]


def train_step(net, model, opt, batch: torch.Tensor, lr: float, cfg: TrainConfig) -> float:
    """One optimizer step on ``batch`` (b, context + 1), deterministic kernels; returns the loss.

    ``net`` is ``model`` or a wrapper of it (DDP, ``torch.compile``).
    """
    for group in opt.param_groups:
        group["lr"] = lr
    if cfg.once_weight != 1.0:  # tokens of documents read once arrive shifted by the vocabulary size
        vocab = model.config.vocab_size
        once = batch >= vocab
        batch = batch - vocab * once
    ids = batch[:, :-1]
    mask = document_mask(ids, model.config.eos_token_id) if cfg.doc_mask else None
    with _deterministic():
        with torch.autocast(batch.device.type, dtype=torch.bfloat16, enabled=bool(cfg.bf16)):
            logits = net(input_ids=ids, attention_mask=mask).logits  # (b, context, V)
        targets = batch[:, 1:]
        if cfg.packing == "documents":  # no loss on padding
            targets = targets.masked_fill(targets == model.config.pad_token_id, -100)
        if cfg.once_weight == 1.0:
            loss = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=-100)
        else:
            ce = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=-100, reduction="none")
            weight = 1.0 + (cfg.once_weight - 1.0) * once[:, 1:].flatten().float()
            loss = (ce * weight).sum() / (targets != -100).sum()
        loss.backward()
    if cfg.grad_clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


def bf16_native(device: torch.device) -> bool:
    """Whether ``device`` multiplies bf16 natively: a CUDA GPU that supports it, or a CPU with AVX512-BF16
    or AMX (elsewhere bf16 autocast is emulated and slower than float32).

    Example:
        >>> isinstance(bf16_native(torch.device("cpu")), bool)
        True
    """
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:  # not Linux: assume emulation
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


@contextmanager
def _deterministic() -> Iterator[None]:
    """Deterministic kernels for the duration (compiled code otherwise scatters with atomic adds)."""
    was = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was[0], warn_only=was[1])


def make_optimizer(model, cfg: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW (fused kernel), weight decay on matrices only."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=cfg.lr, betas=(0.9, cfg.beta2), fused=device.type in ("cpu", "cuda"))


def _setup_distributed(device: str | None) -> tuple[int, int, torch.device]:
    """(rank, world size, device); joins the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as e:
        raise LMError(f"unknown device {device!r} ({e}); use 'cpu' or 'cuda'") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise LMError(f"device {device!r} asked for, but this machine has no CUDA GPU that torch can use "
                      "(torch.cuda.is_available() is False); use --device cpu")
    if dev.type not in ("cpu", "cuda"):
        raise LMError(f"device {device!r}: training runs on 'cpu' or 'cuda'")
    if world > 1 and not dist.is_initialized():
        if dev.type == "cuda":
            dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(dev)
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    rank = dist.get_rank() if dist.is_initialized() else 0
    return rank, world, dev


def _save_checkpoint(path: Path, model, tok, meta: dict, state: dict) -> None:
    try:
        with atomic_dir(path) as tmp, quiet():
            model.save_pretrained(tmp)
            tok.save(tmp)
            atomic_json(tmp / LM_CONFIG_FILE, meta)
            torch.save(state, tmp / _STATE_FILE)
    except (RuntimeError, OSError) as e:
        raise_if_disk_full(e, path)
        raise


def raise_if_disk_full(err: BaseException, path: Path) -> None:
    """Re-raise a failed write as ``OSError(ENOSPC)`` naming ``path`` when the disk is (nearly) full:
    torch and safetensors report a full disk in their own words (``inline_container.cc`` ...)."""
    import errno
    import shutil

    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        raise OSError(errno.ENOSPC, "No space left on device", str(path)) from err
    try:
        free = shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free
    except OSError:
        return
    if free < 64 << 20:
        raise OSError(errno.ENOSPC, f"No space left on device ({free:,} bytes free)", str(path)) from err


def _load_state(path: Path) -> dict:
    try:
        return torch.load(path / _STATE_FILE, weights_only=False)
    except Exception as e:  # a truncated or foreign file: torch raises several types
        raise CheckpointError(f"corrupt training state {path / _STATE_FILE}: {type(e).__name__}: {e}") from e


def _accuracy(model, tok, facts, rank: int, world: int) -> float:
    """Greedy generative accuracy, facts sharded over processes and the counts summed."""
    if not facts:
        return float("nan")
    lm = LanguageModel(model, tok)
    ok = lm.fact_correct(facts[rank::world])
    counts = torch.tensor([float(ok.sum()), float(len(ok))], dtype=torch.float64)
    if world > 1:
        dist.all_reduce(counts)
    model.train()
    return float(counts[0] / counts[1])


def train_from_corpus(corpus_dir: str | os.PathLike, out_dir: str | os.PathLike, preset: str = "tiny", *,
                      config: TrainConfig | None = None, model_config: ModelConfig | None = None,
                      device: str | None = None, **overrides) -> dict:
    """Train a model from scratch on a corpus directory; resume if ``out_dir`` holds a checkpoint.

    Args:
        corpus_dir: a directory with ``corpus.jsonl`` and ``metadata.json``.
        out_dir: where ``checkpoint/`` (while training), ``model/`` and ``metrics.json`` go.
        preset: model size, a key of :data:`lm.PRESETS` (ignored if ``model_config`` is given).
        config: training settings (default :class:`TrainConfig`).
        model_config: explicit model size instead of the preset.
        device: ``"cpu"``, ``"cuda"``... (default: CUDA if available).
        **overrides: fields of :class:`TrainConfig` or :class:`ModelConfig` to change, e.g. ``epochs=3``.

    Returns:
        The metrics (also in ``out_dir/metrics.json``): ``train_fact_accuracy``,
        ``heldout_fact_accuracy``, ``accuracy_curve`` ``[(epoch, step, accuracy), ...]`` on the periodic
        sample, ``loss_curve``, ``tokens_per_s``, ``wall_time_s``, ``n_params``, ``preset``, configs.

    Raises:
        LMError: unknown preset or setting, unusable corpus (e.g. too small for one batch).
        CheckpointError: ``out_dir`` holds a checkpoint of another corpus or configuration, or a corrupt one.

    Example:
        >>> import lm, tempfile
        >>> corpus = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=8, n_relations=2)
        >>> m = lm.train_from_corpus(corpus, tempfile.mkdtemp(), epochs=1, batch_size=2, context=16,
        ...                          d_model=16, n_layers=1, n_heads=2, d_ff=32, progress=False)
        >>> sorted(k for k in m if k.endswith("accuracy"))
        ['heldout_fact_accuracy', 'train_fact_accuracy']
    """
    t_start = time.perf_counter()
    train_over, model_over = _split_overrides(overrides)
    cfg = replace(config or TrainConfig(), **train_over)
    mcfg = replace(model_config or get_preset(preset), **model_over)
    if model_config is not None:
        preset = "custom"
    if cfg.context > mcfg.max_len:
        raise LMError(f"context {cfg.context} exceeds the model's max_len {mcfg.max_len}")
    out = Path(out_dir)

    # 1. processes and threads
    rank, world, dev = _setup_distributed(device)
    if cfg.bf16 is None:
        cfg = replace(cfg, bf16=bf16_native(dev))
    if cfg.batch_size % world:
        raise LMError(f"batch_size {cfg.batch_size} is not divisible by the {world} processes")
    if dev.type == "cpu" and (cfg.threads or world > 1):
        torch.set_num_threads(cfg.threads or max(1, (os.cpu_count() or 1) // world))

    # 2. corpus and tokenizer
    corpus = read_corpus(corpus_dir)
    tok = train_tokenizer(corpus.texts, corpus.names())
    docs = [np.asarray(ids, dtype=np.int64) for ids in tok.encode(corpus.texts, "document")]
    read_in = read_epochs(corpus.once, cfg)
    if cfg.once_weight != 1.0 and read_in is not None:  # mark their tokens for train_step's weights
        docs = [d + tok.vocab_size if r >= 0 else d for d, r in zip(docs, read_in.tolist())]

    def batches(epoch: int) -> torch.Tensor:
        return _batches(docs, cfg, epoch, read_in, tok.eod_id, tok.pad_id)

    epoch_steps = [batches(0).shape[0]] * cfg.epochs if read_in is None and cfg.packing == "stream" else \
        [batches(e).shape[0] for e in range(cfg.epochs)]  # one-off documents make epochs differ in length
    starts = np.cumsum([0, *epoch_steps])
    if min(epoch_steps) == 0:
        raise LMError(f"the corpus has too few tokens for one batch of {cfg.batch_size} x {cfg.context + 1}; "
                      "lower batch_size or context")
    total = int(starts[-1])
    fingerprint = {"corpus": corpus.fingerprint, "tokenizer": tok.fingerprint(), "model": asdict(mcfg),
                   "train": cfg.affects_weights()}
    meta = {"preset": preset, "model_config": asdict(mcfg), "tokenizer_sha256": tok.fingerprint()}
    rng = np.random.default_rng([cfg.seed, 1 << 20])
    train_facts, heldout = list(corpus.train_facts), list(corpus.heldout_facts)
    sample = train_facts if not cfg.eval_facts or cfg.eval_facts >= len(train_facts) else \
        [train_facts[i] for i in np.sort(rng.choice(len(train_facts), cfg.eval_facts, replace=False))]

    # 3. model and optimizer, fresh or restored
    ckpt = complete_dir(out / "checkpoint")
    if ckpt is not None:
        state = _load_state(ckpt)
        if state.get("fingerprint") != fingerprint:
            raise CheckpointError(f"{ckpt} belongs to another corpus or configuration; "
                                  "use a new out_dir (nothing was overwritten)")
        model = load_weights(ckpt)
        if state["stopped"]:  # stopped at its last evaluation by the old target: the new one decides
            acc = state["accuracy_curve"][-1][2]
            state["stopped"] = cfg.target_accuracy is not None and acc >= cfg.target_accuracy
    else:
        state = {"step": 0, "accuracy_curve": [], "loss_curve": [], "tokens": 0, "train_time": 0.0,
                 "eval_time": 0.0, "stopped": False}
        model = build_model(mcfg, tok.vocab_size, tok.pad_id, tok.eod_id, seed=cfg.seed)
    model.to(dev).train()
    opt = make_optimizer(model, cfg, dev)
    if ckpt is not None:
        opt.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"]["torch"])
        np.random.set_state(state["rng"]["numpy"])
        random.setstate(state["rng"]["python"])
    else:
        torch.manual_seed(cfg.seed)
    plain = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    net = torch.compile(plain) if cfg.compile else plain
    local = cfg.batch_size // world

    def checkpoint():
        if rank == 0:
            state.update(optimizer=opt.state_dict(), fingerprint=fingerprint,
                         rng={"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
                              "python": random.getstate()})
            _save_checkpoint(out / "checkpoint", model, tok, meta, state)
        if world > 1:
            dist.barrier()

    # 4. the loop (5. evaluations and checkpoints at epoch ends)
    step = state["step"]
    bar = tqdm(total=total, initial=step, disable=not (cfg.progress and rank == 0), unit="step",
               dynamic_ncols=True)
    tokens_per_step = cfg.batch_size * cfg.context
    loss_sum, loss_n = 0.0, 0
    stepped = False  # a step has run in this process (compilation can only fail before)
    while step < total and not state["stopped"]:
        epoch = int(np.searchsorted(starts, step, side="right")) - 1
        first, steps_per_epoch = step - int(starts[epoch]), epoch_steps[epoch]
        epoch_batches = batches(epoch)
        t0 = time.perf_counter()
        for i in range(first, steps_per_epoch):
            batch = epoch_batches[i, rank * local:(rank + 1) * local].to(dev)  # (b, context + 1)
            try:
                loss = train_step(net, model, opt, batch, cfg.lr_at(step, total), cfg)
            except Exception as e:  # compilation fails on the first step (e.g. no C++ compiler): go eager
                if net is plain or stepped:
                    raise
                warnings.warn(f"torch.compile failed ({type(e).__name__}: {str(e)[:300]}); training without "
                              "it (set compile=false to skip the attempt)", RuntimeWarning, stacklevel=2)
                net = plain
                opt.zero_grad(set_to_none=True)
                loss = train_step(net, model, opt, batch, cfg.lr_at(step, total), cfg)
            if not stepped:  # the first step of this process includes torch.compile's compilation
                state.setdefault("first_step_s", time.perf_counter() - t0)
                stepped = True
            step += 1
            loss_sum, loss_n = loss_sum + loss, loss_n + 1
            state["tokens"] += tokens_per_step
            now = time.perf_counter()
            state["train_time"], t0 = state["train_time"] + now - t0, now
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss:.3f}",
                            tok_s=f"{state['tokens'] / state['train_time']:.0f}", refresh=False)
            if cfg.checkpoint_every and step % cfg.checkpoint_every == 0 and i + 1 < steps_per_epoch:
                state["step"] = step
                checkpoint()
                t0 = time.perf_counter()  # checkpoint writing is not training time
        state["step"] = step
        epoch += 1
        if cfg.eval_every and (epoch % cfg.eval_every == 0 or step == total):
            t_eval = time.perf_counter()
            acc = _accuracy(model, tok, sample, rank, world)
            state["eval_time"] += time.perf_counter() - t_eval
            state["accuracy_curve"].append((epoch, step, acc))
            state["loss_curve"].append((epoch, step, loss_sum / max(loss_n, 1)))
            loss_sum, loss_n = 0.0, 0
            if rank == 0 and cfg.progress:
                bar.write(f"epoch {epoch}: step {step}, accuracy {acc:.3f} on {len(sample)} training facts, "
                          f"{state['tokens'] / state['train_time']:.0f} tokens/s")
            if cfg.target_accuracy is not None and acc >= cfg.target_accuracy:
                state["stopped"] = True
            checkpoint()
        elif step == total:
            checkpoint()
    bar.close()

    # 6. final accuracy, model and metrics
    t_eval = time.perf_counter()
    train_acc = _accuracy(model, tok, train_facts, rank, world)
    heldout_acc = _accuracy(model, tok, heldout, rank, world)
    final_eval = time.perf_counter() - t_eval
    metrics = {
        "preset": preset, "model_config": asdict(mcfg), "train_config": asdict(cfg),
        "n_params": n_params(model), "vocab_size": tok.vocab_size,
        "train_fact_accuracy": train_acc, "heldout_fact_accuracy": heldout_acc,
        "n_train_facts": len(train_facts), "n_heldout_facts": len(heldout),
        "accuracy_curve": [list(x) for x in state["accuracy_curve"]],
        "loss_curve": [list(x) for x in state["loss_curve"]],
        "eval_sample_size": len(sample), "steps": step, "total_steps": total,
        "epochs_completed": float(np.interp(step, starts, np.arange(len(starts)))),
        "stopped_early": bool(state["stopped"]),
        "once_documents": int((read_in >= 0).sum()) if read_in is not None else 0,
        "tokens": state["tokens"], "train_time_s": state["train_time"],
        "tokens_per_s": state["tokens"] / max(state["train_time"], 1e-9),
        "eval_time_s": state["eval_time"] + final_eval, "first_step_s": state.get("first_step_s"),
        "wall_time_s": time.perf_counter() - t_start,
        "world_size": world, "device": str(dev), "threads": torch.get_num_threads(),
    }
    if rank == 0:
        try:
            LanguageModel(model, tok, meta=meta).save(out / "model")
        except (RuntimeError, OSError) as e:
            raise_if_disk_full(e, out / "model")
            raise
        atomic_json(out / "metrics.json", metrics)
    if world > 1:
        dist.barrier()
    return metrics
