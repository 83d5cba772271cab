"""Evaluate one of Atelier's models: ``python -m ml.eval <task> [options]``."""
from __future__ import annotations

from ml.cli import dispatch

TASKS = {
    "segmentation": "ml.segmentation.evaluate",
    "superres": "ml.superres.evaluate",
    "generative": "ml.generative.evaluate",
    "search": "ml.embedding.evaluate",
    "look": "ml.look.evaluate",
    "colourway": "ml.colourway.evaluate",
    "shadow": "ml.shadow.evaluate",
}


def main(argv: list[str] | None = None) -> int:
    return dispatch("ml.eval", TASKS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
