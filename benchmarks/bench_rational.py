"""Exact inference at scale: fit + every subject's posterior, against pgmpy and the earlier paths, in one run.

World (issue 2): 10 relations with 300 objects each (5 parent -> child pairs), ~100,000 mentioned facts
(11,112 subjects, 10% held out, 3 noisy mentions each), plus about one true/false statement and one
connective sentence per subject (connectives over one relation or a parent -> child pair).

Prints: the warm fit (EM to its fixed point + all marginals) on the default path ("messages") and on the
earlier one ("forest": sparse JAX messages), with their largest difference, pgmpy's time per subject
(VariableElimination, mentions and one-relation statements as virtual evidence, pair statements as
observed nodes, the same CPTs) extrapolated to all subjects, the speed ratio and the largest difference.
With ``--world``, ``rational.fit`` on a built-in world through the new path and the earlier einsum path
(the only one before for graphs with two parents), cold (first call in the process) and warm, with the
E-steps and the largest difference of thetas, marginals and log evidence between the two.

    python benchmarks/bench_rational.py            # the issue's size
    python benchmarks/bench_rational.py --subjects 2000 --pgmpy-subjects 10   # quicker
    python benchmarks/bench_rational.py --world paper   # also the paper world, old path cold only (~5 min)
    python benchmarks/bench_rational.py --subjects 300 --pgmpy-subjects 1 --world paper --paper-subjects 2000
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import rational
from rational import _infer


def build_graph(n_pairs: int, k: int) -> rational.RelationGraph:
    g = rational.RelationGraph()
    for i in range(n_pairs):
        g.add_relation(f"parent{i}", [f"p{i}_{j}" for j in range(k)])
        g.add_relation(f"child{i}", [f"c{i}_{j}" for j in range(k)])
        g.add_edge(f"parent{i}", f"child{i}")
    return g


def pgmpy_marginals(post, subject):
    """One subject through pgmpy with the same CPTs: virtual evidence + observed statement nodes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.inference import VariableElimination
        from pgmpy.models import DiscreteBayesianNetwork
    graph, ev = post.graph, post.evidence
    s = ev.subject_id(subject)
    net = DiscreteBayesianNetwork()
    net.add_nodes_from(graph.relations)
    net.add_edges_from(graph.edges)
    cpds, observed, virtual = [], {}, []
    for r in graph.relations:
        pa = list(graph.parents(r))
        cpds.append(TabularCPD(r, graph.size_of(r), post.cpt(r).reshape(-1, graph.size_of(r)).T,
                               evidence=pa or None, evidence_card=[graph.size_of(p) for p in pa] or None))
    unary = {r: ev.mention_log_likelihood(r)[s] for r in graph.relations}
    pair_statements = []
    for st in ev.statements:
        if st.subject != subject:
            continue
        if len(st.relations) == 1:
            r = st.relations[0]
            unary[r] = unary[r] + ev.statement_log_likelihood(
                st, [{r: o} for o in graph.domain(r)])
        else:
            pair_statements.append(st)
    for j, st in enumerate(pair_statements):
        node, rels = f"statement_{j}", list(st.relations)
        grids = np.meshgrid(*(np.arange(graph.size_of(r)) for r in rels), indexing="ij")
        holds = np.vectorize(lambda *i: st.holds({r: graph.domain(r)[x] for r, x in zip(rels, i)}))(*grids)
        p_true = np.where(holds, 1 - ev.statement_noise, ev.statement_noise).reshape(-1)
        net.add_edges_from((r, node) for r in rels)
        cpds.append(TabularCPD(node, 2, np.stack([1 - p_true, p_true]), evidence=rels,
                               evidence_card=[graph.size_of(r) for r in rels]))
        observed[node] = int(st.label)
    for r, lu in unary.items():
        lik = np.exp(lu - lu.max())
        virtual.append(TabularCPD(r, graph.size_of(r), lik.reshape(-1, 1)))
    net.add_cpds(*cpds)
    # one query per relation, each on a fresh VariableElimination: pgmpy adds the virtual-evidence nodes
    # to the inference object itself, and a joint=False query over all relations builds their full joint
    return {r: VariableElimination(net).query([r], evidence=observed, virtual_evidence=virtual,
                                              show_progress=False).values for r in graph.relations}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=5, help="parent -> child pairs (2 relations each)")
    ap.add_argument("--objects", type=int, default=300, help="objects per relation")
    ap.add_argument("--subjects", type=int, default=11_112, help="subjects (10%% of facts held out)")
    ap.add_argument("--pgmpy-subjects", type=int, default=30, help="subjects timed through pgmpy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-old", action="store_true", help="do not time the earlier forest path")
    ap.add_argument("--world", default=None, help="also fit this built-in world (e.g. paper: two parents), "
                                                  "new and earlier einsum path, cold and warm")
    ap.add_argument("--world-subjects", "--paper-subjects", type=int, default=None,
                    help="subjects of the --world world (its own default if not given; 2000 for a quick run)")
    ap.add_argument("--old-warm", action="store_true",
                    help="also time the einsum path warm on --world (doubles its minutes)")
    args = ap.parse_args(argv)

    graph = build_graph(args.pairs, args.objects)
    t = time.perf_counter()
    world = rational.sample_world(graph, args.subjects, seed=args.seed, held_out_rate=0.1,
                                  truth_concentration=0.1)
    t_world = time.perf_counter() - t
    ev = world.evidence
    mentioned = sum(int(ev.mentioned_mask(r).sum()) for r in graph.relations)
    print(f"world: {len(graph)} relations x {args.objects} objects, {args.subjects:,} subjects, "
          f"{mentioned:,} mentioned facts, {ev.n_mentions:,} mentions, {len(ev.statements):,} statements "
          f"(sampled in {t_world:.1f} s)")

    t = time.perf_counter()
    arrays = _infer.encode(ev)
    t_encode = time.perf_counter() - t
    t_cold, t_warm, post = time_fit(graph, ev, arrays, "auto")
    print(f"encode evidence: {t_encode:.2f} s   first fit (caches filled): {t_cold:.2f} s")
    print(f"fit + all posteriors (warm, best of 3): {t_warm:.3f} s   "
          f"[EM iterations {post.info.iterations}, converged {post.info.converged}]   target < 5 s: "
          f"{'MET' if t_warm < 5 else 'NOT MET'}")
    if not args.skip_old:
        old_cold, old_warm, old = time_fit(graph, ev, arrays, "forest", repeats=1)
        print(f"earlier forest path: {old_cold:.2f} s first call (JIT compilation), {old_warm:.2f} s warm "
              f"[EM iterations {old.info.iterations}]: {old_warm / t_warm:.1f}x the new path's time; "
              f"largest difference {largest_differences(post, old)}")
    t = time.perf_counter()
    rational.fit(ev)
    print(f"rational.fit end to end (encode + fit, warm): {time.perf_counter() - t:.2f} s")

    n = min(args.pgmpy_subjects, args.subjects)
    subjects = [world.subjects[i] for i in np.random.default_rng(1).choice(args.subjects, n, replace=False)]
    t = time.perf_counter()
    worst = 0.0
    for s in subjects:
        ref = pgmpy_marginals(post, s)
        worst = max(worst, max(float(np.abs(ref[r] - post.distribution(s, r)).max()) for r in graph.relations))
    per_subject = (time.perf_counter() - t) / n
    t_pgmpy = per_subject * args.subjects
    print(f"pgmpy VariableElimination: {per_subject * 1e3:.1f} ms per subject over {n} subjects "
          f"-> {t_pgmpy:.0f} s for all {args.subjects:,} (extrapolated; CPTs given, not estimated)")
    print(f"speed-up vs pgmpy: {t_pgmpy / t_warm:.0f}x (target >= 300x: "
          f"{'MET' if t_pgmpy / t_warm >= 300 else 'NOT MET'})   largest difference: {worst:.2e}")
    cpt_entries = sum(int(np.prod(graph.cpt_shape(r))) for r in graph.relations)
    marg_entries = args.subjects * sum(graph.size_of(r) for r in graph.relations)
    print(f"memory: CPTs {cpt_entries:,} floats, marginals {marg_entries:,} floats "
          f"(subjects x objects; no dense objects x objects table per subject)")
    if args.world:
        fit_world(args.world, args.seed, args.world_subjects, args.old_warm)


def time_fit(graph, ev, arrays, path: str, repeats: int = 3):
    """(first call, best warm call, posterior) of EM + all marginals on already encoded evidence."""
    t = time.perf_counter()
    post = rational._posterior._fit_arrays(graph, ev, arrays, path=path)
    t_cold = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        post = rational._posterior._fit_arrays(graph, ev, arrays, path=path)
        times.append(time.perf_counter() - t)
    return t_cold, min(times), post


def largest_differences(a, b) -> str:
    """Largest absolute differences of two posteriors' thetas, marginals and summed log evidence."""
    theta = max(float(np.abs(x - y).max()) for x, y in zip(a.thetas, b.thetas))
    marg = max(float(np.abs(x - y).max()) for x, y in zip(a.base_marginals, b.base_marginals))
    log_ev = abs(a.info.log_evidence - b.info.log_evidence)
    return (f"thetas {theta:.1e}, marginals {marg:.1e}, log evidence {log_ev:.1e} "
            f"(relative {log_ev / abs(b.info.log_evidence):.1e})")


def fit_world(name: str, seed: int, n_subjects: int | None = None, old_warm: bool = False) -> None:
    """Time ``rational.fit`` on a built-in world, new path and the earlier einsum path, cold and warm."""
    from bridges import build_world

    options = {} if n_subjects is None else {"n_subjects": n_subjects}
    t = time.perf_counter()
    world = build_world(name, seed=seed, **options)
    ev = world.evidence
    t_world = time.perf_counter() - t
    arrays = _infer.encode(ev)
    layout = arrays.layout
    _, per_subject = _infer._contraction(layout, arrays.n_subjects)
    chunk = _infer._chunked(arrays)[-1].shape
    print(f"world {name!r}: {len(world.graph)} relations, {arrays.n_subjects:,} subjects, {len(ev.statements):,} "
          f"statements (sampled in {t_world:.1f} s); einsum path: {per_subject:,} float64 entries per subject, "
          f"{chunk[0]} chunks of {chunk[1]} subjects")
    runs = {}
    for path, repeats in (("auto", 2), ("einsum", 2 if old_warm else 1)):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            post = rational.fit(ev, path=path)
            times.append(time.perf_counter() - t)
        runs[path] = (times, post)
        warm = f", {times[1]:.1f} s warm" if len(times) > 1 else ""
        print(f"rational.fit, {'new path (messages)' if path == 'auto' else 'earlier path (einsum)'}: "
              f"{times[0]:.1f} s cold{warm} [E-steps {post.info.iterations}, converged {post.info.converged}]")
    (new_times, new), (old_times, old) = runs["auto"], runs["einsum"]
    print(f"speed-up: {old_times[0] / new_times[0]:.1f}x cold"
          + (f", {old_times[1] / new_times[1]:.1f}x warm" if len(old_times) > 1 else
             f"; {old_times[0] / new_times[1]:.1f}x new warm vs old cold") + " (target >= 10x)")
    print(f"largest difference new vs earlier: {largest_differences(new, old)}")


if __name__ == "__main__":
    main()
