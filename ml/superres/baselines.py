"""External frozen-graph super-resolution baselines (ESPCN, FSRCNN TF1 graphs), for evaluation only."""
from __future__ import annotations

from pathlib import Path

import numpy as np

INPUT_TENSOR = "IteratorGetNext:0"   # found by inspecting the graphs: the only Placeholder
OUTPUT_TENSOR = "NHWC_output:0"      # HR luma, NHWC, before the graphs' trailing NCHW transpose


class FrozenGraphUpscaler:
    """Run a frozen TF1 SR graph that maps LR luma in [0, 1] (NHWC) to HR luma in [0, 1]."""

    def __init__(self, path: Path) -> None:
        import tensorflow as tf

        graph_def = tf.compat.v1.GraphDef()
        graph_def.ParseFromString(Path(path).read_bytes())

        def _import():
            tf.compat.v1.import_graph_def(graph_def, name="")

        wrapped = tf.compat.v1.wrap_function(_import, [])
        graph = wrapped.graph
        self._fn = wrapped.prune(graph.get_tensor_by_name(INPUT_TENSOR), graph.get_tensor_by_name(OUTPUT_TENSOR))
        self.path = Path(path)

    def __call__(self, lr_y: np.ndarray) -> np.ndarray:
        """Upscale an HxW float luma array in [0, 1]; return the HR luma in [0, 1]."""
        import tensorflow as tf

        out = self._fn(tf.constant(lr_y[None, ..., None].astype(np.float32)))
        return np.asarray(out)[0, ..., 0]
