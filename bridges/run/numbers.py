"""How the report writes a number and a figure with its interval (one place for every table)."""

from __future__ import annotations

__all__ = ["fmt", "num"]


def num(x: float, digits: int) -> str:
    """``x`` to ``digits`` decimals, never a negative zero ("-0.00").

    Example:
        >>> num(-0.0001, 2), num(0.1234, 3)
        ('0.00', '0.123')
    """
    return f"{round(x, digits) + 0.0:.{digits}f}"


def fmt(x: dict | None) -> str:
    """A mean and its 95% interval; "-" without data, the mean alone with one value.

    Example:
        >>> fmt({"mean": 0.5, "lo": -0.001, "hi": 0.9}), fmt({"mean": 0.5, "lo": None, "hi": None})
        ('0.500 [0.00,0.90]', '0.500')
    """
    if not x or x.get("mean") is None:
        return "-"
    if x.get("hi") is None:
        return num(x["mean"], 3)
    return f"{num(x['mean'], 3)} [{num(x['lo'], 2)},{num(x['hi'], 2)}]"
