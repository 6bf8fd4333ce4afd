"""Real-world associations between the built-in worlds' objects: the centres of their CPT rows.

:data:`ASSOCIATIONS` maps ``child relation -> parent relation -> parent object -> {child object: weight}``
for every edge of the built-in graph (see :mod:`bridges.world.builtin`): which country a city is in, which
languages a country's people speak natively, which fields a university is strong in... A world builder
draws each CPT row from a Dirichlet centred on its normalised row, so that a sampled world sends France to
French, not to Japanese. The tables are CSV files in ``bridges/world/data/associations/``, read on first
use; what the weights mean and where they come from is in that folder's README.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .tables import Associations, builtin_associations

__all__ = ["ASSOCIATIONS", "association_coverage"]

#: child relation -> parent relation -> parent object -> {child object: weight > 0} (see the module docstring).
ASSOCIATIONS: Associations  # read on first use (module __getattr__): `import bridges` parses no data file


def __getattr__(name: str):
    if name == "ASSOCIATIONS":
        return builtin_associations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def association_coverage(domains: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], float]:
    """For each ``(parent, child)`` edge of :data:`ASSOCIATIONS` whose two relations are in ``domains``, the
    share of the parent's objects that have at least one association inside the child's domain.

    ``domains`` maps a relation to its objects (a world's domains, e.g. the first ``k`` built-in names).
    Edges with a relation missing from ``domains``, or an empty parent domain, are left out.

        >>> cov = association_coverage({"country of citizenship": ["France", "Japan", "Kenya"],
        ...                             "native language": ["French", "Japanese", "German"],
        ...                             "continent": ["Europe", "Asia", "Africa"]})
        >>> cov[("country of citizenship", "native language")]  # Kenya's Swahili/English are missing
        0.6666666666666666
        >>> cov[("country of citizenship", "continent")]
        1.0
    """
    coverage: dict[tuple[str, str], float] = {}
    for child, by_parent in builtin_associations().items():
        if child not in domains:
            continue
        child_objects = set(domains[child])
        for parent, rows in by_parent.items():
            parent_objects = domains.get(parent)
            if not parent_objects:
                continue
            hits = sum(1 for obj in parent_objects if child_objects.intersection(rows.get(obj, {})))
            coverage[(parent, child)] = hits / len(parent_objects)
    return coverage
