"""Train one of Atelier's models: ``python -m ml.train <task> [options]``."""
from __future__ import annotations

from ml.cli import dispatch

TASKS = {
    "segmentation": "ml.segmentation.train",
    "superres": "ml.superres.train",
    "gan": "ml.generative.train_gan",
    "vae": "ml.generative.train_vae",
    "classifier": "ml.generative.train_classifier",
    "embedding": "ml.embedding.train",
    "look": "ml.look.train",
    "colourway": "ml.colourway.train",
    "shadow": "ml.shadow.train",
}


def main(argv: list[str] | None = None) -> int:
    return dispatch("ml.train", TASKS, argv)


if __name__ == "__main__":
    raise SystemExit(main())
