"""Exact inference by variable elimination with an explicit backward pass (numpy + BLAS, float64).

The same sum-product as the einsum path (:mod:`rational._infer`), arranged so that the work is matrix
products with the *shared* CPTs instead of contractions with per-subject tables:

* **Order** (:func:`plan`). Relations are eliminated children first (a relation once every child of it
  is gone), the cheapest such relation next (smallest message, then the latest in graph order; built from
  sorted indices only, so it is the same in every process). Eliminating ``v`` sums
  ``theta_v(pa, v) * W_s(pa, v) * M_s(y, v)`` over ``v``: ``M_s`` is v's unary evidence times the
  messages of the relations already eliminated that mention ``v``, ``W_s`` the statements' pair tables;
  the result, a message over ``pa(v) + y``, goes to the first of its relations to be eliminated. On the
  paper world no message exceeds (S, 6, 200): ``continent`` rides along the loop country -> educated at
  -> field of work -> award received, the cheapest triangulation of it.
* **CPTs shared, statements as corrections.** A pair table is constant over "any other object", so
  ``W_s(pa, v) = prod_u rho_su(x_u)`` for every object v the subject's statements do not name, with
  ``rho_su(a) = T_s(class(a), other)``. Hence ``sum_v theta W M = rho * (sum_v theta M) + sum_j
  theta(pa, B_j) M(y, B_j) (sigma_j - rho)`` with B_j the few named objects of v: one matrix product of
  all subjects' M with theta (BLAS), then one correction per named object, for the subjects that name one.
* **Sparse leaves.** A relation eliminated with no incoming message has ``M_s = U_s = base_s + spikes``
  (every object its evidence does not name gets the same likelihood), so ``sum_v theta(pa, v) U_s(v) =
  base_s * rowsum(theta) + spikes @ theta^T``: a sparse (subjects x objects) product, S * M * |pa| instead
  of S * K_v * |pa|. EM uses it; the marginals pay one dense product per such relation.
* **Closed-form pairs** (:func:`fused`, :class:`_Pair`). A root whose only child is such a leaf with no
  other parent (the benchmark world's five pairs) needs no message at all: ``Z_s = <theta_p theta_c,
  Phi_s>`` with Phi_s constant off the objects the subject's evidence names, O(M_p * M_c) per subject.
* **Backward pass.** Messages are scaled to max 1 per subject (the scales add up to log Z_s). The adjoint
  of every message, d log Z_s / d message, is propagated back through the same steps by hand (the
  transposed products), which gives the expected counts ``theta * d (sum_s log Z_s) / d theta`` (the
  E-step) and the exact marginals ``U * d log Z_s / d U``, as the autodiff of the einsum path does.

EM runs the SQUAREM loop of :mod:`rational._em` unchanged (same start, same extrapolation, float64), so it
takes the einsum path's steps to rounding and stops after as many E-steps. Subjects go through in chunks
whose largest message stays under ``CHUNK_ENTRIES`` float64 entries; the theta-independent data of every
chunk (sparse unary factors, statement corrections) is built once per :class:`EvidenceArrays` and cached
on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sparse

from ._em import em_loop_numpy

__all__ = ["CHUNK_ENTRIES", "Step", "em", "expected_counts", "fused", "largest_message", "marginals", "plan"]

CHUNK_ENTRIES = 1 << 20  # float64 entries of the largest per-chunk message (8 MB)


@dataclass(frozen=True)
class Step:
    """Eliminating relation ``v``: sum over v of theta_v * pair tables * (unary x incoming messages).

    Axis labels: ``"s"`` is the subject axis, an int a relation's. ``m_labels``: the product M, laid out for
    one matrix product per value of the relations both theta and M carry (``common``); ``out``: the
    outgoing message, subjects first.
    """

    v: int
    parents: tuple[int, ...]  # theta_v's leading axes, graph order
    incoming: tuple[int, ...]  # indices of the earlier steps whose messages mention v
    y: tuple[int, ...]  # the other relations of those messages, sorted

    @property
    def sparse(self) -> bool:
        """No incoming message: M is the unary likelihood alone, a constant plus spikes."""
        return not self.incoming

    @property
    def pa(self) -> tuple[int, ...]:
        return tuple(sorted(self.parents))

    @property
    def common(self) -> tuple[int, ...]:
        return tuple(w for w in self.pa if w in self.y)

    @property
    def only_pa(self) -> tuple[int, ...]:
        return tuple(w for w in self.pa if w not in self.y)

    @property
    def only_y(self) -> tuple[int, ...]:
        return tuple(w for w in self.y if w not in self.parents)

    @property
    def m_labels(self) -> tuple:
        return self.common + ("s",) + self.only_y + (self.v,)

    @property
    def g_labels(self) -> tuple:
        return self.common + ("s",) + self.only_y + self.only_pa

    @property
    def out(self) -> tuple:
        return ("s",) + self.common + self.only_y + self.only_pa


@lru_cache(maxsize=64)
def plan(layout) -> tuple[Step, ...]:
    """The elimination order of a layout: children first, smallest message (then latest relation) next."""
    n = len(layout.relations)
    children = [[c for c in range(n) if v in layout.parents[c]] for v in range(n)]
    pending: dict[int, set[int]] = {}  # step -> relations of its message, not yet consumed
    steps: list[Step] = []
    done: set[int] = set()
    while len(done) < n:
        best = None
        for v in range(n):
            if v in done or any(c not in done for c in children[v]):
                continue
            incoming = tuple(i for i in sorted(pending) if v in pending[i])
            y = tuple(sorted(set().union(*(pending[i] for i in incoming)) - {v}))
            step = Step(v, layout.parents[v], incoming, y)
            cost = _size(layout, step.out[1:]) + _size(layout, y) * layout.sizes[v]
            if best is None or (cost, -v) < best[0]:
                best = ((cost, -v), step)
        step = best[1]
        for i in step.incoming:
            del pending[i]
        pending[len(steps)] = set(step.out[1:])
        steps.append(step)
        done.add(step.v)
    return tuple(steps)


def _size(layout, rels) -> int:
    return int(np.prod([layout.sizes[r] for r in rels], dtype=np.int64))


def fused(layout) -> dict[int, int]:
    """Pairs computed in closed form: {root step k: step i of its only child}, where the root's only message
    comes from a relation with no other parent and no incoming message (see :class:`_Pair`)."""
    steps = plan(layout)
    return {k: st.incoming[0] for k, st in enumerate(steps)
            if not st.parents and not st.y and len(st.incoming) == 1
            and steps[st.incoming[0]].sparse and steps[st.incoming[0]].parents == (st.v,)}


def largest_message(layout) -> int:
    """Float64 entries per subject of the largest M or message of the plan."""
    return max(max(_size(layout, s.out[1:]), _size(layout, s.y) * layout.sizes[s.v]) for s in plan(layout))


# -- labelled axes -------------------------------------------------------------------------------
def _expand(arr, src, dst):
    """``arr`` with axis labels ``src`` (a subset of ``dst``) transposed and reshaped to broadcast on ``dst``."""
    perm = sorted(range(len(src)), key=lambda i: dst.index(src[i]))
    arr = np.transpose(arr, perm)
    shape = [1] * len(dst)
    for axis, i in enumerate(perm):
        shape[dst.index(src[i])] = arr.shape[axis]
    return arr.reshape(shape)


def _reduce(arr, src, dst):
    """Sum ``arr`` (labels ``src``) over the labels not in ``dst``; the result has labels ``dst``."""
    drop = tuple(i for i, label in enumerate(src) if label not in dst)
    out = arr.sum(axis=drop) if drop else arr
    kept = [label for label in src if label in dst]
    return np.ascontiguousarray(np.transpose(out, [kept.index(label) for label in dst]))


def _classes(index, k):
    """(n, m) object indices (-1 = pad) -> (n, k) value class of every object (as in :mod:`._infer`)."""
    return _position(index, np.broadcast_to(np.arange(k), (index.shape[0], k)))


def _position(index, objects):
    """Value class of ``objects`` (n, m) in each row's named objects ``index`` (n, k; -1 = pad): the
    position, or k ("any other object")."""
    hit = index[:, None, :] == objects[:, :, None]
    if not index.shape[1]:
        return np.zeros(objects.shape, np.int64)
    return np.where(hit.any(axis=2), hit.argmax(axis=2), index.shape[1])


# -- data that does not depend on theta, per chunk of subjects ------------------------------------
@dataclass
class _Slot:
    """One named object per subject (at most): the pair-table correction of those subjects."""

    sub: np.ndarray  # (n,) subjects (distinct)
    obj: np.ndarray  # (n,) the named object of v
    diff: np.ndarray  # (n, parent sizes in sorted order, 1 for unpaired parents): sigma - rho
    onehot: sparse.csr_matrix  # (K_v, n): scatters per-entry rows onto theta's object axis
    value: np.ndarray | None  # (n,) U_s(obj), sparse steps only


@dataclass
class _StepData:
    rho: list  # (parent u, subjects (n,), rho (n, K_u)) per pair edge into v, subjects with statements
    slots: list  # _Slot per named-object position


@dataclass
class _Pair:
    """A root p whose only child c has no other parent, both eliminated from sparse evidence, in closed form.

    With ``J(a, b) = theta_p(a) theta_c(a, b)`` (shared) and ``Phi_s(a, b) = U_p(a) T_s(a, b) U_c(b)``,
    ``Z_s = <J, Phi_s>``. Phi_s is constant off the objects the subject's evidence names (P_s of p, Q_s of
    c): ``Phi_s = phi_oo + x(a) [a in P_s] + y(b) [b in Q_s] + delta(a, b) [a in P_s, b in Q_s]``, so
    ``Z_s = phi_oo sum(J) + x . rowsum(J)[P_s] + y . colsum(J)[Q_s] + <delta, J[P_s, Q_s]>`` and
    ``d (sum_s log Z_s) / dJ = sum_s Phi_s / Z_s``: O(|P_s| |Q_s|) per subject, not O(K_p K_c), and
    nothing of it depends on theta but J.
    """

    p: np.ndarray  # (n, m_p) named parent objects, pads 0 (their weights are 0)
    q: np.ndarray  # (n, m_q) named child objects, pads 0
    p_valid: np.ndarray  # (n, m_p) bool
    q_valid: np.ndarray  # (n, m_q) bool
    phi_oo: np.ndarray  # (n,)
    x: np.ndarray  # (n, m_p)
    y: np.ndarray  # (n, m_q)
    delta: np.ndarray  # (n, m_p, m_q)
    flat: np.ndarray  # (n, m_p, m_q) p * K_c + q: delta's cells in J.ravel()


@dataclass
class _Chunk:
    n: int
    unary: tuple  # per relation (n, K)
    base: dict  # sparse steps: relation -> (n,)
    spikes: dict  # sparse steps: relation -> csr (n, K)
    spikes_t: dict  # sparse steps: relation -> csr (K, n)
    steps: list  # _StepData per step (None inside a fused pair)
    pairs: dict  # fused root step -> _Pair


def _chunks(arrays) -> list[_Chunk]:
    """Theta-independent data of every chunk of subjects (cached on ``arrays``)."""
    cache = arrays.cache
    if "messages" not in cache:
        layout, s = arrays.layout, arrays.n_subjects
        size = max(1, min(s, CHUNK_ENTRIES // max(largest_message(layout), 1)))
        cache["messages"] = [_chunk(arrays, slice(a, min(a + size, s))) for a in range(0, max(s, 1), size)]
    return cache["messages"]


def _chunk(arrays, rows: slice) -> _Chunk:
    layout = arrays.layout
    steps = plan(layout)
    unary = tuple(u[rows] for u in arrays.unary)
    pairs = [(u, r, iu[rows], ir[rows], t[rows])
             for (u, r), (iu, ir), t in zip(layout.pair_edges, arrays.pair_index, arrays.pair_table)]
    fuse = fused(layout)
    inside = set(fuse) | set(fuse.values())
    base, spikes, spikes_t = {}, {}, {}
    for i, st in enumerate(steps):
        if st.sparse and i not in inside:
            base[st.v], spikes[st.v] = _spikes(unary[st.v])
            spikes_t[st.v] = spikes[st.v].T.tocsr()
    data = [None if i in inside else _step_data(layout, st, [p for p in pairs if p[1] == st.v], unary[st.v])
            for i, st in enumerate(steps)]
    closed = {k: _pair(layout, steps[k].v, steps[i].v, unary, [p for p in pairs if p[1] == steps[i].v])
              for k, i in fuse.items()}
    return _Chunk(unary[0].shape[0], unary, base, spikes, spikes_t, data, closed)


def _union(*index):
    """Per row, the distinct non-negative entries of the (n, m_i) index arrays, first; -1 pads after."""
    named = np.sort(np.concatenate(index, axis=1), axis=1)
    named[:, 1:][named[:, 1:] == named[:, :-1]] = -1
    named = -np.sort(-named, axis=1)
    return named[:, : max(int((named >= 0).sum(axis=1).max(initial=0)), 1)]


def _pair(layout, p: int, c: int, unary, pairs) -> _Pair:
    from ._forest import sparsify

    n = unary[p].shape[0]
    (base_p, idx_p, val_p), (base_c, idx_c, val_c) = sparsify(unary[p]), sparsify(unary[c])
    named_p, named_c = [np.where(val_p != 0, idx_p, -1)], [np.where(val_c != 0, idx_c, -1)]
    if pairs:  # statements about (p, c): at most one pair edge
        (_, _, iu, ir, t), = pairs
        active = ~np.all(t == 1.0, axis=(1, 2))[:, None]
        named_p.append(np.where(active, iu, -1))
        named_c.append(np.where(active, ir, -1))
    else:
        iu, ir, t = np.full((n, 0), -1), np.full((n, 0), -1), np.ones((n, 1, 1))
    big_p, big_c = _union(*named_p), _union(*named_c)
    p_valid, q_valid = big_p >= 0, big_c >= 0
    pp, qq = np.where(p_valid, big_p, 0), np.where(q_valid, big_c, 0)
    rows = np.arange(n)[:, None]
    u_p, u_c = unary[p][rows, pp], unary[c][rows, qq]
    cls_p, cls_c = _position(iu, pp), _position(ir, qq)  # value class of each named object
    o_p, o_c = t.shape[1] - 1, t.shape[2] - 1
    phi_oo = base_p * t[:, o_p, o_c] * base_c
    phi_ao = u_p * t[rows, cls_p, o_c] * base_c[:, None]
    phi_ob = base_p[:, None] * t[rows, o_p, cls_c] * u_c
    phi_ab = u_p[:, :, None] * t[rows[:, :, None], cls_p[:, :, None], cls_c[:, None, :]] * u_c[:, None, :]
    both = p_valid[:, :, None] & q_valid[:, None, :]
    delta = phi_ab - phi_ao[:, :, None] - phi_ob[:, None, :] + phi_oo[:, None, None]
    return _Pair(pp, qq, p_valid, q_valid, phi_oo, np.where(p_valid, phi_ao - phi_oo[:, None], 0.0),
                 np.where(q_valid, phi_ob - phi_oo[:, None], 0.0), np.where(both, delta, 0.0),
                 pp[:, :, None] * layout.sizes[c] + qq[:, None, :])


def _spikes(u):
    """(n, K) likelihoods -> (base (n,), csr of u - base where it is not 0): the row's most frequent value
    (unnamed objects get bit-identical values) and the objects the evidence names."""
    from ._forest import sparsify

    base, idx, val = sparsify(u)
    keep = val != 0
    rows = np.broadcast_to(np.arange(u.shape[0])[:, None], idx.shape)[keep]
    return base, sparse.csr_matrix((val[keep], (rows, idx[keep])), shape=u.shape)


def _step_data(layout, st: Step, pairs, unary_v) -> _StepData:
    pa = tuple(sorted(st.parents))
    k_v = layout.sizes[st.v]
    rho, names = [], []
    for u, _, iu, ir, t in pairs:
        active = ~np.all(t == 1.0, axis=(1, 2))  # all-ones table: no statement, factor 1
        sub = np.flatnonzero(active)
        if sub.size:
            cls = _classes(iu[sub], layout.sizes[u])
            rho.append((u, sub, t[sub][np.arange(sub.size)[:, None], cls, t.shape[2] - 1]))
            names.append(np.where(active[:, None], ir, -1))
    slots = []
    if names:
        named = _union(*names)  # each named object once per subject
        for j in range(named.shape[1]):
            sub = np.flatnonzero(named[:, j] >= 0)
            if not sub.size:
                break
            obj = named[sub, j]
            sigma = np.ones((sub.size,) + (1,) * len(pa))
            rho_all = np.ones((sub.size,) + (1,) * len(pa))
            for u, _, iu, ir, t in pairs:
                cls = _classes(iu[sub], layout.sizes[u])  # (n, K_u)
                pos = _position(ir[sub], obj[:, None])[:, 0]  # obj's class in this table
                rows, ts = np.arange(sub.size)[:, None], t[sub]
                sigma = sigma * _expand(ts[rows, cls, pos[:, None]], ("s", u), ("s",) + pa)
                rho_all = rho_all * _expand(ts[rows, cls, t.shape[2] - 1], ("s", u), ("s",) + pa)
            onehot = sparse.csr_matrix((np.ones(sub.size), (obj, np.arange(sub.size))), shape=(k_v, sub.size))
            slots.append(_Slot(sub, obj, sigma - rho_all, onehot, unary_v[sub, obj] if st.sparse else None))
    return _StepData(rho, slots)


# -- one sweep: forward (messages, log Z), backward (adjoints) -------------------------------------
def _sorted_theta(theta, parents):
    """theta with its parent axes in sorted order, and the permutation back."""
    perm = list(np.argsort(parents, kind="stable")) + [len(parents)]
    return np.transpose(theta, perm), np.argsort(perm)


def _matmul_tn(x, y):
    """x^T @ y over a leading batch axis, for x (B, m, p), y (B, m, v) with m long (subjects): computed as
    (y^T x)^T when p < v. OpenBLAS's product with a transposed left operand ran 6-10x slower when its
    output had fewer rows than columns ((100, 20000)^T-shaped x (20000, 300): 419 ms of CPU, the other way
    round 56 ms; (60, 5238) x (5238, 200): 116 ms against 8 ms)."""
    if x.shape[2] < y.shape[2]:
        return (y.transpose(0, 2, 1) @ x).transpose(0, 2, 1)
    return x.transpose(0, 2, 1) @ y


def _shape(sizes, labels, n):
    return tuple(n if w == "s" else sizes[w] for w in labels)


def _subjects_first(arr, labels):
    """A view of ``arr`` with the subject axis first, and its labels."""
    i = labels.index("s")
    return np.moveaxis(arr, i, 0), ("s",) + labels[:i] + labels[i + 1:]


def _pair_z(pr: _Pair, theta_p, theta_c):
    """(Z_s (n,), J, J[P_s, Q_s], rowsum(J), colsum(J)) of a fused pair."""
    joint = theta_p[:, None] * theta_c
    row, col = joint.sum(axis=1), joint.sum(axis=0)
    cells = joint.ravel()[pr.flat]
    z = (pr.phi_oo * row.sum() + (pr.x * row[pr.p]).sum(axis=1) + (pr.y * col[pr.q]).sum(axis=1)
         + (pr.delta * cells).sum(axis=(1, 2)))
    return z, joint, cells, row, col


def _pair_grads(pr: _Pair, theta_p, theta_c, z):
    """d (sum_s log Z_s) / d theta_p, d theta_c: through H = sum_s Phi_s / Z_s (K_p, K_c)."""
    k_p, k_c = theta_c.shape
    w = 1.0 / z
    h = (np.bincount(pr.flat.ravel(), (pr.delta * w[:, None, None]).ravel(), minlength=k_p * k_c)
         .reshape(k_p, k_c))
    h += np.bincount(pr.p.ravel(), (pr.x * w[:, None]).ravel(), minlength=k_p)[:, None]
    h += np.bincount(pr.q.ravel(), (pr.y * w[:, None]).ravel(), minlength=k_c)[None, :]
    h += (pr.phi_oo * w).sum()
    return (theta_c * h).sum(axis=1), theta_p[:, None] * h


def _pair_marginals(pr: _Pair, z, joint, cells, row, col):
    """Dense (n, K_p), (n, K_c) marginals of a fused pair: sum_b J Phi_s / Z_s and sum_a J Phi_s / Z_s."""
    n = z.shape[0]
    w = 1.0 / z
    rows = np.broadcast_to(np.arange(n)[:, None], pr.p.shape)
    xs = sparse.csr_matrix(((pr.x * w[:, None])[pr.p_valid], (rows[pr.p_valid], pr.p[pr.p_valid])),
                           shape=(n, joint.shape[0]))
    rows_q = np.broadcast_to(np.arange(n)[:, None], pr.q.shape)
    ys = sparse.csr_matrix(((pr.y * w[:, None])[pr.q_valid], (rows_q[pr.q_valid], pr.q[pr.q_valid])),
                           shape=(n, joint.shape[1]))
    base = pr.phi_oo * w
    marg_p = base[:, None] * row[None, :] + np.asarray(ys @ joint.T)
    marg_c = base[:, None] * col[None, :] + np.asarray(xs @ joint)
    dc = pr.delta * cells * w[:, None, None]
    at_p = pr.x * row[pr.p] * w[:, None] + dc.sum(axis=2)
    at_q = pr.y * col[pr.q] * w[:, None] + dc.sum(axis=1)
    marg_p[rows[pr.p_valid], pr.p[pr.p_valid]] += at_p[pr.p_valid]
    marg_c[rows_q[pr.q_valid], pr.q[pr.q_valid]] += at_q[pr.q_valid]
    return marg_p, marg_c


def _forward(layout, steps, thetas, ch: _Chunk):
    """Messages (scaled to max 1 per subject), their scales, the products M, and log Z (n,)."""
    n, sizes = ch.n, layout.sizes
    msgs, scales, ms = [], [], []
    log_z = np.zeros(n)
    for k, (st, data, theta) in enumerate(zip(steps, ch.steps, thetas)):
        out, k_v = st.out, sizes[st.v]
        if data is None:  # inside a fused pair: the root's step computes Z_s
            z = _pair_z(ch.pairs[k], theta, thetas[st.incoming[0]])[0] if k in ch.pairs else None
            with np.errstate(divide="ignore"):
                log_z += 0.0 if z is None else np.log(z)
            msgs.append(z)
            scales.append(None)
            ms.append(None)
            continue
        if st.sparse:  # out == ("s",) + pa: base * rowsum(theta) + spikes @ theta^T
            th2 = theta.reshape(-1, k_v)
            g = np.asarray(ch.spikes[st.v] @ th2.T)
            g += ch.base[st.v][:, None] * th2.sum(axis=1)[None, :]
            g = g.reshape(_shape(sizes, out, n))
            m = None
        else:  # M = U * incoming messages, then one matrix product per value of the common relations
            m = np.empty(_shape(sizes, st.m_labels, n))
            np.multiply(_expand(ch.unary[st.v], ("s", st.v), st.m_labels),
                        _expand(msgs[st.incoming[0]], steps[st.incoming[0]].out, st.m_labels), out=m)
            for i in st.incoming[1:]:
                m *= _expand(msgs[i], steps[i].out, st.m_labels)
            mc = m.reshape(_size(layout, st.common), -1, k_v)
            thc = _expand(theta, st.pa + (st.v,), st.common + st.only_pa + (st.v,)).reshape(mc.shape[0], -1, k_v)
            g = (mc @ thc.transpose(0, 2, 1)).reshape(_shape(sizes, st.g_labels, n))
            if st.common:
                g = np.ascontiguousarray(_subjects_first(g, st.g_labels)[0])
        for u, sub, rho in data.rho:  # rho * G
            g[sub] *= _expand(rho, ("s", u), out)
        theta_v_first = np.moveaxis(theta, -1, 0)
        for slot in data.slots:  # + theta(pa, B) M(y, B) (sigma - rho)
            corr = _expand(theta_v_first[slot.obj], ("s",) + st.pa, out) * _expand(slot.diff, ("s",) + st.pa, out)
            if st.sparse:
                corr *= slot.value.reshape((-1,) + (1,) * (len(out) - 1))
            else:
                ms_, ms_labels = _subjects_first(m, st.m_labels)
                corr = corr * _expand(ms_[slot.sub, ..., slot.obj], ms_labels[:-1], out)
            g[slot.sub] += corr
        if len(out) > 1:
            scale = g.reshape(n, -1).max(axis=1)
            scale = np.where(scale > 0, scale, 1.0)
            log_z += np.log(scale)
        else:  # a root: its message is Z_s / (the scales so far)
            with np.errstate(divide="ignore"):
                log_z += np.log(g)
            scale = np.where(g > 0, g, 1.0)
        g *= (1.0 / scale).reshape((n,) + (1,) * (len(out) - 1))
        msgs.append(g)
        scales.append(scale)
        ms.append(m)
    return msgs, scales, ms, log_z


def _sweep(layout, steps, thetas, ch: _Chunk, grads=None, unary_adjoint=False):
    """Forward and backward pass over one chunk.

    Adds d (sum_s log Z_s) / d theta to ``grads`` (per relation, theta's layout) if given; returns (log Z
    (n,), per relation the marginals U * d log Z_s / d U (n, K) if ``unary_adjoint`` else None).
    """
    n, sizes = ch.n, layout.sizes
    sorted_thetas = [_sorted_theta(thetas[st.v], st.parents) for st in steps]
    msgs, scales, ms, log_z = _forward(layout, steps, [t for t, _ in sorted_thetas], ch)
    if grads is None and not unary_adjoint:
        return log_z, None

    adjoint: list = [None] * len(steps)  # d log Z_s / d (scaled message)
    unary_bar = [None] * len(steps) if unary_adjoint else None
    for i in reversed(range(len(steps))):
        st, data, (theta, back), m = steps[i], ch.steps[i], sorted_thetas[i], ms[i]
        out, k_v = st.out, sizes[st.v]
        if data is None:
            if i in ch.pairs:
                c = steps[st.incoming[0]].v
                z, joint, cells, row, col = _pair_z(ch.pairs[i], thetas[st.v], thetas[c])
                if grads is not None:
                    g_p, g_c = _pair_grads(ch.pairs[i], thetas[st.v], thetas[c], z)
                    grads[st.v] += g_p
                    grads[c] += g_c
                if unary_adjoint:
                    unary_bar[st.v], unary_bar[c] = _pair_marginals(ch.pairs[i], z, joint, cells, row, col)
            continue
        inv = (1.0 / scales[i]).reshape((n,) + (1,) * (len(out) - 1))
        if adjoint[i] is None:  # a root: d log Z / d (its scaled message, 1) = 1
            g_bar = np.broadcast_to(inv, msgs[i].shape).copy()
        else:  # the consumer's array, ours now
            g_bar, adjoint[i] = adjoint[i], None
            g_bar *= inv
        # d log Z / d (unscaled message) at the statements' named objects, before rho is applied
        xs = [g_bar[slot.sub] for slot in data.slots]
        for u, sub, rho in data.rho:
            g_bar[sub] *= _expand(rho, ("s", u), out)
        if grads is not None:
            theta_bar = np.zeros(theta.shape)  # theta's sorted layout, C order
            theta_cols = np.zeros((k_v, theta_bar.size // k_v))  # (v, parents) rows scattered by slot
        if st.sparse:
            g2 = g_bar.reshape(n, -1)
            if grads is not None:
                tb = theta_bar.reshape(-1, k_v)
                tb += (g2.T @ ch.base[st.v])[:, None]
                tb += np.asarray(ch.spikes_t[st.v] @ g2).T
            if unary_adjoint:
                m_bar = g2 @ theta.reshape(-1, k_v)
        else:
            gc = g_bar if not st.common else np.ascontiguousarray(_expand(g_bar, out, st.g_labels))
            gc = gc.reshape(_size(layout, st.common), -1, _size(layout, st.only_pa))
            mc = m.reshape(gc.shape[0], -1, k_v)
            thc = _expand(theta, st.pa + (st.v,), st.common + st.only_pa + (st.v,)).reshape(gc.shape[0], -1, k_v)
            if grads is not None:
                tbc = _matmul_tn(gc, mc).reshape(_shape(sizes, st.common + st.only_pa + (st.v,), n))
                theta_bar += _expand(tbc, st.common + st.only_pa + (st.v,), st.pa + (st.v,))
            m_bar = (gc @ thc).reshape(m.shape)  # labels st.m_labels
            ms_, ms_labels = _subjects_first(m, st.m_labels)
            mbs, _ = _subjects_first(m_bar, st.m_labels)
        theta_v_first = np.moveaxis(theta, -1, 0)
        for slot, x in zip(data.slots, xs):
            diff = _expand(slot.diff, ("s",) + st.pa, out)
            mval = (slot.value.reshape((-1,) + (1,) * (len(out) - 1)) if st.sparse
                    else _expand(ms_[slot.sub, ..., slot.obj], ms_labels[:-1], out))
            if grads is not None:
                per_entry = _reduce(x * diff * mval, out, ("s",) + st.pa)
                theta_cols += slot.onehot @ per_entry.reshape(slot.sub.size, -1)
            if st.sparse and not unary_adjoint:
                continue
            x *= _expand(theta_v_first[slot.obj], ("s",) + st.pa, out) * diff
            if st.sparse:
                m_bar[slot.sub, slot.obj] += x.reshape(slot.sub.size, -1).sum(axis=1)
            else:
                mbs[slot.sub, ..., slot.obj] += _reduce(x, out, ms_labels[:-1])
        if grads is not None:
            grads[st.v] += np.transpose(theta_bar + theta_cols.T.reshape(theta.shape), back)
        if st.sparse:
            if unary_adjoint:
                unary_bar[st.v] = ch.unary[st.v] * m_bar
            continue
        # M = U * messages: each factor's adjoint is m_bar times the others, summed over its missing axes
        factors = [(_expand(ch.unary[st.v], ("s", st.v), st.m_labels), None)]
        factors += [(_expand(msgs[k], steps[k].out, st.m_labels), k) for k in st.incoming]
        wanted = [j for j, (_, k) in enumerate(factors) if k is not None or unary_adjoint]
        for j in wanted:
            others = None
            for jj, (f, _) in enumerate(factors):
                if jj != j:
                    others = f if others is None else others * f
            if j == wanted[-1]:  # m_bar is not needed after this: multiply in place
                m_bar *= others
                prod = m_bar
            else:
                prod = m_bar * others
            k = factors[j][1]
            res = _reduce(prod, st.m_labels, ("s", st.v) if k is None else steps[k].out)
            if k is None:
                unary_bar[st.v] = ch.unary[st.v] * res
            else:
                adjoint[k] = res
    return log_z, unary_bar


# -- entry points ----------------------------------------------------------------------------------
def em(arrays, alphas, init, tol: float, max_iter: int):
    """EM (SQUAREM) to the fixed point theta = E_Dir[alpha + expected counts]; (thetas, E-steps, change)."""
    layout, steps, chunks = arrays.layout, plan(arrays.layout), _chunks(arrays)
    alphas = tuple(np.asarray(a, dtype=np.float64) for a in alphas)

    def step(thetas):
        grads = [np.zeros_like(t) for t in thetas]
        for ch in chunks:
            _sweep(layout, steps, thetas, ch, grads=grads)
        post = tuple(a + t * g for a, t, g in zip(alphas, thetas, grads))
        return tuple(p / p.sum(axis=-1, keepdims=True) for p in post)

    init = tuple(np.asarray(t, dtype=np.float64) for t in init)
    return em_loop_numpy(step, init, tol, max_iter)


def expected_counts(arrays, thetas):
    """Per relation sum_s P(x[s, pa(r)], x[s, r] | evidence_s, theta) (theta's layout)."""
    layout, steps = arrays.layout, plan(arrays.layout)
    thetas = tuple(np.asarray(t, dtype=np.float64) for t in thetas)
    grads = [np.zeros_like(t) for t in thetas]
    for ch in _chunks(arrays):
        _sweep(layout, steps, thetas, ch, grads=grads)
    return tuple(t * g for t, g in zip(thetas, grads))


def marginals(arrays, thetas):
    """Per relation (S, K) exact marginals and (S,) log Z (of the scaled evidence)."""
    layout, steps = arrays.layout, plan(arrays.layout)
    thetas = tuple(np.asarray(t, dtype=np.float64) for t in thetas)
    margs, log_zs = [[] for _ in layout.relations], []
    for ch in _chunks(arrays):
        log_z, marg = _sweep(layout, steps, thetas, ch, unary_adjoint=True)
        log_zs.append(log_z)
        for v, m in enumerate(marg):
            margs[v].append(m)
    if len(log_zs) == 1:
        return tuple(m[0] for m in margs), log_zs[0]
    return tuple(np.concatenate(m) for m in margs), np.concatenate(log_zs)
