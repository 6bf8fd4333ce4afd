"""Worlds: built-in dependency graphs with real names, user graph files, triples files, and world files.

``import bridges.world`` is light (no jax); sampling imports :mod:`rational`.
"""

from .builtin import WORLDS, WorldError, WorldSpec, build_world, default_graph, resolve_world
from .names import InvalidNameError, check_name, check_vocabulary, more_person_names, person_names
from .store import WORLD_FILE, load_world, save_world
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
    "load_triples",
    "load_world",
    "more_person_names",
    "person_names",
    "resolve_world",
    "save_world",
]
