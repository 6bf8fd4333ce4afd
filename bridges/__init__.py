"""Where the rational agent, the LM and the logic layer meet: worlds, corpora, the edit benchmark, the
pipeline and the command line.

Layout (each folder is one stage of the work)::

    bridges/world/    built-in worlds, names, triples loader, world files
    bridges/corpus/   the corpus format, sentence translation, writing and reading
    bridges/bench/    the Believer protocol, its agents, edit requests, evaluation, summary
    bridges/run/      the run config, the stages (one module each), the pipeline, its processes, the report
    bridges/cli.py    ``python -m bridges`` (the one command line)

Quick start::

    import bridges
    world = bridges.build_world("default", seed=0)          # 560 people x 9 relations, real object names
    bridges.write_corpus(world, "runs/corpus", world_name="default")   # corpus.jsonl + metadata.json
    evidence = bridges.evidence_from_corpus("runs/corpus")   # the corpus parsed back: == world.evidence

or, from the shell, ``python -m bridges run`` (every stage) or ``python -m bridges corpus --out DIR``.

``import bridges`` is light: it imports neither jax (``rational``) nor sympy (``coherence``) nor torch;
they are imported by the functions that need them.
"""

from .bench import (
    CASES,
    GROUPS,
    BayesBeliever,
    DatabaseBeliever,
    Believer,
    EditRequest,
    EvaluateConfig,
    InContextConfig,
    LMBeliever,
    PostEditBeliefs,
    SequentialConfig,
    Teacher,
    TeacherSettings,
    edit_all,
    evaluate,
    interval,
    knowledge,
    sample_requests,
    tuning_people,
    summarise,
)
from ._io import (
    StagedOutputs,
    atomic_directory,
    atomic_open,
    atomic_outputs,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
)
from .corpus import (
    CORPUS_FILE,
    CorpusConfig,
    DEFAULT_CHUNK,
    DEFAULT_SHUFFLES,
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
    verify_corpus,
    write_corpus,
)
from .run import (
    STAGES,
    PipelineError,
    RunConfig,
    config_to_toml,
    load_agents,
    load_posterior,
    load_config,
    load_requests,
    render_table,
    run_pipeline,
    run_stage,
    write_plots,
)
from .world import (
    WORLDS,
    Fact,
    InvalidNameError,
    TriplesError,
    WorldError,
    WorldSpec,
    build_world,
    check_name,
    check_vocabulary,
    default_graph,
    load_triples,
    load_world,
    more_person_names,
    person_names,
    resolve_world,
    save_world,
)

__all__ = [
    # the edit benchmark
    "Believer",
    "BayesBeliever",
    "DatabaseBeliever",
    "LMBeliever",
    "EditRequest",
    "EvaluateConfig",
    "InContextConfig",
    "PostEditBeliefs",
    "SequentialConfig",
    "Teacher",
    "TeacherSettings",
    "edit_all",
    "knowledge",
    "CASES",
    "GROUPS",
    "sample_requests",
    "tuning_people",
    "evaluate",
    "interval",
    "summarise",
    # the pipeline
    "STAGES",
    "PipelineError",
    "RunConfig",
    "config_to_toml",
    "load_config",
    "load_agents",
    "load_posterior",
    "load_requests",
    "run_pipeline",
    "run_stage",
    "render_table",
    "write_plots",
    # worlds
    "WORLDS",
    "WorldError",
    "WorldSpec",
    "build_world",
    "default_graph",
    "resolve_world",
    "save_world",
    "load_world",
    "person_names",
    "more_person_names",
    "check_name",
    "check_vocabulary",
    "InvalidNameError",
    # corpus
    "CORPUS_FILE",
    "CorpusConfig",
    "DEFAULT_CHUNK",
    "DEFAULT_SHUFFLES",
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
    "verify_corpus",
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
