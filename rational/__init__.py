"""The rational agent: dependency graphs compiled into a Dirichlet-Categorical model with exact posteriors.

Quick start::

    import rational
    graph = rational.example_graph()                  # or build a rational.RelationGraph yourself
    world = rational.sample_world(graph, n_subjects=200, seed=0)
    post = rational.fit(world.evidence)                # population CPTs + every subject's exact posterior
    s = world.subjects[0]
    post.distribution(s, "language")                   # P(x[s, language] = k | evidence)
    new = rational.update(post, "jeffrey", s, "country", "Japan", target=0.9)
    people = post.with_subjects({"Ann Lee": [("country", "Japan")]})  # new subjects, theta held fixed
    people.distribution("Ann Lee", "language")

``import rational`` imports jax and NumPyro (and turns on jax float64), never torch.
"""

from ._evidence import CONNECTIVES, Evidence, EvidenceError, Statement
from ._graph import GraphError, RelationGraph
from ._infer import EvidenceArrays, Layout, encode
from ._model import compile
from ._posterior import FitInfo, Posterior, fit
from ._rules import UpdateRule, get_rule, register_rule, rule_options, rules, update
from ._load import load
from ._store import read_header
from ._world import World, WorldOptions, example_associations, example_graph, sample_world

__all__ = [
    "CONNECTIVES",
    "Evidence",
    "EvidenceArrays",
    "EvidenceError",
    "FitInfo",
    "GraphError",
    "Layout",
    "Posterior",
    "RelationGraph",
    "Statement",
    "UpdateRule",
    "World",
    "WorldOptions",
    "compile",
    "encode",
    "example_associations",
    "example_graph",
    "fit",
    "get_rule",
    "load",
    "read_header",
    "register_rule",
    "rule_options",
    "rules",
    "sample_world",
    "update",
]
