"""Training loops shared by our models: ``feed_batches`` (batches made in a thread while TensorFlow trains) and
``GanRun``, the loop both conditional GANs (ml.colourway, ml.shadow) train with: one
``train_on_batch`` of the GAN's custom ``train_step`` per step, and every ``eval_every`` steps a score on the
held-out "select" set (lower is better), the best generator kept, and a resumable checkpoint (both networks'
weights, both optimizers, step, history, random state) with metrics.json and pictures written to the workdir.
"""
from __future__ import annotations

import json
import pickle
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


def feed_batches(make, out: "queue.Queue", stop: threading.Event) -> None:
    """Make batches in a thread while TensorFlow trains (numpy and OpenCV release the GIL)."""
    while not stop.is_set():
        batch = make()
        while not stop.is_set():
            try:
                out.put(batch, timeout=0.5)
                break
            except queue.Full:
                continue


@dataclass
class GanRun:
    name: str               # progress bar label
    workdir: Path
    gan: object             # a keras.Model whose train_step updates both networks
    generator: object
    critic: object
    optimizers: dict        # {"g_optimizer": ..., "d_optimizer": ...}
    score_name: str         # e.g. "select_delta_e"
    evaluate: Callable[[], float]
    make_batch: Callable[[], tuple]
    after_eval: Callable[[list], None]  # pictures (curve, samples) from the history
    info: dict              # what metrics.json records besides best and history

    def _state_path(self) -> Path:
        return self.workdir / "last.state.pkl"

    def resume(self, rng: np.random.Generator) -> tuple[int, list, dict] | None:
        """Load the last checkpoint into the networks, optimizers and ``rng``; None when there is none."""
        if not self._state_path().exists():
            return None
        state = pickle.loads(self._state_path().read_bytes())
        self.generator.load_weights(self.workdir / "last.generator.weights.h5")
        self.critic.load_weights(self.workdir / "last.critic.weights.h5")
        for key, opt in self.optimizers.items():
            for var, value in zip(opt.variables, state[key]):
                var.assign(value)
        rng.bit_generator.state = state["rng"]
        return state["step"], state["history"], state["best"]

    def _checkpoint(self, step: int, history: list, best: dict, rng: np.random.Generator) -> None:
        self.generator.save_weights(self.workdir / "last.generator.weights.h5")
        self.critic.save_weights(self.workdir / "last.critic.weights.h5")
        self._state_path().write_bytes(pickle.dumps({
            "step": step, "history": history, "best": best, "rng": rng.bit_generator.state,
            **{key: [np.asarray(v) for v in opt.variables] for key, opt in self.optimizers.items()}}))
        (self.workdir / "metrics.json").write_text(json.dumps({"best": best, "history": history, **self.info}, indent=1))

    def train(self, *, steps: int, eval_every: int, max_minutes: float, rng: np.random.Generator,
              start: int, history: list, best: dict) -> dict:
        """Train from ``start`` to ``steps`` (or for ``max_minutes``); return the best {score, step}."""
        from tqdm import tqdm

        batches: queue.Queue = queue.Queue(maxsize=6)
        stop = threading.Event()
        threading.Thread(target=feed_batches, args=(self.make_batch, batches, stop), daemon=True).start()
        started = time.time()
        logs: list[dict] = []
        bar = tqdm(range(start + 1, steps + 1), initial=start, total=steps, desc=self.name, mininterval=10)
        try:
            for it in bar:
                out = self.gan.train_on_batch(x=list(batches.get()), return_dict=True)
                logs.append({k: float(v) for k, v in out.items()})
                bar.set_postfix(l1=f"{np.mean([log['l1'] for log in logs[-50:]]):.4f}", refresh=False)
                timed_out = max_minutes and (time.time() - started) / 60 > max_minutes
                if it % eval_every == 0 or it == steps or timed_out:
                    score = self.evaluate()
                    mean = {k: float(np.mean([log[k] for log in logs])) for k in logs[0]}
                    history.append({"step": it, **mean, self.score_name: score})
                    logs = []
                    tqdm.write(f"step {it}: " + ", ".join(f"{k} {v:.4f}" for k, v in mean.items())
                               + f"; {self.score_name} {score:.4f} ({(time.time() - started) / 60:.1f} min)")
                    if score < best["score"]:
                        best = {"score": score, "step": it}
                        self.generator.save_weights(self.workdir / "best.weights.h5")
                    self._checkpoint(it, history, best, rng)
                    self.after_eval(history)
                if timed_out:
                    tqdm.write(f"stopping after {max_minutes} min at step {it}")
                    break
        finally:
            stop.set()
            bar.close()
        return best


def build_optimizers(generator, critic, lr: float, *, steps: int = 0, lr_end: float | None = None) -> dict:
    """Adam for both networks (beta1 0.5, as GANs train), built so a checkpoint can be loaded into them. With
    ``lr_end`` the rate falls along a cosine from ``lr`` to ``lr_end`` over ``steps`` (the optimizers' own step
    counts, which a checkpoint keeps, so a resumed run continues the schedule)."""
    import keras

    def rate():
        if lr_end is None:
            return lr
        return keras.optimizers.schedules.CosineDecay(lr, max(1, steps), alpha=lr_end / lr if lr else 0.0)

    out = {"g_optimizer": keras.optimizers.Adam(learning_rate=rate(), beta_1=0.5),
           "d_optimizer": keras.optimizers.Adam(learning_rate=rate(), beta_1=0.5)}
    out["g_optimizer"].build(generator.trainable_variables)
    out["d_optimizer"].build(critic.trainable_variables)
    return out


def start_or_resume(run: GanRun, rng: np.random.Generator, resume: bool) -> tuple[int, list, dict]:
    if resume:
        found = run.resume(rng)
        if found is not None:
            print(f"resumed at step {found[0]} (best {found[2]})", flush=True)
            return found
        print(f"nothing to resume in {run.workdir}; starting fresh", flush=True)
    return 0, [], {"score": float("inf")}


def render_chunks(folder: Path, kind: str, count: int, chunk: int, render: Callable) -> None:
    """Render training items 0..count-1 with ``render(seeds) -> dict of arrays`` into folder/<kind>_<start>.npz,
    ``chunk`` at a time, skipping chunks already there (a stopped run resumes where it was)."""
    from tqdm import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    for start in tqdm(range(0, count, chunk), desc=f"rendering {kind}"):
        path = folder / f"{kind}_{start:08d}.npz"
        if not path.exists():
            tmp = folder / f"{kind}_{start:08d}.tmp.npz"
            np.savez(tmp, **render(range(start, min(count, start + chunk))))
            tmp.rename(path)


def load_chunks(folder: Path, kind: str, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The rendered chunks of ``folder`` joined (the named arrays only); a clear exit when there are none."""
    files = sorted(p for p in folder.glob(f"{kind}_*.npz") if ".tmp" not in p.name)
    if not files:
        raise SystemExit(f"error: no rendered {kind} in {folder}; run with --render N first")
    parts = [dict(np.load(f)) for f in files]
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def conditional_gan(generator, critic, losses: Callable):
    """A Keras model whose custom ``train_step`` runs one generator and one critic update per batch:
    ``losses(data) -> (generator loss, critic loss, {name: value} to log)``, computed under both gradient tapes."""
    import keras
    import tensorflow as tf

    class ConditionalGAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.generator, self.critic = generator, critic

        def compile(self, g_optimizer, d_optimizer):
            super().compile()
            self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer

        def call(self, inputs, training=False):
            return self.generator(inputs, training=training)

        def train_step(self, data):
            data = keras.utils.unpack_x_y_sample_weight(data)[0]  # train_on_batch(x=batch) hands over (x, None, None)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                g_loss, d_loss, logs = losses(data)
            g_vars, d_vars = self.generator.trainable_variables, self.critic.trainable_variables
            self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
            return {"g": g_loss, "d": d_loss, **logs}

    return ConditionalGAN()


def least_squares(d_real, d_fake):
    """The least-squares GAN's critic loss and the generator's adversarial loss for real and fake patch scores."""
    import tensorflow as tf

    d_loss = 0.5 * (tf.reduce_mean(tf.square(d_real - 1.0)) + tf.reduce_mean(tf.square(d_fake)))
    return d_loss, tf.reduce_mean(tf.square(d_fake - 1.0))
