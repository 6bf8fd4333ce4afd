"""The corpus: a world's evidence as text documents (write), and back as evidence (read).

Modules: :mod:`~bridges.corpus.format` (files, markers, version), :mod:`~bridges.corpus.sentences`
(evidence items <-> sentences), :mod:`~bridges.corpus.write`, :mod:`~bridges.corpus.read`.
"""

from .format import (CORPUS_FILE, DEFAULT_CHUNK, DEFAULT_SHUFFLES, END_OF_DOCUMENT, FORMAT_VERSION, METADATA_FILE, SENTENCE_TYPES,
                     CorpusConfig, CorpusError)
from .read import (evidence_from_corpus, file_sha256, graph_from_metadata, iter_documents, load_metadata,
                   verify_corpus)
from .sentences import sentence_of_statement, split_sentences, statement_of_sentence
from .write import CorpusSummary, make_corpus, render_corpus, write_corpus

__all__ = [
    "CORPUS_FILE",
    "DEFAULT_CHUNK",
    "DEFAULT_SHUFFLES",
    "END_OF_DOCUMENT",
    "FORMAT_VERSION",
    "METADATA_FILE",
    "SENTENCE_TYPES",
    "CorpusConfig",
    "CorpusError",
    "CorpusSummary",
    "evidence_from_corpus",
    "file_sha256",
    "graph_from_metadata",
    "iter_documents",
    "load_metadata",
    "make_corpus",
    "render_corpus",
    "sentence_of_statement",
    "split_sentences",
    "statement_of_sentence",
    "verify_corpus",
    "write_corpus",
]
