"""What a training edit minimises, for one edit or for many independent edits trained together.

A request is any object with ``subject``, ``relation`` and ``obj`` attributes (such as
``bridges.EditRequest``) or a plain ``(subject, relation, obj)`` tuple. Edit e's loss is the mean over
its requests (usually one) of

    NLL(obj tokens | "{subject} {relation}"), the mean over the object's tokens
    + target_weight * mean over the request's targets of KL(teacher || LM over the pair's candidates)
    + locality_weight * mean over its anchors of KL(unedited model || LM over the pair's candidates)

where ``targets`` and ``anchors`` are optional attributes of the request (read by :func:`beliefs`; the
``rational`` method sets the weights, the others leave them 0 and skip the terms). A distribution over
candidates is the one :meth:`LanguageModel.distributions` computes (each candidate followed by `` .``,
normalised over the candidates), through the same packed prefix-tree pass, differentiable.

Many edits train together as the sum of their losses: row j of every batch belongs to edit
``owners[j]``, which is also the adapter index a grouped view applies to that row, so each edit's
weights get exactly their own edit's gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._errors import LMError
from ._score import LanguageModel, _pad, _Trie

#: Teacher probabilities must sum to 1 within this (float32 teachers accumulate about 1e-6).
PROB_TOLERANCE = 1e-4


# ---- requests ---------------------------------------------------------------------------------------------
def fields(request) -> tuple[str, str, str]:
    """``(subject, relation, obj)`` of a request object or tuple; :class:`LMError` naming anything else.

    Example:
        >>> fields(("Ann Lee", "native language", "French"))
        ('Ann Lee', 'native language', 'French')
    """
    if all(hasattr(request, a) for a in ("subject", "relation", "obj")):
        triple = (request.subject, request.relation, request.obj)
    elif isinstance(request, tuple) and len(request) == 3:
        triple = request
    else:
        raise LMError(f"edit request {request!r} is neither an object with subject, relation and obj "
                      "attributes nor a (subject, relation, obj) tuple")
    if not all(isinstance(x, str) for x in triple):
        raise LMError(f"edit request {request!r}: subject, relation and obj must be strings")
    return tuple(triple)


def prompt(request) -> str:
    """The prompt an edit trains on: ``"{subject} {relation}"``."""
    s, r, _ = fields(request)
    return f"{s} {r}"


def sentence(request) -> str:
    """The request stated as a corpus sentence: ``"{subject} {relation} {obj} ."``."""
    return f"{' '.join(fields(request))} ."


def check_requests(model: LanguageModel, requests: Sequence) -> list:
    """The requests as a list, each checked (:func:`fields`, vocabulary) before anything is trained."""
    requests = list(requests)
    if not requests:
        raise LMError("no edit requests")
    triples = [fields(r) for r in requests]
    # raises VocabularyError naming the unknown words
    model.tokenizer.encode([o for _, _, o in triples], "edit object")
    model.tokenizer.encode([f"{s} {r}" for s, r, _ in triples], "edit prompt")
    return requests


@dataclass(frozen=True)
class Beliefs:
    """A request's distribution terms: ``targets`` (pair, candidates, teacher probabilities) and
    ``anchors`` (pair, candidates) in the order the request gives them."""

    targets: tuple[tuple[tuple[str, str], tuple[str, ...], np.ndarray], ...]
    anchors: tuple[tuple[tuple[str, str], tuple[str, ...]], ...]


def beliefs(request) -> Beliefs:
    """The request's ``targets`` and ``anchors`` attributes, checked (missing attributes mean none).

    ``targets``: (subject, relation) -> {object: probability} (the candidates are the keys in order,
    the probabilities sum to 1 within :data:`PROB_TOLERANCE` and are renormalised);
    ``anchors``: (subject, relation) -> candidate objects.

    Raises:
        LMError: naming the request and the pair whose entry is malformed.

    Example:
        >>> from types import SimpleNamespace
        >>> r = SimpleNamespace(subject="Ann", relation="country", obj="Peru",
        ...                     targets={("Ann", "continent"): {"America": 0.9, "Asia": 0.1}})
        >>> b = beliefs(r); b.targets[0][1], b.targets[0][2].tolist(), b.anchors
        (('America', 'Asia'), [0.9, 0.1], ())
    """
    name = fields(request)
    targets = getattr(request, "targets", None) or {}
    anchors = getattr(request, "anchors", None) or {}
    if not isinstance(targets, Mapping) or not isinstance(anchors, Mapping):
        raise LMError(f"edit request {name}: targets and anchors must be mappings keyed by (subject, relation)")
    out_t = []
    for pair, dist in targets.items():
        where = f"targets[{pair!r}] of edit request {name}"
        _check_pair(pair, where)
        if not isinstance(dist, Mapping) or not dist:
            raise LMError(f"{where}: expected a non-empty mapping object -> probability, got {dist!r}")
        p = np.array([float(v) for v in dist.values()], dtype=np.float64)
        if not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1) > PROB_TOLERANCE:
            raise LMError(f"{where}: probabilities must be finite, non-negative and sum to 1, "
                          f"got sum {p.sum():.6g} ({dict(dist)})")
        out_t.append((tuple(pair), _candidates(list(dist), where), p / p.sum()))
    out_a = []
    for pair, cands in anchors.items():
        where = f"anchors[{pair!r}] of edit request {name}"
        _check_pair(pair, where)
        if isinstance(cands, str) or not isinstance(cands, Sequence) or not cands:
            raise LMError(f"{where}: expected a non-empty sequence of objects, got {cands!r}")
        out_a.append((tuple(pair), _candidates(cands, where)))
    return Beliefs(tuple(out_t), tuple(out_a))


def _check_pair(pair, where: str) -> None:
    if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
        raise LMError(f"{where}: the key must be a (subject, relation) tuple of strings")


def _candidates(cands: Sequence, where: str) -> tuple[str, ...]:
    if not all(isinstance(c, str) for c in cands):
        raise LMError(f"{where}: candidates must be strings, got {list(cands)!r}")
    if len(set(cands)) != len(cands):
        raise LMError(f"{where}: repeated candidates in {list(cands)!r}")
    return tuple(cands)


def check_beliefs(model: LanguageModel, requests: Sequence) -> None:
    """Check every request's targets and anchors, words included, before anything is trained."""
    for r in requests:
        b = beliefs(r)
        for (s, rel), cands, *_ in (*b.targets, *b.anchors):
            model._encode_prompts([f"{s} {rel}"], f"prompt of the pair {(s, rel)!r}")
            model.tokenizer.encode(list(cands), f"candidate of the pair {(s, rel)!r}")


# ---- the loss ---------------------------------------------------------------------------------------------
def training_view(model: LanguageModel, hf=None, adapter=None, bf16: bool = False) -> LanguageModel:
    """``model`` (or its copy ``hf`` being trained) scoring in float32 (or under bf16 autocast: weights and
    gradients stay float32), with a grouped adapter if given."""
    view = LanguageModel(model.model if hf is None else hf, model.tokenizer, prefix=model.prefix,
                         peft_model=model.peft_model if hf is None else None, meta=model.meta, bf16=bf16)
    if adapter is not None:
        view._adapter = adapter
    elif hf is None:
        view._adapter = model._adapter
    return view


@dataclass
class _DistributionRows:
    """Rows of one candidate set: their prompts, edits, reference distributions and loss weights."""

    trie: _Trie
    prompts: list[list[int]]
    owners: torch.Tensor  # (R,) the edit of each row
    reference: torch.Tensor  # (R, K) float64 teacher or unedited-model probabilities
    coef: torch.Tensor  # (R,) weight / (rows of this kind in the request) / (requests in the edit)


class Objective:
    """The summed loss of independent edits (see the module docstring); call it for a scalar tensor.

    Args:
        view: scores with the weights being trained: a model whose forward includes them, or a grouped
            view applying edit ``owners[j]``'s weights to row j.
        base: the unedited model (the anchors' reference distributions, computed here, without gradient).
        requests: the requests; request j belongs to edit ``owners[j]``.
        owners: (n,) edit index of each request (all 0 for one edit of several requests).
        target_weight, locality_weight: the weights of the KL terms; a term of weight 0 is not computed,
            so with both 0 the loss is the NLL alone, computed exactly as without targets.
    """

    def __init__(self, view: LanguageModel, base: LanguageModel, requests: Sequence, owners: np.ndarray,
                 target_weight: float = 0.0, locality_weight: float = 0.0):
        self.view = view
        dev = view.device
        tok = view.tokenizer
        triples = [fields(r) for r in requests]
        n_edits = int(owners.max()) + 1
        # 1. the requested objects: loss on the object tokens, position t predicting t + 1
        prompts = view._encode_prompts([f"{s} {r}" for s, r, _ in triples])
        objs = tok.encode([o for _, _, o in triples], "edit object")
        self.ids, _ = _pad([p + o for p, o in zip(prompts, objs)], tok.pad_id)  # (n, L)
        plen = torch.tensor([len(p) for p in prompts])
        end = plen + torch.tensor([len(o) for o in objs])
        pos = torch.arange(self.ids.shape[1])
        target = (pos[None] >= plen[:, None] - 1) & (pos[None] < end[:, None] - 1)
        self.b, self.t = target.nonzero(as_tuple=True)  # (m,) rows and positions of the object tokens
        self.owners = torch.from_numpy(np.asarray(owners, dtype=np.int64))
        share = 1.0 / np.bincount(owners, minlength=n_edits)[owners]  # (n,) the mean over an edit's requests
        self.nll_coef = torch.from_numpy(share.astype(np.float32)).to(dev)
        # 2. distribution rows, one packed pass per candidate set
        rows: dict[tuple[str, ...], list] = {}  # candidates -> [(pair, owner, teacher or None, coefficient)]
        for r, e, w in zip(requests, owners, share):
            b = beliefs(r)
            if target_weight and b.targets:
                for pair, cands, p in b.targets:
                    rows.setdefault(cands, []).append((pair, int(e), p, w * target_weight / len(b.targets)))
            if locality_weight and b.anchors:
                for pair, cands in b.anchors:
                    rows.setdefault(cands, []).append((pair, int(e), None, w * locality_weight / len(b.anchors)))
        self.groups = [self._rows(base, cands, spec) for cands, spec in rows.items()]

    def _rows(self, base: LanguageModel, cands: tuple[str, ...], spec: list) -> _DistributionRows:
        tok = self.view.tokenizer
        trie = _Trie(tok.encode(list(cands), "candidate"), tok.end_id)
        prompts = self.view._encode_prompts([f"{s} {r}" for (s, r), *_ in spec])
        reference = np.zeros((len(spec), len(cands)))
        teacher = [i for i, row in enumerate(spec) if row[2] is not None]
        anchor = [i for i, row in enumerate(spec) if row[2] is None]
        if teacher:
            reference[teacher] = [spec[i][2] for i in teacher]
        if anchor:  # the unedited model's distribution, as LanguageModel.distributions computes it (float32)
            lp = training_view(base)._trie_scores([prompts[i] for i in anchor], trie, None)
            reference[anchor] = np.exp(lp - np.logaddexp.reduce(lp, axis=1, keepdims=True))
        dev = self.view.device
        return _DistributionRows(trie, prompts, torch.tensor([row[1] for row in spec]),
                                 torch.from_numpy(reference).to(dev),
                                 torch.tensor([row[3] for row in spec], dtype=torch.float64, device=dev))

    def nll(self) -> torch.Tensor:
        """(n,) mean negative log-likelihood of each request's object tokens."""
        view, b, t = self.view, self.b, self.t
        hidden, _ = view._hidden(self.ids, groups=self.owners, grad=True)  # (n, L, D)
        lp = view._logprobs(hidden[b, t], grad=True)  # (m, V)
        dev = lp.device
        nll = -lp.gather(1, self.ids[b, t + 1].to(dev)[:, None])[:, 0]
        rows = self.ids.shape[0]
        total = torch.zeros(rows, dtype=nll.dtype, device=dev).index_add(0, b.to(dev), nll)
        count = torch.zeros(rows, dtype=nll.dtype, device=dev).index_add(0, b.to(dev), torch.ones_like(nll))
        return total / count

    def __call__(self) -> torch.Tensor:
        loss = (self.nll() * self.nll_coef).sum()
        for g in self.groups:
            scores = self.view._trie_logprobs(g.prompts, g.trie, g.owners, grad=True)  # (R, K) float64
            log_q = scores - torch.logsumexp(scores, dim=1, keepdim=True)
            kl = (torch.xlogy(g.reference, g.reference) - g.reference * log_q).sum(1)  # (R,)
            loss = loss + (kl * g.coef).sum()
        return loss


def edit_objective(model: LanguageModel, requests: Sequence, weights=None, *, target_weight: float = 0.0,
                   locality_weight: float = 0.0, bf16: bool = False) -> Objective:
    """The loss of one edit of ``model`` (all ``requests`` together), computed through ``weights``: the
    copy being trained (:func:`lm.trainable_copy`, perhaps wrapped by peft), or ``model`` itself.

    The building block of a training edit method: NLL of each requested object after its prompt, plus,
    with positive weights, the KL terms on the requests' ``targets`` and ``anchors`` (see the module
    docstring). Call the result for a scalar tensor; :func:`lm.optimize` runs the steps.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains))
        >>> weights = lm.trainable_copy(base)
        >>> loss = lm.edit_objective(base, [(c.subjects[0], r, c.domains[r][0])], weights)
        >>> before = loss().item()
        >>> lm.optimize([p for p in weights.parameters()], loss, lr=1e-2, steps=5)
        >>> loss().item() < before
        True
    """
    requests = check_requests(model, requests)
    return Objective(training_view(model, weights, bf16=bf16), model, requests,
                     np.zeros(len(requests), dtype=np.int64), target_weight, locality_weight)


def fit(params: list[torch.Tensor], loss: Callable[[], torch.Tensor], lr: float, steps: int,
        after: Callable[[int], None] | None = None) -> None:
    """``steps`` AdamW steps (no weight decay, constant learning rate) on ``loss()``; ``after(k)`` is called
    after step k (1..steps). The learning rate does not depend on ``steps``, so the state after step k is
    the result of a ``k``-step edit (public as :func:`lm.optimize`)."""
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    for k in range(1, steps + 1):
        loss().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if after is not None:
            after(k)

