"""A word-level tokenizer trained on the corpus with the ``tokenizers`` library.

Words are whitespace-separated; the statement quote ``"`` and the parentheses of compound operands are
split off as tokens of their own. Because no token spans a space, tokenization is compositional:
``encode(a + " " + b) == encode(a) + encode(b)``, which is what lets scoring concatenate a prompt and a
continuation in token space. Special tokens: ``<pad>`` (0), ``<unk>`` (1), ``<eod>`` (2); the rest is
ordered by decreasing corpus frequency, then alphabetically, so the same corpus gives the same ids.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Regex, Tokenizer, pre_tokenizers
from tokenizers.models import WordLevel
from tokenizers.trainers import WordLevelTrainer

from ._errors import CheckpointError, VocabularyError

__all__ = ["TOKENIZER_FILE", "WordTokenizer", "train_tokenizer"]

TOKENIZER_FILE = "tokenizer.json"
PAD, UNK, EOD = "<pad>", "<unk>", "<eod>"
END = "."  # every sentence ends with " ."
#: The corpus language's own words, always in the vocabulary (scoring needs them even if a corpus lacks them).
STRUCTURE = (END, '"', "(", ")", "is", "true", "false", "not", "and", "or", "if", "then")


class WordTokenizer:
    """A ``tokenizers.Tokenizer`` with the ids scoring needs and strict encoding.

    Attributes:
        tokenizer: the underlying ``tokenizers.Tokenizer``.
        pad_id, unk_id, eod_id: ids of ``<pad>``, ``<unk>``, ``<eod>``.
        end_id: id of the sentence end ``.``.
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        vocab = tokenizer.get_vocab()
        missing = [t for t in (PAD, UNK, EOD, END) if t not in vocab]
        if missing:
            raise VocabularyError(f"tokenizer lacks the required tokens {missing}")
        self.pad_id, self.unk_id, self.eod_id, self.end_id = (vocab[t] for t in (PAD, UNK, EOD, END))

    @property
    def vocab_size(self) -> int:
        """Number of tokens, special tokens included."""
        return self.tokenizer.get_vocab_size()

    def token_id(self, word: str) -> int:
        """The id of one word; :class:`VocabularyError` if it is not in the vocabulary."""
        i = self.tokenizer.token_to_id(word)
        if i is None:
            raise VocabularyError(f"{word!r} is not in the tokenizer's vocabulary")
        return i

    def encode(self, texts: Sequence[str], what: str = "text") -> list[list[int]]:
        """Token ids of each text; raises :class:`VocabularyError` naming any unknown word.

        Args:
            texts: strings to encode (no special tokens are added).
            what: what the texts are, for the error message (e.g. ``"object"``).

        Example:
            >>> tok = train_tokenizer(['"Ann lives in Paris" is true . <eod>'])
            >>> tok.encode(["Ann lives in Paris ."]) == [[tok.token_id(w) for w in "Ann lives in Paris .".split()]]
            True
        """
        encs = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for text, enc in zip(texts, encs):
            if self.unk_id in enc.ids:
                words = [w for w, _ in self.tokenizer.pre_tokenizer.pre_tokenize_str(text)
                         if self.tokenizer.token_to_id(w) is None]
                raise VocabularyError(f"{what} {text!r} contains words not in the vocabulary: {words}")
        return [e.ids for e in encs]

    def decode(self, ids: Iterable[int]) -> str:
        """Words joined by single spaces (special tokens kept)."""
        return self.tokenizer.decode(list(ids), skip_special_tokens=False)

    def fingerprint(self) -> str:
        """sha256 of the serialised tokenizer: a model records it to detect a mismatched tokenizer."""
        return hashlib.sha256(self.tokenizer.to_str().encode()).hexdigest()

    def save(self, directory: str | os.PathLike) -> None:
        """Write ``tokenizer.json`` into ``directory``."""
        self.tokenizer.save(str(Path(directory) / TOKENIZER_FILE))

    @classmethod
    def load(cls, directory: str | os.PathLike) -> WordTokenizer:
        """Read ``tokenizer.json`` from ``directory``; :class:`CheckpointError` if missing or corrupt."""
        path = Path(directory) / TOKENIZER_FILE
        if not path.is_file():
            raise CheckpointError(f"no tokenizer at {path}")
        try:
            tok = Tokenizer.from_file(str(path))
        except Exception as e:  # tokenizers raises a bare Exception on malformed JSON
            raise CheckpointError(f"corrupt tokenizer file {path}: {e}") from e
        return cls(tok)


def _pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    return pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                    pre_tokenizers.Split(Regex('["()]'), behavior="isolated")])


def train_tokenizer(texts: Iterable[str], extra_words: Iterable[str] = ()) -> WordTokenizer:
    """Train a word-level tokenizer on ``texts``; every word in ``extra_words`` is added too.

    Args:
        texts: corpus documents (``<eod>`` markers are recognised as the special token).
        extra_words: names that must be in the vocabulary even if the text never uses them
            (e.g. the objects of held-out facts), as strings of space-separated words.

    Returns:
        A :class:`WordTokenizer`; the same inputs give the same vocabulary and ids.

    Example:
        >>> tok = train_tokenizer(["Ann lives in Paris . <eod>"], extra_words=["Rome"])
        >>> tok.decode(tok.encode(["Ann lives in Rome ."])[0])
        'Ann lives in Rome .'
    """
    tok = Tokenizer(WordLevel(unk_token=UNK))
    tok.pre_tokenizer = _pre_tokenizer()
    trainer = WordLevelTrainer(special_tokens=[PAD, UNK, EOD], min_frequency=1, vocab_size=1 << 30,
                               show_progress=False)
    # <eod> is stripped from the text so that it is counted only once, as a special token
    stream = (t.replace(EOD, " ") for t in texts)
    tok.train_from_iterator(_chain(stream, STRUCTURE, extra_words), trainer)
    return WordTokenizer(tok)


def _chain(*iterables: Iterable[str]) -> Iterable[str]:
    for it in iterables:
        yield from it
