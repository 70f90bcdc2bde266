"""Synthetic images for labeling tests: one filled shape (circle, square or triangle) of a
random size and place on a noisy background, drawn with numpy and saved as PNG."""

from __future__ import annotations

import json
from pathlib import Path

import numpy

SHAPES = ("circle", "square", "triangle")


def draw(shape: str, rng: numpy.random.Generator, side: int = 48) -> numpy.ndarray:
    """A grey image (uint8, side x side) of one `shape`."""
    size = rng.uniform(0.25, 0.4) * side
    cy, cx = rng.uniform(size, side - size, 2)
    y, x = numpy.mgrid[0:side, 0:side].astype(float)
    if shape == "circle":
        mask = (y - cy) ** 2 + (x - cx) ** 2 <= size ** 2
    elif shape == "square":
        mask = (abs(y - cy) <= size * 0.85) & (abs(x - cx) <= size * 0.85)
    else:
        top = cy - size
        mask = (y >= top) & (y <= cy + size) & (abs(x - cx) <= (y - top) / 2)
    image = rng.normal(40, 12, (side, side)) + mask * rng.uniform(150, 210)
    return numpy.clip(image, 0, 255).astype("uint8")


def shape_manifest(folder: Path, count: int, seed: int = 0) -> tuple[Path, list[str]]:
    """`count` images in `folder` and their input manifest; the true shape of each item."""
    from PIL import Image

    rng = numpy.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth, lines = [], []
    for i in range(count):
        shape = SHAPES[i % len(SHAPES)] if i < len(SHAPES) else str(rng.choice(SHAPES))
        Image.fromarray(draw(shape, rng)).save(folder / f"{i:03d}.png")
        truth.append(shape)
        lines.append(json.dumps({"source-ref": str(folder / f"{i:03d}.png")}))
    manifest = folder / "shapes.manifest"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest, truth
