"""The CPU looks by name: ``LOOKS[name] = (look, keep, chroma)``, every catalogue style.

A look is ``look(v: View) -> float32 RGB 0..1``; they live by kind in ``_painted``,
``_graphic`` and ``_photographic``, drawing with ``_canvas`` (per-clip ``ClipLook``,
per-frame ``View``, paper), ``_blocks`` (pixel building blocks) and ``_tiles`` (patterns on
the canvas).

    >>> "ukiyo-e" in LOOKS
    True
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from storyloom.engines.restyle._blocks import lut  # noqa: F401  (tests read lut and IRON from here)
from storyloom.engines.restyle._canvas import View
from storyloom.engines.restyle._graphic import (blueprint, cartoon, comic_halftone, low_poly, mosaic, pixel_art,
                                                pop_art, risograph, stained_glass, ukiyo_e)
from storyloom.engines.restyle._painted import (charcoal, impressionist, ink_wash, oil_painting, pastel,
                                                pencil_sketch, watercolour)
from storyloom.engines.restyle._photographic import (IRON, cyberpunk_neon, film_noir, sepia,  # noqa: F401
                                                     technicolor, thermal, vintage_film)


#: name -> (look, how much of the warped previous output to keep where the flow is sure,
#: chroma pre-filter sigma in px). Videos are stored 4:2:0 (colour at half resolution on a grid
#: fixed to the screen): sharp edges between saturated colours then crawl as the picture moves,
#: so the looks made of them get their colour (not their brightness) softened first.
LOOKS: dict[str, tuple[Callable[[View], np.ndarray], float, float]] = {
    "impressionist": (impressionist, 0.75, 0.0),
    "ukiyo-e": (ukiyo_e, 0.75, 0.0),
    "watercolour": (watercolour, 0.85, 0.0),
    "ink-wash": (ink_wash, 0.75, 0.0),
    "cartoon": (cartoon, 0.75, 0.0),
    "oil-painting": (oil_painting, 0.75, 0.0),
    "pencil-sketch": (pencil_sketch, 0.85, 0.0),
    "comic-halftone": (comic_halftone, 0.85, 1.5),
    "pop-art": (pop_art, 0.9, 2.5),
    "pixel-art": (pixel_art, 0.6, 0.0),
    "film-noir": (film_noir, 0.75, 0.0),
    "vintage-film": (vintage_film, 0.6, 0.0),
    "cyberpunk-neon": (cyberpunk_neon, 0.75, 0.0),
    "pastel": (pastel, 0.75, 0.0),
    "mosaic": (mosaic, 0.9, 1.5),
    "stained-glass": (stained_glass, 0.95, 2.5),
    "charcoal": (charcoal, 0.85, 0.0),
    "blueprint": (blueprint, 0.85, 0.0),
    "thermal": (thermal, 0.6, 0.0),
    "sepia": (sepia, 0.6, 0.0),
    "technicolor": (technicolor, 0.6, 0.0),
    "risograph": (risograph, 0.85, 0.0),
    "low-poly": (low_poly, 0.6, 0.0),
}
