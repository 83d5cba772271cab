"""Look transfer: predict a smooth global colour transform that gives a source photo the look of a reference.

The transform (``transform.py``) is three monotone per-channel tone curves followed by a 3x3 colour matrix and
a bias. The network (``model.py``) sees both photos at INPUT_SIDE pixels and predicts the transform's
PARAM_COUNT numbers; the transform is then applied at full resolution in numpy, so the output has the
source's own resolution whatever it is. Nothing here imports TensorFlow except model.py, train.py and
inference.py's loader.
"""
from __future__ import annotations

KNOTS = 16          # segments of each tone curve (17 knot values including the black point)
INPUT_SIDE = 64     # what the network sees of each photo
PARAM_COUNT = 3 * KNOTS + 3 + 9 + 3  # curve increments, black points, matrix, bias
