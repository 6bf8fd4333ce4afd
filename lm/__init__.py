"""The language model: a word-level tokenizer, a Llama-style causal LM trained from scratch on a corpus,
batched scoring, and edits (LoRA through peft, LoRA trained on a teacher's beliefs, fine-tuning, in-context,
ROME and MEMIT with the model's key statistics) registered by name.

Quick start::

    import lm
    metrics = lm.train_from_corpus("corpus_dir", "run_dir", preset="tiny")   # resumable
    model = lm.load("run_dir")
    norm, raw = model.distribution("Ann Lee", "country of citizenship", ["France", "Japan"])
    edited = lm.edit(model, "lora", [("Ann Lee", "country of citizenship", "Japan")])
    edits = lm.edit_many(model, "lora", requests)      # N independent edits trained together
    model = model.with_key_statistics(lm.key_statistics(model, "corpus_dir", layers=[0, 1]))
    edited = lm.edit(model, "memit", requests)         # all requests in one closed-form update

An edit request is any object with ``subject``, ``relation`` and ``obj`` attributes (``bridges.EditRequest``)
or a ``(subject, relation, obj)`` tuple.

``import lm`` imports torch and transformers (peft on the first edit), never jax.
"""

import os

# A second busy process collapses multi-threaded torch on few cores unless OpenMP threads sleep while
# waiting (measured: 8.5k -> 1.4k tokens/s); this only helps if torch is not imported yet.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _toy  # noqa: E402  (small look-alike corpora for tests and examples)
from ._batch import EditBatch, batched_edit_methods, delta_weights, edit_many, lora_weights  # noqa: E402
from ._corpus import Corpus, Fact, read_corpus  # noqa: E402
from ._edit import (  # noqa: E402
    ContextEditConfig,
    EditMethod,
    FTEditConfig,
    LoraEditConfig,
    RationalEditConfig,
    check_edit_config,
    context_prefix,
    edit,
    edit_methods,
    get_edit_method,
    load_adapter,
    register_edit_method,
    train_bf16,
    trainable_copy,
)
from ._keys import KeyStatistics, key_statistics, load_key_statistics, model_fingerprint  # noqa: E402
from ._locate import MemitConfig, MemitRationalConfig, RomeConfig  # noqa: E402
from . import _methods  # noqa: E402, F401  (registers the built-in edit methods)
from ._objective import edit_objective  # noqa: E402
from ._objective import fit as optimize  # noqa: E402
from ._errors import CheckpointError, LMError, VocabularyError  # noqa: E402
from ._model import PRESETS, ModelConfig, build_model, get_preset, n_params  # noqa: E402
from ._score import MAX_TOKENS_PER_PASS, LanguageModel, load  # noqa: E402
from ._tokenizer import WordTokenizer, train_tokenizer  # noqa: E402
from ._toy import write_toy_corpus  # noqa: E402
from ._train import TrainConfig, bf16_native, make_optimizer, train_from_corpus, train_step  # noqa: E402

__all__ = [
    "trainable_copy",
    "train_bf16",
    "optimize",
    "lora_weights",
    "edit_objective",
    "delta_weights",
    "MAX_TOKENS_PER_PASS",
    "PRESETS",
    "CheckpointError",
    "ContextEditConfig",
    "Corpus",
    "EditBatch",
    "EditMethod",
    "FTEditConfig",
    "Fact",
    "KeyStatistics",
    "MemitConfig",
    "MemitRationalConfig",
    "RomeConfig",
    "key_statistics",
    "load_key_statistics",
    "model_fingerprint",
    "LMError",
    "LanguageModel",
    "LoraEditConfig",
    "ModelConfig",
    "RationalEditConfig",
    "TrainConfig",
    "batched_edit_methods",
    "bf16_native",
    "check_edit_config",
    "context_prefix",
    "VocabularyError",
    "WordTokenizer",
    "build_model",
    "edit",
    "edit_many",
    "edit_methods",
    "get_edit_method",
    "get_preset",
    "load",
    "load_adapter",
    "make_optimizer",
    "n_params",
    "read_corpus",
    "register_edit_method",
    "train_from_corpus",
    "train_step",
    "train_tokenizer",
    "write_toy_corpus",
]
