"""Loading and batched scoring: continuation log-probabilities, distributions over a relation's domain,
P(true) of a statement, greedy generation and generative accuracy on facts.

Every method takes whole lists and runs a few padded forward passes (no Python loop per candidate).
Scoring works in token space: a word-level tokenization is compositional, so the ids of
``prompt + " " + continuation`` are the prompt's ids followed by the continuation's.

Every prompt is preceded by ``<eod>`` (a document boundary, where the corpus's documents start) and by
the model's *prefix* (empty, or the facts of an in-context edit).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from itertools import chain
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, DynamicCache, PreTrainedModel
from transformers.utils import logging as hf_logging

from ._errors import CheckpointError, LMError
from ._model import ATTENTION
from ._tokenizer import TOKENIZER_FILE, WordTokenizer

__all__ = ["LM_CONFIG_FILE", "MAX_TOKENS_PER_PASS", "LanguageModel", "load", "quiet"]

LM_CONFIG_FILE = "lm_config.json"  # written beside the weights: tokenizer fingerprint, preset, model config
_MAX_TOKENS = 16_384  # padded tokens per forward pass (bounds memory; larger gains little on CPU)
MAX_TOKENS_PER_PASS = _MAX_TOKENS  #: token positions per scoring forward pass (for cost models and benchmarks)


@contextmanager
def quiet() -> Iterator[None]:
    """Silence transformers' per-file progress bars (loading/writing weights) for the duration."""
    was = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was:
            hf_logging.enable_progress_bar()


def _pad(seqs: Sequence[Sequence[int]], pad: int, left: bool = False,
         width: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, mask): (B, L) right- (or left-) padded ids and the bool mask of real tokens."""
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    width = int(lengths.max(initial=1)) if width is None else width
    ids = np.full((len(seqs), width), pad, dtype=np.int64)
    pos = np.arange(width)
    mask = (pos >= width - lengths[:, None]) if left else (pos < lengths[:, None])
    ids[mask] = np.fromiter(chain.from_iterable(seqs), dtype=np.int64, count=int(lengths.sum()))
    return torch.from_numpy(ids), torch.from_numpy(mask)


def _chunks(lengths: np.ndarray, max_tokens: int) -> Iterator[np.ndarray]:
    """Index arrays of rows, sorted by length, each chunk padding to at most ``max_tokens`` tokens."""
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop + 1 - start) * lengths[order[stop]] <= max_tokens:
            stop += 1
        yield order[start:stop]
        start = stop


class _Trie:
    """The candidates of one domain as a prefix tree over their tokens (shared prefixes scored once).

    Attributes (N nodes, K candidates, S scoring steps):
        tokens, depth: (N,) each node's last token and its prefix length (1 for a first token).
        ancestors: (N, N) bool, ``ancestors[n, m]``: node m is n or an ancestor of n.
        source, target: (S,) the log-probability row (0: the prompt's last token, 1 + n: node n) and the
            token each step scores; candidate ``c + [end]`` has ``len(c) + 1`` steps.
        step_candidate: (S,) the candidate each step belongs to.
        last_node: (K,) the node of each candidate's last token.
        candidates: the K token lists.
    """

    def __init__(self, candidates: list[list[int]], end_id: int):
        index: dict[tuple[int, ...], int] = {}
        tokens, depth, parent = [], [], []
        source, target, owner, last = [], [], [], []
        for k, cand in enumerate(candidates):
            row = 0  # the prompt's last token predicts the first candidate token
            for i, t in enumerate([*cand, end_id]):
                source.append(row)
                target.append(t)
                owner.append(k)
                if i == len(cand):
                    last.append(row - 1)  # the node of the candidate's last token (-1: the prompt's)
                    break
                key = tuple(cand[:i + 1])
                if key not in index:
                    index[key] = len(tokens)
                    tokens.append(t)
                    depth.append(i + 1)
                    parent.append(row - 1)  # -1: a child of the prompt
                row = 1 + index[key]
        n = len(tokens)
        anc = np.eye(n, dtype=bool)
        for m in range(n):  # parents precede children, so a parent's row is complete when read
            if parent[m] >= 0:
                anc[m] |= anc[parent[m]]
        self.candidates = candidates
        self.tokens = np.asarray(tokens, dtype=np.int64)
        self.depth = np.asarray(depth, dtype=np.int64)
        self.ancestors = anc
        self.source = np.asarray(source, dtype=np.int64)
        self.target = np.asarray(target, dtype=np.int64)
        self.step_candidate = np.asarray(owner, dtype=np.int64)
        self.last_node = np.asarray(last, dtype=np.int64)


class LanguageModel:
    """A causal LM and its tokenizer, with batched scoring.

    Edited models are ``LanguageModel`` objects too (see :func:`lm.edit`): a LoRA edit wraps a copy of
    the weights with peft, an in-context edit only sets ``prefix``.

    Args:
        model: a ``transformers`` causal LM (``LlamaForCausalLM``), possibly with peft LoRA layers.
        tokenizer: the tokenizer it was trained with.
        prefix: text prepended to every prompt (facts of an in-context edit), e.g. ``"Ann lives in Rome ."``.
        peft_model: the ``PeftModel`` that wraps ``model``, if any (for saving, merging, disabling).
        meta: what ``lm_config.json`` holds (preset, model config, tokenizer fingerprint).
        bf16: score under bf16 autocast (about twice as fast on CPUs with bf16 units; probabilities
            change by about 1% relative). Default float32.
        key_statistics: the :class:`lm.KeyStatistics` of this model's MLP keys, which ROME and MEMIT
            read (attach them with :meth:`with_key_statistics`); views and edited models keep them.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> model = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> model.logprob(["is"], [""]).tolist()  # an empty continuation has log-probability 0
        [0.0]
    """

    def __init__(self, model: PreTrainedModel, tokenizer: WordTokenizer, *, prefix: str = "",
                 peft_model=None, meta: Mapping | None = None, bf16: bool = False, key_statistics=None):
        if model.config.vocab_size != tokenizer.vocab_size:
            raise CheckpointError(f"tokenizer has {tokenizer.vocab_size} tokens but the model's vocabulary "
                                  f"has {model.config.vocab_size}: they do not belong together")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.peft_model = peft_model
        self.meta = dict(meta or {})
        self.bf16 = bf16
        self.key_statistics = key_statistics
        self.prefix = prefix
        self._prefix_ids = [tokenizer.eod_id] + (tokenizer.encode([prefix], "prefix")[0] if prefix else [])
        self._adapter = nullcontext  # a grouped-edit view replaces it (see lm._batch.EditBatch)

    # ---- construction -------------------------------------------------------------------------------
    @classmethod
    def untrained(cls, corpus_dir: str | os.PathLike, config, seed: int = 0) -> LanguageModel:
        """A randomly initialised model with a tokenizer trained on a corpus (for tests and examples)."""
        from ._corpus import read_corpus
        from ._model import build_model
        from ._tokenizer import train_tokenizer

        corpus = read_corpus(corpus_dir)
        tok = train_tokenizer(corpus.texts, corpus.names())
        return cls(build_model(config, tok.vocab_size, tok.pad_id, tok.eod_id, seed), tok)

    def with_prefix(self, prefix: str) -> LanguageModel:
        """The same weights with ``prefix`` prepended to every prompt (nothing is copied)."""
        view = LanguageModel(self.model, self.tokenizer, prefix=prefix, peft_model=self.peft_model,
                             meta=self.meta, bf16=self.bf16, key_statistics=self.key_statistics)
        view._adapter = self._adapter
        return view

    def with_weights(self, model: PreTrainedModel, peft_model=None) -> LanguageModel:
        """A model with the same tokenizer, prefix, metadata and key statistics and other weights: what a
        training edit returns after training :func:`lm.trainable_copy` (``peft_model``: the peft wrapper
        around them). An edited model keeps the base model's key statistics, as ROME and MEMIT do for
        edits made one after another."""
        return LanguageModel(model, self.tokenizer, prefix=self.prefix, peft_model=peft_model, meta=self.meta,
                             bf16=self.bf16, key_statistics=self.key_statistics)

    def with_key_statistics(self, stats) -> LanguageModel:
        """The same weights with key statistics attached (nothing is copied), which the ``rome``, ``memit``
        and ``memit_rational`` edits read.

        Raises:
            CheckpointError: statistics estimated with another model (weights or tokenizer).

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> m.with_key_statistics(lm.key_statistics(m, d, layers=[0])).key_statistics.layers
            (0,)
        """
        stats.check(self)
        view = self.with_prefix(self.prefix)
        view.key_statistics = stats
        return view

    def save(self, directory: str | os.PathLike) -> None:
        """Write weights (``save_pretrained`` layout), ``tokenizer.json`` and ``lm_config.json``.

        A LoRA-edited model is saved merged (use :meth:`save_adapter` for the adapter alone).
        """
        from ._checkpoint import atomic_dir

        model = (copy.deepcopy(self.peft_model).merge_and_unload() if self.peft_model is not None
                 else self.model)
        with atomic_dir(directory) as tmp, quiet():
            model.save_pretrained(tmp)
            self.tokenizer.save(tmp)
            meta = {**self.meta, "tokenizer_sha256": self.tokenizer.fingerprint()}
            (tmp / LM_CONFIG_FILE).write_text(json.dumps(meta, indent=1))

    def save_adapter(self, directory: str | os.PathLike) -> None:
        """Write a LoRA edit's adapter alone (peft layout); reload it with :func:`lm.load_adapter`."""
        if self.peft_model is None:
            raise LMError("this model has no LoRA adapter (only lora edits do)")
        with quiet():
            self.peft_model.save_pretrained(str(directory))

    # ---- the forward pass ---------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _hidden(self, ids: torch.Tensor, mask: torch.Tensor | None = None, position_ids=None, cache=None,
                groups: torch.Tensor | None = None, grad: bool = False):
        """Final hidden states (B, T, D) and the cache; ``groups`` (B,) selects grouped adapters (one edit
        index per row); ``grad`` builds the autograd graph (training an edit) instead of inference mode."""
        dev = self.device
        with nullcontext() if grad else torch.inference_mode(), self._adapter(groups), \
                torch.autocast(dev.type, dtype=torch.bfloat16, enabled=self.bf16):
            out = self.model.model(
                input_ids=ids.to(dev),
                attention_mask=None if mask is None else mask.to(dev) if mask.dim() == 4 else mask.to(dev).long(),
                position_ids=None if position_ids is None else position_ids.to(dev),
                cache=cache, use_cache=cache is not None)
        return out.last_hidden_state, out.cache

    def _logprobs(self, hidden: torch.Tensor, grad: bool = False) -> torch.Tensor:
        """(..., D) hidden states -> (..., V) next-token log-probabilities (float32)."""
        with nullcontext() if grad else torch.inference_mode():
            return F.log_softmax(self.model.lm_head(hidden.float()).float(), dim=-1)

    def _encode_prompts(self, prompts: Sequence[str], what: str = "prompt",
                        prefixes: Sequence[str] | None = None) -> list[list[int]]:
        """``<eod>``, the model's prefix, then ``prefixes[j]`` (if given) and prompt j, as token ids."""
        ids = self.tokenizer.encode(prompts, what)
        if prefixes is None:
            return [self._prefix_ids + x for x in ids]
        if len(prefixes) != len(prompts):
            raise LMError(f"{len(prefixes)} prefixes for {len(prompts)} {what}s")
        distinct = list(dict.fromkeys(prefixes))
        encoded = dict(zip(distinct, self.tokenizer.encode(distinct, "prefix")))
        return [self._prefix_ids + encoded[p] + x for p, x in zip(prefixes, ids)]

    # ---- scoring ------------------------------------------------------------------------------------
    def logprob(self, prompts: Sequence[str], continuations: Sequence[str],
                groups: Sequence[int] | None = None) -> np.ndarray:
        """log P(continuation | prompt) for each pair, summed over the continuation's tokens.

        Args:
            prompts: texts the continuations follow (a prompt may be empty).
            continuations: texts to score, e.g. ``"Paris ."``.
            groups: internal (grouped edit views); leave None.

        Returns:
            (n,) float64 array of natural-log probabilities.

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> bool(m.logprob(["is"], ["true"])[0] < 0)
            True
        """
        if len(prompts) != len(continuations):
            raise LMError(f"{len(prompts)} prompts but {len(continuations)} continuations")
        p = self._encode_prompts(prompts)
        c = self.tokenizer.encode(continuations, "continuation")
        return self._score_ids(p, c, None if groups is None else np.asarray(groups))

    def _score_ids(self, prompts: list[list[int]], conts: list[list[int]],
                   groups: np.ndarray | None = None) -> np.ndarray:
        """Sum of log-probs of ``conts[i]`` after ``prompts[i]`` (teacher forcing, right padding)."""
        seqs = [p + c for p, c in zip(prompts, conts)]
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        plen = np.fromiter(map(len, prompts), dtype=np.int64, count=len(seqs))
        out = np.zeros(len(seqs))
        for rows in _chunks(lengths, _MAX_TOKENS):
            ids, _ = _pad([seqs[i] for i in rows], self.tokenizer.pad_id)  # (B, L)
            width = ids.shape[1]
            pos = torch.arange(width)
            # position t predicts token t + 1: targets are the continuation tokens
            target = (pos[None, :] >= torch.from_numpy(plen[rows] - 1)[:, None]) & \
                     (pos[None, :] < torch.from_numpy(lengths[rows] - 1)[:, None])  # (B, L)
            if not target.any():
                continue
            g = None if groups is None else torch.from_numpy(groups[rows])
            hidden, _ = self._hidden(ids, groups=g)
            b, t = target.nonzero(as_tuple=True)  # (n,) rows and positions of targets
            lp = self._logprobs(hidden[b, t]).gather(1, ids[b, t + 1].to(self.device)[:, None])[:, 0]
            sums = torch.zeros(len(rows), dtype=torch.float64).index_add_(0, b, lp.double().cpu())
            out[rows] = sums.numpy()
        return out

    def distribution(self, subject: str, relation: str, objects: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Distribution over ``objects`` after the prompt ``"{subject} {relation}"``.

        Each candidate is scored as the probability of its tokens followed by the sentence end `` .``.

        Returns:
            (normalised, raw): ``raw[k]`` = P(object_k .) under the LM (the unnormalised mass);
            ``normalised = raw / raw.sum()``.

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> c = lm.read_corpus(d)
            >>> r = next(iter(c.domains)); norm, raw = m.distribution(c.subjects[0], r, c.domains[r])
            >>> bool(abs(norm.sum() - 1) < 1e-9 and (raw <= norm).all())
            True
        """
        norm, raw = self.distributions([(subject, relation)], {relation: objects})
        return norm[0], raw[0]

    def distributions(self, queries: Sequence[tuple[str, str]], domains: Mapping[str, Sequence[str]],
                      groups: Sequence[int] | None = None,
                      prefixes: Sequence[str] | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Batched :meth:`distribution`: one (normalised, raw) pair of arrays per (subject, relation) query.

        One forward pass per batch of queries of a relation: each row packs the prompt and the relation's
        candidates as a prefix tree (tree attention mask), so a token shared by several candidates'
        prefixes ("University of ...") is computed once, and no candidate needs a pass of its own.

        Args:
            queries: (subject, relation) pairs.
            domains: relation -> candidate objects (the relation's domain).
            groups: internal (grouped edit views); leave None.
            prefixes: text read before query j's prompt (after the model's own prefix), one per query: many
                in-context edits scored in one batch (``prefixes[j]`` is what ``with_prefix`` would add).

        Returns:
            (normalised, raw): two lists with one array per query, aligned with ``domains[relation]``.

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=2)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> c = lm.read_corpus(d)
            >>> norm, raw = m.distributions([(s, r) for s in c.subjects for r in c.domains], c.domains)
            >>> len(norm), [len(p) for p in norm[:2]] == [len(v) for v in c.domains.values()]
            (8, True)
        """
        missing = sorted({r for _, r in queries if r not in domains})
        if missing:
            raise LMError(f"no domain given for relations {missing}")
        if not queries:
            return [], []
        tok = self.tokenizer
        prompts = self._encode_prompts([f"{s} {r}" for s, r in queries], prefixes=prefixes)
        grp = None if groups is None else np.asarray(groups)
        norm: list = [None] * len(queries)
        raw: list = [None] * len(queries)
        rel_of = np.array([r for _, r in queries], dtype=object)
        for r in dict.fromkeys(rel_of):
            trie = _Trie(tok.encode(list(domains[r]), f"object of {r!r}"), tok.end_id)
            rows = np.flatnonzero(rel_of == r)
            scores = self._trie_scores([prompts[i] for i in rows], trie, None if grp is None else grp[rows])
            for i, lp in zip(rows, scores):  # (K,) log P(object_k .) of each query
                raw[i] = np.exp(lp)
                norm[i] = np.exp(lp - np.logaddexp.reduce(lp))
        return norm, raw

    def packed_positions(self, queries: Sequence[tuple[str, str]], domains: Mapping[str, Sequence[str]]) -> int:
        """Token positions :meth:`distributions` computes for ``queries``: each query's ``<eod>``, prefix and
        prompt, plus its relation's candidate prefix tree (the work is about 2 x parameters per position).

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> c = lm.read_corpus(d); r = next(iter(c.domains))
            >>> m.packed_positions([(c.subjects[0], r)], c.domains) > len(c.domains[r])
            True
        """
        tok = self.tokenizer
        nodes = {r: len(_Trie(tok.encode(list(domains[r]), f"object of {r!r}"), tok.end_id).tokens)
                 for r in dict.fromkeys(r for _, r in queries)}
        prompts = self._encode_prompts([f"{s} {r}" for s, r in queries])
        return sum(len(p) + nodes[r] for p, (_, r) in zip(prompts, queries))

    def _trie_scores(self, prompts: list[list[int]], trie: _Trie, groups: np.ndarray | None) -> np.ndarray:
        """(Q, K) log P(candidate_k + end | prompt_q) as numbers: :meth:`_trie_logprobs` in chunks of rows."""
        plen = np.fromiter(map(len, prompts), dtype=np.int64, count=len(prompts))
        per_row = max(1, _MAX_TOKENS // (int(plen.max()) + len(trie.tokens)))
        out = np.zeros((len(prompts), len(trie.candidates)))
        for start in range(0, len(prompts), per_row):
            rows = np.arange(start, min(start + per_row, len(prompts)))
            g = None if groups is None else torch.from_numpy(groups[rows])
            out[rows] = self._trie_logprobs([prompts[i] for i in rows], trie, g).cpu().numpy()
        return out

    def _trie_logprobs(self, prompts: list[list[int]], trie: _Trie, groups: torch.Tensor | None = None,
                       grad: bool = False) -> torch.Tensor:
        """(Q, K) float64 log P(candidate_k + end | prompt_q), every candidate of a query in one packed row.

        Row q is ``[prompt_q, right-padded][trie nodes]``: node n holds the last token of a distinct
        candidate prefix, sits at position ``len(prompt_q) - 1 + depth(n)`` and attends to the prompt and
        to its own ancestors (a tree mask), so it sees exactly what that prefix sees in a plain pass.
        Scoring (:meth:`distributions`) and training an edit on distributions (``grad=True``, a
        differentiable result) share this one computation.
        """
        plen = torch.from_numpy(np.fromiter(map(len, prompts), dtype=np.int64, count=len(prompts)))
        width, n, rows = int(plen.max()), len(trie.tokens), len(prompts)
        hidden = self._packed_hidden(prompts, trie, groups, grad)  # (B, T, D)
        # log-probabilities where they are needed: the prompt's last token, then every node
        at = torch.cat([(plen - 1)[:, None], width + torch.arange(n).expand(rows, n)], dim=1)  # (B, 1+N)
        lp = self._logprobs(hidden[torch.arange(rows)[:, None], at], grad=grad)  # (B, 1+N, V)
        # candidate k's score: the sum of its (source, token) steps
        steps = lp[:, torch.from_numpy(trie.source), torch.from_numpy(trie.target)].double()  # (B, S)
        sums = torch.zeros(rows, len(trie.candidates), dtype=torch.float64, device=steps.device)
        return sums.index_add(1, torch.from_numpy(trie.step_candidate).to(steps.device), steps)  # (B, K)

    def _packed_hidden(self, prompts: list[list[int]], trie: _Trie, groups: torch.Tensor | None = None,
                       grad: bool = False) -> torch.Tensor:
        """(B, Lp + N) final hidden states of the packed rows ``[prompt_q, right-padded][trie nodes]`` (see
        :meth:`_trie_logprobs`): node n sits at column ``Lp + n``, ``Lp`` the longest prompt."""
        plen = torch.from_numpy(np.fromiter(map(len, prompts), dtype=np.int64, count=len(prompts)))
        width, n, rows = int(plen.max()), len(trie.tokens), len(prompts)
        total = width + n
        ids, pmask = _pad(prompts, self.tokenizer.pad_id, width=width)  # (B, Lp)
        ids = torch.cat([ids, torch.from_numpy(trie.tokens).expand(rows, n)], dim=1)  # (B, T)
        pos = torch.cat([torch.arange(width).expand(rows, width),
                         plen[:, None] - 1 + torch.from_numpy(trie.depth)[None, :]], dim=1)  # (B, T)
        mask = torch.zeros(rows, total, total, dtype=torch.bool)
        mask[:, :width, :width] = torch.tril(torch.ones(width, width, dtype=torch.bool)) & pmask[:, None, :]
        mask[:, :width, :width] |= torch.eye(width, dtype=torch.bool)  # padding sees itself (no empty row)
        mask[:, width:, :width] = pmask[:, None, :]
        mask[:, width:, width:] = torch.from_numpy(trie.ancestors)
        hidden, _ = self._hidden(ids, mask[:, None], pos, groups=groups, grad=grad)
        return hidden

    def p_true(self, sentences: Sequence[str], return_raw: bool = False,
               groups: Sequence[int] | None = None, prefixes: Sequence[str] | None = None):
        """P(true) of each sentence from the prompt ``"<sentence>" is``.

        Args:
            sentences: statements as they appear inside the corpus's quotes, e.g.
                ``"Ann lives in Paris"`` or ``"not Ann lives in Paris"`` (a trailing `` .`` is ignored).
            return_raw: also return the raw P(true) next-token probability.
            groups: internal (grouped edit views); leave None.
            prefixes: text read before sentence j's prompt, one per sentence (see :meth:`distributions`).

        Returns:
            ``P(true) / (P(true) + P(false))`` as an (n,) array, and the raw P(true) if asked.

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> norm, raw = m.p_true(["not " + m.tokenizer.decode([5])], return_raw=True)
            >>> bool(0 < raw[0] < norm[0] < 1)
            True
        """
        tok = self.tokenizer
        true_id, false_id = tok.token_id("true"), tok.token_id("false")
        texts = [s[:-2].rstrip() if s.endswith(" .") else s for s in sentences]
        prompts = self._encode_prompts([f'"{s}" is' for s in texts], "sentence", prefixes)
        lengths = np.fromiter(map(len, prompts), dtype=np.int64, count=len(prompts))
        pt, pf = np.zeros(len(prompts)), np.zeros(len(prompts))
        for rows in _chunks(lengths, _MAX_TOKENS):
            ids, _ = _pad([prompts[i] for i in rows], tok.pad_id)
            g = None if groups is None else torch.from_numpy(np.asarray(groups)[rows])
            hidden, _ = self._hidden(ids, groups=g)
            lp = self._logprobs(hidden[torch.arange(len(rows)), torch.from_numpy(lengths[rows] - 1)])
            pt[rows] = lp[:, true_id].exp().double().cpu().numpy()
            pf[rows] = lp[:, false_id].exp().double().cpu().numpy()
        norm = pt / (pt + pf)
        return (norm, pt) if return_raw else norm

    def generate(self, prompts: Sequence[str], max_new_tokens: int = 8,
                 groups: Sequence[int] | None = None) -> list[str]:
        """Greedy continuation of each prompt, up to and including the first `` .`` (or ``<eod>``).

        Example:
            >>> import lm, tempfile
            >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
            >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
            >>> len(m.generate(["is", "not"], max_new_tokens=3))
            2
        """
        return [self.tokenizer.decode(ids) for ids in self._generate_ids(
            self._encode_prompts(prompts), max_new_tokens, None if groups is None else np.asarray(groups))]

    def _generate_ids(self, prompts: list[list[int]], max_new_tokens: int,
                      groups: np.ndarray | None = None) -> list[list[int]]:
        tok = self.tokenizer
        out: list[list[int]] = [[] for _ in prompts]
        lengths = np.fromiter(map(len, prompts), dtype=np.int64, count=len(prompts))
        for rows in _chunks(lengths, _MAX_TOKENS):
            ids, mask = _pad([prompts[i] for i in rows], tok.pad_id, left=True)  # (B, L)
            pos = (mask.long().cumsum(1) - 1).clamp(min=0)
            g = None if groups is None else torch.from_numpy(groups[rows])
            cache = DynamicCache()
            hidden, cache = self._hidden(ids, mask, pos, cache=cache, groups=g)
            done = torch.zeros(len(rows), dtype=torch.bool)
            nxt_pos = pos[:, -1:] + 1
            for _ in range(max_new_tokens):
                nxt = self._logprobs(hidden[:, -1]).argmax(-1).cpu()  # (B,)
                for j in torch.nonzero(~done).flatten().tolist():
                    out[rows[j]].append(int(nxt[j]))
                done |= (nxt == tok.end_id) | (nxt == tok.eod_id)
                if done.all():
                    break
                mask = torch.cat([mask, torch.ones(len(rows), 1, dtype=torch.bool)], dim=1)
                hidden, cache = self._hidden(nxt[:, None], mask, nxt_pos, cache=cache, groups=g)
                nxt_pos = nxt_pos + 1
        return out

    def fact_correct(self, facts: Sequence, groups: Sequence[int] | None = None) -> np.ndarray:
        """For each fact, whether greedy generation after ``"{subject} {relation}"`` gives ``"{object} ."``.

        Computed in one teacher-forced pass: greedy decoding produces the target tokens exactly when the
        argmax at every target position is the next target token (tested against :meth:`generate`).

        Args:
            facts: objects with ``subject``, ``relation`` and ``object`` attributes (e.g. :class:`lm.Fact`)
                or (subject, relation, object) tuples.

        Returns:
            (n,) bool array.
        """
        triples = [(f.subject, f.relation, f.object) if hasattr(f, "subject") else tuple(f) for f in facts]
        if not triples:
            return np.zeros(0, dtype=bool)
        prompts = self._encode_prompts([f"{s} {r}" for s, r, _ in triples])
        objs = self.tokenizer.encode([o for _, _, o in triples], "object")
        seqs = [p + o + [self.tokenizer.end_id] for p, o in zip(prompts, objs)]
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        plen = np.fromiter(map(len, prompts), dtype=np.int64, count=len(seqs))
        ok = np.zeros(len(seqs), dtype=bool)
        grp = None if groups is None else np.asarray(groups)
        for rows in _chunks(lengths, _MAX_TOKENS):
            ids, _ = _pad([seqs[i] for i in rows], self.tokenizer.pad_id)
            pos = torch.arange(ids.shape[1])
            target = (pos[None] >= torch.from_numpy(plen[rows] - 1)[:, None]) & \
                     (pos[None] < torch.from_numpy(lengths[rows] - 1)[:, None])
            hidden, _ = self._hidden(ids, groups=None if grp is None else torch.from_numpy(grp[rows]))
            b, t = target.nonzero(as_tuple=True)
            hit = self._logprobs(hidden[b, t]).argmax(-1).cpu() == ids[b, t + 1]
            wrong = torch.zeros(len(rows), dtype=torch.long).index_add_(0, b, (~hit).long())
            ok[rows] = (wrong == 0).numpy()
        return ok

    def fact_accuracy(self, facts: Sequence) -> float:
        """Fraction of ``facts`` that greedy generation reproduces (see :meth:`fact_correct`)."""
        return float(self.fact_correct(facts).mean()) if len(facts) else float("nan")


def load(directory: str | os.PathLike, device: str | torch.device | None = None,
         bf16: bool = False, tokenizer: WordTokenizer | None = None) -> LanguageModel:
    """Load a model written by :func:`lm.train_from_corpus` or :meth:`LanguageModel.save`, offline.

    Args:
        directory: a model directory (``config.json``, weights, ``tokenizer.json``, ``lm_config.json``),
            or a training output directory (its ``model/`` subdirectory is used).
        device: where to put the weights (default: CPU).
        bf16: score under bf16 autocast (see :class:`LanguageModel`).
        tokenizer: the tokenizer the model must use (a model edited elsewhere, saved by ``transformers``'
            ``save_pretrained`` alone, has none of its own: this one is used, and the vocabulary sizes
            must agree); a directory that has its own must hold exactly this one.

    Raises:
        CheckpointError: missing or corrupt files, a tokenizer that is not the one the model was trained
            with (its fingerprint is recorded in ``lm_config.json``), or not ``tokenizer``.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> out = tempfile.mkdtemp(); m.save(out)
        >>> bool((lm.load(out).logprob(["is"], ["true"]) == m.logprob(["is"], ["true"])).all())
        True
    """
    path = Path(directory)
    if not (path / "config.json").is_file() and (path / "model" / "config.json").is_file():
        path = path / "model"
    if not path.is_dir():
        raise CheckpointError(f"no model directory at {path}")
    if tokenizer is not None and not (path / TOKENIZER_FILE).is_file():  # a transformers directory alone
        if not (path / "config.json").is_file():
            raise CheckpointError(f"{path} is not a model directory: config.json is missing")
        model = load_weights(path)
        if device is not None:
            model.to(device)
        return LanguageModel(model, tokenizer, meta={"tokenizer_sha256": tokenizer.fingerprint()}, bf16=bf16)
    for name in ("config.json", TOKENIZER_FILE, LM_CONFIG_FILE):
        if not (path / name).is_file():
            raise CheckpointError(f"{path} is not a model directory: {name} is missing")
    try:
        meta = json.loads((path / LM_CONFIG_FILE).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"corrupt {path / LM_CONFIG_FILE}: {e}") from e
    tok = WordTokenizer.load(path)
    if meta.get("tokenizer_sha256") not in (None, tok.fingerprint()):
        raise CheckpointError(f"{path / TOKENIZER_FILE} is not the tokenizer this model was trained with "
                              "(its fingerprint differs from the one in lm_config.json)")
    if tokenizer is not None and tok.fingerprint() != tokenizer.fingerprint():
        raise CheckpointError(f"{path} holds a model of another tokenizer ({tok.vocab_size:,} words, fingerprint "
                              f"{tok.fingerprint()[:12]}) than the one expected ({tokenizer.vocab_size:,} words, "
                              f"{tokenizer.fingerprint()[:12]}): it was not trained or edited from this model")
    model = load_weights(path)
    if device is not None:
        model.to(device)
    return LanguageModel(model, tok, meta=meta, bf16=bf16)


def load_weights(path: Path) -> PreTrainedModel:
    """The causal LM saved in ``path`` (float32, this package's attention); :class:`CheckpointError` if the
    weights are missing or corrupt."""
    try:
        with quiet():
            return AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=torch.float32,
                                                        attn_implementation=ATTENTION)
    except Exception as e:  # safetensors / transformers raise several types on truncated or corrupt files
        raise CheckpointError(f"cannot load the weights in {path}: {type(e).__name__}: {e}") from e
