"""Batched independent edits: N edits of one base model trained in one computation (:func:`edit_many`).

Every edit's weights are a slice of stacked tensors, applied by forward hooks: in a batch whose row j
belongs to edit ``groups[j]``, a hook on each adapted module adds that edit's change to the row's output:

- ``lora`` and ``rational``: rank-r adapters ``A: (N, r, in)``, ``B: (N, out, r)``; the hook adds
  ``scaling * B[i] @ A[i] @ x`` (initialisation taken from peft);
- ``ft``: full-weight deltas ``D: (N, *weight shape)``, starting at 0; the hook adds ``x @ D[i].T`` to a
  Linear's output and ``D[i] * normalised(x)`` to an RMSNorm's.

Row j's loss depends only on its own edit's weights, so the gradient of the summed loss is, slice by
slice, each edit's own gradient, and AdamW is elementwise: every slice takes the steps its own optimizer
would. For ``ft`` this holds because, without weight decay, AdamW's update depends on the gradient alone,
and the gradient with respect to ``D`` at ``W0 + D`` is the gradient with respect to ``W``. The result
equals N separate :func:`lm.edit` calls up to floating-point rounding (different summation orders);
the same hooks score any edit, or a batch mixing edits row by row, without materialising weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np
import torch
import torch.nn.functional as F

from ._edit import (FTEditConfig, LoraEditConfig, _config, _ft_params, _method, _peft, edit_methods, get_edit_method,
                    train_bf16, trainable_copy)
from ._errors import LMError
from ._objective import Objective, check_beliefs, check_requests, fit, training_view
from ._score import LanguageModel

__all__ = ["EditBatch", "batched_edit_methods", "delta_weights", "edit_many", "lora_weights"]


class _Grouped:
    """Per-edit weight changes applied by forward hooks: row j of a batch uses edit ``groups[j]``.

    Subclasses name their stacked tensors in ``_fields`` (each a dict module name -> (N, ...) tensor)
    and compute one module's added output for given rows.
    """

    _fields: tuple[str, ...] = ()

    def __init__(self, modules: dict[str, torch.nn.Module], **tensors: dict[str, torch.Tensor]):
        self.modules = modules
        for f in self._fields:
            setattr(self, f, tensors[f])

    @contextmanager
    def __call__(self, groups: torch.Tensor | int | None) -> Iterator[None]:
        if groups is None:
            raise LMError("a grouped-edit batch needs one edit index per row")
        handles = [mod.register_forward_hook(self._hook(name, groups)) for name, mod in self.modules.items()]
        try:
            yield
        finally:
            for h in handles:
                h.remove()

    def _hook(self, name: str, groups):
        def hook(module, args, out):
            g = groups if isinstance(groups, int) else groups.to(out.device)
            return out + self._change(name, module, args[0], g)

        return hook

    def _change(self, name: str, module, x: torch.Tensor, groups: torch.Tensor | int) -> torch.Tensor:
        raise NotImplementedError

    def params(self) -> list[torch.Tensor]:
        return [t for f in self._fields for t in getattr(self, f).values()]

    def chunk(self, start: int, stop: int) -> _Grouped:
        """Edits ``start:stop`` as trainable copies (leaf tensors)."""
        return type(self)(self.modules, **{f: {k: v[start:stop].clone().requires_grad_(True)
                                                for k, v in getattr(self, f).items()} for f in self._fields},
                          **self._settings())

    def store(self, start: int, chunk: _Grouped) -> None:
        """Copy a trained :meth:`chunk` back into place."""
        with torch.no_grad():
            for f in self._fields:
                for k, v in getattr(chunk, f).items():
                    getattr(self, f)[k][start:start + len(v)] = v

    def _settings(self) -> dict:
        return {}

    def weight_change(self, name: str, i: int) -> torch.Tensor:
        """Edit i's change of module ``name``'s weight (what :meth:`EditBatch.materialize` adds)."""
        raise NotImplementedError


class _GroupedLoRA(_Grouped):
    """Stacked rank-r adapters: ``A[name]: (N, r, in)``, ``B[name]: (N, out, r)``."""

    _fields = ("A", "B")

    def __init__(self, modules, *, A, B, scaling: float):
        super().__init__(modules, A=A, B=B)
        self.scaling = scaling

    def _settings(self) -> dict:
        return {"scaling": self.scaling}

    def _change(self, name, module, x, groups):
        A, B, s = self.A[name], self.B[name], self.scaling  # x: (rows, T, in)
        if isinstance(groups, int):  # one adapter for every row: the same ops as peft's Linear
            return F.linear(F.linear(x, A[groups]), B[groups]) * s
        a, b = A[groups], B[groups]  # (rows, r, in), (rows, out, r)
        return torch.bmm(torch.bmm(x, a.transpose(1, 2)), b.transpose(1, 2)) * s


class _GroupedDelta(_Grouped):
    """Stacked full-weight changes ``D[name]: (N, *weight shape)`` of Linear and RMSNorm modules."""

    _fields = ("D",)

    def _change(self, name, module, x, groups):
        D = self.D[name]
        if isinstance(module, torch.nn.Linear):
            if isinstance(groups, int):
                return F.linear(x, D[groups])
            if len(groups) == len(D) and torch.equal(groups, torch.arange(len(D), device=groups.device)):
                return torch.bmm(x, D.transpose(1, 2))  # row j is edit j (training): no gathered copy of D
            # rows grouped by edit: one matmul per distinct edit instead of a (rows, out, in) gather
            order = torch.argsort(groups, stable=True)
            edits, counts = torch.unique_consecutive(groups[order], return_counts=True)
            parts = [F.linear(xs, D[e]) for xs, e in zip(x[order].split(counts.tolist()), edits.tolist())]
            return torch.cat(parts)[torch.argsort(order)]
        # RMSNorm (checked in _ft_modules): weight * normalised(x), as LlamaRMSNorm computes it
        h = x.float()
        h = (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + module.variance_epsilon)).to(x.dtype)
        d = D[groups] if isinstance(groups, int) else D[groups][:, None, :]
        return d * h

    def weight_change(self, name: str, i: int) -> torch.Tensor:
        return self.D[name][i]


def _ft_modules(hf, config: FTEditConfig) -> dict[str, torch.nn.Module]:
    """Module name -> module whose weight ``config`` trains; :class:`LMError` for any other parameter."""
    modules = dict(hf.named_modules())
    out = {}
    for name, p in _ft_params(hf, config):
        owner, _, attr = name.rpartition(".")
        mod = modules[owner]
        linear = isinstance(mod, torch.nn.Linear)
        norm = type(mod).__name__.endswith("RMSNorm") and hasattr(mod, "variance_epsilon")
        if attr != "weight" or not (linear or norm):
            raise LMError(f"edit_many 'ft' can batch Linear and RMSNorm weights only, not {name} "
                          f"({type(mod).__name__}); choose other FTEditConfig.modules or loop over lm.edit")
        out[owner] = mod
    return out


class EditBatch(Sequence):
    """N independent edits of one base model, held as stacked per-edit weights (see the module docstring).

    ``batch[i]`` is edit i as a :class:`LanguageModel` (scoring only; it shares the base weights and
    adds edit i's weights by hooks while it runs). The batched scoring methods take one edit index per
    row, so one call can score, say, every edit's requested fact.

    Attributes:
        base: the unedited model.
        requests: one request per edit.
        config: the method's config (:class:`LoraEditConfig`, :class:`RationalEditConfig` or
            :class:`FTEditConfig`).
        A, B: module name -> (N, r, in) and (N, out, r) adapter weights (``lora``, ``rational``; else None).
        deltas: module name -> (N, *weight shape) weight changes (``ft``; else None).
        U, V: module name -> (N, out) and (N, in): edit i changes the weight by ``outer(U[i], V[i])``
            (``rome``, ``memit``, ``memit_rational``; else None).
    """

    def __init__(self, base: LanguageModel, requests: Sequence, config, grouped: _Grouped):
        self.base, self.requests, self.config, self._grouped = base, tuple(requests), config, grouped
        self.A, self.B = getattr(grouped, "A", None), getattr(grouped, "B", None)
        self.deltas = getattr(grouped, "D", None)
        self.U, self.V = getattr(grouped, "U", None), getattr(grouped, "V", None)

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
        """Edit i as a model of its own: a peft-wrapped copy of the base (``lora``, ``rational``: for saving
        the adapter, merging, further edits) or a copy with the changed weights (``ft``, ``rome``, ``memit``)."""
        i = range(len(self))[i]
        base = self.base
        hf = trainable_copy(base)
        peft_model = None
        with torch.no_grad():
            if isinstance(self._grouped, _GroupedLoRA):
                peft_model = _peft(hf, self.config)
                hf = peft_model.get_base_model()
                modules = dict(hf.named_modules())
                for name in self.A:
                    modules[name].lora_A["default"].weight.copy_(self.A[name][i])
                    modules[name].lora_B["default"].weight.copy_(self.B[name][i])
            else:
                modules = dict(hf.named_modules())
                for name in self._grouped.modules:
                    modules[name].weight.add_(self._grouped.weight_change(name, i))
        hf.eval()
        return base.with_weights(hf, peft_model)


def lora_weights(model: LanguageModel, config: LoraEditConfig, n: int) -> _GroupedLoRA:
    """N copies of the adapters a single peft edit starts from (initialisation taken from peft itself): the
    per-edit weights of a batched LoRA method (``register_edit_method(..., batch=lm.lora_weights)``)."""
    hf = model.model
    probe = _peft(trainable_copy(model), config).get_base_model()
    init = {name: mod.lora_A["default"].weight.detach().clone()  # (r, in)
            for name, mod in probe.named_modules() if hasattr(mod, "lora_A") and "default" in mod.lora_A}
    del probe
    modules = dict(hf.named_modules())
    dev = model.device
    A = {k: a.to(dev).expand(n, *a.shape).clone() for k, a in init.items()}  # (N, r, in)
    B = {k: torch.zeros(n, modules[k].out_features, config.rank, device=dev) for k in init}  # (N, out, r)
    return _GroupedLoRA({k: modules[k] for k in init}, A=A, B=B, scaling=config.scaling)


def delta_weights(model: LanguageModel, config: FTEditConfig, n: int) -> _GroupedDelta:
    """N zero changes of the weights ``config`` trains (layers, modules): the per-edit weights of a batched
    fine-tuning method (``register_edit_method(..., batch=lm.delta_weights)``)."""
    modules = _ft_modules(model.model, config)
    D = {k: torch.zeros(n, *m.weight.shape, device=m.weight.device) for k, m in modules.items()}
    return _GroupedDelta(modules, D=D)


def batched_edit_methods() -> tuple[str, ...]:
    """The edit methods :func:`edit_many` makes in one batch (registered with ``batch=`` or ``many=``).

    Example:
        >>> batched_edit_methods()
        ('ft', 'lora', 'memit', 'memit_rational', 'rational', 'rome')
    """
    return tuple(sorted(name for name in edit_methods() if get_edit_method(name).batched))


def edit_many(model: LanguageModel, method: str, requests: Sequence, config=None,
              chunk_size: int = 256, on_step: Callable[[int, EditBatch], None] | None = None) -> EditBatch:
    """Apply each request as its own independent edit of ``model``, trained in batches.

    Equivalent to ``[edit(model, method, [r], config) for r in requests]`` up to floating-point rounding
    (tested at rtol 1e-3 on probabilities) and much faster: ``chunk_size`` edits share every forward and
    backward pass. A request's result does not depend on the other requests of its chunk (beyond
    rounding).

    Args:
        model: the base model (left untouched; a plain model, not an edited one).
        method: a batched method (:func:`batched_edit_methods`: ``lora``, ``rational``, ``ft``, ``rome``,
            ``memit``, ``memit_rational``).
        requests: one request per independent edit (objects or tuples, as :func:`lm.edit` takes them).
        config: the method's config (default: its defaults).
        chunk_size: edits trained together (memory grows linearly with it; an ``ft`` edit holds a copy
            of the trained weights and their optimizer state, a ``rational`` edit its targets' rows).
        on_step: called as ``on_step(k, edits)`` after training step k (1..steps), ``edits`` scoring like
            the same edits trained for k steps (the learning rate is constant): one run traces an edit
            over its steps. Needs every request in one chunk.

    Returns:
        An :class:`EditBatch`; ``result[i]`` scores like edit i.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains))
        >>> reqs = [(s, r, c.domains[r][0]) for s in c.subjects]
        >>> edits = lm.edit_many(base, "lora", reqs)
        >>> edits.logprob(range(4), [f"{s} {r}" for s, r, _ in reqs], [o for _, _, o in reqs]).shape
        (4,)
        >>> lm.edit_many(base, "ft", reqs).deltas["model.layers.0.mlp.down_proj"].shape
        torch.Size([4, 16, 32])
        >>> seen = []
        >>> _ = lm.edit_many(base, "lora", reqs, lm.LoraEditConfig(steps=3), on_step=lambda k, e: seen.append(k))
        >>> seen
        [1, 2, 3]
    """
    m = _method(method)
    if not m.batched:
        raise LMError(f"edit_many makes the edits of methods registered with batch= or many= "
                      f"({list(batched_edit_methods())}), not {method!r}; loop over edit() for others")
    config = _config(m, config)
    if chunk_size < 1:
        raise LMError(f"chunk_size must be positive, got {chunk_size}")
    requests = check_requests(model, requests)
    if on_step is not None and len(requests) > chunk_size:
        raise LMError(f"on_step needs every request in one chunk ({len(requests)} requests, chunk_size "
                      f"{chunk_size})")
    if m.teacher:
        check_beliefs(model, requests)
    if model.peft_model is not None or model._adapter is not nullcontext:
        raise LMError("edit_many needs a plain base model (merge or materialise edited models first)")
    if m.many is not None:
        return m.many(model, requests, config, chunk_size, on_step)
    weights = (getattr(config, "target_weight", 0.0), getattr(config, "locality_weight", 0.0)) if m.teacher \
        else (0.0, 0.0)
    hf = model.model
    grouped = m.batch(model, config, len(requests))
    grads = [p.requires_grad for p in hf.parameters()]
    hf.requires_grad_(False)
    try:
        # each chunk: row j of every batch belongs to edit j of the chunk; the summed loss gives every
        # edit's weights their own gradient
        for start in range(0, len(requests), chunk_size):
            stop = min(len(requests), start + chunk_size)
            chunk = grouped.chunk(start, stop)
            loss = Objective(training_view(model, adapter=chunk, bf16=train_bf16(model, config)), model,
                             requests[start:stop], np.arange(stop - start), *weights)
            after = None
            if on_step is not None:
                def after(k, start=start, chunk=chunk):
                    grouped.store(start, chunk)
                    with torch.no_grad():
                        on_step(k, EditBatch(model, requests, config, grouped))
            fit(chunk.params(), loss, config.lr, config.steps, after)
            grouped.store(start, chunk)
    finally:
        for p, g in zip(hf.parameters(), grads):
            p.requires_grad_(g)
        hf.eval()
    return EditBatch(model, requests, config, grouped)
