"""Bad graphs and bad evidence raise errors that name the relation, object or subject at fault."""

import subprocess
import sys

import networkx as nx
import pytest

import rational
from rational import Evidence, EvidenceError, GraphError, RelationGraph, Statement


def _digraph(nodes, edges=()):
    g = nx.DiGraph()
    for name, attrs in nodes.items():
        g.add_node(name, **attrs)
    g.add_edges_from(edges)
    return g


@pytest.mark.parametrize("nodes, edges, match", [
    ({"a": dict(domain=["x"]), "b": dict(domain=["y"])}, [("a", "b"), ("b", "a")], "cycle: 'a' -> 'b' -> 'a'"),
    ({"a": dict(domain=["x"])}, [("a", "a")], "self-loop on relation 'a'"),
    ({"a": dict(domain=[])}, [], "relation 'a' has an empty domain"),
    ({"a": dict(domain=["x", "y", "x"])}, [], "relation 'a': duplicate object 'x'"),
    ({"a": dict(domain=["x"]), "b": dict()}, [("a", "b")], "relation 'b' has no domain"),
    ({"a": dict(domain=["x"], concentration=0.0)}, [], "relation 'a': Dirichlet concentration must be positive"),
    ({"a": dict(domain=["x", "y"], concentration=[1.0, -2.0])}, [], "concentration must be positive"),
    ({"a": dict(domain=["x", "y"], concentration=[1.0, 1.0, 1.0])}, [], "one number per object"),
    ({"a": dict(domain="xyz")}, [], "domain must be a list"),
    ({"a": dict(domain=["x", ""])}, [], "non-empty strings"),
])
def test_bad_graphs_name_the_fault(nodes, edges, match):
    with pytest.raises(GraphError, match=match):
        RelationGraph(_digraph(nodes, edges))


def test_cycles_are_rejected_when_the_edge_is_added():
    g = RelationGraph().add_relation("a", ["x"]).add_relation("b", ["y"]).add_relation("c", ["z"])
    g.add_edge("a", "b")
    g.add_edge("b", "c")
    with pytest.raises(GraphError, match="'c' -> 'a' closes a cycle"):
        g.add_edge("c", "a")
    with pytest.raises(GraphError, match="self-loop"):
        g.add_edge("b", "b")
    assert not g.has_edge("c", "a")


def test_an_empty_graph_is_an_error():
    with pytest.raises(GraphError, match="no relations"):
        RelationGraph().check()


def test_chains_and_several_parents_compile():
    g = RelationGraph(_digraph({"a": dict(domain=["x", "y"]), "b": dict(domain=["u"]),
                                "c": dict(domain=["p", "q"])}, [("a", "c"), ("b", "c")]))
    assert g.parents("c") == ("a", "b") and g.cpt_shape("c") == (2, 1, 2)
    assert callable(rational.compile(g))


def test_evidence_names_unknowns():
    g = rational.example_graph()
    ev = Evidence(g, ["Ann"])
    with pytest.raises(EvidenceError, match="unknown subject 'Bob'"):
        ev.add_mention("Bob", "country", "Japan")
    with pytest.raises(EvidenceError, match="unknown relation 'religion'"):
        ev.add_mention("Ann", "religion", "Japan")
    with pytest.raises(EvidenceError, match="unknown object 'Atlantis' for relation 'country'"):
        ev.add_mention("Ann", "country", "Atlantis")
    with pytest.raises(EvidenceError, match="duplicate subject name 'Ann'"):
        Evidence(g, ["Ann", "Ann"])


@pytest.mark.parametrize("eps", [-0.1, 1.0, 1.5])
def test_noise_rate_outside_unit_interval(eps):
    with pytest.raises(EvidenceError, match=r"eps must be in \[0, 1\)"):
        Evidence(rational.example_graph(), ["Ann"], eps=eps)


def test_statements_that_break_the_cost_model_fail_loudly():
    ev = Evidence(rational.example_graph(), ["Ann"])
    # language and continent are siblings (both children of country), not a parent -> child pair
    st = Statement.connective("and", "Ann", [("language", "French"), ("continent", "Asia")], True)
    with pytest.raises(EvidenceError, match=r"couples relations \['language', 'continent'\]"):
        ev.add_statement(st)
    ok = Statement.connective("or", "Ann", [("country", "Japan"), ("language", "French")], True)
    ev.add_statement(ok)


def test_statement_tables_are_checked():
    with pytest.raises(EvidenceError, match="truth table has 3 entries"):
        Statement("Ann", (("country", "Japan"), ("country", "France")), (True, False, True), True)
    with pytest.raises(EvidenceError, match="unknown connective 'xor'"):
        Statement.connective("xor", "Ann", [("country", "Japan")], True)


def test_contradictory_noise_free_evidence_is_named():
    g = RelationGraph().add_relation("a", ["x", "y"])
    ev = Evidence(g, ["Ann"], eps=0.0)
    ev.add_mention("Ann", "a", "x")
    ev.add_mention("Ann", "a", "y")
    with pytest.raises(EvidenceError, match="contradictory evidence: subject 'Ann', relation 'a'"):
        rational.fit(ev)


def test_import_rational_does_not_import_torch():
    code = "import sys, rational; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
