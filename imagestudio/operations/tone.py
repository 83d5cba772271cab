"""Colour and tone operations: white balance, exposure, contrast, denoise, adjustments.

Sharpening is media's (``media.operations.Sharpen``, registered as ``sharpen``): one implementation for
the studio and the rendition ladder.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from imagestudio.operations.base import InvalidRecipe, Operation, param, register_operation
from imagestudio.operations.pixels import apply_lut, luminance, on_rgb, thumbnail, to_uint8

_RANGE = np.arange(256, dtype=np.float32)


@register_operation("auto_white_balance")
@dataclass(frozen=True)
class AutoWhiteBalance(Operation):
    """Remove a colour cast so that neutral surfaces come out grey (deliberately coloured light is left alone)."""

    method: str = param("robust", choices=("robust", "gray_world", "white_patch"),
                        help="robust: grey-world over the near-neutral pixels (backdrops, labels), refined "
                             "iteratively; gray_world: all pixels; white_patch: brightest pixels to white")
    strength: float = param(1.0, low=0.0, high=1.0, help="0 keeps the input, 1 applies the full correction")
    max_gain: float = param(1.8, low=1.0, high=4.0,
                            help="largest correction of one channel against another; a cast needing more is "
                                 "taken for deliberately coloured light and left alone (robust method)")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return on_rgb(image, self._balance)

    def apply(self, frame):
        """Estimate on the background when a mask is known (a product's own colour is not a cast), correct
        the whole photo, and note a skipped or limited correction in the result."""
        rgb = np.ascontiguousarray(frame.image[..., :3])
        sample_mask = None
        if frame.mask is not None:
            background = frame.mask < 128
            if background.mean() >= 0.1:
                sample_mask = background
        gains, note = self.decide(rgb, sample_mask)
        out = apply_lut(rgb, np.stack([_RANGE * g for g in gains]))
        image = np.dstack([out, frame.image[..., 3]]) if frame.image.shape[2] == 4 else out
        result = frame.replace(image=image)
        if note:
            result.meta.setdefault("notes", []).append(note)
        return result

    def decide(self, rgb: np.ndarray, sample_mask: np.ndarray | None = None) -> tuple[np.ndarray, str]:
        """Return (gains, note): the correction to apply and, when it was skipped or limited, why."""
        gains, neutral_share = self._estimate(rgb, sample_mask)
        if self.method != "robust":
            return 1.0 + self.strength * (gains - 1.0), ""
        spread = float(gains.max() / max(gains.min(), 1e-6))
        if neutral_share < 0.02:
            return np.ones(3, np.float32), ("white balance skipped: nothing in the photo looks neutral, so the "
                                            "colour of the light is the scene's own")
        if spread > self.max_gain:
            return np.ones(3, np.float32), (f"white balance skipped: the light is strongly coloured (a {spread:.2f}x "
                                            "correction would be needed), which looks deliberate")
        return 1.0 + self.strength * (gains - 1.0), ""

    def estimate_gains(self, rgb: np.ndarray) -> np.ndarray:
        """Return the per-channel gains that neutralise the cast (strength applied, no skipping)."""
        gains, _ = self._estimate(rgb, None)
        return 1.0 + self.strength * (gains - 1.0)

    def _estimate(self, rgb: np.ndarray, sample_mask: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Return the full gains and the share of sampled pixels that looked neutral in the end."""
        # Statistics need far fewer pixels than a photo has; channels as rows keep reductions fast.
        small = thumbnail(rgb, 384)
        f = small.reshape(-1, 3).T.astype(np.float32)
        if sample_mask is not None:
            keep = cv2.resize(sample_mask.astype(np.uint8), (small.shape[1], small.shape[0]),
                              interpolation=cv2.INTER_NEAREST).reshape(-1).astype(bool)
            if keep.sum() >= 64:
                f = f[:, keep]
        # Pure white and nearly black pixels carry no colour information. Pixels clipped in one
        # channel stay in: a cast white backdrop reads (255, 233, 196) and should become white.
        lo, hi = np.minimum(np.minimum(f[0], f[1]), f[2]), np.maximum(np.maximum(f[0], f[1]), f[2])
        usable = (lo < 254) & (hi > 15)
        sample = f[:, usable] if usable.sum() >= 0.05 * f.shape[1] else f
        if self.method == "white_patch":
            stats = np.percentile(sample, 99.0, axis=1)
        else:
            stats = sample.mean(axis=1)
        neutral_share = 1.0
        if self.method == "robust":
            # A big coloured product would bias plain grey-world: re-estimate from the pixels that
            # look neutral once the current estimate is applied, with a tolerance that tightens each round.
            for tolerance in (0.4, 0.25, 0.12, 0.06):
                c = sample * (stats.max() / np.maximum(stats, 1.0))[:, None]
                c_lo, c_hi = np.minimum(np.minimum(c[0], c[1]), c[2]), np.maximum(np.maximum(c[0], c[1]), c[2])
                neutral = (c_hi - c_lo) < tolerance * np.maximum(c_hi, 1.0)
                neutral_share = float(neutral.mean())
                if neutral.sum() < 0.02 * sample.shape[1]:
                    break
                stats = sample[:, neutral].mean(axis=1)
        # Scale up to the strongest channel so whites stay white instead of turning grey.
        return (stats.max() / np.maximum(stats, 1.0)).astype(np.float32), neutral_share

    def _balance(self, rgb: np.ndarray) -> np.ndarray:
        gains, _ = self.decide(rgb)
        return apply_lut(rgb, np.stack([_RANGE * g for g in gains]))


@register_operation("auto_exposure")
@dataclass(frozen=True)
class AutoExposure(Operation):
    """Fix exposure: stretch the levels to the full range, then lift the mid-tones of a dark photo."""

    target: float = param(0.5, low=0.2, high=0.8, help="median brightness (0..1) a dark photo is lifted to")
    clip_percent: float = param(0.1, low=0.0, high=5.0, help="share of darkest/brightest pixels allowed to clip")
    max_gamma: float = param(2.0, low=1.0, high=4.0, help="limit on how strongly the mid-tones may move")
    darken: bool = param(False, help="also pull down the mid-tones of a bright photo (off: high-key shots stay bright)")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return on_rgb(image, self._expose)

    def _expose(self, rgb: np.ndarray) -> np.ndarray:
        small = thumbnail(rgb)
        y = luminance(small)
        # Set the white point on the brightest channel and the black point on the darkest, so the
        # stretch clips no single channel (which would tint highlights and shadows).
        lo = float(np.percentile(small.min(axis=2), self.clip_percent))
        hi = float(np.percentile(small.max(axis=2), 100.0 - self.clip_percent))
        if hi - lo < 8:  # a flat image: stretching would only amplify noise
            return rgb.copy()
        median = float(np.median(np.clip((y - lo) / (hi - lo), 0.0, 1.0)))
        median = min(max(median, 1e-3), 0.999)
        gamma = 1.0
        # Product shots are often high-key (a bright backdrop dominates), so a bright median is
        # not a fault: only dark photos are lifted unless darkening is asked for.
        if median < self.target or self.darken:
            gamma = float(np.log(self.target) / np.log(median))
            gamma = min(max(gamma, 1.0 / self.max_gamma), self.max_gamma)
        stretched = np.clip((_RANGE - lo) / (hi - lo), 0.0, 1.0)
        return apply_lut(rgb, 255.0 * stretched ** gamma)


@register_operation("clahe")
@dataclass(frozen=True)
class Clahe(Operation):
    """Boost local contrast with contrast-limited adaptive histogram equalisation on lightness."""

    clip_limit: float = param(2.0, low=0.5, high=10.0, help="higher values give stronger local contrast")
    tile_grid: int = param(8, low=2, high=32, help="number of tiles per side")
    strength: float = param(1.0, low=0.0, high=1.0, help="blend with the input; lower avoids halos on plain backdrops")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return on_rgb(image, self._clahe)

    def _clahe(self, rgb: np.ndarray) -> np.ndarray:
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
        clahe = cv2.createCLAHE(clipLimit=self.clip_limit, tileGridSize=(self.tile_grid, self.tile_grid))
        lightness = np.ascontiguousarray(lab[..., 0])
        equalised = clahe.apply(lightness)
        if self.strength < 1.0:
            equalised = cv2.addWeighted(equalised, self.strength, lightness, 1.0 - self.strength, 0.0)
        lab[..., 0] = equalised
        return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


@register_operation("equalize_histogram")
@dataclass(frozen=True)
class EqualizeHistogram(Operation):
    """Spread the brightness histogram over the full range, leaving the colours' chroma alone."""

    def __call__(self, image: np.ndarray) -> np.ndarray:
        def equalize(rgb: np.ndarray) -> np.ndarray:
            ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
            ycc[..., 0] = cv2.equalizeHist(np.ascontiguousarray(ycc[..., 0]))
            return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)

        return on_rgb(image, equalize)


def estimate_noise(rgb: np.ndarray) -> float:
    """Return the noise standard deviation in grey levels (Immerkaer's Laplacian-difference estimator)."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)
    if min(grey.shape) < 3:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)

    def sigma(g: np.ndarray) -> float:
        response = np.abs(cv2.filter2D(g, -1, kernel)[1:-1, 1:-1])
        # Gaussian noise of sigma answers with std 6 sigma (the kernel's L2 norm); edges answer too,
        # so use the median of |response| (0.6745 std for a normal variable), not the mean.
        return float(np.median(response) / (6.0 * 0.6745))

    fine = sigma(grey)
    if min(grey.shape) < 16:
        return fine
    # JPEG turns grain into blotches the fine-scale kernel misses; averaging 2x2 halves white
    # noise, so twice the half-scale estimate matches for white noise and catches the blotches.
    half = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
    return max(fine, 2.0 * sigma(half))


@register_operation("denoise")
@dataclass(frozen=True)
class Denoise(Operation):
    """Remove sensor noise with non-local means, keeping edges."""

    strength: float | None = param(5.0, low=1.0, high=30.0,
                                   help="luminance filter strength (h); empty: measured from the photo's noise")
    colour_strength: float = param(5.0, low=0.0, high=30.0, help="colour filter strength (hColor)")
    search_window: int = param(21, low=7, high=35, help="odd search window size in pixels; larger is slower")
    method: str = param("nl_means", choices=("nl_means", "fast"),
                        help="nl_means filters colour too; fast filters luma only and smooths chroma (~3x faster)")

    def validate(self) -> None:
        if self.search_window % 2 == 0:
            raise InvalidRecipe(f"search_window must be odd, got {self.search_window}", field="search_window")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return on_rgb(image, self._denoise_fast if self.method == "fast" else self._denoise)

    def _h(self, rgb: np.ndarray) -> float | None:
        if self.strength is not None:
            return self.strength
        sigma = estimate_noise(rgb)
        # Below ~1.5 grey levels noise is invisible; filtering would only soften detail.
        return None if sigma < 1.5 else min(30.0, sigma)

    def _denoise(self, rgb: np.ndarray) -> np.ndarray:
        h = self._h(rgb)
        if h is None:
            return rgb.copy()
        # OpenCV's colour denoiser assumes BGR when it converts to Lab internally.
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        out = cv2.fastNlMeansDenoisingColored(bgr, None, h, self.colour_strength, 7, self.search_window)
        return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)

    def _denoise_fast(self, rgb: np.ndarray) -> np.ndarray:
        h = self._h(rgb)
        if h is None:
            return rgb.copy()
        ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
        ycc[..., 0] = cv2.fastNlMeansDenoising(np.ascontiguousarray(ycc[..., 0]), None, h, 7, self.search_window)
        if self.colour_strength > 0:
            # The eye barely sees chroma detail, so a plain blur removes colour noise cheaply.
            sigma = self.colour_strength / 3.0
            for c in (1, 2):
                ycc[..., c] = cv2.GaussianBlur(np.ascontiguousarray(ycc[..., c]), (0, 0), sigma)
        return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)


@register_operation("adjust")
@dataclass(frozen=True)
class Adjust(Operation):
    """Adjust brightness, contrast, saturation, hue and colour temperature by hand."""

    brightness: float = param(0.0, low=-1.0, high=1.0, help="-1 black .. +1 white; shifts by up to half the range")
    contrast: float = param(0.0, low=-1.0, high=1.0, help="-1 flat grey .. +1 double contrast")
    saturation: float = param(0.0, low=-1.0, high=1.0, help="-1 greyscale .. +1 double saturation")
    hue: float = param(0.0, low=-180.0, high=180.0, help="rotate hues by this many degrees")
    temperature: float = param(0.0, low=-1.0, high=1.0, help="-1 cooler (bluer) .. +1 warmer (more amber)")

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return on_rgb(image, self._adjust)

    def _adjust(self, rgb: np.ndarray) -> np.ndarray:
        f = rgb.astype(np.float32)
        if self.temperature:
            t = 0.2 * self.temperature
            f *= np.array([1.0 + t, 1.0, 1.0 - t], np.float32)
        if self.saturation or self.hue:
            hsv = cv2.cvtColor(np.clip(f, 0, 255) / 255.0, cv2.COLOR_RGB2HSV)  # float: H in degrees
            hsv[..., 0] = (hsv[..., 0] + self.hue) % 360.0
            hsv[..., 1] = np.clip(hsv[..., 1] * (1.0 + self.saturation), 0.0, 1.0)
            f = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0
        if self.contrast:
            f = (f - 127.5) * (1.0 + self.contrast) + 127.5
        if self.brightness:
            f = f + 127.5 * self.brightness
        return to_uint8(f)
