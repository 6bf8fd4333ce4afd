"""Locate-and-edit methods: ROME (Meng et al. 2022), MEMIT (Meng et al. 2023) and a teacher-driven MEMIT,
on this package's Llama-style LM. Each edit has three steps:

1. **Keys.** A layer's key for a subject is the input of its MLP down-projection,
   ``act(gate_proj(x)) * up_proj(x)`` (F numbers), at the subject's last token, averaged over the bare
   prompt ``<eod> {subject}`` and ``contexts`` short corpus sentences read before it (kept in the key
   statistics, :mod:`lm._keys`). The subject's last token sees nothing of the relation, so one key serves
   every prompt about the subject.
2. **Value.** One vector ``delta`` (D numbers) per request, added at the subject's last token to the output
   of a *site*: the MLP of the edited layer (ROME) or the residual stream after the last edited layer
   (MEMIT). It is optimised with Adam to make the model say the requested object: the mean negative
   log-likelihood of the object's tokens and the sentence end `` .`` after ``{context} {subject}
   {relation}`` over the same contexts, plus ``kl_weight`` times the mean KL(unedited || edited) of the
   next-token distributions after ``{subject} {other relation}`` for the subject's other relations (ROME's
   "essence" prompt ``{subject} is a``, adapted: here a subject's other facts are what the edit must not
   disturb), plus ``weight_decay * ||delta|| / ||v0||^2`` (the published code's term; ``v0`` is the site's
   unedited output, averaged over the contexts), with ``||delta||`` clamped to ``clamp * ||v0||`` after
   every step. The teacher-driven method replaces the KL term on the relations its teacher speaks about
   by ``target_weight`` times the mean KL(teacher || edited) over the candidates (``RationalEditConfig``'s
   term). No early stopping: every request takes ``steps`` steps, so a batch equals its edits one by one.
3. **Insertion** in closed form (:mod:`lm._closed_form`) with the key statistics ``C = E[k k^T]``: ROME
   adds ``delta (C^{-1} k*)^T / (k*^T C^{-1} k*)`` to the layer's ``W``, which then maps ``k*`` to
   ``v* = W k* + delta`` exactly. MEMIT goes through its layers in order; at layer l, with the earlier
   layers already updated, it recomputes the keys ``K`` and the residual ``R = (z - h) / (layers left)``,
   ``z = v0 + delta`` the target and ``h`` the current output of the site, and adds
   ``R K^T (lam C + K K^T)^{-1}``. The teacher-driven method appends the keys of the request's anchors (other
   subjects) as columns whose residual is 0: the insertion itself keeps their outputs (locality by
   construction).

Independent edits of many requests (:func:`lm.edit_many`) optimise their values together (one Adam run of
N vectors: each edit's loss depends on its own vector only, and Adam is elementwise) and insert each in
closed form from the base model: every edit is a rank-one change per layer, held as ``U: (N, D)``,
``V: (N, F)`` and applied by hooks like the other batched methods. ``lm.edit(model, "memit", requests)``
inserts all requests in one update; ``rome`` edits several requests one after another (ROME is a
one-fact method; each edit starts from the previous one, with the same statistics, as in the paper).

Keys, values and deltas are computed in float32 (the model's precision); ``C``, the keys' averages and
the closed forms in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numpy as np
import torch

from ._batch import EditBatch, _Grouped
from ._closed_form import directions, directions_each
from ._edit import train_bf16, trainable_copy
from ._errors import LMError
from ._fields import check_types
from ._keys import KeyStatistics, check_layers
from ._objective import beliefs, check_beliefs, fields, training_view
from ._score import LanguageModel, _pad, _Trie

__all__ = ["MemitConfig", "MemitRationalConfig", "RomeConfig", "memit_edit", "memit_many", "memit_rational_edit",
           "rome_edit", "rome_many"]


def _check_value_fields(config) -> None:
    name = type(config).__name__
    if config.contexts < 0 or config.steps < 0:
        raise LMError(f"{name}: contexts and steps must be >= 0, got {config.contexts} and {config.steps}")
    if not config.lr > 0 or not config.clamp > 0:
        raise LMError(f"{name}: lr and clamp must be positive, got {config.lr} and {config.clamp}")
    for f in ("kl_weight", "weight_decay", "target_weight"):
        if getattr(config, f, 0.0) < 0:
            raise LMError(f"{name}.{f} must be >= 0, got {getattr(config, f)!r}")


def _below_top(layers: tuple[int, ...], n_layers: int, what: str) -> tuple[int, ...]:
    """``layers``, unless the last is the model's top layer: an output added there at the subject's token
    reaches no later token (no attention follows), so the edit could not change any answer."""
    if layers[-1] == n_layers - 1:
        raise LMError(f"{what} ends at the top layer {n_layers - 1} of a {n_layers}-layer model: a change "
                      "there at the subject's last token reaches no later token; choose a lower layer")
    return layers


@dataclass(frozen=True)
class RomeConfig:
    """ROME: one MLP layer rewritten in closed form so that the subject's key maps to a new value (see the
    module docstring). The paper's GPT-2 XL settings: layer 17 of 48, 20 Adam steps at lr 0.5, KL weight
    0.0625, weight decay 0.5, clamp 4, 20 contexts.

    Defaults chosen on 200 tuning requests of the default world's ``tiny`` model (seed 1001, half with
    downstream implications; ``benchmarks/bench_rome_layers.py``, docs/editors.md). Layer 0 of 4: mean
    P(requested object) after the edit 0.92 there, 0.40 at layer 1, 0.10 at layer 2 (the top layer cannot
    act). No contexts: the LM reads questions right after ``<eod>``, and 4 contexts gave 0.89 at 3x the
    time. KL weight 0.5: the paper's 0.0625 kept only 54% of the subject's other answers (0.5: 90%, at
    P 0.92 with 60 steps at lr 1.0; 20 steps at lr 0.5: 0.87; KL weight 2: 0.77). On the default run's
    160 requests: P(o*) 0.920, the top answer in 98.8% of edits, other people's accuracy 0.611 -> 0.614,
    the subject's other answers kept 89.5% (lora: 0.990, 100%, 0.599, 84.1%); 0.15 s per edit in
    ``edit_many`` (lora 0.018 s), on 2 shared CPU cores.

    Example:
        >>> RomeConfig(layer=2).edited_layers(4), RomeConfig(layer=-2).edited_layers(4)
        ((2,), (2,))
    """

    layer: int = 0  # decoder layer whose MLP down-projection is rewritten (negative counts from the top)
    contexts: int = 0  # corpus sentences read before the prompt (at most those the key statistics hold);
    #                    keys and the value's NLL are averaged over them and the bare prompt
    steps: int = 60  # Adam steps of the value optimisation
    lr: float = 1.0  # its learning rate
    kl_weight: float = 0.5  # weight of the mean KL(unedited || edited) on the subject's other relations
    weight_decay: float = 0.5  # weight of ||delta|| / ||v0||^2
    clamp: float = 4.0  # ||delta|| <= clamp * ||v0||
    bf16: bool | None = None  # value optimisation under bf16 autocast (keys, values and the insertion stay
    #                           float32/float64); None: where the hardware computes bf16 natively

    def __post_init__(self):
        check_types(self)
        _check_value_fields(self)

    def edited_layers(self, n_layers: int) -> tuple[int, ...]:
        """The layer this config rewrites in an ``n_layers``-layer model; :class:`LMError` if outside it."""
        if not -n_layers <= self.layer < n_layers:
            raise LMError(f"RomeConfig.layer {self.layer} out of range for a {n_layers}-layer model")
        return _below_top((self.layer % n_layers,), n_layers, "RomeConfig.layer")


@dataclass(frozen=True)
class MemitConfig:
    """MEMIT: the update spread over several MLP layers, many requests in one closed-form update (see the
    module docstring). The paper's GPT-J settings: layers 3-8 of 28, ``mom2_weight`` 15,000, 25 Adam steps
    at lr 0.5, KL weight 0.0625, weight decay 0.5, clamp 0.75.

    Defaults chosen as :class:`RomeConfig`'s (docs/editors.md). Layers (0,): a range ending above layer 0
    optimises its value where the subject's last token barely moves the answer (P(o*) 0.46 for layers
    0-1, 0.14 for 1-2), so on the 4-layer ``tiny`` model MEMIT is a one-layer update. ``mom2_weight`` 1
    for independent edits (1 and 3 give P(o*) 0.905, 100 gives 0.41, 10,000 moves nothing); clamp 2
    (0.75: 0.84, 4: 0.89); the rest as ROME's. On the default run's 160 requests: P(o*) 0.923, top answer
    98.8%, other people's accuracy 0.611 -> 0.614, the subject's other answers kept 89.8%, 0.15 s per
    edit. Many requests in one update need a far larger ``mom2_weight`` (see docs/editors.md).

    Example:
        >>> MemitConfig(layers=(0, 1)).edited_layers(4), MemitConfig(layers=(-3, -2)).edited_layers(4)
        ((0, 1), (1, 2))
    """

    layers: tuple[int, ...] = (0,)  # decoder layers whose MLP down-projections are updated (the value is
    #                                 optimised after the last; negative counts from the top)
    mom2_weight: float = 1.0  # lam: weight of the key statistics against the new keys (more: smaller changes)
    contexts: int = 0  # corpus sentences read before the prompt (see RomeConfig)
    steps: int = 60  # Adam steps of the value optimisation
    lr: float = 1.0  # its learning rate
    kl_weight: float = 0.5  # weight of the mean KL(unedited || edited) on the subject's other relations
    weight_decay: float = 0.5  # weight of ||delta|| / ||v0||^2
    clamp: float = 2.0  # ||delta|| <= clamp * ||v0|| (v0: the residual stream, larger than an MLP output)
    bf16: bool | None = None  # value optimisation under bf16 autocast (see RomeConfig)

    def __post_init__(self):
        check_types(self)
        _check_value_fields(self)
        name = type(self).__name__
        if not self.layers:
            raise LMError(f"{name}.layers is empty")
        if not self.mom2_weight > 0:
            raise LMError(f"{name}.mom2_weight must be positive, got {self.mom2_weight!r}")

    def edited_layers(self, n_layers: int) -> tuple[int, ...]:
        """The layers this config updates, ascending; :class:`LMError` naming those outside the model."""
        bad = [i for i in self.layers if not -n_layers <= i < n_layers]
        if bad:
            raise LMError(f"{type(self).__name__}.layers {bad} out of range for a {n_layers}-layer model")
        return _below_top(tuple(sorted({i % n_layers for i in self.layers})), n_layers,
                          f"{type(self).__name__}.layers")


@dataclass(frozen=True)
class MemitRationalConfig(MemitConfig):
    """MEMIT whose value vectors are optimised toward a teacher's post-edit beliefs about *every* relation of
    the subject (a request's ``targets``, as for ``rational``): ``target_weight`` times the mean
    KL(teacher || edited) over them, plus the NLL of the requested object, then inserted at the subject's
    key; the request's ``anchors`` (other subjects) enter the insertion as keys to keep. Targets about
    other subjects are left out (a value at the subject's key cannot reach them). A request without targets
    and anchors is edited exactly as by ``memit``.

    With the teacher of the benchmark (the rational agent's post-edit beliefs about the subject's 8 other
    relations, 8 anchors) on the default run's 160 requests: the subject's other answers agree with the
    agent's in 68.7% (memit 54.9%, lora 54.4%, the LoRA-based ``rational`` 76.5%), P(o*) 0.835, other
    people's accuracy 0.611 -> 0.608; 1.4 s per edit (its targets' candidate trees dominate; ``rational``
    1.3 s).

    Example:
        >>> MemitRationalConfig(target_weight=2.0).mom2_weight == MemitConfig().mom2_weight
        True
    """

    target_weight: float = 1.0  # weight of the mean KL(teacher || edited) over the request's targets

    def __post_init__(self):
        super().__post_init__()


# ---- the rows of one set of edits --------------------------------------------------------------------------
@contextmanager
def _added(site: torch.nn.Module, delta: torch.Tensor, owners: torch.Tensor, positions: torch.Tensor):
    """While active, ``site``'s output gains ``delta[owners[j]]`` at position ``positions[j]`` of row j."""
    def hook(module, args, out):
        rows = torch.arange(out.shape[0], device=out.device)
        return out.index_put((rows, positions.to(out.device)), delta[owners].to(out.dtype), accumulate=True)

    handle = site.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@dataclass(frozen=True)
class _Spec:
    """What a config asks of the model: the layers, where the value is added, lam, the statistics."""

    layers: tuple[int, ...]
    lam: float  # 0: ROME's exact insertion
    mlp_site: bool  # the value is added to the MLP output of the last layer (ROME), else to its block's output
    stats: KeyStatistics
    contexts: tuple[str, ...]

    def site(self, hf) -> torch.nn.Module:
        block = hf.model.layers[self.layers[-1]]
        return block.mlp if self.mlp_site else block

    def moment(self, layer: int, who: str) -> torch.Tensor:
        return self.stats.moment(layer, who)


def _spec(model: LanguageModel, config, method: str) -> _Spec:
    stats = model.key_statistics
    if stats is None:
        raise LMError(f"edit method {method!r} needs the key statistics of this model: "
                      "model = model.with_key_statistics(lm.key_statistics(model, corpus_dir, layers)) "
                      "(or lm.load_key_statistics(directory, model) for saved ones)")
    layers = config.edited_layers(model.model.config.num_hidden_layers)
    for i in layers:
        stats.moment(i, f"{method} ({type(config).__name__})")
    rome = isinstance(config, RomeConfig)
    return _Spec(layers, 0.0 if rome else config.mom2_weight, rome, stats, stats.contexts[:config.contexts])


class _Rows:
    """The token rows of a set of independent edits (edit i = request i) and the value loss over them.

    ``pre`` is ``<eod>`` and the model's prefix, ``c`` each context (the empty one first):

    - subject rows ``pre c subject``: keys and site outputs (edit i's own, then its anchors');
    - NLL rows ``pre c subject relation object .``;
    - one KL row per edit, ``pre subject`` followed by every relation of the statistics packed as a prefix
      tree (each branch sees the prompt and itself: :meth:`LanguageModel._packed_hidden`); the terms of
      the edited relation, and of relations the teacher speaks about, have weight 0;
    - per candidate set, target rows ``pre subject relation`` with the candidates' tree.

    ``delta`` goes in at the subject's last token of every row but the subject rows.
    """

    def __init__(self, model: LanguageModel, requests: Sequence, config, spec: _Spec, teacher: bool,
                 bf16: bool = False):
        self.view = training_view(model)  # float32: keys and values
        self.loss_view = training_view(model, bf16=bf16)
        tok = model.tokenizer
        pre = model._prefix_ids
        ctx = [[]] + tok.encode(list(spec.contexts), "context")
        self.n, self.n_ctx = len(requests), len(ctx)
        triples = [fields(r) for r in requests]
        taught = [beliefs(r) if teacher else None for r in requests]
        # targets about the subject only: a value at its key cannot reach another subject's answers
        own = [[t for t in b.targets if t[0][0] == s] if b else [] for b, (s, _, _) in zip(taught, triples)]
        words = lambda xs, what: tok.encode(list(xs), what)  # noqa: E731
        subj = words([s for s, _, _ in triples], "subject")
        rel = words([r for _, r, _ in triples], "relation")
        obj = words([o for _, _, o in triples], "object")
        self.last = torch.tensor([len(pre) + len(w) - 1 for w in subj])  # the subject's last token in a bare row
        # 1. subject rows: edit i's own (n_ctx rows), then its anchors' (n_ctx rows each)
        anchor_subjects = [list(dict.fromkeys(s for (s, _), _ in b.anchors)) if b else [] for b in taught]
        self.n_anchors = max((len(a) for a in anchor_subjects), default=0)
        names = sorted({s for a in anchor_subjects for s in a})
        anchor_ids = dict(zip(names, words(names, "anchor subject")))
        subject_rows = [pre + c + subj[i] for i in range(self.n) for c in ctx]
        self.subject_owner = [i for i in range(self.n) for _ in ctx]
        self.anchor_slots = []
        for i, names in enumerate(anchor_subjects):
            for j, s in enumerate(names):
                subject_rows += [pre + c + anchor_ids[s] for c in ctx]
                self.subject_owner += [i] * len(ctx)
                self.anchor_slots.append((i, j))
        self.subject_ids, _ = _pad(subject_rows, tok.pad_id)
        self.subject_last = torch.tensor([len(r) - 1 for r in subject_rows])
        self.subject_owner = torch.tensor(self.subject_owner)
        # 2. NLL rows, edit-major: row i * n_ctx + c; their target tokens at (nll_b, nll_t)
        rows, where, t_rows, t_pos = [], [], [], []
        for i in range(self.n):
            for c in ctx:
                head = pre + c + subj[i]
                body = head + rel[i]
                t_rows += [len(rows)] * (len(obj[i]) + 1)
                t_pos += list(range(len(body) - 1, len(body) + len(obj[i])))
                rows.append(body + obj[i] + [tok.end_id])
                where.append(len(head) - 1)
        self.ids, _ = _pad(rows, tok.pad_id)
        self.owner = torch.arange(self.n).repeat_interleave(self.n_ctx)
        self.where = torch.tensor(where)
        self.nll_b, self.nll_t = torch.tensor(t_rows), torch.tensor(t_pos)
        self.nll_count = torch.bincount(self.nll_b, minlength=len(rows)).float()
        # 3. KL rows: every relation of the statistics packed after "pre subject"
        relations = list(spec.stats.relations)
        self.kl_trie = _Trie(words(relations, "relation"), tok.end_id)
        self.kl_prompts = [pre + w for w in subj]
        skip = [{r} | {x for (_, x), *_ in t} for (_, r, _), t in zip(triples, own)]
        w = torch.tensor([[0.0 if x in sk else 1.0 for x in relations] for sk in skip])  # (N, K)
        self.kl_weight = w / w.sum(1, keepdim=True).clamp(min=1.0)
        self.kl_ref = self._kl_logprobs(None, grad=False) if w.any() else None  # (N, K, V) unedited
        # 4. target rows, one group per candidate set: (trie, prompts, owners, positions, teacher, coefficient)
        groups: dict[tuple[str, ...], list] = {}
        for i, t in enumerate(own):
            for (s, x), cands, p in t:
                groups.setdefault(cands, []).append((i, s, x, p, config.target_weight / len(t)))
        self.targets = []
        for cands, spec_rows in groups.items():
            ws = words([s for _, s, _, _, _ in spec_rows], "subject")
            xs = words([x for _, _, x, _, _ in spec_rows], "relation")
            self.targets.append((_Trie(words(cands, "candidate"), tok.end_id), [pre + a + b for a, b in zip(ws, xs)],
                                 torch.tensor([r[0] for r in spec_rows]),
                                 torch.tensor([len(pre) + len(a) - 1 for a in ws]),
                                 torch.tensor(np.array([r[3] for r in spec_rows])),
                                 torch.tensor([r[4] for r in spec_rows], dtype=torch.float64)))

    def _kl_logprobs(self, add, grad: bool) -> torch.Tensor:
        """(N, K, V) next-token log-probabilities after ``subject relation_k``, under ``add`` (a context
        adding the deltas) or unedited."""
        view, trie = self.loss_view, self.kl_trie
        with add or nullcontext():
            hidden = view._packed_hidden(self.kl_prompts, trie, grad=grad)  # (N, Lp + nodes, D)
        width = max(map(len, self.kl_prompts))
        return view._logprobs(hidden[:, width + torch.from_numpy(trie.last_node)], grad=grad)

    def subject_pass(self, hf, layer: int, site: torch.nn.Module, grouped: _Grouped | None = None):
        """(keys (N, 1 + anchors, F), site outputs (N, D)) at the subjects' last tokens, float64, averaged over
        the contexts; ``hf`` is the model's weights (updated in place) or ``grouped`` adds edit i's changes
        to its rows. A missing anchor's key is 0 (it adds nothing to the insertion)."""
        seen = {}
        h1 = hf.model.layers[layer].mlp.down_proj.register_forward_pre_hook(lambda m, a: seen.__setitem__("k", a[0]))
        h2 = site.register_forward_hook(lambda m, a, out: seen.__setitem__("h", out))
        view = training_view(self.view, hf, adapter=grouped)
        rows = torch.arange(len(self.subject_last))
        try:
            view._hidden(self.subject_ids, groups=None if grouped is None else self.subject_owner)
        finally:
            h1.remove()
            h2.remove()
        k = seen["k"][rows, self.subject_last].double().view(-1, self.n_ctx, seen["k"].shape[-1]).mean(1)
        h = seen["h"][rows, self.subject_last].double().view(-1, self.n_ctx, seen["h"].shape[-1]).mean(1)
        keys = torch.zeros(self.n, 1 + self.n_anchors, k.shape[-1], dtype=torch.float64)
        keys[:, 0] = k[:self.n]
        for (i, j), a in zip(self.anchor_slots, k[self.n:]):
            keys[i, 1 + j] = a
        return keys, h[:self.n]

    def loss(self, delta: torch.Tensor, v0_norm: torch.Tensor, config, site: torch.nn.Module) -> torch.Tensor:
        """The summed value loss of every edit (see the module docstring)."""
        view = self.loss_view
        with _added(site, delta, self.owner, self.where):
            hidden, _ = view._hidden(self.ids, grad=True)
        lp = view._logprobs(hidden[self.nll_b, self.nll_t], grad=True)
        nll = -lp.gather(1, self.ids[self.nll_b, self.nll_t + 1][:, None])[:, 0]
        per_row = torch.zeros(len(self.owner)).index_add(0, self.nll_b, nll) / self.nll_count  # (N * n_ctx,)
        loss = per_row.sum() / self.n_ctx
        if self.kl_ref is not None and config.kl_weight:
            lq = self._kl_logprobs(_added(site, delta, torch.arange(self.n), self.last), grad=True)
            kl = (self.kl_ref.exp() * (self.kl_ref - lq)).sum(-1)  # (N, K)
            loss = loss + config.kl_weight * (kl * self.kl_weight).sum()
        for trie, prompts, owners, where, teacher, coef in self.targets:
            with _added(site, delta, owners, where):
                scores = view._trie_logprobs(prompts, trie, grad=True)  # (R, K) float64
            log_q = scores - torch.logsumexp(scores, dim=1, keepdim=True)
            loss = loss + ((torch.xlogy(teacher, teacher) - teacher * log_q).sum(1) * coef).sum()
        decay = config.weight_decay * delta.norm(dim=1) / v0_norm ** 2
        return loss + decay.sum()


def _optimise(rows: _Rows, v0: torch.Tensor, config, site: torch.nn.Module,
              after: Callable[[int, torch.Tensor], None] | None = None) -> torch.Tensor:
    """(N, D) value deltas: ``config.steps`` Adam steps on the summed loss, each delta clamped after each step."""
    v0_norm = v0.norm(dim=1).float()
    delta = torch.zeros(v0.shape, requires_grad=True)
    opt = torch.optim.Adam([delta], lr=config.lr)
    for k in range(1, config.steps + 1):
        rows.loss(delta, v0_norm, config, site).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            delta.mul_((config.clamp * v0_norm / delta.norm(dim=1).clamp(min=1e-30)).clamp(max=1.0)[:, None])
        if after is not None:
            after(k, delta.detach())
    return delta.detach()


# ---- insertion --------------------------------------------------------------------------------------------
class _GroupedRankOne(_Grouped):
    """Per-edit rank-one changes ``U[name][i] V[name][i]^T`` of down-projections: ``U: (N, D)``, ``V: (N, F)``."""

    _fields = ("U", "V")

    def _change(self, name, module, x, groups):
        U, V = self.U[name], self.V[name]  # x: (rows, T, F)
        if isinstance(groups, int):
            return (x @ V[groups])[..., None] * U[groups]
        return torch.einsum("btf,bf->bt", x, V[groups])[..., None] * U[groups][:, None, :]

    def weight_change(self, name: str, i: int) -> torch.Tensor:
        return torch.outer(self.U[name][i], self.V[name][i])


def _name(layer: int) -> str:
    return f"model.layers.{layer}.mlp.down_proj"


def _insert_each(model: LanguageModel, rows: _Rows, spec: _Spec, z: torch.Tensor, who: str) -> _GroupedRankOne:
    """Every edit's rank-one change per layer, inserted from the base model (independent edits)."""
    hf = model.model
    D, F = hf.config.hidden_size, hf.config.intermediate_size
    modules = {_name(i): hf.model.layers[i].mlp.down_proj for i in spec.layers}
    grouped = _GroupedRankOne(modules, U={k: torch.zeros(rows.n, D) for k in modules},
                              V={k: torch.zeros(rows.n, F) for k in modules})
    site = spec.site(hf)
    for done, layer in enumerate(spec.layers):
        with torch.no_grad():
            keys, h = rows.subject_pass(hf, layer, site, grouped)
            residual = (z - h) / (len(spec.layers) - done)  # (N, D)
            grouped.U[_name(layer)][:] = residual.float()
            grouped.V[_name(layer)][:] = directions_each(spec.moment(layer, who), keys.transpose(1, 2), spec.lam).float()
    return grouped


def _insert_joint(hf, rows: _Rows, spec: _Spec, z: torch.Tensor, who: str) -> None:
    """All edits in one update per layer, written into ``hf``'s weights."""
    site = spec.site(hf)
    for done, layer in enumerate(spec.layers):
        with torch.no_grad():
            keys, h = rows.subject_pass(hf, layer, site)
            residual = (z - h) / (len(spec.layers) - done)  # (N, D)
            own, anchors = keys[:, 0], keys[:, 1:].reshape(-1, keys.shape[-1])
            K = torch.cat([own, anchors[anchors.abs().sum(1) > 0]]).T  # (F, N + anchors)
            V = directions(spec.moment(layer, who), K, spec.lam)[:, :rows.n]  # (F, N)
            hf.model.layers[layer].mlp.down_proj.weight += (residual.T @ V.T).float()


def _values(model: LanguageModel, rows: _Rows, spec: _Spec, config, after=None) -> torch.Tensor:
    """z = v0 + delta (N, D) float64: each request's target output of the site."""
    hf = model.model
    with torch.no_grad():
        _, v0 = rows.subject_pass(hf, spec.layers[-1], spec.site(hf))
    after_z = None if after is None else (lambda k, d: after(k, v0 + d.double()))
    return v0 + _optimise(rows, v0.float(), config, spec.site(hf), after_z).double()


def _edit(model: LanguageModel, requests: list, config, method: str, teacher: bool) -> LanguageModel:
    """All ``requests`` inserted in one update of a copy of ``model``'s weights."""
    spec = _spec(model, config, method)
    if teacher:
        check_beliefs(model, requests)
    hf = trainable_copy(model)
    hf.requires_grad_(False)
    edited = model.with_weights(hf)
    rows = _Rows(edited, requests, config, spec, teacher, train_bf16(model, config))
    z = _values(edited, rows, spec, config)
    _insert_joint(hf, rows, spec, z, method)
    return edited


def rome_edit(model: LanguageModel, requests: list, config: RomeConfig) -> LanguageModel:
    for r in requests:  # ROME inserts one fact at a time
        model = _edit(model, [r], config, "rome", teacher=False)
    return model


def memit_edit(model: LanguageModel, requests: list, config: MemitConfig) -> LanguageModel:
    return _edit(model, requests, config, "memit", teacher=False)


def memit_rational_edit(model: LanguageModel, requests: list, config: MemitRationalConfig) -> LanguageModel:
    return _edit(model, requests, config, "memit_rational", teacher=True)


def _many(model: LanguageModel, requests: list, config, method: str, teacher: bool, chunk_size: int,
          on_step: Callable[[int, EditBatch], None] | None) -> EditBatch:
    """Independent edits of ``model``, ``chunk_size`` at a time (see the module docstring)."""
    spec = _spec(model, config, method)
    parts: list[_GroupedRankOne] = []
    hf = model.model
    grads = [p.requires_grad for p in hf.parameters()]
    hf.requires_grad_(False)
    try:
        for start in range(0, len(requests), chunk_size):
            chunk = requests[start:start + chunk_size]
            rows = _Rows(model, chunk, config, spec, teacher, train_bf16(model, config))
            after = None
            if on_step is not None:  # one chunk (edit_many checks): the edits after k steps, inserted
                def after(k, z, rows=rows, chunk=chunk):
                    on_step(k, EditBatch(model, chunk, config, _insert_each(model, rows, spec, z, method)))
            parts.append(_insert_each(model, rows, spec, _values(model, rows, spec, config, after), method))
    finally:
        for p, g in zip(hf.parameters(), grads):
            p.requires_grad_(g)
        hf.eval()
    first = parts[0]
    grouped = _GroupedRankOne(first.modules, **{f: {k: torch.cat([getattr(p, f)[k] for p in parts])
                                                    for k in first.modules} for f in ("U", "V")})
    return EditBatch(model, requests, config, grouped)


def rome_many(model, requests, config, chunk_size=256, on_step=None) -> EditBatch:
    return _many(model, requests, config, "rome", False, chunk_size, on_step)


def memit_many(model, requests, config, chunk_size=256, on_step=None) -> EditBatch:
    return _many(model, requests, config, "memit", False, chunk_size, on_step)


def memit_rational_many(model, requests, config, chunk_size=256, on_step=None) -> EditBatch:
    return _many(model, requests, config, "memit_rational", True, chunk_size, on_step)


def key_layers(config, n_layers: int) -> tuple[int, ...]:
    """The layers whose key statistics ``config``'s edits read (a registration's ``key_layers``)."""
    return config.edited_layers(n_layers)
