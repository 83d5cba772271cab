"""Image embedding for recognition and retrieval: our own network (trained by ``python -m ml.train embedding``),
run by LiteRT in the worker; classical baselines (HSV histogram, tiny pixels, perceptual hash) beside it."""
EMBED_DIM = 128
