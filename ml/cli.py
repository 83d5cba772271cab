"""Dispatch ``python -m ml.train|ml.eval <task>`` to one task's module without importing the others."""
from __future__ import annotations

import importlib
import sys


def dispatch(prog: str, tasks: dict[str, str], argv: list[str] | None = None) -> int:
    """Run ``main(rest)`` of the module named for ``argv[0]``; print usage for help or an unknown task."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in tasks:
        print(f"usage: python -m {prog} {{{','.join(tasks)}}} [options]", file=sys.stderr)
        if argv and argv[0] not in {"-h", "--help"}:
            print(f"error: unknown task {argv[0]!r}", file=sys.stderr)
            return 2
        return 0
    module = importlib.import_module(tasks[argv[0]])
    return int(module.main(argv[1:]) or 0)
