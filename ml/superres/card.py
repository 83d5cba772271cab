"""Fold measured evaluation results into the super-resolution model cards.

``python -m ml.superres.card var/eval/superres_x2.json var/eval/superres_x4.json`` copies
each model's measured scores into its JSON card (``metrics``) and prints Markdown tables
for ``ml/weights/superres.md``, so the cards only ever quote numbers a run produced.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ml.superres.inference import weights_path

METHOD_MODES = {"ours": "faithful", "ours-sharp": "sharp"}


def card_path(scale: int, mode: str) -> Path:
    """Return the JSON card path for one model."""
    path = weights_path(scale, mode)
    return path.with_name(path.name.replace(".weights.h5", ".json"))


def update_cards(report: dict) -> None:
    """Write the report's per-dataset scores for ``ours``/``ours-sharp`` into their cards."""
    scale = report["scale"]
    for method, mode in METHOD_MODES.items():
        path = card_path(scale, mode)
        if not path.exists():
            continue
        card = json.loads(path.read_text())
        metrics = card.setdefault("metrics", {})
        for dataset, block in report["datasets"].items():
            if method in block["methods"]:
                scores = {k: v for k, v in block["methods"][method].items() if k != "per_image"}
                metrics[Path(dataset).parent.name or dataset] = scores
        if report.get("latency_512x512_s", {}).get(method) is not None:
            metrics["latency_512x512_s"] = report["latency_512x512_s"][method]
            metrics["latency_load_average_1min"] = report.get("load_average_1min")
        path.write_text(json.dumps(card, indent=2) + "\n")


def markdown_table(report: dict) -> str:
    """Render one evaluation report as Markdown tables (one per dataset)."""
    lines = []
    lat = report.get("latency_512x512_s", {})
    for dataset, block in report["datasets"].items():
        lines.append(f"**{dataset}, x{report['scale']}** ({block['images']} images)\n")
        lines.append("| method | PSNR-Y (dB) | SSIM-Y | sharpness | PSNR-RGB (dB) | 512x512 latency (s) |")
        lines.append("|---|---|---|---|---|---|")
        for name, m in block["methods"].items():
            rgb = f"{m['psnr_rgb']:.3f}" if "psnr_rgb" in m else "-"
            lines.append(
                f"| {name} | {m['psnr_y']:.3f} | {m['ssim_y']:.4f} | {m['sharpness']:.3f} | {rgb} | {lat.get(name, '-')} |"
            )
        lines.append("")
    if report.get("upscale_1000x1000_x2_s") is not None:
        lines.append(
            f"`upscale` x2 of a 1000x1000 RGB image: {report['upscale_1000x1000_x2_s']} s "
            f"(median, {report.get('threads')} threads, 1-min load average {report.get('load_average_1min')})\n"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Update cards from the given evaluation JSON files and print their Markdown tables."""
    for name in argv:
        report = json.loads(Path(name).read_text())
        update_cards(report)
        print(markdown_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
