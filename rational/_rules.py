"""Update rules: small pure functions registered by name.

A rule is ``rule(posterior, subject, relation, obj, **options) -> Posterior``. It must return a new
posterior and leave the given one untouched (build it with :meth:`Posterior.with_likelihood`). Population
parameters stay fixed; call :meth:`Posterior.refit` afterwards to re-estimate them.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np

from ._evidence import EvidenceError
from ._posterior import Posterior

__all__ = ["UpdateRule", "get_rule", "register_rule", "rule_options", "rules", "update"]


class UpdateRule(Protocol):
    def __call__(self, posterior: Posterior, subject: str, relation: str, obj: str | None, /,
                 **options) -> Posterior: ...


_RULES: dict[str, UpdateRule] = {}
_OPTIONS: dict[str, tuple[str, ...]] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _same_code(a, b) -> bool:
    """The same function defined again (a module or a graph file loaded twice, a notebook cell re-run)."""
    key = (lambda f: (getattr(f, "__module__", None), getattr(f, "__qualname__", None),
                      getattr(getattr(f, "__code__", None), "co_code", None)))
    return key(a) == key(b) and key(a)[2] is not None


def _keywords(fn) -> tuple[str, ...]:
    """The options a rule takes: its parameters after (posterior, subject, relation, obj), by name."""
    try:
        params = list(inspect.signature(fn).parameters.values())[4:]
    except (TypeError, ValueError):  # a callable without a signature: options unknown
        return ()
    return tuple(p.name for p in params
                 if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY))


def register_rule(name: str, fn: UpdateRule | None = None):
    """Register an update rule under ``name`` (lower-case identifier).

    The registration records the options the rule takes (its keyword parameters after ``obj``, see
    :func:`rule_options`), so a benchmark can pass a request's ``target`` to exactly the rules that take
    one. Registering the same function again (a module or graph file loaded twice, a notebook cell run
    again) replaces it; another function under a registered name is refused.

    Usable as a decorator. Example:
        >>> import rational
        >>> @rational.register_rule("doc_example_noop")
        ... def noop(posterior, subject, relation, obj, /, target=0.9):
        ...     return posterior
        >>> "doc_example_noop" in rational.rules(), rational.rule_options("doc_example_noop")
        (True, ('target',))
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"rule name must be a lower-case identifier, got {name!r}")

    def register(fn):
        if not callable(fn):
            raise TypeError(f"rule {name!r} must be callable, got {type(fn).__name__}")
        if name in _RULES and not _same_code(_RULES[name], fn):
            raise ValueError(f"an update rule named {name!r} is already registered (by "
                             f"{getattr(_RULES[name], '__module__', '?')}.{getattr(_RULES[name], '__qualname__', '?')})")
        _RULES[name] = fn
        _OPTIONS[name] = _keywords(fn)
        return fn

    return register if fn is None else register(fn)


def rules() -> tuple[str, ...]:
    """Names of the registered update rules."""
    return tuple(sorted(_RULES))


def rule_options(name: str) -> tuple[str, ...]:
    """The keyword options a registered rule takes (recorded when it was registered).

    Example:
        >>> import rational
        >>> rational.rule_options("bayes"), "target" in rational.rule_options("jeffrey")
        ((), True)
    """
    if name not in _RULES:
        raise KeyError(f"unknown update rule {name!r}; registered: {list(rules())}")
    return _OPTIONS[name]


def get_rule(name: str) -> UpdateRule:
    """The function registered under ``name`` (its module tells where a user's rule lives)."""
    if name not in _RULES:
        raise KeyError(f"unknown update rule {name!r}; registered: {list(rules())}")
    return _RULES[name]


def update(posterior: Posterior, rule: str, subject, relation: str | None = None, obj: str | None = None,
           **options) -> Posterior:
    """Apply the registered update ``rule`` to the belief about ``x[subject, relation]``.

    Args:
        posterior: the current beliefs (left untouched).
        rule: a registered rule name: ``bayes``, ``observe``, ``jeffrey``, ``virtual`` or a user's.
        subject, relation, obj: the edit request "subject relation obj" (``jeffrey``/``virtual`` take
            their distribution or likelihood in ``options`` and may leave ``obj`` out). Instead of the
            three, ``subject`` may be a request object with ``subject``, ``relation`` and ``obj``
            attributes (such as ``bridges.EditRequest``).
        **options: rule-specific (``target`` for observe, ``q`` for jeffrey, ``likelihood`` for virtual).

    Raises:
        KeyError: an unknown rule.
        EvidenceError: an unknown subject, relation or object, bad options, or a rule that did not
            return a :class:`Posterior`.

    Example:
        >>> import rational
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
        >>> s = post.subjects[0]
        >>> new = rational.update(post, "observe", s, "country", "Japan", target=0.9)
        >>> round(new.probability(s, "country", "Japan") >= 0.9), new is post
        (1, False)
    """
    if rule not in _RULES:
        raise KeyError(f"unknown update rule {rule!r}; registered: {list(rules())}")
    if not isinstance(subject, str) and all(hasattr(subject, a) for a in ("subject", "relation", "obj")):
        if relation is not None or obj is not None:
            raise EvidenceError("update: give either a request object or subject, relation, obj, not both")
        subject, relation, obj = subject.subject, subject.relation, subject.obj
    if not isinstance(subject, str) or not isinstance(relation, str):
        raise EvidenceError(f"update: subject and relation must be names (str), got {subject!r}, {relation!r}")
    if obj is not None and not isinstance(obj, str):
        raise EvidenceError(f"update: obj must be an object name (str) or None, got {type(obj).__name__} "
                            f"{obj!r}; pass a distribution as q=... (jeffrey) or likelihood=... (virtual)")
    posterior.evidence.subject_id(subject)
    posterior._rel(relation)
    if obj is not None:
        posterior._object(relation, obj)
    new = _RULES[rule](posterior, subject, relation, obj, **options)
    if not isinstance(new, Posterior):
        raise EvidenceError(f"update rule {rule!r} returned {type(new).__name__}, not a rational.Posterior; a "
                            "rule returns a new posterior (e.g. posterior.with_likelihood(...))")
    return new


def _note(rule, subject, relation, obj, **options):
    return (rule, subject, relation, obj, tuple(sorted((k, repr(v)) for k, v in options.items())))


def _need_obj(rule: str, obj):
    if obj is None:
        raise EvidenceError(f"rule {rule!r} needs the requested object")


@register_rule("bayes")
def bayes(posterior: Posterior, subject: str, relation: str, obj: str | None, /) -> Posterior:
    """Condition on the hard evidence x[subject, relation] = obj."""
    _need_obj("bayes", obj)
    lik = np.zeros(posterior.graph.size_of(relation))
    lik[posterior._object(relation, obj)] = 1.0
    return posterior.with_likelihood(subject, relation, lik, _note("bayes", subject, relation, obj))


@register_rule("observe")
def observe(posterior: Posterior, subject: str, relation: str, obj: str | None, /, target: float = 0.95,
            mentions: float | None = None, fractional: bool = False) -> Posterior:
    """Add ``w`` noisy mentions of obj, with the corpus's own mention model.

    By default ``w`` is the smallest whole number of mentions that makes P(obj) >= ``target``;
    ``mentions`` fixes ``w`` instead. With the fixed channel (``eps``) a mention factor touches only
    x[subject, relation], so P'(obj) = p c^w / (p c^w + 1 - p) with c = (1 - eps)(K - 1) / eps, and ``w``
    has a closed form; ``fractional=True`` solves for the real ``w`` that reaches the target exactly.
    With a per-fact reliability the new mentions join the fact's own (they share its rho): the factor is
    P(old + new mentions | x) / P(old mentions | x), and ``w`` is found by counting up.
    """
    _need_obj("observe", obj)
    graph, ev = posterior.graph, posterior.evidence
    k, o = graph.size_of(relation), posterior._object(relation, obj)
    if not isinstance(fractional, bool):
        raise EvidenceError(f"observe: fractional must be true or false, got {fractional!r}")
    if mentions is None and not (isinstance(target, (int, float)) and not isinstance(target, bool)
                                 and 0.0 < target < 1.0):
        raise EvidenceError(f"observe: target must be a number in (0, 1), got {target!r}")
    if mentions is not None and (isinstance(mentions, bool) or not isinstance(mentions, (int, float))
                                 or not mentions >= 0):
        raise EvidenceError(f"observe: mentions must be a non-negative number, got {mentions!r}")
    if k == 1:
        return posterior
    p = posterior.probability(subject, relation, obj)
    if ev.reliability is not None:
        if fractional or (mentions is not None and mentions != int(mentions)):
            raise EvidenceError("observe: fractional mentions need the fixed channel (eps); this evidence "
                                "has a per-fact reliability, so mentions are whole")
        counts, n = ev.mention_counts(relation)
        c, total = counts[ev.subject_id(subject)], n[ev.subject_id(subject)]
        old = ev.channel_log_likelihood(k, c, total)
        current = posterior.distribution(subject, relation)

        def factor(w: int) -> np.ndarray:
            new = c.copy()
            new[o] += w
            return ev.channel_log_likelihood(k, new, total + w) - old

        if mentions is not None:
            w = int(mentions)
        else:
            w = 0
            while True:
                log_post = np.log(np.maximum(current, 1e-300)) + factor(w)
                if np.exp(log_post[o] - np.logaddexp.reduce(log_post)) >= target or w >= 10_000:
                    break
                w += 1
        log_lik = factor(w)
        lik = np.exp(log_lik - log_lik.max())
        return posterior.with_likelihood(subject, relation, lik,
                                         _note("observe", subject, relation, obj, mentions=float(w)))
    eps = ev.eps
    if mentions is None:
        if p >= target:
            w = 0.0
        elif eps == 0.0:
            w = 1.0
        else:
            c = (1 - eps) * (k - 1) / eps
            if c <= 1:
                raise EvidenceError(f"observe: with eps={eps} and {k} objects a mention carries no information")
            w = math.log(target * (1 - p) / (p * (1 - target))) / math.log(c)
            w = w if fractional else float(math.ceil(w - 1e-12))
    else:
        w = float(mentions)
    with np.errstate(divide="ignore"):
        log_lik = np.full(k, w * math.log(eps / (k - 1)) if eps > 0 else -np.inf)
    log_lik[o] = w * math.log1p(-eps)
    if w == 0:
        log_lik[:] = 0.0
    lik = np.exp(log_lik - log_lik.max())
    return posterior.with_likelihood(subject, relation, lik,
                                     _note("observe", subject, relation, obj, mentions=w))


_SUM_TOL = 1e-9  # how far from 1 a distribution's sum may be


def _distribution(posterior: Posterior, relation: str, values, what: str, total: bool = False) -> np.ndarray:
    """A vector over the relation's domain from an array or a {object: value} mapping, validated: one
    finite non-negative number per object (and, with ``total``, summing to 1 within ``_SUM_TOL``)."""
    graph = posterior.graph
    k = graph.size_of(relation)
    mapping = isinstance(values, Mapping)
    index = [posterior._object(relation, name) for name in values] if mapping else None
    try:
        vec = np.asarray(list(values.values()) if mapping else values)
    except (TypeError, ValueError):  # ragged nesting
        vec = None
    if vec is None or vec.dtype.kind not in "biuf" or (mapping and vec.shape != (len(index),)):
        # not numbers ("uniform", ["0.5", ...], None entries), or a mapping to something else than numbers
        kind = "a distribution" if total else "weights"
        sums = f" summing to 1 within {_SUM_TOL:g}" if total else ""
        raise EvidenceError(f"{what} must be {kind} over the domain of {relation!r}: {k} non-negative numbers "
                            f"(one per object of {list(graph.domain(relation))}){sums}, or an {{object: number}} "
                            f"mapping; got {values!r}")
    vec = vec.astype(float).ravel()
    if mapping:
        vec, given = np.zeros(k), vec
        vec[index] = given
    if vec.shape != (k,):
        raise EvidenceError(f"{what} for {relation!r} must have {k} entries (one per object), got {vec.size}")
    if not np.all(np.isfinite(vec)):
        raise EvidenceError(f"{what} for {relation!r} has a non-finite entry")
    if np.any(vec < 0):
        bad = graph.domain(relation)[int(np.flatnonzero(vec < 0)[0])]
        raise EvidenceError(f"{what} for {relation!r} is negative at {bad!r}")
    return vec


@register_rule("jeffrey")
def jeffrey(posterior: Posterior, subject: str, relation: str, obj: str | None = None, /,
            q: Mapping[str, float] | Sequence[float] | None = None, target: float = 0.95) -> Posterior:
    """Jeffrey conditioning: P'(.) = sum_v P(. | x = v) q(v) on the partition {x[subject, relation] = v}.

    ``q`` is the new distribution (array over the domain or {object: probability}, must sum to 1 within
    1e-9); an ``obj`` given with it must be one that ``q`` favours (``q[obj]`` is its largest entry).
    Without ``q``, ``q`` puts ``target`` on obj and spreads the rest in proportion to the current beliefs.
    Equivalent to one likelihood factor q(v) / P(x = v), which is how it is applied.
    """
    p = posterior.distribution(subject, relation)
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0.0 < target <= 1.0:
        raise EvidenceError(f"jeffrey: target must be a number in (0, 1], got {target!r}")
    if q is None:
        _need_obj("jeffrey", obj)
        o = posterior._object(relation, obj)
        rest = p.copy()
        rest[o] = 0.0
        qv = rest * ((1 - target) / rest.sum()) if rest.sum() > 0 else rest
        qv[o] = target if rest.sum() > 0 else 1.0
    else:
        qv = _distribution(posterior, relation, q, "jeffrey: q", total=True)
        if not math.isclose(qv.sum(), 1.0, abs_tol=_SUM_TOL):
            raise EvidenceError(f"jeffrey: q for {relation!r} must sum to 1 (within {_SUM_TOL:g}), "
                                f"sums to {qv.sum():.12g}")
        if obj is not None and qv[posterior._object(relation, obj)] < qv.max():
            best = posterior.graph.domain(relation)[int(qv.argmax())]
            raise EvidenceError(f"jeffrey: q does not favour the requested object {obj!r} (q[{obj!r}] = "
                                f"{qv[posterior._object(relation, obj)]:.6g}, q[{best!r}] = {qv.max():.6g}); "
                                "pass q alone, or a q whose largest entry is obj")
    impossible = (p <= 0) & (qv > 0)
    if impossible.any():
        bad = posterior.graph.domain(relation)[int(np.flatnonzero(impossible)[0])]
        raise EvidenceError(f"jeffrey: q gives mass to {bad!r}, which has probability zero now; "
                            "no Jeffrey update reaches it")
    lik = np.divide(qv, p, out=np.zeros_like(qv), where=p > 0)
    return posterior.with_likelihood(subject, relation, lik,
                                     _note("jeffrey", subject, relation, obj, q=tuple(qv.round(12))))


@register_rule("virtual")
def virtual(posterior: Posterior, subject: str, relation: str, obj: str | None = None, /,
            likelihood: Mapping[str, float] | Sequence[float] | None = None, ratio: float = 19.0) -> Posterior:
    """Pearl's virtual evidence: multiply the belief in x[subject, relation] = v by ``likelihood[v]``.

    Without ``likelihood``: obj is ``ratio`` times as likely as every other object (the likelihood
    ratio 19 turns a uniform prior over two objects into 0.95).
    """
    if likelihood is None:
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0.0 < ratio < math.inf:
            raise EvidenceError(f"virtual: ratio must be a positive finite number, got {ratio!r}")
        _need_obj("virtual", obj)
        lik = np.ones(posterior.graph.size_of(relation))
        lik[posterior._object(relation, obj)] = ratio
    else:
        lik = _distribution(posterior, relation, likelihood, "virtual: likelihood")
    if lik.max() <= 0:
        raise EvidenceError(f"virtual: likelihood for {relation!r} is zero everywhere")
    return posterior.with_likelihood(subject, relation, lik,
                                     _note("virtual", subject, relation, obj, likelihood=tuple(lik)))


