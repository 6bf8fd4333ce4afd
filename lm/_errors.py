"""Errors raised by :mod:`lm`: each names the offending file, preset, word or setting."""

from __future__ import annotations

__all__ = ["CheckpointError", "LMError", "VocabularyError"]


class LMError(ValueError):
    """Base class: bad input to :mod:`lm` (unknown preset, bad config, bad corpus)."""


class CheckpointError(LMError):
    """A missing or corrupt checkpoint, or a tokenizer that does not match the model."""


class VocabularyError(LMError):
    """A word (e.g. an edit's object) that the tokenizer does not know."""
