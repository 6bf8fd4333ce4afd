"""Exact inference: evidence encoding, the inference paths, EM for the population parameters.

Given the population parameters theta, subjects are independent and each subject's joint over its
relations is a small discrete factor graph: one CPT factor per relation and one unary evidence factor per
relation (mentions and single-relation statements); statements about a parent -> child pair multiply
the child's CPT by a per-subject table over the pair's values (over "value classes": the objects the
statements name and "any other object"). :func:`marginals` and :func:`em` run one of three paths, the
same sum-product in different orders (the tests check them against each other and against enumeration):

* ``"messages"`` (the default, :mod:`rational._messages`): variable elimination in numpy, the shared CPTs
  through BLAS matrix products, statements and sparse evidence as corrections, and a backward pass by
  hand; any DAG.
* ``"einsum"`` (here): the partition function Z_s of every subject as a single ``jnp.einsum`` with the
  subject axis ``s`` as a batch index (a paired child's CPT becomes a per-subject factor), in an order
  found by ``opt_einsum``'s dynamic programming; exact marginals are ``U * d log Z / d U`` and the expected
  sufficient statistics of every CPT ``theta * d (sum_s log Z_s) / d theta``, both by reverse-mode
  autodiff of the same contraction. Subjects are processed in chunks sized so that the contraction and
  its gradient fit in memory.
* ``"forest"`` (:mod:`rational._forest`): sparse messages in JAX, graphs with at most one parent per
  relation.

All are exact to float64 rounding, not sampled.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import lru_cache, partial

import jax

jax.config.update("jax_enable_x64", True)  # exact means float64: posteriors are checked to 1e-6

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import opt_einsum  # noqa: E402

from . import _forest, _messages  # noqa: E402
from ._em import em_loop  # noqa: E402
from ._evidence import Evidence, EvidenceError  # noqa: E402
from ._graph import GraphError, RelationGraph  # noqa: E402

__all__ = ["EvidenceArrays", "Layout", "encode"]

_LETTERS = [c for c in string.ascii_letters if c != "s"]  # 's' is the subject (batch) axis
_MAX_CPT_ENTRIES = 50_000_000  # a dense CPT beyond this is a modelling error, not a workload
_CHUNK_ENTRIES = 1 << 24  # float64 entries per chunk of subjects for operands + largest intermediate


@dataclass(frozen=True)
class Layout:
    """Static structure of a subject's factor graph (hashable: it keys the JIT cache)."""

    relations: tuple[str, ...]
    parents: tuple[tuple[int, ...], ...]
    sizes: tuple[int, ...]
    pair_edges: tuple[tuple[int, int], ...] = ()  # (parent, child) pairs that carry statements

    @classmethod
    def of(cls, graph: RelationGraph, pair_edges=()) -> Layout:
        rels = graph.relations
        pos = {r: i for i, r in enumerate(rels)}
        layout = cls(rels, tuple(tuple(pos[p] for p in graph.parents(r)) for r in rels),
                     tuple(graph.size_of(r) for r in rels), tuple(sorted(pair_edges)))
        if len(rels) > len(_LETTERS):
            raise GraphError(f"{len(rels)} relations exceed the {len(_LETTERS)} einsum indices available")
        for r in rels:
            n = int(np.prod(graph.cpt_shape(r), dtype=np.float64))
            if n > _MAX_CPT_ENTRIES:
                raise GraphError(f"relation {r!r}: its CPT {graph.cpt_shape(r)} has {n:,} entries; too many "
                                 "parents with large domains for exact inference")
        return layout

    def subscripts(self, keep: tuple[int, ...] | None = None) -> str:
        """Einsum subscripts: CPTs (per subject where statements pair the relation with a parent), unary
        factors -> 's' (or the kept relations)."""
        rel = _LETTERS[: len(self.relations)]
        paired = {r for _, r in self.pair_edges}
        terms = [("s" if i in paired else "") + "".join(rel[p] for p in pa) + rel[i]
                 for i, pa in enumerate(self.parents)]
        terms += ["s" + rel[i] for i in range(len(self.relations))]
        out = "s" if keep is None else "s" + "".join(rel[i] for i in keep)
        return ",".join(terms) + "->" + out


@dataclass
class EvidenceArrays:
    """Evidence of S subjects encoded as arrays (the data argument of the compiled NumPyro model).

    Attributes:
        layout: the factor-graph structure.
        unary: per relation, (S, K_r) likelihoods, each row scaled so its max is 1.
        pair_index: per pair edge, ((S, n_u) parent-object indices, (S, n_r) child-object indices), -1 = pad;
            value classes are these objects and a last class "any other object".
        pair_table: per pair edge, (S, n_u + 1, n_r + 1) likelihood over value classes (max 1 per subject).
        offset: (S,) log of the scales removed, so log p(evidence_s | theta) = log Z_s + offset_s.
    """

    layout: Layout
    unary: tuple[np.ndarray, ...]
    pair_index: tuple[tuple[np.ndarray, np.ndarray], ...]
    pair_table: tuple[np.ndarray, ...]
    offset: np.ndarray
    _sparse: tuple | None = None
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # theta-free data of the paths

    @property
    def n_subjects(self) -> int:
        return self.offset.shape[0]

    @property
    def sparse(self) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]:
        """Per relation (base, idx, val): the unary likelihoods as a constant plus spikes (cached)."""
        if self._sparse is None:
            self._sparse = tuple(_forest.sparsify(u) for u in self.unary)
        return self._sparse

    def rows(self, ids) -> EvidenceArrays:
        """The arrays of a subset of subjects (copies)."""
        ids = np.atleast_1d(np.asarray(ids))
        return EvidenceArrays(self.layout, tuple(u[ids].copy() for u in self.unary),
                              tuple((a[ids].copy(), b[ids].copy()) for a, b in self.pair_index),
                              tuple(t[ids].copy() for t in self.pair_table), self.offset[ids].copy())

    def split(self) -> list[EvidenceArrays]:
        """Every subject's row as its own S = 1 arrays (views into these: treat them as read-only)."""
        return [EvidenceArrays(self.layout, tuple(u[s: s + 1] for u in self.unary),
                               tuple((a[s: s + 1], b[s: s + 1]) for a, b in self.pair_index),
                               tuple(t[s: s + 1] for t in self.pair_table), self.offset[s: s + 1])
                for s in range(self.n_subjects)]

    def operands(self, thetas, xp=jnp):
        """Einsum operands in the order of :meth:`Layout.subscripts`.

        A relation r with statements about a pair (u, r) gets the factor ``theta_r(..., a, ..., b) *
        table_s(class(a), class(b))``: (S, parent sizes..., K_r), one per subject.
        """
        layout = self.layout
        ops = list(thetas)
        for (iu, ir), table, (u, r) in zip(self.pair_index, self.pair_table, layout.pair_edges):
            cu, cr = _classes(iu, layout.sizes[u], xp), _classes(ir, layout.sizes[r], xp)
            pair = table[xp.arange(table.shape[0])[:, None, None], cu[:, :, None], cr[:, None, :]]  # (S, K_u, K_r)
            shape = [table.shape[0]] + [1] * len(layout.parents[r]) + [layout.sizes[r]]
            shape[1 + layout.parents[r].index(u)] = layout.sizes[u]
            cpt = ops[r] if ops[r].ndim > len(layout.parents[r]) + 1 else ops[r][None]
            ops[r] = cpt * pair.reshape(shape)
        return ops + list(self.unary)


def in_layout_of(arrays: EvidenceArrays, like: EvidenceArrays) -> EvidenceArrays:
    """``arrays`` of subjects without statements, laid out as ``like``: its pair edges, each padded to its
    widths (no named objects, likelihood tables of ones), so the rows of both can be stacked."""
    if arrays.pair_index or arrays.layout.relations != like.layout.relations:
        raise ValueError("in_layout_of takes arrays of the same relations without statements")
    n = arrays.n_subjects
    pair_index = tuple((np.full((n, iu.shape[1]), -1, np.int64), np.full((n, ir.shape[1]), -1, np.int64))
                       for iu, ir in like.pair_index)
    pair_table = tuple(np.ones((n,) + t.shape[1:]) for t in like.pair_table)
    return EvidenceArrays(like.layout, arrays.unary, pair_index, pair_table, arrays.offset)


def concatenate(parts) -> EvidenceArrays:
    """The rows of several :class:`EvidenceArrays` of one layout and widths, stacked in order."""
    first = parts[0]
    return EvidenceArrays(first.layout, tuple(np.concatenate(u) for u in zip(*(p.unary for p in parts))),
                          tuple((np.concatenate([p.pair_index[j][0] for p in parts]),
                                 np.concatenate([p.pair_index[j][1] for p in parts]))
                                for j in range(len(first.pair_index))),
                          tuple(np.concatenate(t) for t in zip(*(p.pair_table for p in parts))),
                          np.concatenate([p.offset for p in parts]))


def _classes(index, k: int, xp):
    """(S, n) object indices (-1 = pad) -> (S, K) value class of every object: its position among the
    named objects, or n ("any other object")."""
    named = index[:, :, None] == xp.arange(k)[None, None, :]
    return xp.where(named.any(axis=1), named.argmax(axis=1), index.shape[1])


_DP_OPERANDS = 20  # dynamic programming up to 10 relations; its search took 9 s for 12 relations, 61 s for 20


def _path(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> tuple[list, int]:
    """(contraction order, float64 entries per subject of the operands + largest intermediate).

    The order is searched once per layout for a representative number of subjects (at most 64), with
    ``opt_einsum``'s dynamic programming up to ``_DP_OPERANDS`` operands and its greedy order beyond: both
    are deterministic (its 'auto-hq' is not: its order varied between processes, and so did the fit in
    the last bits). On the paper world (10 relations, domains up to 300, statements on every edge) the
    order needs 5.4e5 multiply-adds per subject where the greedy order over the statement tables' class
    indices needed 6.5e7 and a 1.7e9-entry intermediate (the fit ran out of memory).
    """
    n = max(shapes[-1][0], 1)  # the last operand is a unary factor (S, K)
    rep = min(n, 64)
    return _search(subscripts, tuple((rep,) + sh[1:] if subs[:1] == "s" else sh
                                     for subs, sh in zip(subscripts.split("->")[0].split(","), shapes)))


@lru_cache(maxsize=64)
def _search(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> tuple[list, int]:
    optimize = "dp" if len(shapes) <= _DP_OPERANDS else "greedy"
    path, info = opt_einsum.contract_path(subscripts, *shapes, shapes=True, optimize=optimize)
    n = shapes[-1][0]
    per_subject = (sum(int(np.prod(sh)) for sh in shapes) + int(info.largest_intermediate)) / n
    return path, int(np.ceil(per_subject))


def _normalise_rows(log_values: np.ndarray, what) -> tuple[np.ndarray, np.ndarray]:
    """Scale each subject's log-likelihood so its max is 0; returns (likelihood, removed log scale)."""
    flat = log_values.reshape(log_values.shape[0], -1)
    top = flat.max(axis=1)
    bad = ~np.isfinite(top)
    if bad.any():
        raise EvidenceError(f"contradictory evidence: {what(int(np.flatnonzero(bad)[0]))} has probability zero "
                            "under every value (noise rate 0 with conflicting observations?)")
    return np.exp(log_values - top.reshape((-1,) + (1,) * (log_values.ndim - 1))), top


def encode(evidence: Evidence) -> EvidenceArrays:
    """Encode evidence as likelihood arrays over the subjects' relation values.

    Example:
        >>> from rational import RelationGraph, Evidence
        >>> g = RelationGraph().add_relation("country", ["France", "Japan"])
        >>> ev = Evidence(g, ["Ann"], eps=0.2); ev.add_mention("Ann", "country", "Japan")
        >>> encode(ev).unary[0].round(3)  # P(mention | France) / P(mention | Japan) = 0.2 / 0.8
        array([[0.25, 1.  ]])
    """
    graph = evidence.graph
    rels = graph.relations
    pos = {r: i for i, r in enumerate(rels)}
    n = len(evidence.subjects)
    log_unary = [evidence.mention_log_likelihood(r) for r in rels]
    pair_groups: dict[tuple[int, int], dict[int, list]] = {}
    for st in evidence.statements:
        s = evidence.subject_id(st.subject)
        if len(st.relations) == 1:
            r = st.relations[0]
            objs = list(dict.fromkeys(o for _, o in st.atoms))
            table = evidence.statement_class_log_likelihood(st, {r: [*objs, None]})
            vec = np.full(graph.size_of(r), table[-1])
            vec[[graph.object_index(r, o) for o in objs]] = table[:-1]
            log_unary[pos[r]][s] += vec
        else:
            a, b = st.relations
            u, r = (a, b) if graph.has_edge(a, b) else (b, a)
            pair_groups.setdefault((pos[u], pos[r]), {}).setdefault(s, []).append(st)

    offset = np.zeros(n)
    unary = []
    for i, lu in enumerate(log_unary):
        lik, top = _normalise_rows(lu, lambda s, r=rels[i]: f"subject {evidence.subjects[s]!r}, relation {r!r}")
        unary.append(lik)
        offset += top

    edges = tuple(sorted(pair_groups))
    pair_index, pair_table = [], []
    for u, r in edges:
        groups = pair_groups[(u, r)]
        ru, rr = rels[u], rels[r]
        objs = {s: ([*dict.fromkeys(o for st in sts for rel, o in st.atoms if rel == ru)],
                    [*dict.fromkeys(o for st in sts for rel, o in st.atoms if rel == rr)])
                for s, sts in groups.items()}
        nu = max(len(a) for a, _ in objs.values())
        nr = max(len(b) for _, b in objs.values())
        iu, ir = np.full((n, nu), -1, np.int64), np.full((n, nr), -1, np.int64)
        log_t = np.zeros((n, nu + 1, nr + 1))
        for s, sts in groups.items():
            ou, orr = objs[s]
            iu[s, : len(ou)] = [graph.object_index(ru, o) for o in ou]
            ir[s, : len(orr)] = [graph.object_index(rr, o) for o in orr]
            table = sum(evidence.statement_class_log_likelihood(st, {ru: [*ou, None], rr: [*orr, None]})
                        for st in sts)
            rows, cols = [*range(len(ou)), nu], [*range(len(orr)), nr]
            log_t[s][np.ix_(rows, cols)] = table
        lik, top = _normalise_rows(log_t, lambda s: f"statements about subject {evidence.subjects[s]!r}")
        pair_index.append((iu, ir))
        pair_table.append(lik)
        offset += top
    return EvidenceArrays(Layout.of(graph, edges), tuple(unary), tuple(pair_index), tuple(pair_table), offset)


# -- the contraction -----------------------------------------------------------------------------
def _operand_shapes(layout: Layout, n: int) -> tuple[tuple[int, ...], ...]:
    """Shapes of :meth:`EvidenceArrays.operands` for ``n`` subjects."""
    paired = {r for _, r in layout.pair_edges}
    cpts = [((n,) if i in paired else ()) + tuple(layout.sizes[p] for p in pa) + (layout.sizes[i],)
            for i, pa in enumerate(layout.parents)]
    return tuple(cpts) + tuple((n, k) for k in layout.sizes)


def _contraction(layout: Layout, n: int) -> tuple[list, int]:
    """:func:`_path` of the partition functions of ``n`` subjects."""
    return _path(layout.subscripts(), _operand_shapes(layout, n))


def _z(layout: Layout, thetas, unary, pair_index, pair_table):
    """(S,) partition functions."""
    arrays = EvidenceArrays(layout, unary, pair_index, pair_table, None)
    path, _ = _contraction(layout, unary[0].shape[0])
    return jnp.einsum(layout.subscripts(), *arrays.operands(thetas), optimize=path)


def _log_z_sum(thetas, unary, layout, pair_index, pair_table, weights):
    return jnp.sum(weights * jnp.log(_z(layout, thetas, unary, pair_index, pair_table)))


@partial(jax.jit, static_argnums=0)
def _marginals(layout: Layout, thetas, unary, pair_index, pair_table):
    """Per relation (n, C, K) exact marginals and (n, C) log Z, chunk by chunk (pads included)."""

    def chunk(data):
        u, pi, pt = data
        grads = jax.grad(_log_z_sum, argnums=1)(thetas, u, layout, pi, pt, 1.0)
        return tuple(x * g for x, g in zip(u, grads)), jnp.log(_z(layout, thetas, u, pi, pt))

    return jax.lax.map(chunk, (unary, pair_index, pair_table))


@partial(jax.jit, static_argnums=0)
def _em(layout: Layout, alphas, thetas, unary, pair_index, pair_table, weights, tol, max_iter):
    """Iterate theta <- E_Dir[theta | alpha + expected counts(theta)] to a fixed point."""

    def step(thetas):
        def chunk(total, data):  # the gradient of one chunk of subjects, added up
            grads = jax.grad(_log_z_sum)(thetas, data[0], layout, *data[1:])
            return tuple(t + g for t, g in zip(total, grads)), None

        zero = tuple(jnp.zeros_like(t) for t in thetas)
        grads, _ = jax.lax.scan(chunk, zero, (unary, pair_index, pair_table, weights))
        post = tuple(a + t * g for a, t, g in zip(alphas, thetas, grads))
        return tuple(p / p.sum(axis=-1, keepdims=True) for p in post)

    return em_loop(step, thetas, tol, max_iter)


def _chunked(arrays: EvidenceArrays):
    """Device arrays in chunks of C subjects, (n, C, ...), padded with subjects of weight 0.

    C keeps the operands and the largest intermediate of one chunk under ``_CHUNK_ENTRIES`` float64
    entries (its gradient holds a few times that). Pads have no evidence (likelihoods 1).
    """
    s = arrays.n_subjects
    _, per_subject = _contraction(arrays.layout, s)
    size = max(1, min(s, _CHUNK_ENTRIES // max(per_subject, 1)))
    n = -(-s // size)
    pad = n * size - s

    def split(x, fill):
        x = np.concatenate([x, np.full((pad,) + x.shape[1:], fill, dtype=x.dtype)]) if pad else x
        return jnp.asarray(x.reshape((n, size) + x.shape[1:]))

    unary = tuple(split(u, 1.0) for u in arrays.unary)
    pair_index = tuple((split(a, -1), split(b, -1)) for a, b in arrays.pair_index)
    pair_table = tuple(split(t, 1.0) for t in arrays.pair_table)
    weights = split(np.ones(s), 0.0)
    return unary, pair_index, pair_table, weights


def _forest_args(arrays: EvidenceArrays):
    sparse = tuple(tuple(jnp.asarray(x) for x in sp) for sp in arrays.sparse)
    pairs = tuple((jnp.asarray(iu), jnp.asarray(ir), jnp.asarray(t))
                  for (iu, ir), t in zip(arrays.pair_index, arrays.pair_table))
    return sparse, pairs


PATHS = ("auto", "messages", "forest", "einsum")


def marginals(arrays: EvidenceArrays, thetas, path: str = "auto") -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Exact marginals of every subject and relation given theta, and log p(evidence_s | theta).

    ``path``: "messages" (variable elimination in numpy with BLAS, :mod:`rational._messages`; any DAG),
    "forest" (sparse messages in JAX; graphs where every relation has at most one parent), "einsum" (one
    batched einsum in JAX; any DAG) or "auto" (messages). All are the same sum-product; the tests check
    that they agree to float64 rounding.
    """
    path = _choose_path(arrays.layout, path)
    if path == "messages":
        marg, log_z = _messages.marginals(arrays, thetas)
        return marg, log_z + arrays.offset
    thetas = tuple(jnp.asarray(t) for t in thetas)
    if path == "forest":
        marg, log_z = _forest.forest_marginals(arrays.layout, thetas, *_forest_args(arrays))
    else:
        marg, log_z = _marginals(arrays.layout, thetas, *_chunked(arrays)[:3])
        s = arrays.n_subjects  # drop the pads
        marg = tuple(m.reshape((-1,) + m.shape[2:])[:s] for m in marg)
        log_z = log_z.reshape(-1)[:s]
    return tuple(np.asarray(m) for m in marg), np.asarray(log_z) + arrays.offset


def _choose_path(layout: Layout, path: str) -> str:
    if path not in PATHS:
        raise ValueError(f"unknown inference path {path!r}: use one of {', '.join(map(repr, PATHS))}")
    if path == "forest" and not _forest.is_forest(layout):
        raise GraphError("the forest path needs every relation to have at most one parent")
    return "messages" if path == "auto" else path


def em(arrays: EvidenceArrays, alphas, tol: float, max_iter: int, init=None, path: str = "auto"):
    """Run EM from the prior mean (or ``init``) on one of the paths (see :func:`marginals`); returns
    (thetas, E-steps run, last change). Every path runs the same SQUAREM loop from the same start."""
    path = _choose_path(arrays.layout, path)
    xp = np if path == "messages" else jnp
    alphas = tuple(xp.asarray(a, dtype=np.float64) for a in alphas)
    if init is None:
        init = tuple(a / a.sum(axis=-1, keepdims=True) for a in alphas)
    init = tuple(xp.asarray(t, dtype=np.float64) for t in init)
    if path == "messages":
        thetas, it, delta = _messages.em(arrays, alphas, init, tol, max_iter)
    elif path == "forest":
        thetas, it, delta = _forest.forest_em(arrays.layout, alphas, init, *_forest_args(arrays), tol, max_iter)
    else:
        thetas, it, delta = _em(arrays.layout, alphas, init, *_chunked(arrays), tol, max_iter)
    return tuple(np.asarray(t) for t in thetas), int(it), float(delta)


def joint(arrays: EvidenceArrays, thetas, keep: tuple[int, ...]) -> np.ndarray:
    """Exact joint over the kept relations of each subject in ``arrays``: (S, K_keep...)."""
    ops = arrays.operands([np.asarray(t) for t in thetas], xp=np)
    # opt_einsum's order (cached per shape), not numpy's: on the default world, numpy's greedy path for a
    # joint of award received and country of citizenship took 2.5 s per subject, opt_einsum's 2 ms
    subscripts = arrays.layout.subscripts(keep)
    path, _ = _path(subscripts, tuple(o.shape for o in ops))
    table = opt_einsum.contract(subscripts, *ops, optimize=path)
    return table / table.reshape(table.shape[0], -1).sum(axis=1).reshape((-1,) + (1,) * len(keep))
