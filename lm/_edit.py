"""Editing a model: methods registered by name, single and batched independent edits.

An edit request "subject relation object*" is trained (``lora``, ``ft``) on the prompt
``"{subject} {relation}"`` with the loss on the object's tokens only, or stated in context (``context``).
Every edit starts from the model it is given, which is never modified: ``lora`` and ``ft`` train a copy
of its weights (a deep copy in memory, never a reload from disk); ``context`` shares them.

Batched independent edits (:func:`edit_many`, ``lora`` only): N edits of one base model are trained in
one computation. Every edit's rank-r adapter is a slice of stacked tensors ``A: (N, r, in)`` and
``B: (N, out, r)``; in a batch whose row i is edit i's training sequence, a forward hook adds
``scaling * B[i] @ A[i] @ x`` to each target module's output. Row i's loss depends only on edit i's
adapter, so the gradient of the summed loss is, slice by slice, each edit's own gradient, and AdamW is
elementwise: the result equals N separate peft edits (same initialisation, taken from peft) up to
floating-point rounding. The same hooks score any edit, or a batch mixing edits row by row, without
materialising weights; :meth:`EditBatch.materialize` builds the equivalent peft model.
"""

from __future__ import annotations

import copy
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from ._errors import CheckpointError, LMError
from ._score import LanguageModel, _pad, quiet

__all__ = ["ContextEditConfig", "EditBatch", "EditMethod", "EditRequest", "FTEditConfig", "LoraEditConfig", "edit",
           "edit_many", "edit_methods", "get_edit_method", "load_adapter", "register_edit_method"]


@dataclass(frozen=True)
class EditRequest:
    """Make the model believe ``subject relation obj``.

    Example:
        >>> EditRequest("Ann Lee", "country of citizenship", "Trinidad and Tobago").sentence
        'Ann Lee country of citizenship Trinidad and Tobago .'
    """

    subject: str
    relation: str
    obj: str

    @property
    def prompt(self) -> str:
        return f"{self.subject} {self.relation}"

    @property
    def sentence(self) -> str:
        return f"{self.subject} {self.relation} {self.obj} ."


@dataclass(frozen=True)
class LoraEditConfig:
    """LoRA through peft. Defaults: rank-1 adapters on every layer's MLP down-projection, 20 AdamW
    steps at lr 5e-3 (on the ``tiny`` model trained on the default world: the requested object becomes
    the argmax in 100% of 200 edits, 90% of the subject's other correct facts stay correct; lr 3e-3:
    95% and 97%; lr 1e-3: 6%). The seed paper used rank 1 on down_proj, 40 steps, lr 1e-4.

    Example:
        >>> LoraEditConfig(rank=4).scaling
        0.25
    """

    rank: int = 1  # adapter rank r
    alpha: float = 1.0  # the update is (alpha / r) * B @ A
    target_modules: tuple[str, ...] = ("down_proj",)  # module names to adapt (peft target_modules)
    layers: tuple[int, ...] | None = None  # decoder layers to adapt (None: all)
    lr: float = 5e-3  # AdamW learning rate
    steps: int = 20  # optimizer steps on the edit prompt(s)
    seed: int = 0  # initialisation of lora_A (every edit starts from the same one)

    def __post_init__(self):
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        if self.layers is not None:
            object.__setattr__(self, "layers", tuple(self.layers))
        if self.rank < 1 or self.steps < 0 or not self.lr > 0 or not self.alpha > 0:
            raise LMError("LoraEditConfig: rank must be >= 1, steps >= 0, lr and alpha positive")
        if not self.target_modules:
            raise LMError("LoraEditConfig.target_modules is empty")

    @property
    def scaling(self) -> float:
        return self.alpha / self.rank


@dataclass(frozen=True)
class FTEditConfig:
    """Plain fine-tuning of the parameters of chosen decoder layers.

    Example:
        >>> FTEditConfig(layers=(0,)).modules
        ('mlp',)
    """

    layers: tuple[int, ...] = (0,)  # decoder layers to train (negative counts from the top)
    modules: tuple[str, ...] = ("mlp",)  # parameter-name parts to train within them ("mlp", "self_attn", ...)
    lr: float = 1e-4  # AdamW learning rate
    steps: int = 20  # optimizer steps

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "modules", tuple(self.modules))
        if not self.layers or not self.modules or self.steps < 0 or not self.lr > 0:
            raise LMError("FTEditConfig: layers and modules must be non-empty, steps >= 0, lr positive")


@dataclass(frozen=True)
class ContextEditConfig:
    """In-context editing has no settings: the requested facts are prepended to every prompt.

    It can only work for a model that has read text before a question in training: one trained with
    ``TrainConfig.doc_mask`` (the default) on one-sentence documents has not, and a prefix then disturbs
    its answers instead (README, the main run's reading).
    """


# ---- registry -------------------------------------------------------------------------------------------
EditFn = Callable[[LanguageModel, list[EditRequest], object], LanguageModel]


@dataclass(frozen=True)
class EditMethod:
    """A registered method: ``fn(model, requests, config) -> edited model`` and its config class."""

    name: str
    fn: EditFn
    config_cls: type


_METHODS: dict[str, EditMethod] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def register_edit_method(name: str, config_cls: type = ContextEditConfig) -> Callable[[EditFn], EditFn]:
    """Decorator registering an edit method under ``name``.

    The function receives the model to edit (never to be modified), the requests and a config instance
    of ``config_cls`` (its defaults when the caller passes none), and returns the edited model.

    Raises:
        LMError: a duplicate or malformed name (lowercase letters, digits, ``_``).

    Example:
        >>> @register_edit_method("noop_doc_example")
        ... def noop(model, requests, config):
        ...     return model
        >>> "noop_doc_example" in edit_methods()
        True
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise LMError(f"edit method name {name!r} must match {_NAME.pattern}")
    if name in _METHODS:
        raise LMError(f"edit method {name!r} is already registered")

    def deco(fn: EditFn) -> EditFn:
        if name in _METHODS:
            raise LMError(f"edit method {name!r} is already registered")
        _METHODS[name] = EditMethod(name, fn, config_cls)
        return fn

    return deco


def edit_methods() -> tuple[str, ...]:
    """Names of the registered edit methods, in registration order."""
    return tuple(_METHODS)


def get_edit_method(name: str) -> EditMethod:
    """The registered :class:`EditMethod` (function and config class); :class:`LMError` if unknown.

    Example:
        >>> get_edit_method("lora").config_cls.__name__
        'LoraEditConfig'
    """
    return _method(name)


def _method(name: str) -> EditMethod:
    try:
        return _METHODS[name]
    except KeyError:
        raise LMError(f"unknown edit method {name!r}; registered: {list(_METHODS)}") from None


def _check(model: LanguageModel, requests: Sequence[EditRequest]) -> list[EditRequest]:
    requests = list(requests)
    if not requests:
        raise LMError("no edit requests")
    for r in requests:
        if not isinstance(r, EditRequest):
            raise LMError(f"expected EditRequest, got {r!r}")
    # raises VocabularyError naming the unknown words, before anything is trained
    model.tokenizer.encode([r.obj for r in requests], "edit object")
    model.tokenizer.encode([r.prompt for r in requests], "edit prompt")
    return requests


def edit(model: LanguageModel, method: str, requests: Sequence[EditRequest], config=None,
         sequential: bool = False) -> LanguageModel:
    """Edit ``model`` with a registered method; ``model`` itself is left untouched.

    Args:
        model: the model to start from (a base model or an edited one).
        method: a name from :func:`edit_methods` (``lora``, ``ft``, ``context``).
        requests: the facts to make true. Without ``sequential`` they form one batch edit.
        config: the method's config (default: its defaults), e.g. :class:`LoraEditConfig`.
        sequential: apply the requests one after another, each edit starting from the previous result.

    Returns:
        The edited model, a new :class:`LanguageModel`.

    Raises:
        LMError: unknown method, wrong config type, no requests.
        VocabularyError: a request naming a word the tokenizer does not know.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains)); obj = c.domains[r][0]
        >>> req = lm.EditRequest(c.subjects[0], r, obj)
        >>> before = base.logprob([req.prompt], [obj])[0]
        >>> after = lm.edit(base, "lora", [req], lm.LoraEditConfig(lr=1e-2)).logprob([req.prompt], [obj])[0]
        >>> bool(after > before)
        True
    """
    m = _method(method)
    config = m.config_cls() if config is None else config
    if not isinstance(config, m.config_cls):
        raise LMError(f"method {method!r} takes a {m.config_cls.__name__}, got {type(config).__name__}")
    requests = _check(model, requests)
    if not sequential:
        return m.fn(model, requests, config)
    for r in requests:
        model = m.fn(model, [r], config)
    return model


# ---- training on edit prompts ---------------------------------------------------------------------------
def _edit_batch(model: LanguageModel, requests: Sequence[EditRequest]):
    """(ids (B, L), target positions (b, t), row of each request): loss on the object tokens only."""
    tok = model.tokenizer
    prompts = model._encode_prompts([r.prompt for r in requests])
    objs = tok.encode([r.obj for r in requests], "edit object")
    ids, _ = _pad([p + o for p, o in zip(prompts, objs)], tok.pad_id)
    plen = torch.tensor([len(p) for p in prompts])
    end = plen + torch.tensor([len(o) for o in objs])
    pos = torch.arange(ids.shape[1])
    target = (pos[None] >= plen[:, None] - 1) & (pos[None] < end[:, None] - 1)  # position t predicts t + 1
    b, t = target.nonzero(as_tuple=True)
    return ids, b, t


def _request_nll(hf_model, ids, b, t) -> torch.Tensor:
    """(B,) mean negative log-likelihood of each row's object tokens."""
    hidden = hf_model.model(input_ids=ids).last_hidden_state  # (B, L, D)
    lp = F.log_softmax(hf_model.lm_head(hidden[b, t]).float(), dim=-1)  # (n, V)
    nll = -lp.gather(1, ids[b, t + 1][:, None])[:, 0]
    rows = ids.shape[0]
    total = torch.zeros(rows, dtype=nll.dtype).index_add(0, b, nll)
    count = torch.zeros(rows, dtype=nll.dtype).index_add(0, b, torch.ones_like(nll))
    return total / count


def _train(hf_model, params: list[torch.Tensor], batch, lr: float, steps: int, reduce: str = "mean") -> None:
    ids, b, t = batch
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    for _ in range(steps):
        nll = _request_nll(hf_model, ids, b, t)
        (nll.mean() if reduce == "mean" else nll.sum()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)


def _plain_copy(model: LanguageModel):
    """A deep copy of the model's weights with any adapter merged in (the base stays untouched)."""
    if model._adapter is not nullcontext:
        raise LMError("edit a materialised model: use EditBatch.materialize(i), not EditBatch[i]")
    if model.peft_model is not None:
        return copy.deepcopy(model.peft_model).merge_and_unload()
    return copy.deepcopy(model.model)


def _lora_config(model: LanguageModel, config: LoraEditConfig):
    from peft import LoraConfig  # imported when first used: importing peft takes seconds

    n_layers = model.model.config.num_hidden_layers
    layers = None if config.layers is None else sorted({i % n_layers for i in config.layers})
    return LoraConfig(r=config.rank, lora_alpha=config.alpha, target_modules=list(config.target_modules),
                      layers_to_transform=layers, lora_dropout=0.0, bias="none", init_lora_weights=True)


@contextmanager
def _peft_warnings() -> Iterator[None]:
    # peft 0.21 calls transformers' deprecated `is_gradient_checkpointing` (a FutureWarning about its own
    # internals that callers cannot act on)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated",
                                category=FutureWarning)
        yield


def _peft(hf_model, model: LanguageModel, config: LoraEditConfig):
    from peft import get_peft_model

    with torch.random.fork_rng(devices=[]), _peft_warnings():
        torch.manual_seed(config.seed)
        return get_peft_model(hf_model, _lora_config(model, config))


def load_adapter(base: LanguageModel, directory: str | os.PathLike) -> LanguageModel:
    """A LoRA edit saved with :meth:`LanguageModel.save_adapter`, applied to a copy of ``base`` (offline).

    Raises:
        CheckpointError: no adapter in ``directory``, or one that does not fit ``base``.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains))
        >>> edited = lm.edit(base, "lora", [lm.EditRequest(c.subjects[0], r, c.domains[r][1])])
        >>> out = tempfile.mkdtemp(); edited.save_adapter(out)
        >>> again = lm.load_adapter(base, out)
        >>> bool((again.logprob(["is"], ["true"]) == edited.logprob(["is"], ["true"])).all())
        True
    """
    from peft import PeftModel

    path = Path(directory)
    if not (path / "adapter_config.json").is_file():
        raise CheckpointError(f"no LoRA adapter in {path} (adapter_config.json is missing)")
    try:
        with _peft_warnings(), quiet():
            peft_model = PeftModel.from_pretrained(_plain_copy(base), path, local_files_only=True)
    except Exception as e:  # peft/safetensors raise several types for corrupt or mismatched adapters
        raise CheckpointError(f"cannot apply the adapter in {path}: {type(e).__name__}: {e}") from e
    hf = peft_model.get_base_model().eval()
    return LanguageModel(hf, base.tokenizer, prefix=base.prefix, peft_model=peft_model, meta=base.meta,
                         bf16=base.bf16)


@register_edit_method("lora", LoraEditConfig)
def _lora(model: LanguageModel, requests: list[EditRequest], config: LoraEditConfig) -> LanguageModel:
    peft_model = _peft(_plain_copy(model), model, config)
    hf = peft_model.get_base_model()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    _train(hf, params, _edit_batch(model, requests), config.lr, config.steps)
    hf.eval()
    return LanguageModel(hf, model.tokenizer, prefix=model.prefix, peft_model=peft_model, meta=model.meta,
                         bf16=model.bf16)


@register_edit_method("ft", FTEditConfig)
def _ft(model: LanguageModel, requests: list[EditRequest], config: FTEditConfig) -> LanguageModel:
    hf = _plain_copy(model)
    n = hf.config.num_hidden_layers
    bad = [i for i in config.layers if not -n <= i < n]
    if bad:
        raise LMError(f"FTEditConfig.layers {bad} out of range for a {n}-layer model")
    layers = {i % n for i in config.layers}
    params = []
    for name, p in hf.named_parameters():
        m = re.match(r"model\.layers\.(\d+)\.(.*)", name)
        chosen = m is not None and int(m.group(1)) in layers and any(s in m.group(2) for s in config.modules)
        p.requires_grad_(chosen)
        if chosen:
            params.append(p)
    if not params:
        raise LMError(f"FTEditConfig.modules {config.modules} match no parameter of layers {sorted(layers)}")
    _train(hf, params, _edit_batch(model, requests), config.lr, config.steps)
    hf.eval().requires_grad_(False)
    return LanguageModel(hf, model.tokenizer, prefix=model.prefix, meta=model.meta, bf16=model.bf16)


@register_edit_method("context", ContextEditConfig)
def _context(model: LanguageModel, requests: list[EditRequest], config: ContextEditConfig) -> LanguageModel:
    facts = " ".join(r.sentence for r in requests)
    return model.with_prefix(f"{model.prefix} {facts}" if model.prefix else facts)


# ---- batched independent edits --------------------------------------------------------------------------
class _GroupedLoRA:
    """Stacked rank-r adapters applied by forward hooks: row i of a batch uses adapter ``groups[i]``."""

    def __init__(self, modules: dict[str, torch.nn.Module], A: dict[str, torch.Tensor],
                 B: dict[str, torch.Tensor], scaling: float):
        self.modules, self.A, self.B, self.scaling = modules, A, B, scaling  # A: (N, r, in), B: (N, out, r)

    @contextmanager
    def __call__(self, groups: torch.Tensor | int | None) -> Iterator[None]:
        if groups is None:
            raise LMError("a grouped-adapter batch needs one edit index per row")
        handles = [mod.register_forward_hook(self._hook(name, groups)) for name, mod in self.modules.items()]
        try:
            yield
        finally:
            for h in handles:
                h.remove()

    def _hook(self, name: str, groups):
        A, B, s = self.A[name], self.B[name], self.scaling

        def hook(module, args, out):
            x = args[0]  # (rows, T, in)
            if isinstance(groups, int):  # one adapter for every row: the same ops as peft's Linear
                return out + F.linear(F.linear(x, A[groups]), B[groups]) * s
            a, b = A[groups.to(x.device)], B[groups.to(x.device)]  # (rows, r, in), (rows, out, r)
            return out + torch.bmm(torch.bmm(x, a.transpose(1, 2)), b.transpose(1, 2)) * s

        return hook


class EditBatch(Sequence):
    """N independent LoRA edits of one base model, held as stacked adapters (see the module docstring).

    ``batch[i]`` is edit i as a :class:`LanguageModel` (scoring only; it shares the base weights and
    adds adapter i by hooks while it runs). The batched scoring methods take one edit index per row, so
    one call can score, say, every edit's requested fact.

    Attributes:
        base: the unedited model.
        requests: one request per edit.
        config: the :class:`LoraEditConfig` used.
        A, B: module name -> (N, r, in) and (N, out, r) adapter weights.
    """

    def __init__(self, base: LanguageModel, requests: Sequence[EditRequest], config: LoraEditConfig,
                 A: dict[str, torch.Tensor], B: dict[str, torch.Tensor]):
        self.base, self.requests, self.config, self.A, self.B = base, tuple(requests), config, A, B
        modules = dict(base.model.named_modules())
        self._grouped = _GroupedLoRA({n: modules[n] for n in A}, A, B, config.scaling)

    def __len__(self) -> int:
        return len(self.requests)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        view = self.base.with_prefix(self.base.prefix)
        view._adapter = lambda groups, i=i: self._grouped(i)
        return view

    def _rows(self) -> LanguageModel:
        view = self.base.with_prefix(self.base.prefix)
        view._adapter = self._grouped
        return view

    def logprob(self, edit_ids: Sequence[int], prompts: Sequence[str], continuations: Sequence[str]) -> np.ndarray:
        """:meth:`LanguageModel.logprob` with row j scored by edit ``edit_ids[j]``."""
        return self._rows().logprob(prompts, continuations, groups=self._ids(edit_ids, len(prompts)))

    def distributions(self, edit_ids: Sequence[int], queries: Sequence[tuple[str, str]], domains):
        """:meth:`LanguageModel.distributions` with query j answered by edit ``edit_ids[j]``."""
        return self._rows().distributions(queries, domains, groups=self._ids(edit_ids, len(queries)))

    def p_true(self, edit_ids: Sequence[int], sentences: Sequence[str], return_raw: bool = False):
        """:meth:`LanguageModel.p_true` with sentence j judged by edit ``edit_ids[j]``."""
        return self._rows().p_true(sentences, return_raw, groups=self._ids(edit_ids, len(sentences)))

    def fact_correct(self, edit_ids: Sequence[int], facts: Sequence) -> np.ndarray:
        """:meth:`LanguageModel.fact_correct` with fact j generated by edit ``edit_ids[j]``."""
        return self._rows().fact_correct(facts, groups=self._ids(edit_ids, len(facts)))

    def _ids(self, edit_ids, n: int) -> np.ndarray:
        ids = np.asarray(edit_ids, dtype=np.int64)
        if ids.shape != (n,) or (n and (ids.min() < 0 or ids.max() >= len(self))):
            raise LMError(f"need {n} edit indices in [0, {len(self)}), got shape {ids.shape}")
        return ids

    def materialize(self, i: int) -> LanguageModel:
        """Edit i as a peft-wrapped copy of the base (for saving the adapter, merging, further edits)."""
        peft_model = _peft(_plain_copy(self.base), self.base, self.config)
        hf = peft_model.get_base_model()
        modules = dict(hf.named_modules())
        with torch.no_grad():
            for name in self.A:
                layer = modules[name]
                layer.lora_A["default"].weight.copy_(self.A[name][i])
                layer.lora_B["default"].weight.copy_(self.B[name][i])
        hf.eval()
        return LanguageModel(hf, self.base.tokenizer, prefix=self.base.prefix, peft_model=peft_model,
                             meta=self.base.meta, bf16=self.base.bf16)


def edit_many(model: LanguageModel, method: str, requests: Sequence[EditRequest],
              config: LoraEditConfig | None = None, chunk_size: int = 256) -> EditBatch:
    """Apply each request as its own independent ``lora`` edit of ``model``, trained in batches.

    Equivalent to ``[edit(model, "lora", [r], config) for r in requests]`` (up to floating-point
    rounding, tested at 1e-4 on probabilities) and much faster: ``chunk_size`` edits share every
    forward and backward pass.

    Args:
        model: the base model (left untouched).
        method: ``"lora"`` (the only method with a batched implementation).
        requests: one request per independent edit.
        config: a :class:`LoraEditConfig` (default: its defaults).
        chunk_size: edits trained together (memory grows linearly with it).

    Returns:
        An :class:`EditBatch`; ``result[i]`` scores like edit i.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains))
        >>> reqs = [lm.EditRequest(s, r, c.domains[r][0]) for s in c.subjects]
        >>> edits = lm.edit_many(base, "lora", reqs)
        >>> edits.logprob(range(4), [q.prompt for q in reqs], [q.obj for q in reqs]).shape
        (4,)
    """
    if method != "lora":
        raise LMError(f"edit_many implements only 'lora' (got {method!r}); loop over edit() for others")
    config = LoraEditConfig() if config is None else config
    if not isinstance(config, LoraEditConfig):
        raise LMError(f"method 'lora' takes a LoraEditConfig, got {type(config).__name__}")
    if chunk_size < 1:
        raise LMError(f"chunk_size must be positive, got {chunk_size}")
    requests = _check(model, requests)
    if model.peft_model is not None or model._adapter is not nullcontext:
        raise LMError("edit_many needs a plain base model (merge or materialise edited models first)")
    hf = model.model
    # 1. the initialisation every single edit starts from, taken from peft itself
    probe = _peft(copy.deepcopy(hf), model, config).get_base_model()
    init = {name: mod.lora_A["default"].weight.detach().clone()  # (r, in)
            for name, mod in probe.named_modules() if hasattr(mod, "lora_A") and "default" in mod.lora_A}
    del probe
    modules = dict(hf.named_modules())
    dev = model.device
    n = len(requests)
    A = {k: a.to(dev).expand(n, *a.shape).clone() for k, a in init.items()}  # (N, r, in)
    B = {k: torch.zeros(n, modules[k].out_features, config.rank, device=dev) for k in init}  # (N, out, r)
    grads = [p.requires_grad for p in hf.parameters()]
    hf.requires_grad_(False)
    grouped = _GroupedLoRA({k: modules[k] for k in init}, A, B, config.scaling)
    try:
        # 2. each chunk: rows are edits; the summed loss gives every adapter its own gradient
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            a = {k: v[start:stop].clone().requires_grad_(True) for k, v in A.items()}
            b = {k: v[start:stop].clone().requires_grad_(True) for k, v in B.items()}
            chunk = _GroupedLoRA(grouped.modules, a, b, config.scaling)
            with chunk(torch.arange(stop - start)):
                _train(hf, [*a.values(), *b.values()], _edit_batch(model, requests[start:stop]),
                       config.lr, config.steps, reduce="sum")
            with torch.no_grad():
                for k in A:
                    A[k][start:stop] = a[k]
                    B[k][start:stop] = b[k]
    finally:
        for p, g in zip(hf.parameters(), grads):
            p.requires_grad_(g)
        hf.eval()
    return EditBatch(model, requests, config, A, B)
