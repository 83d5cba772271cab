"""Evaluate one of Atelier's models: ``python -m ml.eval <task> [options]``.

Each task lives in its own package; this module only dispatches so that ``--help`` of one
task never imports another task's code.
"""
from __future__ import annotations

import importlib
import sys

TASKS = {
    "segmentation": "ml.segmentation.evaluate",
    "superres": "ml.superres.evaluate",
    "generative": "ml.generative.evaluate",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in TASKS:
        print("usage: python -m ml.eval {%s} [options]" % ",".join(TASKS), file=sys.stderr)
        if argv and argv[0] not in {"-h", "--help"}:
            print(f"error: unknown task {argv[0]!r}", file=sys.stderr)
            return 2
        return 0
    module = importlib.import_module(TASKS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
