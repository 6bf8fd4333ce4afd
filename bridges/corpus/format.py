"""The corpus format: file names, version, sentence and document markers, sentence types, errors.

A corpus directory holds ``corpus.jsonl`` (one document per line: ``{"text", "subject", "shuffle",
"part"}``) and ``metadata.json`` (see :func:`bridges.write_corpus`); the metadata records the number of
documents and the sha256 of ``corpus.jsonl``, which readers check, and ``format_version``, which must be
:data:`FORMAT_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CORPUS_FILE", "DEFAULT_CHUNK", "CorpusConfig", "DEFAULT_SHUFFLES", "END_OF_DOCUMENT", "FORMAT_VERSION", "METADATA_FILE", "SENTENCE_END",
           "SENTENCE_TYPES", "CorpusError"]

FORMAT_VERSION = 1
CORPUS_FILE = "corpus.jsonl"
METADATA_FILE = "metadata.json"
SENTENCE_END = " ."
END_OF_DOCUMENT = "<eod>"
DEFAULT_CHUNK = 10  # sentences about one subject per document, at most (the seed paper's documents)
DEFAULT_SHUFFLES = 8  # independent shuffles of every subject's sentences (each item of evidence this many times)
#: Sentence types, in the order of the summary: atomic mentions, then statements by connective.
SENTENCE_TYPES = ("mention", "true_false", "not", "and", "or", "implies")


class CorpusError(ValueError):
    """Bad corpus options, an unrenderable statement, or a corpus file that does not read back."""


@dataclass(frozen=True)
class CorpusConfig:
    """How a world's evidence is laid out as documents (the ``[corpus]`` section).

    Example:
        >>> CorpusConfig(shuffles=2).chunk
        10
    """

    shuffles: int = DEFAULT_SHUFFLES  # independent shuffles of every subject's sentences (shuffle 0 canonical)
    chunk: int = DEFAULT_CHUNK  # sentences about one subject per document, at most

    def __post_init__(self):
        for name in ("shuffles", "chunk"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CorpusError(f"{name} must be a positive integer, got {v!r}")
