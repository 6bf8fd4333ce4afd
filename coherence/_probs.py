"""Validation of probabilities handed to the checks and the coherence distance."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Values this far outside [0, 1] are accepted (and used unchanged) as floating-point
# round-off of an exact computation, e.g. a sum of masses that comes to 1 + 2e-16.
PROB_SLACK = 1e-9


def as_probabilities(values, count: int, describe: Callable[[int], str], what: str = "probability") -> np.ndarray:
    """``values`` as a float array of length ``count``, each in [0, 1] (up to :data:`PROB_SLACK`).

    Raises:
        ValueError: on a wrong length, or a value that is NaN or outside [0, 1];
            the message names the sentence via ``describe(position)``.
    """
    array = np.asarray(values, dtype=float)
    if array.shape != (count,):
        raise ValueError(f"expected {count} {what} values, got an array of shape {array.shape}")
    bad = ~((array >= -PROB_SLACK) & (array <= 1.0 + PROB_SLACK))  # NaN compares False
    if bad.any():
        pos = int(np.argmax(bad))
        raise ValueError(f"{what} of {describe(pos)!r} is {float(array[pos])!r}, not a probability in [0, 1]")
    return array
