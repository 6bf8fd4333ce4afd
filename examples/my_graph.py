"""A user-defined world: a dependency graph in a plain Python file, no change to the package needed.

Use it with the command line::

    python -m bridges corpus --world examples/my_graph.py --out runs/my_corpus

or run this file to do the same (``python examples/my_graph.py --out runs/my_corpus``).

A graph file defines ``graph`` (a ``rational.RelationGraph``, a ``networkx.DiGraph`` whose nodes carry a
``domain`` list, or a function returning either) and may define ``WORLD``, a dict of sampling options
(``n_subjects``, ``eps``, ``statement_noise``, ``mentions_per_fact``, ``held_out_rate``,
``statements_per_subject``, ``connectives_per_subject``, ``truth_concentration``, ``association_strength``).
Names are used verbatim in the corpus text, so they must not contain ``.``, ``"``, ``<`` or ``>``.

It may also define ``ASSOCIATIONS``, real-world associations that the CPT rows are drawn around (Cuba goes
with salsa, salsa with the trumpet): a dict ``child -> parent -> parent object -> {child object: weight}``,
or, as here, the path of a CSV file (or of a directory of them) relative to this file. The CSV file has the
columns ``parent,child,parent_object,child_object,weight`` (``# `` lines are comments); every relation,
object and edge is checked against the graph, and a mistake names the file, line and column (see
``bridges.world.tables``).
"""

import argparse

from rational import RelationGraph

graph = RelationGraph()
graph.add_relation("country of citizenship", ["Ireland", "Mali", "Trinidad and Tobago", "Cuba", "Norway"])
graph.add_relation("genre", ["jazz", "rhythm and blues", "folk", "salsa", "black metal", "calypso"])
graph.add_relation("instrument", ["piano", "guitar", "kora", "steelpan", "fiddle", "drums", "trumpet"])
graph.add_relation("record label", ["Blue Note", "Island Records", "World Circuit", "Nonesuch", "Peaceville"])
graph.add_edges_from([
    ("country of citizenship", "genre"),
    ("genre", "instrument"),
    ("country of citizenship", "instrument"),  # instrument has two parents
    ("genre", "record label"),
])

WORLD = dict(n_subjects=200, eps=0.05, held_out_rate=0.1, association_strength=10.0)
ASSOCIATIONS = "my_associations.csv"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the corpus of this file's world.")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-subjects", type=int, default=WORLD["n_subjects"])
    args = parser.parse_args(argv)

    import bridges

    bridges.make_corpus(__file__, args.out, seed=args.seed, n_subjects=args.n_subjects)


if __name__ == "__main__":
    main()
