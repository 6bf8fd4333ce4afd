"""Worlds: built-in dependency graphs with real names, user graph files, triples files, and world files.

The built-in worlds' objects, people's names and real-world associations are CSV files in ``data/``, read by
:mod:`bridges.world.tables` on first use. ``import bridges.world`` is light (no jax, no data file read);
sampling imports :mod:`rational`.
"""

from .builtin import (WORLDS, WorldError, WorldSpec, build_world, default_graph, more_person_names, person_names,
                      resolve_world)
from .names import InvalidNameError, check_name, check_vocabulary
from .store import WORLD_FILE, load_world, save_world
from .tables import load_associations, load_domains, load_names
from .triples import Fact, TriplesError, load_triples

__all__ = [
    "WORLDS",
    "WORLD_FILE",
    "Fact",
    "InvalidNameError",
    "TriplesError",
    "WorldError",
    "WorldSpec",
    "build_world",
    "check_name",
    "check_vocabulary",
    "default_graph",
    "load_associations",
    "load_domains",
    "load_names",
    "load_triples",
    "load_world",
    "more_person_names",
    "person_names",
    "resolve_world",
    "save_world",
]
