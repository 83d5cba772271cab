"""Train the conditional VAE baseline: ``python -m ml.train vae``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ml.generative.data import to_uint8
from ml.generative.training import (WEIGHTS_DIR, common_parser, export_weights, load_training_data,
                                    make_dataset, save_grid, seed_everything)


def main(argv: list[str] | None = None) -> int:
    parser = common_parser("vae", steps=6000, batch_size=128, steps_per_epoch=500)
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--beta", type=float, default=1.0, help="weight of the KL term")
    args = parser.parse_args(argv)
    data = load_training_data(args)

    from ml.runtime import configure_tensorflow
    configure_tensorflow()
    import keras
    import tensorflow as tf

    from ml.generative.loop import fit_resumable
    from ml.generative.vae import ConditionalVAE, build_vae_decoder, build_vae_encoder

    seed_everything(args.seed)
    size, channels, classes = data.images.shape[1], data.images.shape[3], len(data.class_names)
    shape = dict(image_size=size, channels=channels, num_classes=classes)
    encoder = build_vae_encoder(**shape, latent_dim=args.latent_dim, width=args.width)
    decoder = build_vae_decoder(**shape, latent_dim=args.latent_dim, width=args.width)
    vae = ConditionalVAE(encoder, decoder, beta=args.beta)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True)
    vae.build_optimizers()

    per_class = min(10, max(1, 100 // classes))
    rng = np.random.default_rng(0)
    grid_z = tf.constant(rng.standard_normal((classes * per_class, args.latent_dim)), tf.float32)
    grid_labels = tf.constant(np.repeat(np.arange(classes), per_class), tf.int32)
    out = Path(args.out)

    def draw_samples(epoch: int) -> None:
        logits = decoder([grid_z, grid_labels], training=False)
        images = to_uint8(tf.sigmoid(logits).numpy() * 2.0 - 1.0)
        save_grid(images, out / "samples_latest.png", rows=classes,
                  title=f"VAE epoch {epoch} ({epoch * args.steps_per_epoch} steps); rows = classes")

    fit_resumable(vae, make_dataset(data, batch_size=args.batch_size, seed=args.seed, flip=not args.folder),
                  out=out, steps=args.steps, steps_per_epoch=args.steps_per_epoch,
                  trackables={"encoder": encoder, "decoder": decoder, "optimizer": vae.optimizer},
                  fresh=args.fresh, title="conditional VAE", hook=draw_samples)
    export = args.export or (None if args.folder else WEIGHTS_DIR / "vae_fmnist")
    if export:
        config = {"task": "vae", **shape, "class_names": list(data.class_names),
                  "latent_dim": args.latent_dim, "width": args.width, "beta": args.beta,
                  "steps": args.steps, "batch_size": args.batch_size, "seed": args.seed}
        meta = export_weights(decoder, export, config)
        print(f"exported {meta['weights']} sha256={meta['sha256']}", flush=True)
    return 0
