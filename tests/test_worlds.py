"""Built-in worlds, synthetic names, user graph files and world options."""

import math
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import bridges
from bridges import WORLDS, InvalidNameError, WorldError

REPO = Path(__file__).resolve().parents[1]
CONNECTIVE_WORDS = {"and", "or", "not", "if", "then"}

# name, number of relations, expected true facts (None: only "about"), domain size bounds
CASES = [
    ("tiny", 8, 320, (4, 6)),
    ("default", 9, 5040, (6, 40)),
    ("paper", 10, 100_000, (6, 300)),
]


@pytest.mark.parametrize("name,n_relations,n_facts,bounds", CASES)
def test_builtin_world_shape(name, n_relations, n_facts, bounds):
    graph = bridges.default_graph(name)
    spec = WORLDS[name]
    assert nx.is_directed_acyclic_graph(graph)
    assert len(graph.relations) == n_relations
    assert spec.n_facts == n_facts  # every subject has one true object per relation
    sizes = [graph.size_of(r) for r in graph.relations]
    assert bounds[0] <= min(sizes) and max(sizes) <= bounds[1]
    assert max(len(graph.parents(r)) for r in graph.relations) >= 2  # at least one two-parent relation
    for u, v in [("place of birth", "country of citizenship"), ("country of citizenship", "native language"),
                 ("country of citizenship", "continent"), ("educated at", "field of work"),
                 ("field of work", "occupation")]:
        assert graph.has_edge(u, v), (u, v)
    # names are corpus-safe, and some contain connective words (nothing downstream may split naively)
    with_connectives = []
    for r in graph.relations:
        bridges.check_name(r, "relation")
        for o in graph.domain(r):
            bridges.check_name(o, f"object of {r}")
            if CONNECTIVE_WORDS & set(o.split()):
                with_connectives.append(o)
    assert "Trinidad and Tobago" in with_connectives
    assert any(" or " in o for o in with_connectives)


def test_default_world_size_fits_the_issue():
    # about 5,000 true facts, 8-9 relations, domains of tens of objects (continent has 6 by nature)
    spec = WORLDS["default"]
    assert 4500 <= spec.n_facts <= 5500
    assert WORLDS["paper"].n_facts == 100_000 and len(WORLDS["paper"].graph()) == 10


def test_person_names_are_unique_deterministic_and_safe():
    names = bridges.person_names(10_000, seed=3)
    assert len(set(names)) == 10_000
    assert names == bridges.person_names(10_000, seed=3)
    assert names[:50] != bridges.person_names(10_000, seed=4)[:50]
    for name in names[:2000]:
        bridges.check_name(name, "subject")
        assert not CONNECTIVE_WORDS & {w.lower() for w in name.split()}
    many = bridges.person_names(30_000, seed=0)  # beyond the two-part space: middle names
    assert len(set(many)) == 30_000 and all(len(n.split()) == 3 for n in many)
    with pytest.raises(ValueError, match="distinct person names"):
        bridges.person_names(10**9)


def test_build_world_is_deterministic_from_the_seed():
    a = bridges.build_world("tiny", seed=7)
    b = bridges.build_world("tiny", seed=7)
    c = bridges.build_world("tiny", seed=8)
    assert a.subjects == b.subjects
    assert all(np.array_equal(a.truth[r], b.truth[r]) for r in a.graph.relations)
    assert a.subjects != c.subjects
    assert a.evidence.eps == WORLDS["tiny"].options.eps


def test_overrides_and_bad_options():
    world = bridges.build_world("tiny", seed=0, n_subjects=7, eps=0.2)
    assert len(world.subjects) == 7 and world.evidence.eps == 0.2
    for eps in (1.0, -0.1, 1.5, float("nan")):
        with pytest.raises(WorldError, match=r"eps must be a number in \[0, 1\)"):
            bridges.resolve_world("tiny", eps=eps)
    with pytest.raises(WorldError, match="unknown option.*'epsilon'"):
        bridges.resolve_world("default", epsilon=0.1)
    with pytest.raises(WorldError, match="statement_noise"):
        bridges.resolve_world("default", statement_noise=0.5)


def test_unknown_world_name_lists_the_builtins():
    with pytest.raises(WorldError, match="unknown world 'nope'.*tiny, default, paper"):
        bridges.build_world("nope")
    with pytest.raises(WorldError, match="unknown world"):
        bridges.default_graph("nope")


def test_user_graph_file_from_examples():
    before = list(sys.path)
    spec = bridges.resolve_world(REPO / "examples" / "my_graph.py")
    assert sys.path == before  # loaded by path, no sys.path hack
    assert spec.n_subjects == 200  # from the file's WORLD dict
    graph = spec.graph()
    assert graph.parents("instrument") == ("country of citizenship", "genre")
    world = bridges.build_world(str(REPO / "examples" / "my_graph.py"), seed=1, n_subjects=12)
    assert len(world.subjects) == 12


def test_user_graph_file_variants(tmp_path):
    nx_file = tmp_path / "nx_graph.py"
    nx_file.write_text(
        "import networkx as nx\n"
        "def graph():\n"
        "    g = nx.DiGraph()\n"
        "    g.add_node('colour', domain=['red', 'blue'])\n"
        "    g.add_node('mood', domain=['calm', 'angry', 'sad'])\n"
        "    g.add_edge('colour', 'mood')\n"
        "    return g\n"
        "WORLD = {'n_subjects': 9, 'eps': 0.0}\n")
    world = bridges.build_world(nx_file, seed=0)
    assert world.graph.parents("mood") == ("colour",) and len(world.subjects) == 9

    no_graph = tmp_path / "empty.py"
    no_graph.write_text("x = 1\n")
    with pytest.raises(WorldError, match=r"empty\.py: defines no `graph`"):
        bridges.resolve_world(no_graph)

    bad_option = tmp_path / "bad_option.py"
    bad_option.write_text(nx_file.read_text().replace("'eps': 0.0", "'noise': 0.1"))
    with pytest.raises(WorldError, match=r"bad_option\.py: WORLD: unknown option.*'noise'"):
        bridges.resolve_world(bad_option)

    bad_eps = tmp_path / "bad_eps.py"
    bad_eps.write_text(nx_file.read_text().replace("'eps': 0.0", "'eps': 1.0"))
    with pytest.raises(WorldError, match="eps must be a number in"):
        bridges.resolve_world(bad_eps)

    cyclic = tmp_path / "cyclic.py"
    cyclic.write_text("import networkx as nx\ngraph = nx.DiGraph()\n"
                      "graph.add_node('a', domain=['x']); graph.add_node('b', domain=['y'])\n"
                      "graph.add_edges_from([('a', 'b'), ('b', 'a')])\n")
    with pytest.raises(WorldError, match=r"cyclic\.py: .*cycle"):
        bridges.resolve_world(cyclic)

    dotted = tmp_path / "dotted.py"
    dotted.write_text("from rational import RelationGraph\n"
                      "graph = RelationGraph().add_relation('born in', ['St. Louis', 'Paris'])\n")
    with pytest.raises(InvalidNameError, match=r"object of relation 'born in' 'St\. Louis' contains '\.'"):
        bridges.build_world(dotted)

    with pytest.raises(FileNotFoundError, match="missing.py"):
        bridges.resolve_world(tmp_path / "missing.py")


def test_import_bridges_is_light():
    code = ("import sys, bridges; heavy = [m for m in ('jax', 'sympy', 'torch') if m in sys.modules]; "
            "from bridges.world import tables; read = [f.__name__ for f in (tables.builtin_domains, "
            "tables.builtin_names, tables.builtin_associations) if f.cache_info().currsize]; "
            "print(','.join(heavy + read))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == ""  # nor are the data files read before a world needs them


def test_paper_world_graph_stays_tractable_for_exact_inference():
    # The moralised cliques bound the sum-product: a two-parent relation costs K_a * K_b * K_child
    # per subject. Keep them small so the exact agent scales to 10,000 subjects.
    graph = bridges.default_graph("paper")
    for r in graph.relations:
        assert math.prod(graph.cpt_shape(r)) <= 100_000, r
