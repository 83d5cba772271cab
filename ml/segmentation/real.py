"""Real training data for background removal: human-masked photos, their fixed validation split, and
copy-paste composites of real cut-outs on real cluttered backgrounds.

The masked sets (``../shared/data/train/ecssd``, ``../shared/data/train/alphamatting27``) are laid out as
``DIR/images/<stem>.{jpg,png}`` + ``DIR/masks/<stem>.png``. Every pair belongs to the training or the
validation split by a hash of its stem (``split_of``), so the split is the same on every machine and in
every run, and the validation photos are never drawn for training.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ml.segmentation.data import SampleMaker
from ml.segmentation.letterbox import Letterbox

VAL_SHARE = 0.12  # share of each masked set held out for choosing weights
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}

# What a training sample is made of (the rest are the synthetic renders of SampleMaker).
REAL_SHARE = 0.40       # a real masked photo, augmented
COPY_PASTE_SHARE = 0.35  # a real cut-out on another real photo, with distractors and a contact shadow
PSEUDO_SHARE = 0.25      # of the augmented real photos: one with a teacher's mask (when there are any)


def split_of(stem: str) -> str:
    """Return "val" or "train" for a pair, from a hash of its file stem (stable across machines)."""
    h = int.from_bytes(hashlib.sha256(stem.encode()).digest()[:4], "big") / 2**32
    return "val" if h < VAL_SHARE else "train"


def list_pairs(folder: Path, split: str | None = None) -> list[tuple[Path, Path]]:
    """Return the (image, mask) paths of a masked set, optionally only one split ("train" / "val")."""
    folder = Path(folder)
    if not (folder / "images").is_dir() or not (folder / "masks").is_dir():
        raise FileNotFoundError(f"{folder}: expected images/ and masks/ folders")
    pairs = []
    for image in sorted(p for p in (folder / "images").iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES):
        mask = folder / "masks" / f"{image.stem}.png"
        if mask.exists() and (split is None or split_of(image.stem) == split):
            pairs.append((image, mask))
    return pairs


@dataclass
class Cutout:
    """A real photo with its mask (alpha 0..255), at most ``longest`` pixels on its long side."""

    rgb: np.ndarray
    alpha: np.ndarray
    name: str


def load_cutouts(folders: list[Path], split: str | None, longest: int = 480) -> list[Cutout]:
    """Load every pair of one split ("train" / "val", or None: all) of the given masked sets."""
    out = []
    for folder in folders:
        for image_path, mask_path in list_pairs(folder, split):
            rgb = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
            alpha = cv2.imread(str(mask_path), cv2.IMREAD_GRAYSCALE)
            if rgb is None or alpha is None:
                continue
            if alpha.shape != rgb.shape[:2]:
                alpha = cv2.resize(alpha, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
            scale = longest / max(rgb.shape[:2])
            if scale < 1:
                size = (int(round(rgb.shape[1] * scale)), int(round(rgb.shape[0] * scale)))
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
                alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
            out.append(Cutout(rgb=rgb[..., ::-1].copy(), alpha=alpha, name=f"{Path(folder).name}/{image_path.stem}"))
    return out


def write_split(folder: Path, out: Path, split: str = "val") -> int:
    """Copy one split of a masked set to ``out/images`` + ``out/masks`` (an ``ml.eval`` folder); return its size."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    pairs = list_pairs(folder, split)
    for image, mask in pairs:
        (out / "images" / image.name).write_bytes(image.read_bytes())
        (out / "masks" / mask.name).write_bytes(mask.read_bytes())
    return len(pairs)


def _bbox(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(alpha > 127)
    if ys.size == 0:
        return None
    return int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1


def _paste(canvas: np.ndarray, label: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, top: int, left: int,
           is_subject: bool) -> None:
    """Alpha-blend rgb/alpha onto canvas at (top, left), clipped to the frame; update the label in place."""
    h, w = canvas.shape[:2]
    ph, pw = alpha.shape
    y0, x0, y1, x1 = max(0, top), max(0, left), min(h, top + ph), min(w, left + pw)
    if y0 >= y1 or x0 >= x1:
        return
    a = alpha[y0 - top:y1 - top, x0 - left:x1 - left].astype(np.float32) / 255.0
    src = rgb[y0 - top:y1 - top, x0 - left:x1 - left].astype(np.float32)
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = np.clip(region * (1 - a[..., None]) + src * a[..., None], 0, 255).astype(np.uint8)
    lab = label[y0:y1, x0:x1].astype(np.float32)
    lab = np.maximum(lab, a * 255) if is_subject else lab * (1 - a)  # an occluder hides the subject behind it
    label[y0:y1, x0:x1] = np.clip(lab + 0.5, 0, 255).astype(np.uint8)


@dataclass
class RealSampleMaker:
    """Training pairs from real masked photos, copy-paste composites, and synthetic renders.

    ``synthetic`` supplies the render-based samples (and the degradation every sample goes through);
    ``backgrounds`` are real photos without masks (sun_hays80, scikit-image samples).
    """

    cutouts: list[Cutout]
    backgrounds: list[np.ndarray]
    synthetic: SampleMaker
    size: int = 256
    real_share: float = REAL_SHARE
    copy_paste_share: float = COPY_PASTE_SHARE
    pseudo_start: int | None = None  # cutouts[pseudo_start:] carry a teacher's mask, not a human's
    _subjects: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.cutouts:
            raise ValueError("RealSampleMaker needs at least one masked photo")
        # Cut-outs worth pasting: a clear subject that is not most of the frame.
        for i, c in enumerate(self.cutouts):
            share = float((c.alpha > 127).mean())
            if 0.03 < share < 0.7:
                self._subjects.append(i)
        if not self._subjects:
            self._subjects = list(range(len(self.cutouts)))

    # -- real photos ----------------------------------------------------------------------------
    def augment_real(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A masked photo, randomly rescaled, cropped (keeping most of the subject), flipped, rotated."""
        human = len(self.cutouts) if self.pseudo_start is None else self.pseudo_start
        if human < len(self.cutouts) and (human == 0 or rng.random() < PSEUDO_SHARE):
            c = self.cutouts[int(rng.integers(human, len(self.cutouts)))]
        else:
            c = self.cutouts[int(rng.integers(0, human))]
        rgb, alpha = c.rgb, c.alpha
        if rng.random() < 0.5:
            rgb, alpha = rgb[:, ::-1], alpha[:, ::-1]
        h, w = alpha.shape
        if rng.random() < 0.3:  # a small tilt, reflected at the border so no black corners appear
            m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-12, 12), 1.0)
            rgb = cv2.warpAffine(np.ascontiguousarray(rgb), m, (w, h), borderMode=cv2.BORDER_REFLECT101)
            alpha = cv2.warpAffine(np.ascontiguousarray(alpha), m, (w, h), borderMode=cv2.BORDER_REFLECT101)
        if rng.random() < 0.6:  # crop: a zoom that keeps at least ~85% of the subject
            total = max(1.0, float((alpha > 127).sum()))
            for _ in range(6):
                s = rng.uniform(0.6, 0.95)
                ch, cw = int(h * s * rng.uniform(0.85, 1.15)), int(w * s * rng.uniform(0.85, 1.15))
                ch, cw = min(h, max(32, ch)), min(w, max(32, cw))
                y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
                if float((alpha[y:y + ch, x:x + cw] > 127).sum()) >= 0.85 * total:
                    rgb, alpha = rgb[y:y + ch, x:x + cw], alpha[y:y + ch, x:x + cw]
                    break
        elif rng.random() < 0.3:  # zoom out: the photo smaller inside a reflected border (a wider shot)
            pad = int(min(h, w) * rng.uniform(0.05, 0.25))
            rgb = cv2.copyMakeBorder(np.ascontiguousarray(rgb), pad, pad, pad, pad, cv2.BORDER_REFLECT101)
            alpha = cv2.copyMakeBorder(np.ascontiguousarray(alpha), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
        return np.ascontiguousarray(rgb), np.ascontiguousarray(alpha)

    # -- copy-paste composites -----------------------------------------------------------------
    def _background(self, rng: np.random.Generator, h: int, w: int) -> np.ndarray:
        """A real cluttered scene: a photo crop, or a masked photo's region that holds no subject."""
        if rng.random() < 0.35:
            for _ in range(8):
                c = self.cutouts[int(rng.integers(0, len(self.cutouts)))]
                ph, pw = c.alpha.shape
                s = rng.uniform(0.3, 0.6)
                ch, cw = max(16, int(ph * s)), max(16, int(pw * s))
                y, x = int(rng.integers(0, ph - ch + 1)), int(rng.integers(0, pw - cw + 1))
                if float((c.alpha[y:y + ch, x:x + cw] > 64).mean()) < 0.01:  # the subject cropped away
                    return cv2.resize(c.rgb[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_LINEAR)
        if self.backgrounds and rng.random() < 0.85:
            photo = self.backgrounds[int(rng.integers(0, len(self.backgrounds)))]
            ph, pw = photo.shape[:2]
            zoom = rng.uniform(max(h / ph, w / pw), max(h / ph, w / pw) * 2.0)
            ch, cw = min(ph, int(np.ceil(h / zoom))), min(pw, int(np.ceil(w / zoom)))
            y, x = int(rng.integers(0, ph - ch + 1)), int(rng.integers(0, pw - cw + 1))
            img = cv2.resize(photo[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_LINEAR)
            return img[:, ::-1].copy() if rng.random() < 0.5 else img
        return self.synthetic._background(rng, h, w)[0]

    def _cut(self, rng: np.random.Generator, index: int, target_side: float):
        """Return (rgb, alpha) of a cut-out's subject cropped to its box and scaled so its long side is target_side."""
        c = self.cutouts[index]
        box = _bbox(c.alpha)
        if box is None:
            return None
        y0, y1, x0, x1 = box
        rgb, alpha = c.rgb[y0:y1, x0:x1], c.alpha[y0:y1, x0:x1]
        if rng.random() < 0.5:
            rgb, alpha = rgb[:, ::-1], alpha[:, ::-1]
        scale = target_side / max(rgb.shape[:2])
        size = (max(2, int(round(rgb.shape[1] * scale))), max(2, int(round(rgb.shape[0] * scale))))
        rgb = cv2.resize(np.ascontiguousarray(rgb), size, interpolation=cv2.INTER_LINEAR)
        alpha = cv2.resize(np.ascontiguousarray(alpha), size, interpolation=cv2.INTER_LINEAR)
        if rng.random() < 0.5:  # human masks are binary: a pixel of feathering, as a real edge has
            alpha = cv2.GaussianBlur(alpha, (0, 0), rng.uniform(0.5, 1.2))
        if rng.random() < 0.4:  # the subject lit differently from the scene it is pasted on
            rgb = np.clip(rgb.astype(np.float32) * rng.uniform(0.75, 1.2, size=3) + rng.uniform(-15, 15), 0,
                          255).astype(np.uint8)
        return rgb, alpha

    @staticmethod
    def _contact_shadow(canvas: np.ndarray, alpha: np.ndarray, top: int, left: int, rng) -> None:
        """Darken an ellipse under the pasted subject's base (in place)."""
        h, w = canvas.shape[:2]
        ph, pw = alpha.shape
        cx, base = left + pw / 2, top + ph
        shade = np.zeros((h, w), np.float32)
        axes = (max(2, int(pw * rng.uniform(0.35, 0.6))), max(2, int(ph * rng.uniform(0.03, 0.08))))
        cv2.ellipse(shade, (int(cx), int(min(h - 1, base - axes[1] * 0.5))), axes, 0, 0, 360, 1.0, -1)
        shade = cv2.GaussianBlur(shade, (0, 0), max(1.0, pw * 0.06)) * rng.uniform(0.25, 0.6)
        canvas[:] = np.clip(canvas.astype(np.float32) * (1 - shade[..., None]), 0, 255).astype(np.uint8)

    def copy_paste(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One or two real subjects on a real scene, with touching, occluding and edge-cut distractors.

        Distractors are labelled background: one stands behind and touching the subject, one is cut by the
        frame edge (often out of focus), one small thing stands in front of the subject's base and hides
        part of it. The network has to learn "the product", not "whatever differs from the scene".
        """
        aspect = float(rng.choice([1.0, 4 / 3, 3 / 4, 3 / 2, 2 / 3]))
        long = int(self.size * rng.uniform(1.0, 1.5))
        h, w = (long, int(long / aspect)) if aspect < 1 else (int(long / aspect), long)
        canvas = self._background(rng, h, w).copy()
        if rng.random() < 0.4:  # the scene out of focus behind the product
            canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(1.0, 3.0))
        label = np.zeros((h, w), np.uint8)
        side = min(h, w) * rng.uniform(0.45, 0.9)
        subjects = []  # (rgb, alpha, top, left)
        for k in range(1 if rng.random() < 0.8 else 2):
            cut = self._cut(rng, int(rng.choice(self._subjects)), side / (1 + 0.4 * k))
            if cut is None:
                continue
            rgb, alpha = cut
            ph, pw = alpha.shape
            top = int(rng.uniform(0.05, 0.95) * (h - ph)) if h > ph else int((h - ph) * rng.uniform(0.3, 0.7))
            left = int(rng.uniform(0.1, 0.9) * (w - pw)) if w > pw else int((w - pw) * rng.uniform(0.3, 0.7))
            if subjects:  # the second subject stands beside the first, on the same floor
                _, a0, t0, l0 = subjects[0]
                top = t0 + a0.shape[0] - ph
                left = l0 + a0.shape[1] - int(pw * 0.1) if l0 + a0.shape[1] + pw // 2 < w else l0 - pw + int(pw * 0.1)
            subjects.append((rgb, alpha, top, left))
        if not subjects:
            return canvas, label
        _, a0, t0, l0 = subjects[0]
        h0, w0 = a0.shape

        def distractor(scale_lo, scale_hi):
            return self._cut(rng, int(rng.choice(self._subjects)), max(h0, w0) * rng.uniform(scale_lo, scale_hi))

        if rng.random() < 0.35 and (cut := distractor(0.3, 0.6)) is not None:  # touching, behind the subject
            rgb, alpha = cut
            left = l0 + w0 - int(alpha.shape[1] * 0.3) if rng.random() < 0.5 else l0 - int(alpha.shape[1] * 0.7)
            _paste(canvas, label, rgb, alpha, t0 + h0 - alpha.shape[0] - int(h0 * 0.03), left, is_subject=False)
        if rng.random() < 0.35 and (cut := distractor(0.3, 0.7)) is not None:  # cut by the frame edge
            rgb, alpha = cut
            ph, pw = alpha.shape
            left = -int(pw * rng.uniform(0.3, 0.6)) if rng.random() < 0.5 else w - int(pw * rng.uniform(0.4, 0.7))
            if rng.random() < 0.6:
                rgb = cv2.GaussianBlur(rgb, (0, 0), rng.uniform(1.5, 4.0))
                alpha = cv2.GaussianBlur(alpha, (0, 0), 1.5)
            _paste(canvas, label, rgb, alpha, int(rng.uniform(0, max(1, h - ph))), left, is_subject=False)
        for rgb, alpha, top, left in subjects:
            if rng.random() < 0.6:
                self._contact_shadow(canvas, alpha, top, left, rng)
            _paste(canvas, label, rgb, alpha, top, left, is_subject=True)
        if rng.random() < 0.15 and (cut := distractor(0.15, 0.3)) is not None:  # small, in front of the base
            rgb, alpha = cut
            top = t0 + int(h0 * rng.uniform(0.7, 0.95)) - alpha.shape[0] // 2
            left = l0 + int(rng.uniform(-0.1, 0.9) * w0) - alpha.shape[1] // 2
            _paste(canvas, label, rgb, alpha, top, left, is_subject=False)
        return canvas, label

    # -- the mixture ---------------------------------------------------------------------------
    def compose(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Return one training pair at its natural size: image uint8 HxWx3, mask uint8 0..255."""
        roll = rng.random()
        if roll < self.real_share:
            return self.augment_real(rng)
        if roll < self.real_share + self.copy_paste_share:
            return self.copy_paste(rng)
        return self.synthetic.compose(rng)

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        image, mask = self.compose(rng)
        image = self.synthetic.degrade(rng, image)
        box = Letterbox.fit(*image.shape[:2], self.size)
        return box.apply(image), box.pad_mask(mask).astype(np.float32) / 255.0

    def batch(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        pairs = [self.sample(rng) for _ in range(n)]
        return (np.stack([p[0] for p in pairs]).astype(np.float32), np.stack([p[1] for p in pairs])[..., None])


def letterboxed_batch(cutouts: list[Cutout], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack the given photos and masks letterboxed to size (the validation batch)."""
    xs, ys = [], []
    for c in cutouts:
        box = Letterbox.fit(*c.alpha.shape, size)
        xs.append(box.apply(c.rgb))
        ys.append(box.pad_mask(c.alpha).astype(np.float32) / 255.0)
    return np.stack(xs).astype(np.float32), np.stack(ys)[..., None]
