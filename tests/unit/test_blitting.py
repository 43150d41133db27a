"""The shared redraw helpers: PNG frames decode to exactly the pixels drawn."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from courses.blitting import BlittedFigure, changing, png_bytes


def decoded(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        return np.asarray(image)


def test_png_bytes_round_trips_every_pixel() -> None:
    rgb = np.random.default_rng(3).integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    assert np.array_equal(decoded(png_bytes(rgb)), rgb)


def test_frames_show_the_changing_artist_where_it_is_now() -> None:
    figure = Figure(figsize=(3, 2))
    ax = figure.add_subplot()
    ax.set(xlim=(0, 10), ylim=(0, 10))
    (marker,) = ax.plot([2], [5], "s", markersize=20, color="red")
    changing(marker)
    blitted = BlittedFigure(figure)
    first = decoded(png_bytes(blitted.frame()))
    marker.set_data([8], [5])
    second = decoded(png_bytes(blitted.frame()))
    assert np.array_equal(second, blitted.frame())
    red = (second[..., 0] > 200) & (second[..., 1] < 60)
    columns = np.nonzero(red.any(axis=0))[0]
    assert columns.min() > first.shape[1] / 2, "the marker should now be drawn on the right half only"
