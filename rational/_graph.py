"""The dependency graph over knowledge-base relations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod

import networkx as nx
import numpy as np

__all__ = ["GraphError", "RelationGraph"]


class GraphError(ValueError):
    """A dependency graph that cannot be compiled; the message names the relation or object at fault."""


class RelationGraph(nx.DiGraph):
    """A DAG of relations; an edge ``u -> r`` means the object of ``r`` depends on the object of ``u``.

    Every node is a relation with a ``domain`` (a non-empty list of distinct object names) and an
    optional Dirichlet ``concentration`` (a positive number, or one positive number per object;
    default 1.0). Cycles and self-loops are rejected when the edge is added; :meth:`check` validates
    the whole graph and is called by everything that compiles it.

    Args:
        incoming_graph_data: anything ``networkx.DiGraph`` accepts, e.g. an existing DiGraph whose
            nodes carry ``domain`` attributes. It is checked at once.

    Example:
        >>> import networkx as nx
        >>> g = nx.DiGraph()
        >>> g.add_node("country", domain=["France", "Japan"])
        >>> g.add_node("language", domain=["French", "Japanese", "English"], concentration=0.5)
        >>> g.add_edge("country", "language")
        >>> graph = RelationGraph(g)
        >>> graph.parents("language"), graph.size_of("language")
        (('country',), 3)
    """

    def __init__(self, incoming_graph_data=None, **attr):
        super().__init__(None, **attr)
        if incoming_graph_data is not None:
            source = nx.DiGraph(incoming_graph_data)
            self.graph.update(source.graph)
            self.add_nodes_from(source.nodes(data=True))
            for u, v, data in source.edges(data=True):
                self.add_edge(u, v, **data)  # names the cycle or self-loop, if any
            self.check()

    # -- building ------------------------------------------------------------------------------
    def add_relation(self, name: str, domain: Sequence[str], concentration=1.0) -> RelationGraph:
        """Add a relation node with its domain and Dirichlet concentration; returns ``self``.

        Example:
            >>> g = RelationGraph().add_relation("country", ["France", "Japan"])
            >>> g.domain("country")
            ('France', 'Japan')
        """
        self.add_node(name, domain=list(domain), concentration=concentration)
        self._check_node(name)
        return self

    def add_edge(self, u_of_edge, v_of_edge, **attr):
        """Add ``u -> v``; raises :class:`GraphError` for a self-loop, an edge that closes a cycle, or an
        endpoint that is not a relation yet (add it with :meth:`add_relation` first)."""
        for end in (u_of_edge, v_of_edge):
            if end not in self:
                raise GraphError(f"edge {u_of_edge!r} -> {v_of_edge!r}: unknown relation {end!r}; add it with "
                                 "add_relation(name, domain) first")
        if u_of_edge == v_of_edge:
            raise GraphError(f"self-loop on relation {u_of_edge!r}: a relation cannot depend on itself")
        if nx.has_path(self, v_of_edge, u_of_edge):
            cycle = nx.shortest_path(self, v_of_edge, u_of_edge)
            raise GraphError(
                f"edge {u_of_edge!r} -> {v_of_edge!r} closes a cycle: "
                + " -> ".join(map(repr, [*cycle, v_of_edge]))
            )
        super().add_edge(u_of_edge, v_of_edge, **attr)

    def add_edges_from(self, ebunch_to_add, **attr):
        for edge in ebunch_to_add:
            self.add_edge(*edge[:2], **(edge[2] if len(edge) > 2 else {}), **attr)

    # -- validation ----------------------------------------------------------------------------
    def _check_node(self, r) -> None:
        data = self.nodes[r]
        if "domain" not in data or data["domain"] is None:
            raise GraphError(f"relation {r!r} has no domain: give the node a 'domain' list of object names")
        domain = data["domain"]
        if isinstance(domain, str) or not isinstance(domain, Iterable):
            raise GraphError(f"relation {r!r}: domain must be a list of object names, got {domain!r}")
        domain = list(domain)
        if not domain:
            raise GraphError(f"relation {r!r} has an empty domain")
        seen = set()
        for obj in domain:
            if not isinstance(obj, str) or not obj.strip():
                raise GraphError(f"relation {r!r}: object names must be non-empty strings, got {obj!r}")
            if obj in seen:
                raise GraphError(f"relation {r!r}: duplicate object {obj!r} in its domain")
            seen.add(obj)
        conc = np.asarray(data.get("concentration", 1.0), dtype=float)
        if conc.ndim > 1 or (conc.ndim == 1 and conc.shape[0] != len(domain)):
            raise GraphError(
                f"relation {r!r}: concentration must be a number or one number per object "
                f"({len(domain)}), got shape {conc.shape}"
            )
        if not np.all(np.isfinite(conc)) or np.any(conc <= 0):
            raise GraphError(f"relation {r!r}: Dirichlet concentration must be positive, got {data.get('concentration')!r}")

    def check(self) -> RelationGraph:
        """Validate the whole graph (DAG, domains, concentrations); returns ``self`` or raises GraphError.

        Example:
            >>> RelationGraph().add_relation("a", ["x"]).check().relations
            ('a',)
        """
        if len(self) == 0:
            raise GraphError("the graph has no relations")
        for u, v in self.edges:
            if u == v:
                raise GraphError(f"self-loop on relation {u!r}: a relation cannot depend on itself")
        if not nx.is_directed_acyclic_graph(self):
            cycle = nx.find_cycle(self)
            raise GraphError("the dependency graph has a cycle: " + " -> ".join(repr(u) for u, _ in cycle)
                             + f" -> {cycle[0][0]!r}")
        for r in self.nodes:
            if not isinstance(r, str) or not r.strip():
                raise GraphError(f"relation names must be non-empty strings, got {r!r}")
            self._check_node(r)
        return self

    # -- queries -------------------------------------------------------------------------------
    @property
    def relations(self) -> tuple[str, ...]:
        """Relations in a deterministic topological order (parents first, ties by name)."""
        return tuple(nx.lexicographical_topological_sort(self))

    def parents(self, r: str) -> tuple[str, ...]:
        """Parents of ``r`` in a fixed order (topological, then by name)."""
        self._require(r)
        order = {name: i for i, name in enumerate(self.relations)}
        return tuple(sorted(self.predecessors(r), key=order.__getitem__))

    def domain(self, r: str) -> tuple[str, ...]:
        """The object names of relation ``r``."""
        self._require(r)
        return tuple(self.nodes[r]["domain"])

    def size_of(self, r: str) -> int:
        """Number of objects in the domain of ``r``."""
        return len(self.domain(r))

    def concentration(self, r: str) -> np.ndarray:
        """Dirichlet concentration vector of ``r`` (one entry per object)."""
        self._require(r)
        conc = np.asarray(self.nodes[r].get("concentration", 1.0), dtype=float)
        return np.broadcast_to(conc, (self.size_of(r),)).copy()

    def cpt_shape(self, r: str) -> tuple[int, ...]:
        """Shape of the CPT of ``r``: one axis per parent, then ``r`` itself."""
        return (*(self.size_of(p) for p in self.parents(r)), self.size_of(r))

    def n_rows(self, r: str) -> int:
        """Number of parent configurations (Dirichlet rows) of ``r``."""
        return prod(self.cpt_shape(r)[:-1])

    def object_index(self, r: str, obj: str) -> int:
        """Index of ``obj`` in the domain of ``r``; raises KeyError naming both if absent."""
        index = self._object_indices(r)
        if obj not in index:
            raise KeyError(f"unknown object {obj!r} for relation {r!r} (domain has {len(index)} objects)")
        return index[obj]

    def _object_indices(self, r: str) -> dict[str, int]:
        cache = self.__dict__.setdefault("_object_index_cache", {})
        key = (r, id(self.nodes[r]["domain"]), len(self.nodes[r]["domain"]))
        if key not in cache:
            cache[key] = {o: i for i, o in enumerate(self.domain(r))}
        return cache[key]

    def _require(self, r) -> None:
        if r not in self:
            raise KeyError(f"unknown relation {r!r}; known relations: {sorted(self.nodes)}")

    def linked(self, a: str, b: str) -> bool:
        """True when ``a`` is a parent of ``b`` or ``b`` a parent of ``a``."""
        return self.has_edge(a, b) or self.has_edge(b, a)

    # -- JSON ----------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """The graph as plain JSON data: ``{"relations": [{name, domain, concentration, parents}, ...]}``,
        relations in topological order (what corpus metadata and run directories record).

        Example:
            >>> g = RelationGraph().add_relation("a", ["x", "y"]).add_relation("b", ["z"], 0.5)
            >>> g.add_edge("a", "b")
            >>> RelationGraph.from_json(g.to_json()).parents("b")
            ('a',)
        """
        relations = []
        for r in self.relations:
            conc = np.asarray(self.nodes[r].get("concentration", 1.0), dtype=float)
            relations.append({"name": r, "domain": list(self.domain(r)), "concentration": conc.tolist(),
                              "parents": list(self.parents(r))})
        return {"relations": relations}

    @classmethod
    def from_json(cls, data) -> RelationGraph:
        """Rebuild a graph written by :meth:`to_json`; :class:`GraphError` names what is malformed."""
        try:
            relations = data["relations"]
            graph = cls()
            for rel in relations:
                graph.add_relation(rel["name"], rel["domain"], rel.get("concentration", 1.0))
            for rel in relations:
                for parent in rel["parents"]:
                    graph.add_edge(parent, rel["name"])
        except (KeyError, TypeError) as err:
            raise GraphError(f"not a graph in JSON form (expected relations: [{{name, domain, concentration, "
                             f"parents}}]): {type(err).__name__}: {err}") from None
        return graph.check()
