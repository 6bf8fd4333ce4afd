"""Independent reference computations for the rational agent (no code shared with rational._infer).

``brute_force`` enumerates every joint assignment of a subject's relations and multiplies the model's
probabilities written out from the definitions in DESIGN.md: CPT entries, the noisy channel of each
mention (or, with a per-fact reliability rho ~ Uniform(lo, hi), the integral over rho of the fact's
mentions' probabilities, by scipy's adaptive quadrature rather than the Gauss-Legendre rule rational
uses), and the noisy label of each statement.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def subject_log_joint(graph, cpts, evidence, subject):
    """Dict: assignment tuple (object names in graph.relations order) -> log p(x, evidence_s | theta)."""
    rels = graph.relations
    s = evidence.subject_id(subject)
    mentions = []
    for r in rels:
        subj, obj = evidence.mentions(r)
        mentions += [(r, graph.domain(r)[o]) for o in obj[subj == s]]
    statements = [st for st in evidence.statements if st.subject == subject]
    out = {}
    for combo in itertools.product(*(graph.domain(r) for r in rels)):
        values = dict(zip(rels, combo))
        logp = 0.0
        for r in rels:
            idx = tuple(graph.domain(p).index(values[p]) for p in graph.parents(r))
            logp += math.log(cpts[r][idx][graph.domain(r).index(values[r])])
        if evidence.reliability is None:
            for r, o in mentions:
                k = graph.size_of(r)
                if k > 1:
                    p = 1 - evidence.eps if values[r] == o else evidence.eps / (k - 1)
                    logp += math.log(p) if p > 0 else -math.inf
        else:
            for r in rels:
                said = [o for rr, o in mentions if rr == r]
                k = graph.size_of(r)
                if said and k > 1:
                    logp += math.log(_reliability_likelihood(evidence.reliability, k, sum(o == values[r] for o in said),
                                                             len(said)))
        for st in statements:
            p = 1 - evidence.statement_noise if st.holds(values) == st.label else evidence.statement_noise
            logp += math.log(p) if p > 0 else -math.inf
        out[combo] = logp
    return out


def _reliability_likelihood(reliability, k, hits, n):
    """P(n mentions of a fact, ``hits`` of them stating its true object | rho ~ U(lo, hi)), by quadrature."""
    from scipy.integrate import quad

    lo, hi = reliability
    value, _ = quad(lambda rho: rho**hits * ((1 - rho) / (k - 1)) ** (n - hits), lo, hi, epsabs=0, epsrel=1e-13)
    return value / (hi - lo)


def brute_force(graph, cpts, evidence, subject, extra=()):
    """(marginals per relation, full joint array over graph.relations, log evidence) by enumeration.

    ``extra``: (relation, likelihood vector) factors to multiply in (for checking update rules).
    """
    rels = graph.relations
    log_joint = subject_log_joint(graph, cpts, evidence, subject)
    shape = tuple(graph.size_of(r) for r in rels)
    table = np.full(shape, -np.inf)
    for combo, lp in log_joint.items():
        idx = tuple(graph.domain(r).index(v) for r, v in zip(rels, combo))
        for r, lik in extra:
            with np.errstate(divide="ignore"):
                lp += np.log(lik[idx[rels.index(r)]])
        table[idx] = lp
    top = table.max()
    p = np.exp(table - top)
    log_evidence = top + math.log(p.sum())
    p /= p.sum()
    marg = {r: p.sum(axis=tuple(j for j in range(len(rels)) if j != i)) for i, r in enumerate(rels)}
    return marg, p, log_evidence


def expected_counts(graph, cpts, evidence):
    """Per relation, sum over subjects of P(x[pa], x[r] | evidence_s, theta), by enumeration."""
    rels = graph.relations
    counts = {r: np.zeros(graph.cpt_shape(r)) for r in rels}
    for subject in evidence.subjects:
        _, joint, _ = brute_force(graph, cpts, evidence, subject)
        for i, r in enumerate(rels):
            axes = [rels.index(p) for p in graph.parents(r)] + [i]
            other = tuple(j for j in range(len(rels)) if j not in axes)
            m = joint.sum(axis=other)  # axes in increasing order of position
            order = np.argsort(np.argsort(axes))
            counts[r] += np.transpose(m, order) if len(axes) > 1 else m
    return counts


# -- small graphs the exactness tests share --------------------------------------------------------------
def chain_graph():
    """a -> b -> c, with a non-default concentration on c."""
    from rational import RelationGraph

    g = RelationGraph().add_relation("a", ["a0", "a1", "a2"]).add_relation("b", ["b0", "b1"])
    g.add_relation("c", ["c0", "c1", "c2"], concentration=0.5)
    g.add_edges_from([("a", "b"), ("b", "c")])
    return g


def two_parents_graph():
    """(a, b) -> c, with a per-object concentration on c."""
    from rational import RelationGraph

    g = RelationGraph().add_relation("a", ["a0", "a1"]).add_relation("b", ["b0", "b1", "b2"])
    g.add_relation("c", ["c0", "c1"], concentration=[2.0, 0.5])
    g.add_edges_from([("a", "c"), ("b", "c")])
    return g


def diamond_graph():
    """a -> b, a -> c, (b, c) -> d: the moralised graph has a loop."""
    from rational import RelationGraph

    g = RelationGraph().add_relation("a", ["a0", "a1"]).add_relation("b", ["b0", "b1", "b2"])
    g.add_relation("c", ["c0", "c1"]).add_relation("d", ["d0", "d1"])
    g.add_edges_from([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    return g
