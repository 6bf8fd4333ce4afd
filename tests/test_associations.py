"""Real-world associations (the centres of the built-in worlds' CPT rows): names, weights, reality, coverage."""

import math

import pytest

from bridges.world import load_domains
from bridges.world.associations import ASSOCIATIONS, association_coverage
from bridges.world.builtin import _DEFAULT, _EDGES, _PAPER, _TINY

_DOMAINS = load_domains()


def _rows():
    for child, by_parent in ASSOCIATIONS.items():
        for parent, rows in by_parent.items():
            for parent_object, row in rows.items():
                yield parent, child, parent_object, row


def _domains(sizes):
    return {relation: _DOMAINS[relation][:k] for relation, k in sizes.items()}


def test_names_are_domain_members_and_pairs_are_edges():
    edges = set(_EDGES)
    pairs = {(parent, child) for child, by_parent in ASSOCIATIONS.items() for parent in by_parent}
    assert pairs == edges  # every edge of the graph has associations, and nothing else does
    bad = []
    for parent, child, parent_object, row in _rows():
        if parent_object not in _DOMAINS[parent]:
            bad.append((parent, parent_object))
        bad += [(child, obj) for obj in row if obj not in _DOMAINS[child]]
    assert not bad, bad


def test_weights_are_positive_finite_and_rows_non_empty():
    for parent, child, parent_object, row in _rows():
        assert row, (parent, child, parent_object)
        for obj, weight in row.items():
            assert isinstance(weight, float) and math.isfinite(weight) and weight > 0, (parent_object, obj, weight)


def _top(child, parent, obj):
    row = ASSOCIATIONS[child][parent][obj]
    return max(row, key=row.get)


def test_spot_checks_of_reality():
    country = "country of citizenship"
    assert _top("native language", country, "France") == "French"
    assert _top("continent", country, "France") == "Europe"
    assert _top("native language", country, "Japan") == "Japanese"
    assert _top("continent", country, "Japan") == "Asia"
    assert _top("religion", country, "Japan") in {"Shinto", "Buddhism"}
    assert _top("country of citizenship", "place of birth", "Paris") == "France"
    assert _top("country of citizenship", "place of birth", "Port of Spain") == "Trinidad and Tobago"
    assert _top("occupation", "field of work", "physics") == "physicist"
    assert _top("occupation", "field of work", "law") == "lawyer"
    assert _top("award received", "field of work", "physics") == "Nobel Prize in Physics"
    assert _top("continent", country, "Trinidad and Tobago") == "North America"
    assert _top("native language", country, "Brazil") == "Portuguese"
    assert _top("field of work", "educated at", "Karolinska Institute") == "medicine"
    assert _top("field of work", "educated at", "London School of Economics and Political Science") == "economics"
    assert set(ASSOCIATIONS["native language"][country]["Switzerland"]) >= {"German", "French", "Italian"}
    assert "Sorbonne University" in ASSOCIATIONS["educated at"][country]["France"]


@pytest.mark.parametrize("sizes", [_TINY, _DEFAULT, _PAPER], ids=["tiny", "default", "paper"])
def test_coverage_is_a_share_for_each_edge_of_the_world(sizes):
    coverage = association_coverage(_domains(sizes))
    expected = {(u, v) for u, v in _EDGES if u in sizes and v in sizes}
    assert set(coverage) == expected
    assert all(0.0 <= share <= 1.0 for share in coverage.values())


def test_default_world_coverage():
    coverage = association_coverage(_domains(_DEFAULT))
    n_countries = _DEFAULT["country of citizenship"]
    for child in ("native language", "religion", "continent"):
        assert coverage[("country of citizenship", child)] * n_countries >= 25, child
    assert coverage[("field of work", "occupation")] >= 0.8
    assert coverage[("place of birth", "country of citizenship")] >= 0.75
    assert coverage[("educated at", "field of work")] == 1.0
    assert coverage[("continent", "award received")] == 1.0


def test_coverage_counts_only_objects_inside_the_given_domains():
    coverage = association_coverage({"field of work": ["physics", "law"], "occupation": ["physicist"]})
    assert coverage == {("field of work", "occupation"): 0.5}
    assert association_coverage({"field of work": ["physics"]}) == {}  # no child domain: no edge
