"""The language model (in progress)."""

__all__: list[str] = []
