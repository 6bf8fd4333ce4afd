"""``python -m bridges``: the command line (see :mod:`bridges.cli`)."""

from bridges.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
