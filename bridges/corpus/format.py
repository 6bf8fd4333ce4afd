"""The corpus format: file names, version, sentence and document markers, sentence types, errors.

A corpus directory holds ``corpus.jsonl`` (one document per line: ``{"text", "subject", "shuffle",
"part"}``) and ``metadata.json`` (see :func:`bridges.write_corpus`); the metadata records the number of
documents and the sha256 of ``corpus.jsonl``, which readers check, and ``format_version``, which must be
:data:`FORMAT_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CORPUS_FILE", "DEFAULT_CHUNK", "CorpusConfig", "check_layout", "DEFAULT_SHUFFLES", "END_OF_DOCUMENT", "FORMAT_VERSION", "METADATA_FILE", "SENTENCE_END",
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

def check_layout(shuffles: int, chunk: int, multi_person_share: float = 0.0,
                 people_per_document: int | tuple[int, int] = 2, fresh_share: float = 0.0) -> tuple[int, int]:
    """Validate a corpus layout (:class:`CorpusError` naming the setting); returns ``people_per_document`` as a
    (lo, hi) range.

    Example:
        >>> check_layout(8, 10, multi_person_share=0.3, people_per_document=3)
        (3, 3)
    """
    if not isinstance(shuffles, int) or isinstance(shuffles, bool) or shuffles < 1:
        raise CorpusError(f"shuffles must be a positive integer, got {shuffles!r}")
    if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
        raise CorpusError(f"chunk (sentences per document) must be a positive integer, got {chunk!r}")
    if isinstance(multi_person_share, bool) or not isinstance(multi_person_share, (int, float)) \
            or not 0 <= multi_person_share <= 1:
        raise CorpusError(f"multi_person_share must be a number in [0, 1], got {multi_person_share!r}")
    if isinstance(fresh_share, bool) or not isinstance(fresh_share, (int, float)) or not 0 <= fresh_share <= 1:
        raise CorpusError(f"fresh_share must be a number in [0, 1], got {fresh_share!r}")
    if fresh_share and shuffles < 2:
        raise CorpusError("fresh_share needs 2 shuffles or more (shuffle 0 holds the fresh sentences, read once)")
    ppd = people_per_document
    ppd = (ppd, ppd) if isinstance(ppd, int) and not isinstance(ppd, bool) else tuple(ppd) \
        if isinstance(ppd, (list, tuple)) else None
    if ppd is None or len(ppd) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in ppd) \
            or not 2 <= ppd[0] <= ppd[1]:
        raise CorpusError(f"people_per_document must be an integer >= 2 or [lo, hi] with 2 <= lo <= hi, got "
                          f"{people_per_document!r}")
    return ppd


@dataclass(frozen=True)
class CorpusConfig:
    """How a world's evidence is laid out as documents (the ``[corpus]`` section).

    Example:
        >>> CorpusConfig(shuffles=2).chunk
        10
    """

    shuffles: int = DEFAULT_SHUFFLES  # independent shuffles of every subject's sentences (shuffle 0 canonical)
    chunk: int = DEFAULT_CHUNK  # sentences about one subject per document, at most
    multi_person_share: float = 0.0  # share of each shuffle's documents joined into documents about several
    #                                  people (what is said about one person bears on nobody else)
    people_per_document: int | tuple[int, int] = 2  # people per joined document (a number or [lo, hi])
    fresh_share: float = 0.0  # share of known people's repeated mentions read once only (shuffle 0), beside
    #                           what the LM remembers of them, as it meets an in-context edit

    def __post_init__(self):
        for name in ("shuffles", "chunk"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CorpusError(f"{name} must be a positive integer, got {v!r}")
        if isinstance(self.people_per_document, list):
            object.__setattr__(self, "people_per_document", tuple(self.people_per_document))
        check_layout(self.shuffles, self.chunk, self.multi_person_share, self.people_per_document, self.fresh_share)

    def layout(self) -> dict:
        """The keyword arguments of :func:`bridges.write_corpus` this section sets."""
        return {"shuffles": self.shuffles, "chunk": self.chunk, "multi_person_share": self.multi_person_share,
                "people_per_document": self.people_per_document, "fresh_share": self.fresh_share}
