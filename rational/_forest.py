"""Exact inference for forests (every relation has at most one parent) with sparse evidence, in JAX.

``path="forest"``: the default for forests before :mod:`rational._messages`, which applies the same
sparse-leaf form in numpy (and closes root -> leaf pairs in O(M^2) per subject); kept for comparison.

The einsum path (:mod:`rational._infer`) contracts dense factors: passing a message through a K x K CPT
costs S * K^2 per edge. In a forest, a relation with no children whose evidence is a few mentions has a
likelihood ``U_s(b) = base_s + sum_j val_sj [b == idx_sj]`` (every unmentioned object gets the same value),
so its message to the parent is ``base_s * sum_b theta(a, b) + sum_j val_sj theta(a, idx_sj)``: S * M * K
instead of S * K^2, with M the number of distinct objects the subject's evidence names. EM needs only
log Z and its gradient in theta, so every EM iteration uses this sparse form; the final marginals need
dense outputs and pay one dense message per edge.

Everything here is the same sum-product as the einsum path (tests check both paths against each other
and against enumeration); only the order of the arithmetic differs.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

import numpy as np

from ._em import em_loop

__all__ = ["forest_em", "forest_marginals", "is_forest", "sparsify"]


def is_forest(layout) -> bool:
    return all(len(pa) <= 1 for pa in layout.parents)


def sparsify(unary: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, K) likelihoods -> (base (S,), idx (S, M), val (S, M)) with U = base + scatter(idx, val).

    ``base`` is each row's most frequent value (unmentioned objects get bit-identical values, so exact
    equality is the right test); the other entries become spikes. Pads: idx 0, val 0.
    """
    n, k = unary.shape
    srt = np.sort(unary, axis=1)
    pos = np.arange(k)
    change = np.ones((n, k), bool)
    change[:, 1:] = srt[:, 1:] != srt[:, :-1]
    start = np.maximum.accumulate(np.where(change, pos, 0), axis=1)
    end_of_longest = np.argmax(pos - start, axis=1)  # first position where the longest run ends
    base = srt[np.arange(n), end_of_longest]
    special = unary != base[:, None]
    m = max(int(special.sum(axis=1).max(initial=0)), 1)
    rows, cols = np.nonzero(special)
    slot = np.arange(rows.size) - np.searchsorted(rows, rows)  # position within its row
    idx = np.zeros((n, m), np.int64)
    val = np.zeros((n, m))
    idx[rows, slot] = cols
    val[rows, slot] = unary[rows, cols] - base[rows]
    return base, idx, val


@jax.custom_vjp
def _columns(theta, idx):
    """theta[:, idx] laid out as (S, n, K_u); its gradient is a row-wise segment sum, not a scalar scatter."""
    return jnp.take(theta.T, idx, axis=0)


def _columns_fwd(theta, idx):
    return _columns(theta, idx), (theta.shape, idx)


def _columns_bwd(res, up):  # up: (S, n, K_u)
    shape, idx = res
    summed = jax.ops.segment_sum(up.reshape(-1, shape[0]), idx.reshape(-1), num_segments=shape[1])
    return summed.T, None


_columns.defvjp(_columns_fwd, _columns_bwd)


def _value_at(beta, objects):
    """beta (dense (S, K) or sparse (base, idx, val)) at objects (S, n) (-1 = pad, gives 0)."""
    safe = jnp.maximum(objects, 0)
    if isinstance(beta, tuple):
        base, idx, val = beta
        hit = (idx[:, None, :] == safe[:, :, None]).astype(val.dtype)  # (S, n, M)
        out = base[:, None] + jnp.einsum("snm,sm->sn", hit, val)
    else:
        out = jnp.take_along_axis(beta, safe, axis=1)
    return jnp.where(objects >= 0, out, 0.0)


def _through_cpt(beta, theta):
    """y_s(a) = sum_b theta(a, b) beta_s(b): (S, K_u)."""
    if isinstance(beta, tuple):
        base, idx, val = beta
        cols = _columns(theta, idx)  # (S, M, K_u)
        return base[:, None] * theta.sum(axis=1)[None, :] + (cols * val[:, :, None]).sum(axis=1)
    return beta @ theta.T


def _message(beta, theta, pair):
    """Message from a child to its parent through theta and, if any, the statements' pair factor."""
    y = _through_cpt(beta, theta)  # (S, K_u)
    if pair is None:
        return y
    iu, ir, table = pair  # (S, n_u), (S, n_r), (S, n_u + 1, n_r + 1)
    safe_r = jnp.maximum(ir, 0)
    named = _columns(theta, safe_r) * _value_at(beta, ir)[:, :, None]  # (S, n_r, K_u)
    other = y - named.sum(axis=1)
    h = jnp.concatenate([named, other[:, None, :]], axis=1)  # (S, n_r + 1, K_u)
    g = jnp.einsum("skl,sla->ska", table, h)  # (S, n_u + 1, K_u)
    m = g[:, -1, :]
    k_u = theta.shape[0]
    rows = jnp.arange(iu.shape[0])[:, None]
    cols = jnp.where(iu >= 0, iu, k_u)  # pads point past the end and are dropped
    named_vals = jnp.take_along_axis(g[:, :-1, :], jnp.minimum(cols, k_u - 1)[:, :, None], axis=2)[..., 0]
    return m.at[rows, cols].set(named_vals, mode="drop")


def _log_z(layout, thetas, sparse, pairs, multipliers=None):
    """Per-subject log Z. ``multipliers``: None (sparse leaves) or per relation (S, K) dense factors."""
    pair_of = {r: (iu, ir, t) for (u, r), (iu, ir, t) in zip(layout.pair_edges, pairs)}
    incoming = [None] * len(layout.relations)
    log_z = 0.0
    for r in reversed(range(len(layout.relations))):  # children before parents
        base, idx, val = sparse[r]
        if incoming[r] is None and multipliers is None:
            beta = (base, idx, val)
        else:
            n = base.shape[0]
            beta = base[:, None] * jnp.ones((n, layout.sizes[r]))
            beta = beta.at[jnp.arange(n)[:, None], idx].add(val)
            if incoming[r] is not None:
                beta = beta * incoming[r]
            if multipliers is not None:
                beta = beta * multipliers[r]
        pa = layout.parents[r]
        if pa:
            m = _message(beta, thetas[r], pair_of.get(r))
            scale = jax.lax.stop_gradient(jnp.max(m, axis=1, keepdims=True))
            scale = jnp.where(scale > 0, scale, 1.0)
            log_z = log_z + jnp.log(scale[:, 0])
            m = m / scale
            incoming[pa[0]] = m if incoming[pa[0]] is None else incoming[pa[0]] * m
        else:
            theta = thetas[r]
            if isinstance(beta, tuple):
                z = beta[0] * theta.sum() + (_columns(theta[None, :], beta[1])[..., 0] * beta[2]).sum(axis=1)
            else:
                z = beta @ theta
            log_z = log_z + jnp.log(z)
    return log_z


@partial(jax.jit, static_argnums=0)
def forest_em(layout, alphas, thetas, sparse, pairs, tol, max_iter):
    """EM to the fixed point theta = E_Dir[alpha + expected counts], sparse messages throughout."""

    def total(thetas):
        return jnp.sum(_log_z(layout, thetas, sparse, pairs))

    def step(thetas):
        grads = jax.grad(total)(thetas)
        post = tuple(a + t * g for a, t, g in zip(alphas, thetas, grads))
        return tuple(p / p.sum(axis=-1, keepdims=True) for p in post)

    return em_loop(step, thetas, tol, max_iter)


@partial(jax.jit, static_argnums=0)
def forest_marginals(layout, thetas, sparse, pairs):
    """Per relation (S, K) exact marginals and (S,) log Z (scaled as the sparse evidence is)."""
    n = sparse[0][0].shape[0]
    ones = tuple(jnp.ones((n, k)) for k in layout.sizes)

    def total(mult):
        return jnp.sum(_log_z(layout, thetas, sparse, pairs, mult))

    marg = jax.grad(total)(ones)
    return marg, _log_z(layout, thetas, sparse, pairs)
