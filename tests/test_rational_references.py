"""The rational agent against two independent references: pgmpy's exact inference and NumPyro.

* pgmpy builds, per subject, the Bayesian network of the same CPTs with one observed child node per
  mention (the noisy channel as a CPT) and per statement (the noisy label as a CPT over the atoms'
  relations), and runs VariableElimination: exact, so we compare at atol 1e-6.
* NumPyro: the compiled model's log density with the discrete sites enumerated equals the Dirichlet
  log prior plus our sum-product's log evidence (exact, atol 1e-8); and NUTS over the full model
  (population parameters integrated out, not plugged in) agrees with the fitted posterior within the
  stated Monte Carlo + plug-in tolerance.
"""

import warnings

import jax
import numpy as np
import pytest
from jax.scipy.stats import dirichlet

import rational

with warnings.catch_warnings():  # pgmpy 1.1.2 warns about its own deprecated modules on import
    warnings.simplefilter("ignore", FutureWarning)
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination
    from pgmpy.models import DiscreteBayesianNetwork
with warnings.catch_warnings():  # arviz 0.23 announces its refactor with a FutureWarning on import
    warnings.simplefilter("ignore", FutureWarning)
    import arviz as az


def _pgmpy_marginals(graph, cpts, evidence, subject):
    """Exact marginals of one subject from pgmpy, evidence as observed child nodes."""
    net = DiscreteBayesianNetwork()
    net.add_nodes_from(graph.relations)
    net.add_edges_from(graph.edges)
    names = {r: list(graph.domain(r)) for r in graph.relations}
    cpds, observed = [], {}
    for r in graph.relations:
        pa = list(graph.parents(r))
        values = cpts[r].reshape(-1, graph.size_of(r)).T  # (K_r, prod parent cards), first parent slowest
        cpds.append(TabularCPD(r, graph.size_of(r), values, evidence=pa or None,
                               evidence_card=[graph.size_of(p) for p in pa] or None,
                               state_names={r: names[r], **{p: names[p] for p in pa}}))
    s = evidence.subject_id(subject)
    for r in graph.relations:
        k = graph.size_of(r)
        subj, obj = evidence.mentions(r)
        for i, o in enumerate(obj[subj == s]):
            node = f"mention_{r}_{i}"
            channel = np.full((k, k), evidence.eps / (k - 1)) if k > 1 else np.ones((1, 1))
            np.fill_diagonal(channel, 1 - evidence.eps if k > 1 else 1.0)
            net.add_edge(r, node)
            cpds.append(TabularCPD(node, k, channel, evidence=[r], evidence_card=[k],
                                   state_names={node: names[r], r: names[r]}))
            observed[node] = names[r][o]
    for j, st in enumerate(st for st in evidence.statements if st.subject == subject):
        node, rels = f"statement_{j}", list(st.relations)
        grids = np.meshgrid(*(np.arange(graph.size_of(r)) for r in rels), indexing="ij")
        holds = np.vectorize(lambda *idx: st.holds({r: graph.domain(r)[i] for r, i in zip(rels, idx)}))(*grids)
        p_true = np.where(holds, 1 - evidence.statement_noise, evidence.statement_noise).reshape(-1)
        net.add_edges_from((r, node) for r in rels)
        cpds.append(TabularCPD(node, 2, np.stack([1 - p_true, p_true]), evidence=rels,
                               evidence_card=[graph.size_of(r) for r in rels],
                               state_names={node: ["false", "true"], **{r: names[r] for r in rels}}))
        observed[node] = "true" if st.label else "false"
    net.add_cpds(*cpds)
    net.check_model()
    infer = VariableElimination(net)
    return {r: infer.query([r], evidence=observed, show_progress=False).values for r in graph.relations}


def test_marginals_match_pgmpy_exact_inference():
    world = rational.sample_world(rational.example_graph(), 12, seed=21, statements_per_subject=1.5,
                                  connectives_per_subject=1.5)
    post = rational.fit(world.evidence)
    cpts = {r: post.cpt(r) for r in world.graph.relations}
    for s in world.subjects:
        reference = _pgmpy_marginals(world.graph, cpts, world.evidence, s)
        for r in world.graph.relations:
            np.testing.assert_allclose(post.distribution(s, r), reference[r], atol=1e-6, rtol=0)


def _chain_world(n_subjects, seed):
    g = rational.RelationGraph().add_relation("country", ["France", "Japan", "Trinidad and Tobago"])
    g.add_relation("language", ["French", "Japanese", "English"])
    g.add_edge("country", "language")
    return rational.sample_world(g, n_subjects, seed=seed, eps=0.1, held_out_rate=0.3,
                                 truth_concentration=2.0)


def test_compiled_model_log_density_is_the_sum_product():
    """log p(theta, evidence) with x enumerated by NumPyro == log Dir(theta) + sum_s log p(ev_s | theta)."""
    from numpyro.contrib.funsor import config_enumerate, enum, log_density

    world = rational.sample_world(rational.example_graph(), 25, seed=13, connectives_per_subject=2.0)
    post = rational.fit(world.evidence)
    data = rational.encode(world.evidence)
    model = enum(config_enumerate(rational.compile(world.graph)), first_available_dim=-2)  # 1 plate dim
    graph = world.graph
    for trial in range(2):  # at the fitted theta, and at a random one
        rng = np.random.default_rng(trial)
        thetas = {r: post.cpt(r) if trial == 0 else rng.dirichlet(np.ones(graph.size_of(r)),
                                                                  graph.cpt_shape(r)[:-1])
                  for r in graph.relations}
        params = {f"theta_{r}": thetas[r].reshape(-1, graph.size_of(r)) for r in graph.relations}
        log_joint, _ = log_density(model, (data,), {}, params)
        log_prior = sum(float(dirichlet.logpdf(params[f"theta_{r}"].T, graph.concentration(r)).sum())
                        for r in graph.relations)
        from rational._infer import marginals
        _, log_ev = marginals(data, tuple(thetas[r] for r in graph.relations))
        assert float(log_joint) == pytest.approx(log_prior + float(log_ev.sum()), abs=1e-8)


@pytest.fixture(scope="module")
def mcmc_run():
    """One shared NUTS run (the first enumerated NUTS call in a process spends ~20 s compiling)."""
    from numpyro.infer import MCMC, NUTS

    world = _chain_world(1000, seed=5)
    data = rational.encode(world.evidence)
    mcmc = MCMC(NUTS(rational.compile(world.graph)), num_warmup=1000, num_samples=5000, num_chains=2,
                chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(0), data)
    idata = az.from_numpyro(mcmc, log_likelihood=False)  # log_likelihood fails on enumerated sites
    return world, data, mcmc.get_samples(), idata


def test_mcmc_diagnostics(mcmc_run):
    _, _, samples, idata = mcmc_run
    summary = az.summary(idata, var_names=["theta_country", "theta_language"])
    assert samples["theta_language"].shape[0] == 10_000  # >= 10^4 draws, as STYLE.md asks
    assert summary["r_hat"].max() < 1.01
    assert summary["ess_bulk"].min() > 1000


def test_fitted_posterior_agrees_with_mcmc_over_the_full_model(mcmc_run):
    """Full-Bayes P(x_s | D) = E_{theta | D}[P(x_s | ev_s, theta)], averaged over NUTS draws of theta.

    The fitted posterior plugs in one theta instead of integrating over it, so the two differ by a
    plug-in gap as well as by Monte Carlo error. The gap cannot exceed the spread of P(x_s | ev_s, theta)
    over the posterior of theta unless the fitted theta lies outside that posterior (which a wrong model
    or wrong inference would cause). Checks, per subject, relation and object:
    |fitted - full| <= 4 MCSE + 3 sd_theta, where sd_theta is that spread; and on average over all of
    them the gap is below 0.005 (with 1,000 subjects theta is pinned down to about +-0.02).
    """
    from rational._infer import marginals

    world, data, samples, _ = mcmc_run
    post = rational.fit(world.evidence)
    draws = {r: np.asarray(samples[f"theta_{r}"]) for r in world.graph.relations}
    idx = np.arange(0, 10_000, 5)  # 2,000 draws from both chains
    per_draw = np.stack([np.stack(marginals(data, (draws["country"][d].reshape(3),
                                                   draws["language"][d].reshape(3, 3)))[0]) for d in idx])
    full = per_draw.mean(axis=0)  # (relations, S, K)
    sd_theta = per_draw.std(axis=0)
    mcse = sd_theta / np.sqrt(len(idx) / 2)  # ESS > 1000 of 10^4: count the thinned draws half
    fitted = np.stack([post.distributions(r) for r in world.graph.relations])
    gap = np.abs(fitted - full)
    worst = np.unravel_index(np.argmax(gap - 4 * mcse - 3 * sd_theta), gap.shape)
    assert np.all(gap <= 4 * mcse + 3 * sd_theta), (
        f"gap {gap[worst]:.4f} > 4 x {mcse[worst]:.4f} + 3 x {sd_theta[worst]:.4f} at {worst}")
    assert gap.mean() < 0.005
    # and the population parameters: NUTS posterior mean vs the fitted estimate, within 3 posterior sd
    lang = draws["language"].reshape(-1, 3, 3)
    assert np.all(np.abs(lang.mean(0) - post.cpt("language")) <= 3 * lang.std(0))
