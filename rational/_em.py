"""The EM fixed-point loop shared by every inference path, accelerated with SQUAREM.

SQUAREM (Varadhan & Roland 2008, scheme S3) extrapolates along two plain EM steps and stabilises with a
third; it converges to the same fixed point as plain EM, in several times fewer E-steps. Convergence is
judged on a plain EM step: stop when no CPT entry moves by more than ``tol`` in one step. One cycle
(:func:`squarem_cycle`) is written once for ``jax.numpy`` (the einsum and forest paths: a
``lax.while_loop``) and ``numpy`` (the message-passing path: a Python loop).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["em_loop", "em_loop_numpy", "squarem_cycle"]


def _sub(a, b):
    return tuple(x - y for x, y in zip(a, b))


def _sq_norm(a, xp):
    return sum(xp.sum(x * x) for x in a)


def _max_change(a, b, xp):
    return xp.max(xp.stack([xp.max(xp.abs(x - y)) for x, y in zip(a, b)]))


def squarem_cycle(step, th0, xp=jnp):
    """Two plain steps, the extrapolation, one stabilising step: (thetas, change of that last step)."""
    th1 = step(th0)
    th2 = step(th1)
    r = _sub(th1, th0)
    v = _sub(_sub(th2, th1), r)
    alpha = -xp.sqrt(_sq_norm(r, xp)) / xp.maximum(xp.sqrt(_sq_norm(v, xp)), 1e-300)
    alpha = xp.minimum(alpha, -1.0)  # alpha = -1 is exactly two plain steps (th2)
    ext = tuple(t - 2 * alpha * a + alpha**2 * b for t, a, b in zip(th0, r, v))
    ok = xp.all(xp.stack([xp.all(e > 0) for e in ext]))
    ext = tuple(xp.where(ok, e / e.sum(axis=-1, keepdims=True), t2) for e, t2 in zip(ext, th2))
    th3 = step(ext)  # stabilising plain step; its change is the convergence test
    return th3, _max_change(th3, ext, xp)


def em_loop(step, thetas, tol, max_iter):
    """Iterate ``thetas <- step(thetas)`` to a fixed point in JAX; returns (thetas, E-steps run, last change)."""

    def body(state):
        th0, it, _ = state
        th3, delta = squarem_cycle(step, th0)
        return th3, it + 3, delta

    def cond(state):
        _, it, delta = state
        return (delta > tol) & (it < max_iter)

    return jax.lax.while_loop(cond, body, (thetas, jnp.asarray(0), jnp.asarray(jnp.inf)))


def em_loop_numpy(step, thetas, tol, max_iter):
    """:func:`em_loop` for a numpy ``step``, as a Python loop; returns (thetas, E-steps run, last change)."""
    it, delta = 0, np.inf
    while delta > tol and it < max_iter:
        thetas, delta = squarem_cycle(step, thetas, np)
        it += 3
    return thetas, it, float(delta)
