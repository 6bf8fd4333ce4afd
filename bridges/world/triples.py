"""A dependency graph from a user-supplied Wikidata5m-style triples file, the way the seed paper built one.

Input files (UTF-8, one record per line, tab-separated; empty lines are skipped):

* triples: ``subject_id<TAB>relation_id<TAB>object_id`` (e.g. ``Q42  P27  Q145``);
* names: ``entity_or_relation_id<TAB>name[<TAB>alias...]`` (Wikidata5m's ``entity.txt`` and
  ``relation.txt`` concatenated). Ids without a name are named by their id.

Selection, step by step:

1. **Functional facts.** A subject's object for a relation is the first one in file order (the world
   model has one true object per subject and relation; later objects are dropped).
2. **Domains.** Each relation keeps its ``max_objects`` most frequent objects (ties by id); facts with
   other objects are dropped.
3. **Co-occurrence.** Two relations co-occur in a subject that has a (kept) fact for both. Pairs are
   taken by decreasing co-occurrence (ties by name); a pair's relations join the graph while fewer
   than ``n_relations`` are chosen. Only pairs with at least ``min_cooccurrence`` shared subjects count.
4. **Edges.** Every chosen pair with at least ``min_cooccurrence`` shared subjects, by decreasing
   co-occurrence, becomes an edge oriented from the relation with fewer objects to the one with more
   (ties by name): a fixed total order, so the graph is always a DAG. A relation gets at most
   ``max_parents`` parents (later candidate edges into it are skipped), which bounds its CPT.

Names are made safe for corpus text: the reserved characters ``.`` ``"`` ``<`` ``>`` are removed and
whitespace collapsed ("St. Louis" -> "St Louis"); the first alias that is non-empty afterwards is used.
Entities that share a name within a relation's domain (or subjects that share one) are told apart by
their id ("Springfield Q151076").
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .names import RESERVED_CHARACTERS

if TYPE_CHECKING:
    from rational import RelationGraph

__all__ = ["Fact", "TriplesError", "load_triples"]


class TriplesError(ValueError):
    """A malformed triples or names file (with file name and line number), or too few co-occurrences."""


class Fact(NamedTuple):
    """A fact ``subject relation object`` by names, as the corpus writes it."""

    subject: str
    relation: str
    object: str


_CLEAN = str.maketrans({ch: " " for ch in RESERVED_CHARACTERS})


def _clean(name: str) -> str:
    """Remove reserved characters and collapse whitespace; 'Washington, D.C.' -> 'Washington, DC'."""
    name = name.replace(".", "")  # dots inside words (D.C., St.) vanish instead of splitting the word
    return " ".join(name.translate(_CLEAN).split())


def _records(path: Path, n_fields: int, exact: bool, what: str):
    """(line number, fields) for every non-empty line; malformed lines raise TriplesError naming them."""
    if not path.is_file():
        raise FileNotFoundError(f"{what} file {str(path)!r} not found")
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                raise TriplesError(f"{path}:{lineno}: not UTF-8 text ({err.reason} at byte {err.start}): is this "
                                   f"a {what} file?") from None
            if not line.strip():
                continue
            fields = line.split("\t")
            if (len(fields) != n_fields) if exact else (len(fields) < n_fields):
                expected = f"{n_fields}" if exact else f"at least {n_fields}"
                raise TriplesError(f"{path}:{lineno}: expected {expected} tab-separated fields in this {what} "
                                   f"line, got {len(fields)}: {line[:120]!r}")
            if not all(field.strip() for field in fields[:n_fields]):
                raise TriplesError(f"{path}:{lineno}: empty field in this {what} line: {line[:120]!r}")
            yield lineno, [field.strip() for field in fields]


def _read_names(path: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    where: dict[str, int] = {}
    for lineno, fields in _records(path, 2, exact=False, what="names"):
        ident = fields[0]
        if ident in where:
            raise TriplesError(f"{path}:{lineno}: id {ident!r} is named twice (first on line {where[ident]})")
        where[ident] = lineno
        cleaned = next((c for c in map(_clean, fields[1:]) if c), None)
        if cleaned is not None:
            names[ident] = cleaned
    return names


def load_triples(triples_path: str | os.PathLike, names_path: str | os.PathLike, n_relations: int = 10, *,
                 min_cooccurrence: int = 20, max_objects: int = 50, max_parents: int = 2
                 ) -> tuple[RelationGraph, list[Fact]]:
    """Pick the most co-occurring relations of a triples file into a dependency graph.

    See the module docstring for the selection rules.

    Args:
        triples_path: ``subject_id<TAB>relation_id<TAB>object_id`` per line.
        names_path: ``id<TAB>name[<TAB>alias...]`` per line, for entities and relations.
        n_relations: how many relations the graph gets.
        min_cooccurrence: least number of shared subjects for a pair of relations to count.
        max_objects: the most frequent objects kept per relation (its domain).
        max_parents: the most parents a relation gets.

    Returns:
        ``(graph, facts)``: a :class:`rational.RelationGraph` over the chosen relations (relation and
        object names from the names file), and every kept fact of the chosen relations as a
        :class:`Fact` of names, subjects in order of first appearance.

    Raises:
        TriplesError: a malformed line (``file:line`` in the message), or fewer than ``n_relations``
            relations co-occurring often enough (the message names the best pairs and their counts).
        FileNotFoundError: a missing file.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> pairs = [("Q1", "Q3")] * 3 + [("Q2", "Q4")] * 2  # (country, language) of p0..p4
        >>> rows = [f"p{i}\\tP27\\t{c}\\np{i}\\tP103\\t{l}" for i, (c, l) in enumerate(pairs)]
        >>> _ = (d / "triples.txt").write_text("\\n".join(rows))
        >>> _ = (d / "names.txt").write_text("P27\\tcountry of citizenship\\nP103\\tnative language\\nQ1\\tFrance\\n"
        ...                                  "Q2\\tTrinidad and Tobago\\nQ3\\tFrench\\nQ4\\tEnglish\\n")
        >>> graph, facts = load_triples(d / "triples.txt", d / "names.txt", n_relations=2, min_cooccurrence=5)
        >>> graph.parents("native language"), facts[0]
        (('country of citizenship',), Fact(subject='p0', relation='country of citizenship', object='France'))
    """
    from rational import RelationGraph

    for option, value, least in (("n_relations", n_relations, 2), ("min_cooccurrence", min_cooccurrence, 1),
                                 ("max_objects", max_objects, 1), ("max_parents", max_parents, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise TriplesError(f"{option} must be an integer >= {least}, got {value!r}")
    triples_path, names_path = Path(triples_path), Path(names_path)
    names = _read_names(names_path)

    # 1. functional facts: relation -> subject id -> first object id
    table: dict[str, dict[str, str]] = {}
    subject_order: dict[str, None] = {}
    for _, (s, r, o) in _records(triples_path, 3, exact=True, what="triples"):
        table.setdefault(r, {}).setdefault(s, o)
        subject_order.setdefault(s, None)
    if not table:
        raise TriplesError(f"{triples_path}: no triples")

    # 2. domains: the max_objects most frequent objects of each relation
    domains: dict[str, list[str]] = {}
    for r, facts in table.items():
        freq = Counter(facts.values())
        domains[r] = sorted(freq, key=lambda o: (-freq[o], o))[:max_objects]
        keep = set(domains[r])
        table[r] = {s: o for s, o in facts.items() if o in keep}

    def name_of(ident: str) -> str:
        name = names.get(ident) or _clean(ident)
        if not name:
            raise TriplesError(f"{names_path}: id {ident!r} has no name and is not usable as one; name it")
        return name

    rel_name = name_of

    # 3. co-occurrence of relation pairs over subjects
    by_subject: dict[str, list[str]] = {}
    for r in sorted(table):
        for s in table[r]:
            by_subject.setdefault(s, []).append(r)
    pairs: Counter = Counter()
    for rels in by_subject.values():
        pairs.update(combinations(rels, 2))  # rels are sorted, so each pair has one orientation
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], sorted(map(rel_name, kv[0]))))
    chosen: list[str] = []
    for (a, b), count in ranked:
        if count < min_cooccurrence:
            break
        new = [r for r in (a, b) if r not in chosen]
        if len(chosen) + len(new) <= n_relations:
            chosen.extend(new)
        if len(chosen) == n_relations:
            break
    if len(chosen) < n_relations:
        best_of = Counter()
        for (a, b), c in pairs.items():
            best_of[a], best_of[b] = max(best_of[a], c), max(best_of[b], c)
        left = sorted((r for r in table if r not in chosen), key=lambda r: (-best_of[r], rel_name(r)))
        short = ", ".join(f"{rel_name(r)!r} (at most {best_of[r]})" for r in left[:8]) or "none"
        have = ", ".join(repr(rel_name(r)) for r in chosen) or "none"
        top = ", ".join("{!r} & {!r}: {}".format(*sorted(map(rel_name, ab)), c) for ab, c in ranked[:5]) or "none"
        raise TriplesError(
            f"{triples_path}: only {len(chosen)} relation(s) ({have}) co-occur with another in at least "
            f"{min_cooccurrence} subjects, {n_relations} asked for; too few shared subjects for {short}; "
            f"the most co-occurring pairs are {top}. Lower min_cooccurrence or n_relations, or raise "
            "max_objects")

    # 4. edges: most co-occurring chosen pairs, oriented by (number of objects, name)
    graph = RelationGraph()
    rank = {r: (len(domains[r]), rel_name(r), r) for r in chosen}
    display = _unique_names({r: rel_name(r) for r in chosen})
    objects = {}
    for r in sorted(chosen, key=rank.__getitem__):
        objects[r] = _unique_names({o: name_of(o) for o in domains[r]})
        graph.add_relation(display[r], [objects[r][o] for o in domains[r]])
    chosen_set = set(chosen)
    for (a, b), count in ranked:
        if count < min_cooccurrence:
            break
        if a in chosen_set and b in chosen_set:
            parent, child = sorted((a, b), key=rank.__getitem__)
            if len(graph.parents(display[child])) < max_parents:
                graph.add_edge(display[parent], display[child])
    graph.check()

    subjects = _unique_names({s: name_of(s) for s in subject_order
                              if any(s in table[r] for r in chosen)})
    facts = [Fact(subjects[s], display[r], objects[r][table[r][s]])
             for s in subjects for r in _graph_order(graph, display) if s in table[r]]
    return graph, facts


def _graph_order(graph: RelationGraph, display: dict[str, str]) -> list[str]:
    """Relation ids in the graph's topological order."""
    ids = {name: r for r, name in display.items()}
    return [ids[name] for name in graph.relations]


def _unique_names(named: dict[str, str]) -> dict[str, str]:
    """id -> name, with the id appended to every name shared by several ids."""
    freq = Counter(named.values())
    return {ident: (name if freq[name] == 1 else f"{name} {_clean(ident)}")
            for ident, name in named.items()}
