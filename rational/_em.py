"""The EM fixed-point loop shared by both inference paths, accelerated with SQUAREM.

SQUAREM (Varadhan & Roland 2008, scheme S3) extrapolates along two plain EM steps and stabilises with a
third; it converges to the same fixed point as plain EM, in several times fewer E-steps. Convergence is
judged on a plain EM step: stop when no CPT entry moves by more than ``tol`` in one step.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["em_loop"]


def _sub(a, b):
    return tuple(x - y for x, y in zip(a, b))


def _sq_norm(a):
    return sum(jnp.sum(x * x) for x in a)


def _max_change(a, b):
    return jnp.max(jnp.stack([jnp.max(jnp.abs(x - y)) for x, y in zip(a, b)]))


def em_loop(step, thetas, tol, max_iter):
    """Iterate ``thetas <- step(thetas)`` to a fixed point; returns (thetas, E-steps run, last change)."""

    def body(state):
        th0, it, _ = state
        th1 = step(th0)
        th2 = step(th1)
        r = _sub(th1, th0)
        v = _sub(_sub(th2, th1), r)
        alpha = -jnp.sqrt(_sq_norm(r)) / jnp.maximum(jnp.sqrt(_sq_norm(v)), 1e-300)
        alpha = jnp.minimum(alpha, -1.0)  # alpha = -1 is exactly two plain steps (th2)
        ext = tuple(t - 2 * alpha * a + alpha**2 * b for t, a, b in zip(th0, r, v))
        ok = jnp.all(jnp.stack([jnp.all(e > 0) for e in ext]))
        ext = tuple(jnp.where(ok, e / e.sum(axis=-1, keepdims=True), t2) for e, t2 in zip(ext, th2))
        th3 = step(ext)  # stabilising plain step; its change is the convergence test
        return th3, it + 3, _max_change(th3, ext)

    def cond(state):
        _, it, delta = state
        return (delta > tol) & (it < max_iter)

    return jax.lax.while_loop(cond, body, (thetas, jnp.asarray(0), jnp.asarray(jnp.inf)))
