"""Key statistics of a trained model: the second moment of the MLP keys at chosen layers, estimated once
from the corpus, which ROME and MEMIT (:mod:`lm._locate`) use to insert a fact in closed form.

A layer's *key* at a token is the input of its MLP down-projection, ``act(gate_proj(x)) * up_proj(x)``
(F = ``d_ff`` numbers); the statistics hold ``C = E[k k^T]`` (F, F), uncentred, over the tokens of the
corpus's documents run through the model, summed exactly in float64. Beside them: a few short corpus
sentences, the contexts the methods read before an edit's prompt (their keys are averaged over them),
and the corpus's relations (the other prompts of an edited subject, kept close by the value optimisation).

Statistics belong to one model: they record a fingerprint of its weights and tokenizer, and
:func:`load_key_statistics` and :meth:`LanguageModel.with_key_statistics` refuse another model's.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ._errors import CheckpointError, LMError
from ._score import LanguageModel, _chunks, _pad

__all__ = ["KeyStatistics", "key_statistics", "load_key_statistics", "model_fingerprint"]

STATS_FILE, ARRAYS_FILE = "key_statistics.json", "key_statistics.npz"
FORMAT = 1  # the layout of the two files


def model_fingerprint(model: LanguageModel) -> str:
    """sha256 over the model's weights (every tensor of its state dict, by name, with dtype and shape) and
    its tokenizer's fingerprint: what key statistics record to refuse another model.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> a = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> b = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32), seed=1)
        >>> model_fingerprint(a) == model_fingerprint(a), model_fingerprint(a) == model_fingerprint(b)
        (True, False)
    """
    h = hashlib.sha256(model.tokenizer.fingerprint().encode())
    for name, t in sorted(model.model.state_dict().items()):
        t = t.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class KeyStatistics:
    """The second moments of one model's MLP keys at some layers, and what the locate-and-edit methods
    read beside them (see the module docstring). Build with :func:`key_statistics`; attach to the model
    with :meth:`LanguageModel.with_key_statistics`.

    Attributes:
        moments: layer -> (F, F) float64 ``E[k k^T]`` over ``n_tokens`` tokens.
        n_tokens: the tokens the moments average.
        contexts: short corpus sentences (each ending in `` .``), drawn at ``seed``.
        relations: the corpus's relations, in metadata order.
        fingerprint: :func:`model_fingerprint` of the model they were estimated with.
        source: how they were made (corpus fingerprint, token cap, seed), for the record.
    """

    moments: dict[int, np.ndarray]
    n_tokens: int
    contexts: tuple[str, ...]
    relations: tuple[str, ...]
    fingerprint: str
    source: dict = field(default_factory=dict)

    @property
    def layers(self) -> tuple[int, ...]:
        return tuple(sorted(self.moments))

    def moment(self, layer: int, who: str = "this edit") -> torch.Tensor:
        """``C`` of ``layer`` as a float64 tensor; :class:`LMError` naming the layers held if it is missing."""
        if layer not in self.moments:
            raise LMError(f"{who} needs the key statistics of layer {layer}, but they hold layers "
                          f"{list(self.layers)}: compute them with lm.key_statistics(model, corpus_dir, "
                          f"layers=[..., {layer}])")
        return torch.from_numpy(self.moments[layer])

    def check(self, model: LanguageModel) -> None:
        """:class:`CheckpointError` unless these statistics were estimated with ``model``'s weights and tokenizer."""
        if model_fingerprint(model) != self.fingerprint:
            raise CheckpointError("these key statistics belong to another model (their fingerprint of the weights "
                                  "and tokenizer differs from this model's): estimate them again with "
                                  "lm.key_statistics(model, corpus_dir, layers)")

    def save(self, directory: str | os.PathLike) -> None:
        """Write ``key_statistics.npz`` (the moments, exact float64) and ``key_statistics.json`` (the rest and
        the npz's sha256) into ``directory``, atomically; read back with :func:`load_key_statistics`."""
        import io

        from ._checkpoint import atomic_dir

        buf = io.BytesIO()
        np.savez(buf, **{f"layer_{i}": self.moments[i] for i in self.layers})
        raw = buf.getvalue()
        meta = {"format": FORMAT, "fingerprint": self.fingerprint, "layers": list(self.layers),
                "n_tokens": self.n_tokens, "contexts": list(self.contexts), "relations": list(self.relations),
                "source": self.source, "npz_sha256": hashlib.sha256(raw).hexdigest()}
        with atomic_dir(directory) as tmp:
            (tmp / ARRAYS_FILE).write_bytes(raw)
            (tmp / STATS_FILE).write_text(json.dumps(meta, indent=1))


def load_key_statistics(directory: str | os.PathLike, model: LanguageModel) -> KeyStatistics:
    """Key statistics saved with :meth:`KeyStatistics.save`, checked against ``model``.

    Raises:
        CheckpointError: missing or corrupt files (the npz is checked against the sha256 recorded beside
            it), or statistics of another model (its weights or tokenizer differ).

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=2, n_heads=2, d_ff=32))
        >>> out = tempfile.mkdtemp(); lm.key_statistics(m, d, layers=[1]).save(out)
        >>> lm.load_key_statistics(out, m).moments[1].shape
        (32, 32)
    """
    path = Path(directory)
    files = {name: path / name for name in (STATS_FILE, ARRAYS_FILE)}
    for name, f in files.items():
        if not f.is_file():
            raise CheckpointError(f"no key statistics in {path}: {name} is missing")
    try:
        meta = json.loads(files[STATS_FILE].read_text())
        if meta.get("format") != FORMAT:
            raise CheckpointError(f"{files[STATS_FILE]}: unknown format {meta.get('format')!r} (this code reads "
                                  f"{FORMAT})")
        raw = files[ARRAYS_FILE].read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta["npz_sha256"]:
            raise CheckpointError(f"{files[ARRAYS_FILE]} differs from the file {STATS_FILE} describes (sha256 "
                                  "mismatch): it was changed or cut short; estimate the statistics again")
        import io

        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            moments = {int(i): data[f"layer_{i}"] for i in meta["layers"]}
        stats = KeyStatistics(moments, int(meta["n_tokens"]), tuple(meta["contexts"]), tuple(meta["relations"]),
                              meta["fingerprint"], dict(meta.get("source", {})))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(f"corrupt key statistics in {path}: {type(e).__name__}: {e}") from e
    try:
        stats.check(model)
    except CheckpointError as e:
        raise CheckpointError(f"{path}: {e}") from None
    return stats


def mlp_keys(model: LanguageModel, layers) -> tuple[dict, list]:
    """Forward pre-hooks storing the input of each layer's down-projection (its keys) in the returned dict
    (layer -> (B, T, F) tensor of the last forward pass); remove the returned handles when done."""
    seen: dict[int, torch.Tensor] = {}
    handles = []
    for i in layers:
        def hook(module, args, i=i):
            seen[i] = args[0]
        handles.append(model.model.model.layers[i].mlp.down_proj.register_forward_pre_hook(hook))
    return seen, handles


def check_layers(model: LanguageModel, layers, who: str) -> list[int]:
    """``layers`` as sorted distinct non-negative indices (negative ones count from the top); :class:`LMError`
    naming those outside the model."""
    n = model.model.config.num_hidden_layers
    layers = list(layers)
    bad = [i for i in layers if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -n <= i < n]
    if bad or not layers:
        raise LMError(f"{who} {bad or layers} out of range for a {n}-layer model")
    return sorted({int(i) % n for i in layers})


def key_statistics(model: LanguageModel, corpus_dir: str | os.PathLike, layers, *, max_tokens: int = 200_000,
                   contexts: int = 32, context_words: int = 12, seed: int = 0,
                   batch_tokens: int = 16_384) -> KeyStatistics:
    """Estimate ``C = E[k k^T]`` of the MLP keys at ``layers`` from the corpus's documents run through ``model``.

    Documents are taken in a random order (``seed``), each read as the model reads a prompt (``<eod>`` then
    the text, cut at the model's ``max_len``), until ``max_tokens`` tokens; every token's key counts, summed
    as float64 outer products (exact up to float64 rounding). On the default world's ``tiny`` model 200,000
    tokens take about 10 s on 2 CPU cores.

    Args:
        model: the trained model whose weights will be edited.
        corpus_dir: the corpus it was trained on.
        layers: decoder layers whose keys to collect (negative counts from the top).
        max_tokens: cap on the number of tokens.
        contexts: how many short corpus sentences to keep as contexts (plain fact sentences, at most
            ``context_words`` words, drawn at ``seed``).
        seed: document order and context draw.
        batch_tokens: padded tokens per forward pass.

    Raises:
        LMError: a layer outside the model, a non-positive cap, or too few tokens for a full-rank ``C``.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> m = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=2, n_heads=2, d_ff=32))
        >>> s = lm.key_statistics(m, d, layers=[-1], contexts=2)
        >>> s.layers, s.moments[1].dtype, len(s.contexts)
        ((1,), dtype('float64'), 2)
    """
    from ._corpus import read_corpus

    layers = check_layers(model, layers, "key_statistics layers")
    if max_tokens < 1 or contexts < 0 or context_words < 1:
        raise LMError("key_statistics: max_tokens and context_words must be positive, contexts >= 0")
    corpus = read_corpus(corpus_dir)
    tok = model.tokenizer
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(corpus.texts))
    limit = model.model.config.max_position_embeddings
    docs, total = [], 0
    for i in order:
        text = corpus.texts[i].replace("<eod>", " ").strip()
        ids = ([tok.eod_id] + tok.encode([text], "corpus text")[0])[:limit]
        ids = ids[: max_tokens - total]
        docs.append(ids)
        total += len(ids)
        if total >= max_tokens:
            break
    dim = model.model.config.intermediate_size
    sums = {i: torch.zeros(dim, dim, dtype=torch.float64) for i in layers}
    seen, handles = mlp_keys(model, layers)
    try:
        for rows in _chunks(np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)), batch_tokens):
            ids, mask = _pad([docs[j] for j in rows], tok.pad_id)  # (B, T), right padding: causal needs no mask
            model._hidden(ids)
            for i in layers:
                k = seen[i][mask.to(seen[i].device)].double().cpu()  # (n, F)
                sums[i] += k.T @ k
    finally:
        for h in handles:
            h.remove()
    if total < dim:
        raise LMError(f"key_statistics: {total} tokens cannot estimate a full-rank {dim} x {dim} second moment; "
                      f"raise max_tokens or use a larger corpus")
    plain = list(dict.fromkeys(  # fact sentences (no quoted statements), in corpus order
        f"{s} ." for t in corpus.texts for s in (x.strip() for x in f" {t.replace('<eod>', ' ')} ".split(" . "))
        if s and not s.startswith('"') and len(s.split()) < context_words))
    picks = rng.choice(len(plain), size=min(contexts, len(plain)), replace=False) if plain else []
    return KeyStatistics({i: (sums[i] / total).numpy() for i in layers}, total,
                         tuple(plain[j] for j in picks), tuple(corpus.domains), model_fingerprint(model),
                         {"corpus_sha256": corpus.fingerprint, "max_tokens": max_tokens, "seed": seed})
