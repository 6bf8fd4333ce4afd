"""The dependency graph compiled into a NumPyro model (a plain function of the encoded evidence)."""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.ops.indexing import Vindex

from ._graph import RelationGraph
from ._infer import EvidenceArrays, _classes

__all__ = ["compile"]


def compile(graph: RelationGraph) -> Callable[[EvidenceArrays], None]:  # noqa: A001 (the issue's name)
    """Compile a graph into a NumPyro model ``model(data)`` over the population and every subject.

    * ``theta_<r>``: one Dirichlet(alpha_r) row per parent configuration, shape (rows, K_r);
    * ``x_<r>``: per subject, Categorical(theta_r[x_parents]), marked for parallel enumeration so
      NUTS sums the discrete sites out (needs ``funsor``);
    * the evidence (noisy-channel mentions and labelled statements) as likelihood factors: one over
      x_<r> per relation and one per parent -> child pair that carries statements, exactly the factors
      :func:`rational.fit` contracts (``data`` comes from :func:`rational.encode`).

    Example:
        >>> import jax, rational
        >>> from numpyro.infer import MCMC, NUTS
        >>> world = rational.sample_world(rational.example_graph(), 8, seed=0)
        >>> model = rational.compile(world.graph)
        >>> mcmc = MCMC(NUTS(model), num_warmup=5, num_samples=5, progress_bar=False)
        >>> mcmc.run(jax.random.PRNGKey(0), rational.encode(world.evidence))
        >>> mcmc.get_samples()["theta_language"].shape
        (5, 4, 3)
    """
    graph.check()
    rels = graph.relations
    parents = {r: graph.parents(r) for r in rels}
    shapes = {r: graph.cpt_shape(r) for r in rels}
    alphas = {r: jnp.asarray(graph.concentration(r)) for r in rels}

    def model(data: EvidenceArrays) -> None:
        n = data.n_subjects
        theta = {}
        for r in rels:
            with numpyro.plate(f"rows_{r}", graph.n_rows(r)):
                rows = numpyro.sample(f"theta_{r}", dist.Dirichlet(alphas[r]))
            theta[r] = rows.reshape(shapes[r])
        numpyro.factor("evidence_scale", jnp.sum(jnp.asarray(data.offset)))
        subjects = jnp.arange(n)
        with numpyro.plate("subjects", n):
            x = {}
            for i, r in enumerate(rels):
                probs = Vindex(theta[r])[tuple(x[p] for p in parents[r])] if parents[r] else theta[r]
                x[r] = numpyro.sample(f"x_{r}", dist.Categorical(probs), infer={"enumerate": "parallel"})
                numpyro.factor(f"evidence_{r}", jnp.log(Vindex(jnp.asarray(data.unary[i]))[subjects, x[r]]))
            for (iu, ir), table, (u, r) in zip(data.pair_index, data.pair_table, data.layout.pair_edges):
                # class of each object for each subject: (S, K) integer lookup tables
                cu = _classes(jnp.asarray(iu), data.layout.sizes[u], jnp)
                cr = _classes(jnp.asarray(ir), data.layout.sizes[r], jnp)
                ru, rr = rels[u], rels[r]
                lik = Vindex(jnp.asarray(table))[subjects, Vindex(cu)[subjects, x[ru]], Vindex(cr)[subjects, x[rr]]]
                numpyro.factor(f"statements_{ru}_{rr}", jnp.log(lik))

    return model
