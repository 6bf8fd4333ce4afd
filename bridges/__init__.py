"""Where the rational agent, the LM and the logic layer meet: worlds, corpora and the command line.

Quick start::

    import bridges
    world = bridges.build_world("default", seed=0)          # 560 people x 9 relations, real object names
    bridges.write_corpus(world, "runs/corpus", world_name="default")   # corpus.jsonl + metadata.json
    evidence = bridges.evidence_from_corpus("runs/corpus")   # the corpus parsed back: == world.evidence

or, from the shell, ``python -m bridges corpus --world default --out runs/corpus``.

``import bridges`` is light: it imports neither jax (``rational``) nor sympy (``coherence``) nor torch;
they are imported by the functions that need them.
"""

from ._believers import BayesBeliever, Believer, EditRequest, LMBeliever
from ._corpus import (
    CORPUS_FILE,
    DEFAULT_CHUNK,
    END_OF_DOCUMENT,
    FORMAT_VERSION,
    METADATA_FILE,
    SENTENCE_TYPES,
    CorpusError,
    CorpusSummary,
    evidence_from_corpus,
    graph_from_metadata,
    iter_documents,
    load_metadata,
    make_corpus,
    render_corpus,
    sentence_of_statement,
    split_sentences,
    statement_of_sentence,
    write_corpus,
)
from ._evaluate import CASES, GROUPS, EvaluateConfig, evaluate_requests, sample_requests, summarise
from ._io import (
    StagedOutputs,
    atomic_directory,
    atomic_open,
    atomic_outputs,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
)
from ._pipeline import STAGES, PipelineError, RunConfig, config_to_toml, load_config, run_pipeline, run_stage
from ._names import InvalidNameError, check_name, person_names
from ._wikidata import Fact, TriplesError, load_triples
from ._worlds import WORLDS, WorldError, WorldSpec, build_world, default_graph, resolve_world

__all__ = [
    # the edit benchmark
    "Believer",
    "BayesBeliever",
    "LMBeliever",
    "EditRequest",
    "EvaluateConfig",
    "CASES",
    "GROUPS",
    "sample_requests",
    "evaluate_requests",
    "summarise",
    "STAGES",
    "PipelineError",
    "RunConfig",
    "config_to_toml",
    "load_config",
    "run_pipeline",
    "run_stage",
    # worlds
    "WORLDS",
    "WorldError",
    "WorldSpec",
    "build_world",
    "default_graph",
    "resolve_world",
    "person_names",
    "check_name",
    "InvalidNameError",
    # corpus
    "CORPUS_FILE",
    "DEFAULT_CHUNK",
    "METADATA_FILE",
    "END_OF_DOCUMENT",
    "FORMAT_VERSION",
    "SENTENCE_TYPES",
    "CorpusError",
    "CorpusSummary",
    "render_corpus",
    "write_corpus",
    "make_corpus",
    "load_metadata",
    "graph_from_metadata",
    "iter_documents",
    "split_sentences",
    "evidence_from_corpus",
    "sentence_of_statement",
    "statement_of_sentence",
    # Wikidata5m-style triples
    "Fact",
    "TriplesError",
    "load_triples",
    # atomic outputs
    "StagedOutputs",
    "atomic_directory",
    "atomic_open",
    "atomic_outputs",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
]
