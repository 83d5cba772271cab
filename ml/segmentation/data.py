"""Training samples: cached product layers composited onto procedural and real backgrounds, then degraded."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.segmentation.letterbox import Letterbox
from ml.synth import ObjectLayer, composite, render_background

_PROCEDURAL = ("sweep", "paper", "gradient", "wood", "fabric", "clutter", "solid", "vivid")
# Photos that ship inside scikit-image's wheel (no download): textures, scenes and a few objects.
_SKIMAGE_FILES = ("astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png",
                  "grass.png", "gravel.png", "hubble_deep_field.jpg", "motorcycle_left.png", "page.png",
                  "rocket.jpg", "text.png", "color.png", "moon.png", "retina.jpg")


def _read_rgb(path: Path, longest: int = 640) -> np.ndarray | None:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        return None
    scale = longest / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return img[..., ::-1].copy()


def load_photo_backgrounds(folders: list[Path]) -> list[np.ndarray]:
    """Load the scikit-image sample photos plus every image in the given folders (longest side 640)."""
    import skimage

    root = Path(skimage.__file__).parent / "data"
    paths = [root / name for name in _SKIMAGE_FILES if (root / name).exists()]
    for folder in folders:
        paths += sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp"})
    return [img for img in (_read_rgb(p) for p in paths) if img is not None]


# Share of placed objects that are not plain renders: a render re-textured with a real photo, and an
# organic shape (random silhouette with limbs) filled with a real photo. They teach "a subject is a
# region that stands apart from its surroundings" rather than "a subject looks like our renderer".
RETEXTURED_SHARE = 0.2
BLOB_SHARE = 0.2


def retexture(layer: ObjectLayer, texture: np.ndarray, rng: np.random.Generator) -> ObjectLayer:
    """Return the layer with its colours taken from ``texture`` (HxWx3 uint8), keeping the render's shading."""
    grey = layer.rgb.astype(np.float32).mean(axis=2)
    inside = layer.alpha > 127
    ref = float(np.median(grey[inside])) if inside.any() else 128.0
    shade = np.clip(grey / max(ref, 1.0), 0.25, 1.8)[..., None]
    keep = rng.uniform(0.4, 1.0)  # how much of the render's light and shade survives
    rgb = texture.astype(np.float32) * (1.0 - keep + keep * shade)
    return ObjectLayer(rgb=np.clip(rgb, 0, 255).astype(np.uint8), alpha=layer.alpha, shadow=layer.shadow)


def blob_alpha(rng: np.random.Generator, size: int) -> np.ndarray:
    """Return an organic silhouette (uint8 0/255 coverage, antialiased): a noisy ellipse with 0-4 limbs."""
    grid, big = max(4, size // 16), size * 2  # drawn at 2x, then averaged down: antialiased edges
    noise = cv2.resize(rng.standard_normal((grid, grid)).astype(np.float32), (big, big), interpolation=cv2.INTER_CUBIC)
    noise = cv2.GaussianBlur(noise, (0, 0), big / 24)
    noise /= max(float(noise.std()), 1e-6)
    yy, xx = (np.mgrid[0:big, 0:big].astype(np.float32) + 0.5) / big
    cx, cy = rng.uniform(0.4, 0.6), rng.uniform(0.35, 0.55)
    ax, ay = rng.uniform(0.1, 0.3), rng.uniform(0.12, 0.34)
    theta = rng.uniform(0, np.pi)
    u = (xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)
    v = -(xx - cx) * np.sin(theta) + (yy - cy) * np.cos(theta)
    field = 1.0 - (u / ax) ** 2 - (v / ay) ** 2 + rng.uniform(0.2, 0.8) * noise
    hi = np.where(field > 0, 255, 0).astype(np.uint8)
    for _ in range(int(rng.integers(0, 5))):  # legs, handles, stems, straps: thin parts reaching out
        angle = rng.uniform(0, 2 * np.pi)
        length = rng.uniform(0.15, 0.45) * big
        start = (int(cx * big), int(cy * big))
        end = (int(start[0] + np.cos(angle) * length), int(start[1] + np.sin(angle) * length))
        cv2.line(hi, start, end, 255, thickness=int(rng.integers(2, max(3, size // 12))), lineType=cv2.LINE_AA)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((hi > 127).astype(np.uint8), connectivity=8)
    if count > 2:  # one subject: keep the largest piece
        largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        hi[labels != largest] = 0
    return cv2.resize(hi, (size, size), interpolation=cv2.INTER_AREA)


def blob_layer(texture: np.ndarray, rng: np.random.Generator) -> ObjectLayer:
    """Return an organic-shaped object filled with ``texture`` (SxSx3), lit from above, with a soft shadow."""
    size = texture.shape[0]
    alpha = blob_alpha(rng, size)
    rgb = texture.astype(np.float32)
    if rng.random() < 0.6:  # volume: lighter towards the middle and the top
        depth = cv2.distanceTransform((alpha > 127).astype(np.uint8), cv2.DIST_L2, 3)
        depth /= max(float(depth.max()), 1.0)
        top = np.linspace(1.1, 0.85, size, dtype=np.float32)[:, None]
        rgb *= ((0.75 + 0.35 * depth) * top)[..., None]
    if rng.random() < 0.3:  # a dyed product: one colour carrying the photo's detail
        grey = rgb.mean(axis=2, keepdims=True)
        rgb = grey * rng.uniform(0.3, 1.6, size=3).astype(np.float32)
    ys = np.nonzero(alpha.max(axis=1) > 0)[0]
    bottom = int(ys.max()) if ys.size else size - 1
    shadow = np.zeros((size, size), np.float32)
    if rng.random() < 0.7:
        band = alpha[max(0, bottom - size // 10):bottom + 1].max(axis=0).astype(np.float32) / 255.0
        shadow[min(size - 1, bottom):min(size, bottom + size // 20 + 1)] = band
        shadow = cv2.GaussianBlur(shadow, (0, 0), size / 30) * rng.uniform(0.3, 0.7)
    return ObjectLayer(rgb=np.clip(rgb, 0, 255).astype(np.uint8), alpha=alpha, shadow=shadow)


@dataclass
class SampleMaker:
    """Compose letterboxed (image, mask) training pairs from product layers and backgrounds."""

    layers: list[ObjectLayer]
    photos: list[np.ndarray]
    size: int = 256
    _cache: dict = field(default_factory=dict)

    def _photo_crop(self, rng, h, w):
        photo = self.photos[int(rng.integers(0, len(self.photos)))]
        ph, pw = photo.shape[:2]
        zoom = rng.uniform(max(h / ph, w / pw), max(h / ph, w / pw) * 2.5)
        ch, cw = min(ph, int(np.ceil(h / zoom))), min(pw, int(np.ceil(w / zoom)))
        y, x = int(rng.integers(0, ph - ch + 1)), int(rng.integers(0, pw - cw + 1))
        # Crop first, then resize only the crop: much cheaper than scaling the whole photo.
        img = cv2.resize(photo[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        if rng.random() < 0.5:  # a shallow depth of field behind the product
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 4.0))
        if rng.random() < 0.3:
            img = img * rng.uniform(0.4, 0.9) + rng.uniform(0, 60)
        return np.clip(img, 0, 255).astype(np.uint8)

    def _background(self, rng, h, w):
        roll = rng.random()
        if roll < 0.35 or not self.photos:
            return render_background(str(rng.choice(_PROCEDURAL)), height=h, width=w, rng=rng), h
        if roll < 0.75:
            return self._photo_crop(rng, h, w), int(h * rng.uniform(0.6, 1.0))
        # Wall and table: a floor plane meets a backdrop at a horizon line.
        horizon = int(h * rng.uniform(0.35, 0.75))
        top = self._photo_crop(rng, h, w) if rng.random() < 0.4 else render_background(
            str(rng.choice(_PROCEDURAL)), height=h, width=w, rng=rng)
        floor = render_background(str(rng.choice(["wood", "solid", "paper", "fabric", "gradient"])), height=h, width=w, rng=rng)
        out = top.copy()
        out[horizon:] = floor[horizon:]
        band = slice(max(0, horizon - 3), min(h, horizon + 3))
        out[band] = cv2.GaussianBlur(out, (0, 0), 1.5)[band]
        return out, int(h * rng.uniform(max(0.5, horizon / h + 0.05), 1.0))

    def _place(self, rng, image, layer, scale, centre, reflect, glassy):
        before = image
        if rng.random() < 0.15:  # cut-out pasted without a shadow
            layer = ObjectLayer(rgb=layer.rgb, alpha=layer.alpha, shadow=np.zeros_like(layer.shadow))
        if reflect:
            ys = np.nonzero(layer.alpha.max(axis=1) > 0)[0]
            bottom = int(ys.max()) if ys.size else layer.alpha.shape[0] - 1
            fade = np.clip(1 - np.arange(layer.alpha.shape[0]) / (0.35 * layer.alpha.shape[0]), 0, 1) * 0.35
            flipped_a = np.zeros_like(layer.alpha)
            src = layer.alpha[::-1][layer.alpha.shape[0] - 1 - bottom:]
            flipped_a[bottom:bottom + src.shape[0]] = src[: flipped_a.shape[0] - bottom]
            flipped_rgb = np.zeros_like(layer.rgb)
            src_rgb = layer.rgb[::-1][layer.rgb.shape[0] - 1 - bottom:]
            flipped_rgb[bottom:bottom + src_rgb.shape[0]] = src_rgb[: flipped_rgb.shape[0] - bottom]
            weight = np.concatenate([np.zeros(bottom), fade[: layer.alpha.shape[0] - bottom]])
            mirror = ObjectLayer(rgb=flipped_rgb, alpha=(flipped_a * weight[:, None]).astype(np.uint8),
                                 shadow=np.zeros_like(layer.shadow))
            image, _ = composite(mirror, image, scale=scale, centre=centre, rng=rng)
        image, mask = composite(layer, image, scale=scale, centre=centre, rng=rng)
        if glassy:  # a translucent product: the background shows through but it is still the subject
            k = rng.uniform(0.25, 0.5)
            inside = mask > 0
            image = image.copy()
            image[inside] = (image[inside] * (1 - k) + before[inside] * k).astype(np.uint8)
        return image, mask

    def compose(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Return one training pair at its natural aspect: image uint8 HxWx3, mask uint8 0/255."""
        aspect = float(rng.choice([1.0, 1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3, 16 / 9]))
        long = int(self.size * rng.uniform(1.0, 1.6))
        h, w = (long, int(long / aspect)) if aspect < 1 else (int(long / aspect), long)
        image, ground = self._background(rng, h, w)
        mask = np.zeros((h, w), np.uint8)
        if rng.random() < 0.04:  # nothing to cut out: the network must learn to say so
            return image, mask
        count = int(rng.choice([1, 2, 3], p=[0.62, 0.26, 0.12]))
        base = rng.uniform(0.45, 1.15) / (1 + 0.35 * (count - 1))
        xs = np.sort(rng.uniform(0.2, 0.8, size=count)) if count > 1 else [rng.uniform(0.3, 0.7)]
        reflect = rng.random() < 0.12
        for x in xs:
            layer = self.layers[int(rng.integers(0, len(self.layers)))]
            kind = rng.random()
            if self.photos and kind < BLOB_SHARE:
                layer = blob_layer(self._photo_crop(rng, *layer.alpha.shape), rng)
            elif self.photos and kind < BLOB_SHARE + RETEXTURED_SHARE:
                layer = retexture(layer, self._photo_crop(rng, *layer.alpha.shape), rng)
            if rng.random() < 0.5:
                layer = ObjectLayer(rgb=layer.rgb[:, ::-1].copy(), alpha=layer.alpha[:, ::-1].copy(),
                                    shadow=layer.shadow[:, ::-1].copy())
            scale = base * rng.uniform(0.8, 1.2)
            side = scale * min(h, w)
            # Stand the product near the floor line; its canvas bottom sits ~10% below the object's base.
            cy = (ground - 0.4 * side + rng.normal(0, 0.08) * h) / h
            centre = (float(x + rng.normal(0, 0.05)), float(np.clip(cy, 0.15, 0.85)))
            image, m = self._place(rng, image, layer, scale, centre, reflect, rng.random() < 0.08)
            mask = np.maximum(mask, m)
        return image, mask

    def degrade(self, rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
        """Apply camera- and upload-like damage: exposure, casts, blur, noise, JPEG."""
        img = image.astype(np.float32) / 255.0
        if rng.random() < 0.6:
            img = np.clip(img * rng.uniform(0.6, 1.25) + rng.uniform(-0.08, 0.08), 0, 1) ** rng.uniform(0.7, 1.6)
        if rng.random() < 0.3:
            img = img * rng.uniform(0.8, 1.2, size=3).astype(np.float32)
        if rng.random() < 0.15:
            g = img.mean(axis=2, keepdims=True)
            img = g + (img - g) * rng.uniform(0.0, 0.6)
        if rng.random() < 0.25:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.8))
        if rng.random() < 0.3:
            img = img + rng.standard_normal(img.shape).astype(np.float32) * rng.uniform(0.01, 0.06)
        out = np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)
        if rng.random() < 0.4:
            ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
            out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        return out

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Return a letterboxed (image uint8 SxSx3, mask float32 SxS in 0..1) training pair."""
        image, mask = self.compose(rng)
        image = self.degrade(rng, image)
        box = Letterbox.fit(*image.shape[:2], self.size)
        return box.apply(image), box.pad_mask(mask).astype(np.float32) / 255.0

    def batch(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Return n stacked samples as float32 arrays (images 0..255, masks 0..1 with a channel axis)."""
        pairs = [self.sample(rng) for _ in range(n)]
        return (np.stack([p[0] for p in pairs]).astype(np.float32), np.stack([p[1] for p in pairs])[..., None])
