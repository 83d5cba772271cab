"""Train the small Fashion-MNIST classifier whose penultimate layer feeds FID: ``python -m ml.train classifier``."""
from __future__ import annotations

import numpy as np

from ml.generative.data import LabelledImages, load_fashion_mnist, to_unit_range
from ml.generative.training import (WEIGHTS_DIR, common_parser, export_weights, load_training_data,
                                    make_dataset, seed_everything)

HOLDOUT = 5000  # last train images, kept out of training to watch for overfitting


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("classifier", steps=3400, batch_size=128, steps_per_epoch=425)
    parser.add_argument("--feature-dim", type=int, default=128)
    args = parser.parse_args(argv)
    data = load_training_data(args)

    from ml.runtime import configure_tensorflow
    configure_tensorflow()
    import keras

    from ml.generative.loop import fit_resumable
    from ml.generative.models import build_classifier

    seed_everything(args.seed)
    order = np.random.default_rng(args.seed).permutation(len(data.labels))
    train_idx, holdout_idx = order[:-HOLDOUT], order[-HOLDOUT:]
    train = LabelledImages(data.images[train_idx], data.labels[train_idx], data.class_names)
    holdout_x = to_unit_range(data.images[holdout_idx])
    holdout_y = data.labels[holdout_idx]
    size, channels = data.images.shape[1], data.images.shape[3]
    model = build_classifier(image_size=size, channels=channels, num_classes=len(data.class_names),
                             feature_dim=args.feature_dim)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, args.steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    model.optimizer.build(model.trainable_variables)

    def report(epoch: int) -> None:
        logits = model.predict(holdout_x, batch_size=500, verbose=0)
        print(f"epoch {epoch}: holdout accuracy {np.mean(logits.argmax(1) == holdout_y):.4f}", flush=True)

    fit_resumable(model, make_dataset(train, batch_size=args.batch_size, seed=args.seed, flip=True),
                  out=args.out, steps=args.steps, steps_per_epoch=args.steps_per_epoch,
                  trackables={"model": model, "optimizer": model.optimizer}, fresh=args.fresh,
                  title="Fashion-MNIST feature classifier", hook=report)

    config = {"task": "classifier", "image_size": size, "channels": channels,
              "num_classes": len(data.class_names), "class_names": list(data.class_names),
              "feature_dim": args.feature_dim, "steps": args.steps, "batch_size": args.batch_size,
              "seed": args.seed}
    logits = model.predict(holdout_x, batch_size=500, verbose=0)
    config["holdout_accuracy"] = round(float(np.mean(logits.argmax(1) == holdout_y)), 4)
    if not args.folder:
        test = load_fashion_mnist("test", args.data)
        logits = model.predict(to_unit_range(test.images), batch_size=500, verbose=0)
        config["test_accuracy"] = round(float(np.mean(logits.argmax(1) == test.labels)), 4)
    export = args.export or (None if args.folder else WEIGHTS_DIR / "fmnist_classifier")
    if export:
        meta = export_weights(model, export, config)
        print(f"exported {meta['weights']} sha256={meta['sha256']}", flush=True)
    print({k: v for k, v in config.items() if "accuracy" in k}, flush=True)
    return 0
