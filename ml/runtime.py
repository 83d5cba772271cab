"""Process-wide TensorFlow settings shared by training, evaluation and inference."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

_configured = False


def ml_threads(threads: int | None = None) -> int:
    """Return the thread count for model inference: ``threads``, else ML_THREADS, else every core."""
    return threads or int(os.environ.get("ML_THREADS", "0")) or (os.cpu_count() or 1)


def configure_tensorflow(threads: int | None = None) -> None:
    """Quiet TensorFlow's logging and size its thread pools for this machine, once per process."""
    global _configured
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    if _configured:
        return
    import tensorflow as tf

    n = ml_threads(threads)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, n))
    except RuntimeError:
        # Already initialised by someone else in this process: keep their setting.
        pass
    _configured = True


class TFLitePredictor:
    """Run the converted network with the TFLite interpreter (any batch size; one call at a time).

    ``inputs``: the names of a network's several inputs (their Keras names), in the order ``__call__`` takes
    them; the converter orders a model's inputs by name, so they are found by name, never by position.
    """

    def __init__(self, path: Path, threads: int, inputs: tuple[str, ...] | None = None):
        # LiteRT: the interpreter alone, ~0.2 s and ~40 MB to load instead of all of TensorFlow.
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_path=str(path), num_threads=threads)
        details = self._interpreter.get_input_details()
        if inputs is None:
            self._inputs = [details[0]["index"]]
        else:
            found = {name: [d["index"] for d in details if f"_{name}:" in d["name"] or d["name"] == name] for name in inputs}
            missing = [name for name, hits in found.items() if len(hits) != 1]
            if missing or len(details) != len(inputs):
                raise ValueError(f"{path.name}: inputs {[d['name'] for d in details]} do not match {list(inputs)}")
            self._inputs = [found[name][0] for name in inputs]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shapes: tuple | None = None
        self._call_lock = threading.Lock()  # an interpreter is not safe to share between threads

    def __call__(self, *batches: np.ndarray) -> np.ndarray:
        if len(batches) != len(self._inputs):
            raise ValueError(f"the network takes {len(self._inputs)} inputs, got {len(batches)}")
        with self._call_lock:
            shapes = tuple(b.shape for b in batches)
            if shapes != self._shapes:
                for index, batch in zip(self._inputs, batches):
                    self._interpreter.resize_tensor_input(index, batch.shape, strict=True)
                self._interpreter.allocate_tensors()
                self._shapes = shapes
            for index, batch in zip(self._inputs, batches):
                self._interpreter.set_tensor(index, np.ascontiguousarray(batch, np.float32))
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output).copy()


class CardedModel:
    """A committed network: Keras weights, an optional LiteRT file and the JSON card holding their sha256s.

    ``card()`` checks the weights against the card (ModelUnavailableError when missing or different);
    ``keras()`` builds the network with ``build(card)`` and loads the checked weights (cached);
    ``litert()`` is the LiteRT runner of the .tflite file the card names (cached), or None when there is none.
    Paths are read from ``paths()`` on every call, so a module's WEIGHTS_PATH can be moved (tests do).
    """

    def __init__(self, name: str, *, paths, build, input_names: tuple[str, ...], train: str, export: str):
        self.name, self._paths, self._build, self.input_names = name, paths, build, input_names
        self._train, self._export = train, export
        self._lock = threading.Lock()
        self._keras: dict = {}
        self._litert = None

    def card(self, weights: Path | None = None, card: Path | None = None) -> dict:
        import hashlib
        import json

        from ml.errors import ModelUnavailableError

        default_weights, default_card, _ = self._paths()
        weights, card = weights or default_weights, card or default_card
        if not weights.exists() or not card.exists():
            raise ModelUnavailableError(f"no {self.name} weights at {weights} (with its card {card.name}); "
                                        f"train them with `{self._train}`")
        info = json.loads(card.read_text())
        sha = hashlib.sha256(weights.read_bytes()).hexdigest()
        if sha != info.get("sha256"):
            raise ModelUnavailableError(f"{weights.name}: sha256 {sha[:12]} does not match its card "
                                        f"({str(info.get('sha256'))[:12]})")
        return info

    def version(self) -> str:
        return f"{self.name}-" + str(self.card()["sha256"])[:12]

    def keras(self, weights: Path | None = None, card: Path | None = None):
        weights = weights or self._paths()[0]
        with self._lock:
            if weights in self._keras:
                return self._keras[weights]
            info = self.card(weights, card)
            configure_tensorflow()
            model = self._build(info)
            model.load_weights(weights)
            if weights == self._paths()[0]:
                self._keras[weights] = model
            return model

    def litert(self):
        import hashlib

        from ml.errors import ModelUnavailableError

        with self._lock:
            if self._litert is not None:
                return self._litert
            _, _, tflite = self._paths()
            info = self.card()
            if not tflite.exists() or not info.get("tflite_sha256"):
                return None
            sha = hashlib.sha256(tflite.read_bytes()).hexdigest()
            if sha != info["tflite_sha256"]:
                raise ModelUnavailableError(f"{tflite.name}: sha256 {sha[:12]} does not match its card "
                                            f"({str(info['tflite_sha256'])[:12]}); export it again: {self._export}")
            self._litert = TFLitePredictor(tflite, ml_threads(), inputs=self.input_names)
            return self._litert
