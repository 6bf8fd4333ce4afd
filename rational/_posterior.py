"""Fitting the population parameters and querying the exact posterior."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import _infer
from ._evidence import Evidence, EvidenceError
from ._graph import RelationGraph

__all__ = ["FitInfo", "Posterior", "fit"]


@dataclass(frozen=True)
class FitInfo:
    """How the population parameters were estimated."""

    iterations: int  # EM iterations run
    change: float  # max |theta_new - theta_old| at the last iteration
    converged: bool
    log_evidence: float  # sum_s log p(evidence_s | theta) at the estimate


@dataclass(frozen=True)
class _Row:
    """A subject whose evidence was changed by an update, or a new subject: its arrays and exact marginals."""

    arrays: _infer.EvidenceArrays  # S = 1
    marginals: tuple[np.ndarray, ...]  # per relation (K,)


@dataclass(frozen=True)
class Posterior:
    """Exact beliefs of the rational agent about every subject, given fitted population parameters.

    Immutable: updates return a new Posterior that shares the unchanged subjects' arrays and holds the
    changed subjects in a small overlay, so the old posterior is untouched and an update costs one
    subject's sum-product, not the whole world's. Subjects added by :meth:`with_subjects` live in the
    overlay too (indices from ``arrays.n_subjects`` on), with their evidence in ``evidence``.

    Example:
        >>> import rational
        >>> world = rational.sample_world(rational.example_graph(), n_subjects=30, seed=0)
        >>> post = rational.fit(world.evidence)
        >>> s = world.subjects[0]
        >>> round(float(post.distribution(s, "language").sum()), 12)
        1.0
        >>> post.joint(s, ["country", "language"]).shape
        (4, 3)
    """

    graph: RelationGraph
    evidence: Evidence
    arrays: _infer.EvidenceArrays
    thetas: tuple[np.ndarray, ...]
    base_marginals: tuple[np.ndarray, ...]
    info: FitInfo
    overlay: dict[int, _Row] = field(default_factory=dict)
    history: tuple[tuple, ...] = ()  # the updates applied, in order: (rule, subject, relation, kwargs)

    # -- lookups -------------------------------------------------------------------------------
    @property
    def subjects(self) -> tuple[str, ...]:
        return self.evidence.subjects

    @property
    def relations(self) -> tuple[str, ...]:
        return self.arrays.layout.relations

    def _rel(self, relation: str) -> int:
        try:
            return self.relations.index(relation)
        except ValueError:
            raise EvidenceError(f"unknown relation {relation!r}; known relations: {list(self.relations)}") from None

    def _row_arrays(self, s: int) -> _infer.EvidenceArrays:
        return self.overlay[s].arrays if s in self.overlay else self.arrays.rows(s)

    # -- queries -------------------------------------------------------------------------------
    def distribution(self, subject: str, relation: str) -> np.ndarray:
        """P(x[subject, relation] = k | evidence) for every object k, aligned with ``graph.domain(relation)``.

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
            >>> post.distribution(post.subjects[0], "country").shape
            (4,)
        """
        s, r = self.evidence.subject_id(subject), self._rel(relation)
        if s in self.overlay:
            return self.overlay[s].marginals[r].copy()
        return self.base_marginals[r][s].copy()

    def mention_distribution(self, subject: str, relation: str) -> np.ndarray:
        """The predictive distribution of the *next mention* of (subject, relation), aligned with the domain.

        A language model trained on the corpus is trained to predict mentions, not facts: a mention states
        the true object only with the fact's reliability. Given the posterior P(x = k) and the mentions so
        far, P(next mention = o) = sum_k P(x = k) * (m_k if o == k else (1 - m_k) / (K - 1)), where m_k is
        the expected reliability given x = k (``1 - eps`` for the fixed channel; with a per-fact reliability
        its posterior mean given the fact's own mentions, which the added mentions of an ``observe``
        update do not change here).

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
            >>> s = post.subjects[0]
            >>> m, p = post.mention_distribution(s, "country"), post.distribution(s, "country")
            >>> round(float(m.sum()), 12), bool(abs(m - p).max() <= post.evidence.eps)
            (1.0, True)
        """
        p = self.distribution(subject, relation)
        k = p.size
        if k == 1:
            return np.ones(1)
        m = self.evidence.expected_reliability(relation)[self.evidence.subject_id(subject)]
        a = p * (1 - m) / (k - 1)
        return p * m + (a.sum() - a)

    def probability(self, subject: str, relation: str, obj: str) -> float:
        """P(x[subject, relation] = obj | evidence)."""
        k = self._object(relation, obj)
        return float(self.distribution(subject, relation)[k])

    def _object(self, relation: str, obj: str) -> int:
        try:
            return self.graph.object_index(relation, obj)
        except KeyError as err:
            raise EvidenceError(err.args[0]) from None

    def distributions(self, relation: str) -> np.ndarray:
        """(S, K) marginals of one relation for all subjects (updated and added subjects included)."""
        r = self._rel(relation)
        base = self.base_marginals[r]
        out = np.zeros((len(self.subjects), base.shape[1]))
        out[: base.shape[0]] = base
        for s, row in self.overlay.items():
            out[s] = row.marginals[r]
        return out

    def joint(self, subject: str, relations: Sequence[str]) -> np.ndarray:
        """Exact joint P(x[subject, r1], x[subject, r2], ... | evidence): one axis per relation, in order.

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
            >>> j = post.joint(post.subjects[0], ["country", "language"])
            >>> bool(np.allclose(j.sum(axis=1), post.distribution(post.subjects[0], "country")))
            True
        """
        s = self.evidence.subject_id(subject)
        idx = tuple(self._rel(r) for r in relations)
        if len(set(idx)) != len(idx):
            raise EvidenceError(f"relations repeat in joint query: {list(relations)}")
        size = np.prod([self.arrays.layout.sizes[i] for i in idx], dtype=np.float64)
        if size > 5e7:
            raise EvidenceError(f"joint over {list(relations)} has {size:.3g} cells; ask for fewer relations")
        return _infer.joint(self._row_arrays(s), self.thetas, idx)[0]

    def cpt(self, relation: str) -> np.ndarray:
        """Estimated population CPT of ``relation``: axes are its parents (graph order), then itself.

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
            >>> post.cpt("language").shape, bool(np.allclose(post.cpt("language").sum(-1), 1))
            ((4, 3), True)
        """
        return self.thetas[self._rel(relation)].copy()

    def log_evidence(self, subject: str) -> float:
        """log p(evidence about ``subject`` | theta), including any update factors."""
        s = self.evidence.subject_id(subject)
        _, log_z = _infer.marginals(self._row_arrays(s), self.thetas)
        return float(log_z[0])

    # -- changing beliefs (used by the update rules) --------------------------------------------
    def with_likelihood(self, subject: str, relation: str, likelihood, note: tuple = ()) -> Posterior:
        """A new posterior with one extra likelihood factor on x[subject, relation]; theta held fixed.

        ``likelihood[k]`` is proportional to P(new evidence | x[subject, relation] = k): non-negative,
        finite, not all zero. Every update rule is built from this.

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=1).evidence)
            >>> s = post.subjects[0]
            >>> new = post.with_likelihood(s, "country", [1.0, 0.0, 0.0, 0.0])
            >>> round(new.probability(s, "country", "France"), 12), post is not new
            (1.0, True)
        """
        s, r = self.evidence.subject_id(subject), self._rel(relation)
        lik = np.asarray(likelihood, dtype=float).ravel()
        k = self.arrays.layout.sizes[r]
        if lik.shape != (k,):
            raise EvidenceError(f"likelihood for {relation!r} must have {k} entries, got {lik.shape[0]}")
        if not np.all(np.isfinite(lik)) or np.any(lik < 0) or lik.max() == 0:
            raise EvidenceError(f"likelihood for {relation!r} must be finite, non-negative and not all zero")
        row = self._row_arrays(s)
        new_u = row.unary[r] * (lik / lik.max())
        scale = new_u.max()
        if scale == 0:
            raise EvidenceError(f"update on {subject!r} {relation!r} contradicts the evidence: every value of "
                                "the relation now has probability zero")
        unary = list(row.unary)
        unary[r] = new_u / scale
        arrays = _infer.EvidenceArrays(row.layout, tuple(unary), row.pair_index, row.pair_table,
                                       row.offset + np.log(scale) + np.log(lik.max()))
        marg, _ = _infer.marginals(arrays, self.thetas)
        overlay = dict(self.overlay)
        overlay[s] = _Row(arrays, tuple(m[0] for m in marg))
        return Posterior(self.graph, self.evidence, self.arrays, self.thetas, self.base_marginals, self.info,
                         overlay, self.history + (note,) if note else self.history)

    def with_subjects(self, subjects: Mapping[str, Sequence[tuple[str, str]]]) -> Posterior:
        """A new posterior with new subjects of the same population, each with its stated mentions; theta
        held fixed.

        A new subject is drawn from the fitted population (the CPTs ``theta``) and its mentions go through
        the evidence's own channel: the fixed ``eps``, or the per-fact reliability, under which repeated
        ``(relation, object)`` items are several mentions of one fact and share its rho. It then behaves
        like any other subject: :meth:`distribution`, :meth:`probability`, :meth:`joint`,
        :meth:`mention_distribution`, :meth:`log_evidence` and every update rule work for it; a subject
        with no items has the population prior (the marginals of the CPTs). Existing subjects' beliefs
        are unchanged, and :meth:`refit` includes the new subjects' evidence.

        Cost: one sum-product over the new subjects only, batched (one call for the whole mapping); the
        existing subjects' arrays are shared, not rebuilt.

        Args:
            subjects: new subject name -> its mentions, a sequence of ``(relation, object)`` pairs (may
                be empty).

        Raises:
            EvidenceError: naming the culprit: a name that is empty, not a string or already a subject;
                an item that is not a ``(relation, object)`` pair; an unknown relation; an object not in
                the relation's domain; mentions that contradict each other under ``eps = 0``.

        Example:
            >>> import rational
            >>> post = rational.fit(rational.sample_world(rational.example_graph(), 30, seed=0).evidence)
            >>> new = post.with_subjects({"Ann Lee": [("country", "Japan"), ("country", "Japan")],
            ...                           "Bo Chen": []})
            >>> new.subjects[-2:], "Ann Lee" in post.subjects
            (('Ann Lee', 'Bo Chen'), False)
            >>> bool(new.probability("Ann Lee", "country", "Japan") > new.probability("Bo Chen", "country", "Japan"))
            True
            >>> prior = post.cpt("country")  # a root relation: Bo Chen's belief is its CPT
            >>> bool(np.allclose(new.distribution("Bo Chen", "country"), prior, atol=1e-12))
            True
        """
        if not isinstance(subjects, Mapping):
            raise EvidenceError("with_subjects takes a mapping {new subject: [(relation, object), ...]}, "
                                f"got {type(subjects).__name__}")
        if not subjects:
            return self
        ev = self.evidence
        names = list(subjects)
        extended = ev.copy()
        extended.add_subjects(names)  # checks the names
        mentions = {r: ([], []) for r in self.relations}
        for i, name in enumerate(names):
            items = subjects[name]
            if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
                raise EvidenceError(f"new subject {name!r}: mentions must be a sequence of (relation, object) "
                                    f"pairs, got {items!r}")
            for item in items:
                if (not isinstance(item, (tuple, list)) or len(item) != 2
                        or not all(isinstance(x, str) for x in item)):
                    raise EvidenceError(f"new subject {name!r}: mention {item!r} is not a (relation, object) "
                                        "pair of names")
                relation, obj = item
                try:
                    self._rel(relation)
                    o = self._object(relation, obj)
                except EvidenceError as err:
                    raise EvidenceError(f"new subject {name!r}, mention {tuple(item)!r}: {err}") from None
                mentions[relation][0].append(i)
                mentions[relation][1].append(o)
        alone = Evidence(self.graph, names, ev.eps, ev.statement_noise, reliability=ev.reliability)
        first = len(ev.subjects)
        for r, (ids, objs) in mentions.items():
            alone.add_mention_arrays(r, ids, objs)
            extended.add_mention_arrays(r, np.asarray(ids, np.int64) + first, objs)
        arrays = _infer.in_layout_of(_infer.encode(alone), self.arrays)  # raises on contradictions
        marg, _ = _infer.marginals(arrays, self.thetas)
        overlay = dict(self.overlay)
        for i, row in enumerate(arrays.split()):
            overlay[first + i] = _Row(row, tuple(m[i] for m in marg))
        return Posterior(self.graph, extended, self.arrays, self.thetas, self.base_marginals, self.info,
                         overlay, self.history)

    def save(self, directory, *, meta: dict | None = None):
        """Write this fitted posterior to ``directory`` (``.npz`` + JSON, no pickle; see
        :mod:`rational._store` for the format); reload it with :func:`rational.load`. Returns the path.
        """
        from ._store import save

        return save(self, directory, meta=meta)

    def refit(self, **fit_options) -> Posterior:
        """Re-estimate theta with every update's evidence and every added subject included (updates and
        :meth:`with_subjects` otherwise hold theta fixed)."""
        n = self.arrays.n_subjects
        arrays = _infer.concatenate([self.arrays.rows(np.arange(n))]
                                    + [self.overlay[s].arrays for s in range(n, len(self.subjects))])
        for s, row in self.overlay.items():
            for i, u in enumerate(row.arrays.unary):
                arrays.unary[i][s] = u[0]
            arrays.offset[s] = row.arrays.offset[0]
        return _fit_arrays(self.graph, self.evidence, arrays, history=self.history, init=self.thetas,
                           **fit_options)


def _alphas(graph: RelationGraph) -> tuple[np.ndarray, ...]:
    return tuple(np.broadcast_to(graph.concentration(r), graph.cpt_shape(r)).copy() for r in graph.relations)


def _fit_arrays(graph, evidence, arrays, *, tol=1e-10, max_iter=2000, init=None, history=(),
                path="auto") -> Posterior:
    thetas, iterations, change = _infer.em(arrays, _alphas(graph), tol, max_iter, init, path=path)
    converged = change <= tol
    if not converged:
        warnings.warn(f"EM stopped after {iterations} iterations with max parameter change {change:.2e} > "
                      f"tol {tol:.0e}; raise max_iter", RuntimeWarning, stacklevel=3)
    marg, log_z = _infer.marginals(arrays, thetas, path=path)
    info = FitInfo(iterations, change, converged, float(np.sum(log_z)))
    return Posterior(graph, evidence, arrays, thetas, marg, info, {}, history)


def fit(evidence: Evidence, *, tol: float = 1e-10, max_iter: int = 2000, path: str = "auto") -> Posterior:
    """Estimate the population parameters and return every subject's exact posterior.

    The estimate: theta is the fixed point of ``theta[r | c] = E[Dirichlet(alpha_r + n_r(c; theta))]``,
    the Dirichlet posterior mean given the *expected* counts ``n_r(c, v; theta) = sum_s P(x[s, pa(r)] = c,
    x[s, r] = v | evidence_s, theta)``. It is reached by EM (the E-step is the exact sum-product below,
    the M-step the conjugate update), which increases ``log p(evidence | theta) + log Dir(theta; alpha + 1)``
    at every step, so the fixed point is the MAP estimate under a Dirichlet(alpha + 1) prior. Why this
    estimate: with every fact observed without noise it reduces to the closed-form conjugate posterior
    mean ``(alpha + counts) / sum``; with noisy or missing facts it uses them exactly as the model says,
    rather than guessing the hidden values first.

    Given theta, each subject's posterior is exact: a discrete sum-product over its relations (variable
    elimination batched over all subjects, float64). Beliefs about subjects are therefore conditionally
    independent given theta; updates (:func:`rational.update`) hold theta fixed unless
    :meth:`Posterior.refit` is called.

    Args:
        evidence: what was observed (see :class:`rational.Evidence`).
        tol: stop when no CPT entry moves by more than this in one EM step.
        max_iter: EM iteration cap; a RuntimeWarning says so if it is reached.
        path: how the sum-product is computed: "auto" (= "messages": variable elimination in numpy, CPT
            products through BLAS, statements and sparse evidence as corrections), "einsum" (one batched
            JAX einsum; the earlier default where a relation has two parents) or "forest" (sparse JAX
            messages; at most one parent per relation, the earlier default there). The same numbers to
            float64 rounding (tests check it); the paths differ in speed.

    Example:
        >>> import rational
        >>> world = rational.sample_world(rational.example_graph(), n_subjects=50, seed=0)
        >>> post = rational.fit(world.evidence)
        >>> post.info.converged
        True
    """
    if not isinstance(evidence, Evidence):
        if isinstance(getattr(evidence, "evidence", None), Evidence):
            evidence = evidence.evidence  # a rational.World: fit its evidence
        else:
            raise TypeError(f"fit takes a rational.Evidence (or a rational.World), got {type(evidence).__name__}")
    arrays = _infer.encode(evidence)
    return _fit_arrays(evidence.graph, evidence, arrays, tol=tol, max_iter=max_iter, path=path)
