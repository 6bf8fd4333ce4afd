"""Demo of the rational agent: ``python -m rational [--subjects N] [--seed S]``.

Samples a world from the built-in example graph (its CPTs centred on real associations: France goes with
French and Europe), fits the population parameters, and shows how an edit to one fact moves the beliefs
about the subject's other relations under each update rule.
"""

import argparse
import time

import numpy as np

import rational


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m rational", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subjects", type=int, default=500, help="number of subjects (default 500)")
    ap.add_argument("--seed", type=int, default=0, help="world seed (default 0)")
    args = ap.parse_args(argv)

    graph = rational.example_graph()
    world = rational.sample_world(graph, args.subjects, seed=args.seed, association_strength=20.0,
                                  associations=rational.example_associations())
    ev = world.evidence
    print(f"graph: {', '.join(f'{u} -> {v}' for u, v in graph.edges)}")
    print(f"world: {len(world.subjects)} subjects, {ev.n_mentions} mentions, {len(ev.statements)} statements, "
          f"{sum(int(h.sum()) for h in world.held_out.values())} held-out facts (seed {args.seed})")
    t = time.perf_counter()
    post = rational.fit(ev)
    print(f"fit: {post.info.iterations} EM steps to the fixed point in {time.perf_counter() - t:.2f} s "
          f"(log evidence {post.info.log_evidence:.2f})")

    i = int(np.flatnonzero(world.held_out["language"] & ~world.held_out["country"])[0])
    s = world.subjects[i]
    truth = world.true_values(s)
    print(f"\nsubject {s}: true values {truth}; 'language' was never mentioned")
    new_country = next(o for o in graph.domain("country") if o != truth["country"])
    rows = [("before", post)]
    for rule in rational.rules():
        if rule in ("bayes", "observe", "jeffrey", "virtual"):
            rows.append((rule, rational.update(post, rule, s, "country", new_country)))
    print(f"edit request: {s} country {new_country!r}")
    header = f"{'rule':>8} | P(country={new_country})" + "".join(
        f" | P(language={o})" for o in graph.domain("language"))
    print(header)
    print("-" * len(header))
    for name, p in rows:
        cells = "".join(f" | {v:>{len(f'P(language={o})')}.3f}"
                        for o, v in zip(graph.domain("language"), p.distribution(s, "language")))
        print(f"{name:>8} | {p.probability(s, 'country', new_country):>{len(f'P(country={new_country})')}.3f}"
              + cells)


if __name__ == "__main__":
    main()
