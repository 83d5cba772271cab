"""Run ``Model.fit`` in resumable chunks with a progress bar, checkpoints and per-epoch hooks."""
from __future__ import annotations

import math
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

import keras
import tensorflow as tf

from ml.generative.training import plot_history


class ProgressBar(keras.callbacks.Callback):
    """Show a tqdm bar over all steps of the run, with the latest losses as its postfix."""

    def __init__(self, total_steps: int, initial_step: int):
        super().__init__()
        from tqdm import tqdm

        # A log file is not a terminal: refresh rarely so the log stays readable.
        interval = 0.5 if sys.stderr.isatty() else 30.0
        self.bar = tqdm(total=total_steps, initial=initial_step, mininterval=interval,
                        dynamic_ncols=True, file=sys.stderr)

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(1)
        if logs and self.bar.n % 50 == 0:
            self.bar.set_postfix({k: f"{float(v):.3f}" for k, v in logs.items()}, refresh=False)

    def on_train_end(self, logs=None):
        self.bar.close()


class EpochHook(keras.callbacks.Callback):
    """Save a checkpoint, redraw loss curves and call the trainer's hook after every epoch."""

    def __init__(self, manager: tf.train.CheckpointManager, epoch_var: tf.Variable, out: Path,
                 title: str, hook: Callable[[int], None] | None):
        super().__init__()
        self.manager, self.epoch_var, self.out, self.title, self.hook = manager, epoch_var, out, title, hook
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_var.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)
        plot_history(self.out / "history.csv", self.out / "loss_curves.png", title=self.title)
        if self.hook:
            self.hook(epoch + 1)
        print(f"epoch {epoch + 1} done, {time.time() - self.started:.0f}s since start: "
              + ", ".join(f"{k}={float(v):.4f}" for k, v in (logs or {}).items()), flush=True)


def fit_resumable(model: keras.Model, dataset, *, out: str | Path, steps: int, steps_per_epoch: int,
                  trackables: dict, fresh: bool, title: str,
                  hook: Callable[[int], None] | None = None) -> int:
    """Train until ``steps`` steps are done, resuming from the newest checkpoint in ``out``."""
    out = Path(out)
    if fresh and out.exists():
        shutil.rmtree(out / "checkpoints", ignore_errors=True)
        (out / "history.csv").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
    checkpoint = tf.train.Checkpoint(epoch=epoch_var, **trackables)
    manager = tf.train.CheckpointManager(checkpoint, out / "checkpoints", max_to_keep=2)
    if manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        print(f"resumed from {manager.latest_checkpoint} (epoch {int(epoch_var.numpy())})", flush=True)
    initial_epoch = int(epoch_var.numpy())
    epochs = math.ceil(steps / steps_per_epoch)
    if initial_epoch >= epochs:
        print(f"already trained {initial_epoch} epochs of {epochs}; nothing to do", flush=True)
        return initial_epoch
    callbacks = [
        ProgressBar(epochs * steps_per_epoch, initial_epoch * steps_per_epoch),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
        EpochHook(manager, epoch_var, out, title, hook),
    ]
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, initial_epoch=initial_epoch,
              verbose=0, callbacks=callbacks, shuffle=False)
    return epochs
