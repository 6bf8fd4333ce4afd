"""Editing a model: methods registered by name (``lora``, ``rational``, ``ft``, ``context``).

A request is any object with ``subject``, ``relation`` and ``obj`` attributes (``bridges.EditRequest``)
or a ``(subject, relation, obj)`` tuple. A training edit (``lora``, ``rational``, ``ft``) trains on the
prompt ``"{subject} {relation}"`` with the loss on the object's tokens (``rational`` adds terms on
distributions, see :mod:`lm._objective`); ``context`` states the facts before every prompt. Every edit
starts from the model it is given, which is never modified: the training edits train a copy of its
weights (a deep copy in memory, never a reload from disk); ``context`` shares them. Many independent
edits of one model train together with :func:`lm.edit_many` (:mod:`lm._batch`).
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

from ._errors import CheckpointError, LMError
from ._fields import check_types
from ._model import ModelConfig, build_model
from ._objective import check_beliefs, check_requests, edit_objective, fit, sentence
from ._score import LanguageModel, quiet

__all__ = ["ContextEditConfig", "EditMethod", "FTEditConfig", "LoraEditConfig", "RationalEditConfig",
           "check_edit_config", "context_edit", "context_prefix", "edit", "edit_methods", "ft_edit",
           "get_edit_method", "load_adapter", "lora_edit", "rational_edit", "register_edit_method",
           "train_bf16", "trainable_copy"]


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
    target_modules: tuple[str, ...] = ("down_proj",)  # decoder-layer Linear modules to adapt: q/k/v/o_proj,
    #                                                     gate/up/down_proj (peft target_modules)
    layers: tuple[int, ...] | None = None  # decoder layers to adapt (None: all; negative counts from the top)
    lr: float = 5e-3  # AdamW learning rate
    steps: int = 20  # optimizer steps on the edit prompt(s)
    seed: int = 0  # initialisation of lora_A (every edit starts from the same one)
    bf16: bool | None = None  # train under bf16 autocast (weights, gradients, optimizer stay float32); None: where
    #                           the hardware computes bf16 natively (lm.bf16_native), as training does

    def __post_init__(self):
        check_types(self)  # every field, a subclass's too
        name = type(self).__name__
        if self.rank < 1 or self.steps < 0 or not self.lr > 0 or not self.alpha > 0:
            raise LMError(f"{name}: rank must be >= 1, steps >= 0, lr and alpha positive")
        if not self.target_modules:
            raise LMError(f"{name}.target_modules is empty")
        if self.layers == ():
            raise LMError(f"{name}.layers is empty (None adapts every layer)")

    @property
    def scaling(self) -> float:
        return self.alpha / self.rank


@dataclass(frozen=True)
class RationalEditConfig(LoraEditConfig):
    """A LoRA edit (the same adapter and optimiser settings as :class:`LoraEditConfig`) trained on the
    edit together with the beliefs that should follow from it, given on each request:

    ``loss = NLL(obj | "subject relation") + target_weight * mean KL(teacher || LM) over the request's
    targets + locality_weight * mean KL(unedited LM || LM) over its anchors`` (:mod:`lm._objective`).

    ``targets``: (subject, relation) -> {object: probability}, the teacher's post-edit beliefs (the
    candidates are the keys, in order); ``anchors``: (subject, relation) -> candidate objects, whose
    answers should stay where the unedited model had them. With both weights 0, or a request without
    ``targets`` and ``anchors`` (a tuple, say), the edit is exactly the ``lora`` edit of the same settings.

    Defaults: ``lora``'s adapter (rank 1 on every layer's down-projection) at twice its learning rate,
    25 steps, target weight 2.5, locality weight 4: tuned on the ``tiny`` model of the default world
    against the Bayesian agent's post-edit beliefs about the subject's 8 other relations, with 8 other
    subjects' answers as anchors (docs/results.md, "A rational edit method"). On 48 edits with downstream
    implications: downstream shift captured 0.88 (``lora`` 0.25), downstream MAE 0.024 (``lora`` 0.059),
    P(requested object) 0.993 (``lora`` 0.990), other subjects' accuracy 0.722 and 0.681 (``lora`` 0.722
    and 0.688); target weight 1 at lr 5e-3: 0.57; 3 at 5e-3: 0.69 with P(requested object) down to 0.89.

    Example:
        >>> import lm, tempfile
        >>> from types import SimpleNamespace
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=2)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); s = c.subjects[0]; (r1, dom1), (r2, dom2) = c.domains.items()
        >>> teacher = {o: 0.9 if o == dom2[0] else 0.1 / (len(dom2) - 1) for o in dom2}
        >>> req = SimpleNamespace(subject=s, relation=r1, obj=dom1[0], targets={(s, r2): teacher})
        >>> edited = lm.edit(base, "rational", [req], RationalEditConfig(lr=0.1))
        >>> before, after = (m.distribution(s, r2, dom2)[0][0] for m in (base, edited))  # P(teacher's choice)
        >>> bool(after > before + 0.02)  # untrained and tiny: 0.11 -> 0.16
        True
    """

    lr: float = 1e-2  # AdamW learning rate (twice lora's: the soft targets pull against the edit's NLL)
    steps: int = 25  # optimizer steps (lora: 20)
    target_weight: float = 2.5  # weight of the mean KL(teacher || LM) over the request's targets
    locality_weight: float = 4.0  # weight of the mean KL(unedited || LM) over the request's anchors

    def __post_init__(self):
        super().__post_init__()
        for f in ("target_weight", "locality_weight"):
            if getattr(self, f) < 0:
                raise LMError(f"RationalEditConfig.{f} must be a finite number >= 0, got {getattr(self, f)!r}")


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
    bf16: bool | None = None  # train under bf16 autocast; None: where the hardware computes bf16 natively

    def __post_init__(self):
        check_types(self)
        if not self.layers or not self.modules:
            raise LMError("FTEditConfig: layers and modules must be non-empty")
        if self.steps < 0 or not self.lr > 0:
            raise LMError("FTEditConfig: steps must be >= 0 and lr positive")


@dataclass(frozen=True)
class ContextEditConfig:
    """In-context editing: the requested facts, each stated ``repeats`` times, are prepended to every prompt.

    A prefix is evidence in the corpus's own language: stating a fact k times is, to the rational agent,
    k more mentions of it (``rational.update(..., "observe", mentions=k)``). It can only work for a model
    that has read sentences before a question in training (documents of several sentences about one
    subject); one trained on one-sentence documents with ``TrainConfig.doc_mask`` has not, and a prefix
    then disturbs its answers instead.

    Example:
        >>> ContextEditConfig(repeats=3).repeats
        3
    """

    repeats: int = 1  # times each requested fact is stated in the prefix

    def __post_init__(self):
        check_types(self)
        if self.repeats < 1:
            raise LMError(f"ContextEditConfig.repeats must be a positive integer, got {self.repeats!r}")


def check_edit_config(config, model_config: ModelConfig) -> None:
    """Check an edit config against a model size before any model exists (a pipeline's config validation):
    the layers of a :class:`LoraEditConfig`, :class:`RationalEditConfig`, :class:`FTEditConfig` or of a
    config with an ``edited_layers(n_layers)`` method (:class:`lm.RomeConfig`, :class:`lm.MemitConfig`) must
    exist, LoRA's ``target_modules`` must name Linear modules of the decoder layers and FT's ``modules``
    must match parameters of the chosen layers. The same checks run again when the edit is made; other
    configs (``context``, a user's) have nothing to check against the model.

    Raises:
        LMError: naming the field, the value and what the model has.

    Example:
        >>> size = ModelConfig(d_model=16, n_layers=2, n_heads=2, d_ff=32)
        >>> check_edit_config(LoraEditConfig(layers=(1,), target_modules=("q_proj", "down_proj")), size)
        >>> check_edit_config(LoraEditConfig(layers=(5,)), size)
        Traceback (most recent call last):
        lm._errors.LMError: LoraEditConfig.layers [5] out of range for a 2-layer model
    """
    if not isinstance(model_config, ModelConfig):
        raise LMError(f"check_edit_config takes an lm.ModelConfig, got {type(model_config).__name__}")
    if callable(getattr(config, "edited_layers", None)):  # RomeConfig, MemitConfig: the layers it edits
        config.edited_layers(model_config.n_layers)
        return
    if not isinstance(config, (LoraEditConfig, FTEditConfig)):
        return
    with torch.device("meta"):  # the module tree only: no memory, no initialisation cost
        hf = build_model(model_config, vocab_size=3)
    if isinstance(config, LoraEditConfig):
        _lora_layers(hf, config)
    else:
        _ft_params(hf, config)


# ---- registry -------------------------------------------------------------------------------------------
EditFn = Callable[[LanguageModel, list, object], LanguageModel]


@dataclass(frozen=True)
class EditMethod:
    """A registered method: ``fn(model, requests, config) -> edited model``, its config class, and what it
    can do (so a benchmark needs no method's name to drive it).

    ``requests`` are what the caller passed (request objects or ``(subject, relation, obj)`` tuples),
    already checked: well formed, every word in the model's vocabulary.

    Attributes:
        batch: for a method trained on lm's edit objective (:func:`edit_objective`), a function
            ``(model, config, n) -> per-edit weights`` (:func:`lora_weights` or :func:`delta_weights`) with
            which :func:`edit_many` trains many independent edits at once; None: edited one by one.
        prefix: for an in-context method, ``prefix(requests, config) -> text`` read before every prompt
            (many such edits are scored in one batch with ``distributions(..., prefixes=...)``).
        teacher: the method reads each request's ``targets`` and ``anchors`` (a teacher's post-edit
            beliefs, see :class:`RationalEditConfig`): a benchmark attaches them.
        counterpart: ``counterpart(config) -> (rule, options, label)``: the rational agent's update that
            says what the edit says (stating a fact k times = ``("observe", {"mentions": k}, "w=k")``; the
            label names it in tables), or None.
        many: for a method not trained on lm's edit objective (``rome``, ``memit``: a value optimisation, then
            a closed form), ``many(model, requests, config, chunk_size, on_step) -> EditBatch``, which
            :func:`edit_many` calls to make many independent edits at once; None: see ``batch``.
        key_layers: for a method that reads the model's key statistics (:class:`lm.KeyStatistics`, attached
            with :meth:`LanguageModel.with_key_statistics`), ``key_layers(config, n_layers) -> layers`` whose
            statistics it needs (a pipeline estimates them once per trained model); None: it reads none.
    """

    name: str
    fn: EditFn
    config_cls: type
    batch: Callable | None = None
    prefix: Callable[[Sequence, object], str] | None = None
    teacher: bool = False
    counterpart: Callable[[object], tuple[str, dict, str]] | None = None
    many: Callable | None = None
    key_layers: Callable[[object, int], tuple[int, ...]] | None = None

    @property
    def batched(self) -> bool:
        return self.batch is not None or self.many is not None


_METHODS: dict[str, EditMethod] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _same_code(a, b) -> bool:
    """The same function defined again (a module or graph file loaded twice, a notebook cell re-run)."""
    key = (lambda f: (getattr(f, "__module__", None), getattr(f, "__qualname__", None),
                      getattr(getattr(f, "__code__", None), "co_code", None)))
    return key(a) == key(b) and key(a)[2] is not None


def register_edit_method(name: str, config_cls: type = ContextEditConfig, *, batch: Callable | None = None,
                         prefix: Callable[[Sequence, object], str] | None = None, teacher: bool = False,
                         counterpart: Callable[[object], tuple[str, dict, str]] | None = None,
                         many: Callable | None = None,
                         key_layers: Callable[[object, int], tuple[int, ...]] | None = None
                         ) -> Callable[[EditFn], EditFn]:
    """Decorator registering an edit method under ``name``, with what it can do (see :class:`EditMethod`).

    The function receives the model to edit (never to be modified), the requests and a config instance
    of ``config_cls`` (its defaults when the caller passes none), and returns the edited model.
    Registering the same function again (a module loaded twice, a notebook cell run again) replaces it.

    Raises:
        LMError: a malformed name (lowercase letters, digits, ``_``), or another function under a
            registered name.

    Example:
        >>> @register_edit_method("noop_doc_example")
        ... def noop(model, requests, config):
        ...     return model
        >>> "noop_doc_example" in edit_methods(), get_edit_method("noop_doc_example").batched
        (True, False)
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise LMError(f"edit method name {name!r} must match {_NAME.pattern}")
    if not isinstance(config_cls, type):
        raise LMError(f"edit method {name!r}: config_cls must be a dataclass type, got {config_cls!r}")
    for what, value in (("batch", batch), ("prefix", prefix), ("counterpart", counterpart), ("many", many),
                        ("key_layers", key_layers)):
        if value is not None and not callable(value):
            raise LMError(f"edit method {name!r}: {what} must be callable or None, got {value!r}")
    if batch is not None and many is not None:
        raise LMError(f"edit method {name!r}: give batch (trained on lm's edit objective) or many, not both")

    def deco(fn: EditFn) -> EditFn:
        if name in _METHODS and not _same_code(_METHODS[name].fn, fn):
            raise LMError(f"edit method {name!r} is already registered (by {_METHODS[name].fn.__module__}."
                          f"{_METHODS[name].fn.__qualname__})")
        _METHODS[name] = EditMethod(name, fn, config_cls, batch, prefix, bool(teacher), counterpart, many,
                                    key_layers)
        return fn

    return deco


def edit_methods() -> tuple[str, ...]:
    """Names of the registered edit methods, in registration order."""
    return tuple(_METHODS)


def get_edit_method(name: str) -> EditMethod:
    """The registered :class:`EditMethod` (function, config class and capabilities); :class:`LMError` if
    unknown.

    Example:
        >>> m = get_edit_method("lora")
        >>> m.config_cls.__name__, m.batched, get_edit_method("context").prefix is not None
        ('LoraEditConfig', True, True)
    """
    return _method(name)


def _method(name: str) -> EditMethod:
    try:
        return _METHODS[name]
    except KeyError:
        raise LMError(f"unknown edit method {name!r}; registered: {list(_METHODS)}") from None


def _config(m: EditMethod, config):
    config = m.config_cls() if config is None else config
    if type(config) is not m.config_cls:  # exact: a RationalEditConfig passed to lora would lose its weights
        raise LMError(f"method {m.name!r} takes a {m.config_cls.__name__}, got {type(config).__name__}")
    return config


def edit(model: LanguageModel, method: str, requests: Sequence, config=None,
         sequential: bool = False) -> LanguageModel:
    """Edit ``model`` with a registered method; ``model`` itself is left untouched.

    Args:
        model: the model to start from (a base model or an edited one).
        method: a name from :func:`edit_methods` (``lora``, ``rational``, ``ft``, ``context``).
        requests: the facts to make true: objects with ``subject``, ``relation`` and ``obj`` attributes
            (``rational`` also reads ``targets`` and ``anchors``, see :class:`RationalEditConfig`) or
            ``(subject, relation, obj)`` tuples. Without ``sequential`` they form one batch edit.
        config: the method's config (default: its defaults), e.g. :class:`LoraEditConfig`.
        sequential: apply the requests one after another, each edit starting from the previous result.

    Returns:
        The edited model, a new :class:`LanguageModel`.

    Raises:
        LMError: unknown method, wrong config type, no requests, a malformed request.
        VocabularyError: a request naming a word the tokenizer does not know.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains)); obj = c.domains[r][0]
        >>> prompt = f"{c.subjects[0]} {r}"
        >>> before = base.logprob([prompt], [obj])[0]
        >>> edited = lm.edit(base, "lora", [(c.subjects[0], r, obj)], lm.LoraEditConfig(lr=1e-2))
        >>> bool(edited.logprob([prompt], [obj])[0] > before)
        True
    """
    m = _method(method)
    config = _config(m, config)
    requests = check_requests(model, requests)
    if not sequential:
        return m.fn(model, requests, config)
    for r in requests:
        model = m.fn(model, [r], config)
    return model


# ---- training edits ------------------------------------------------------------------------------------
def trainable_copy(model: LanguageModel):
    """A deep copy of the model's weights (a ``transformers`` model) with any adapter merged in: what a
    training edit trains, so the model it was given stays untouched. Wrap it back with
    :meth:`LanguageModel.with_weights`.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=2, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> lm.trainable_copy(base) is not base.model
        True
    """
    if model._adapter is not nullcontext:
        raise LMError("edit a materialised model: use EditBatch.materialize(i), not EditBatch[i]")
    if model.peft_model is not None:
        return copy.deepcopy(model.peft_model).merge_and_unload()
    return copy.deepcopy(model.model)


def _lora_layers(hf, config: LoraEditConfig) -> list[int] | None:
    """The decoder layers ``config`` adapts in ``hf`` (None: all), after checking that every layer and
    every target module exists there: :class:`LMError` naming the culprit otherwise."""
    name, n = type(config).__name__, hf.config.num_hidden_layers
    linear = [m for m, mod in hf.named_modules()  # peft's matching: the name or a dotted suffix of it
              if re.match(r"model\.layers\.\d+\.", m) and isinstance(mod, torch.nn.Linear)]
    unknown = [t for t in config.target_modules if not any(m == t or m.endswith("." + t) for m in linear)]
    if unknown:
        known = sorted({m.rsplit(".", 1)[-1] for m in linear})
        raise LMError(f"{name}.target_modules {unknown} name no Linear module of the decoder layers; "
                      f"known: {known}")
    if config.layers is None:
        return None
    bad = [i for i in config.layers if not -n <= i < n]
    if bad:
        raise LMError(f"{name}.layers {bad} out of range for a {n}-layer model")
    return sorted({i % n for i in config.layers})


def _lora_config(hf, config: LoraEditConfig):
    """peft's LoraConfig for ``config`` (a :class:`LoraEditConfig` or :class:`RationalEditConfig`) on ``hf``."""
    from peft import LoraConfig  # imported when first used: importing peft takes seconds

    layers = _lora_layers(hf, config)
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


def _peft(hf_model, config: LoraEditConfig):
    from peft import get_peft_model

    with torch.random.fork_rng(devices=[]), _peft_warnings():
        torch.manual_seed(config.seed)
        return get_peft_model(hf_model, _lora_config(hf_model, config))


def load_adapter(base: LanguageModel, directory: str | os.PathLike) -> LanguageModel:
    """A LoRA edit saved with :meth:`LanguageModel.save_adapter`, applied to a copy of ``base`` (offline).

    Raises:
        CheckpointError: no adapter in ``directory``, or one that does not fit ``base``.

    Example:
        >>> import lm, tempfile
        >>> d = lm._toy.write_toy_corpus(tempfile.mkdtemp(), n_subjects=4, n_relations=1)
        >>> base = lm.LanguageModel.untrained(d, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32))
        >>> c = lm.read_corpus(d); r = next(iter(c.domains))
        >>> edited = lm.edit(base, "lora", [(c.subjects[0], r, c.domains[r][1])])
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
            peft_model = PeftModel.from_pretrained(trainable_copy(base), path, local_files_only=True)
    except Exception as e:  # peft/safetensors raise several types for corrupt or mismatched adapters
        raise CheckpointError(f"cannot apply the adapter in {path}: {type(e).__name__}: {e}") from e
    return base.with_weights(peft_model.get_base_model().eval(), peft_model)


def train_bf16(model: LanguageModel, config) -> bool:
    """Whether an edit trains under bf16 autocast: the config's ``bf16``, or (None) native bf16 hardware."""
    if config.bf16 is not None:
        return bool(config.bf16)
    from ._train import bf16_native

    return bf16_native(model.device)


def _lora_edit(model: LanguageModel, requests: list, config: LoraEditConfig, target_weight: float = 0.0,
               locality_weight: float = 0.0) -> LanguageModel:
    """A peft LoRA adapter on a copy of ``model``, trained on the requests' :class:`Objective`."""
    peft_model = _peft(trainable_copy(model), config)
    hf = peft_model.get_base_model()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    loss = edit_objective(model, requests, hf, target_weight=target_weight, locality_weight=locality_weight,
                          bf16=train_bf16(model, config))
    fit(params, loss, config.lr, config.steps)
    hf.eval()
    return model.with_weights(hf, peft_model)


def lora_edit(model: LanguageModel, requests: list, config: LoraEditConfig) -> LanguageModel:
    return _lora_edit(model, requests, config)


def rational_edit(model: LanguageModel, requests: list, config: RationalEditConfig) -> LanguageModel:
    check_beliefs(model, requests)
    return _lora_edit(model, requests, config, config.target_weight, config.locality_weight)


def _ft_params(hf, config: FTEditConfig) -> list[tuple[str, torch.nn.Parameter]]:
    """The (name, parameter) pairs ``config`` trains: parameters of the chosen layers whose name (after
    ``model.layers.{i}.``) contains one of ``config.modules``."""
    n = hf.config.num_hidden_layers
    bad = [i for i in config.layers if not -n <= i < n]
    if bad:
        raise LMError(f"FTEditConfig.layers {bad} out of range for a {n}-layer model")
    layers = {i % n for i in config.layers}
    out = []
    for name, p in hf.named_parameters():
        m = re.match(r"model\.layers\.(\d+)\.(.*)", name)
        if m is not None and int(m.group(1)) in layers and any(s in m.group(2) for s in config.modules):
            out.append((name, p))
    if not out:
        raise LMError(f"FTEditConfig.modules {config.modules} match no parameter of layers {sorted(layers)}")
    return out


def ft_edit(model: LanguageModel, requests: list, config: FTEditConfig) -> LanguageModel:
    hf = trainable_copy(model)
    chosen = _ft_params(hf, config)
    hf.requires_grad_(False)
    params = [p.requires_grad_(True) for _, p in chosen]
    fit(params, edit_objective(model, requests, hf, bf16=train_bf16(model, config)), config.lr, config.steps)
    hf.eval().requires_grad_(False)
    return model.with_weights(hf)


def context_edit(model: LanguageModel, requests: list, config: ContextEditConfig) -> LanguageModel:
    facts = context_prefix(requests, config)
    return model.with_prefix(f"{model.prefix} {facts}" if model.prefix else facts)


def context_prefix(requests: Sequence, config: ContextEditConfig | None = None) -> str:
    """The text the ``context`` method puts before every prompt: each request's sentence, ``repeats`` times.

    ``model.distributions(queries, domains, prefixes=[context_prefix([r], config), ...])`` scores many
    independent in-context edits in one batch, exactly as ``edit(model, "context", [r], config)`` would.

    Example:
        >>> context_prefix([("Ann Lee", "continent", "Asia")], ContextEditConfig(repeats=2))
        'Ann Lee continent Asia . Ann Lee continent Asia .'
    """
    config = ContextEditConfig() if config is None else config
    return " ".join(sentence(r) for r in requests for _ in range(config.repeats))
