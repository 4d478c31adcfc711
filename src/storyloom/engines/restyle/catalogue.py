"""The named styles every restyle backend offers: name, one-line description, and the
prompt a generative backend (``diffusers``) uses for it.

    >>> style_names()[:3]
    ['impressionist', 'ukiyo-e', 'watercolour']
    >>> get_style("film-noir").description
    'black and white, deep shadows, hard contrast, grain and vignette'
"""
from __future__ import annotations

from dataclasses import dataclass

from storyloom.errors import BadInput


@dataclass(frozen=True)
class StyleInfo:
    name: str
    description: str
    #: text for image-to-image backends
    prompt: str


_LIST = [
    StyleInfo("impressionist", "Monet-like broken colour in short directional brush dabs",
              "impressionist oil painting by Claude Monet, visible brush dabs, broken colour, soft light"),
    StyleInfo("ukiyo-e", "Japanese woodblock print: flat muted inks, dark outlines, paper texture",
              "ukiyo-e woodblock print by Hokusai, flat colours, bold outlines, washi paper texture"),
    StyleInfo("watercolour", "transparent washes that bleed, darkened edges, granulating pigment on paper",
              "loose watercolour painting, wet bleeding washes, paper texture, granulation"),
    StyleInfo("ink-wash", "Chinese ink painting: graded grey washes and brush lines on rice paper",
              "traditional Chinese ink wash painting, sumi-e, black ink on rice paper"),
    StyleInfo("cartoon", "cel animation: smooth flat tones in a few bands and black outlines",
              "cel shaded cartoon, flat colours, clean black outlines, animation still"),
    StyleInfo("oil-painting", "thick oil paint: blended colour patches with lit impasto ridges and canvas",
              "thick impasto oil painting on canvas, rich colour, visible brushwork"),
    StyleInfo("pencil-sketch", "graphite drawing: pencil lines and hatching on white paper",
              "detailed graphite pencil sketch, hatching, on white paper"),
    StyleInfo("comic-halftone", "comic print: flat inks, halftone-dot shading and bold ink outlines",
              "vintage comic book panel, halftone dots, bold ink outlines"),
    StyleInfo("pop-art", "Warhol-style silkscreen: a few loud flat colours, Ben-Day dots, black lines",
              "pop art silkscreen by Andy Warhol, bold flat neon colours, Ben-Day dots"),
    StyleInfo("pixel-art", "low-resolution blocks in a 16-colour palette, like a 16-bit game",
              "16-bit pixel art, limited palette, retro video game sprite"),
    StyleInfo("film-noir", "black and white, deep shadows, hard contrast, grain and vignette",
              "1940s film noir still, black and white, dramatic hard shadows, film grain"),
    StyleInfo("vintage-film", "faded 1970s colour print: warm cast, lifted blacks, grain, vignette",
              "1970s vintage film photograph, faded warm colours, film grain, vignette"),
    StyleInfo("cyberpunk-neon", "night city look: dark teal and purple with glowing magenta and cyan edges",
              "cyberpunk neon night, glowing magenta and cyan lights, dark moody"),
    StyleInfo("pastel", "soft chalk pastel: pale light colours on toothed paper",
              "soft chalk pastel drawing, pale colours, textured paper"),
    StyleInfo("mosaic", "small irregular stone tiles with grout lines",
              "roman mosaic made of small irregular stone tiles, grout lines"),
    StyleInfo("stained-glass", "glowing saturated glass panes in black lead came",
              "stained glass window, vivid glowing glass panes, black lead lines"),
    StyleInfo("charcoal", "smudged charcoal: heavy dark strokes and paper grain",
              "expressive charcoal drawing, smudged, heavy dark strokes, paper grain"),
    StyleInfo("blueprint", "technical drawing: white lines on blueprint blue with a grid",
              "architectural blueprint, white technical line drawing on blue paper, grid"),
    StyleInfo("thermal", "infrared camera: brightness as an iron-hot false-colour palette",
              "thermal infrared camera image, false colour heat map"),
    StyleInfo("sepia", "old brown-toned photograph with soft contrast and vignette",
              "antique sepia photograph, 1900s, vignette"),
    StyleInfo("technicolor", "1950s three-strip Technicolor: rich saturated reds, teals and golden light",
              "1950s Technicolor film still, rich saturated colours"),
    StyleInfo("risograph", "two-ink risograph print: fluorescent pink and blue, grainy, misregistered",
              "risograph print, two inks fluorescent pink and blue, grainy texture, misregistration"),
    StyleInfo("low-poly", "faceted flat-shaded triangles, like low-polygon 3D art",
              "low poly art, flat shaded triangles, geometric"),
]

STYLES: dict[str, StyleInfo] = {s.name: s for s in _LIST}

#: other spellings users type
ALIASES = {"watercolor": "watercolour", "ukiyoe": "ukiyo-e", "monet": "impressionist", "cel": "cartoon",
           "ink": "ink-wash", "sumi-e": "ink-wash", "halftone": "comic-halftone", "noir": "film-noir",
           "oil": "oil-painting", "sketch": "pencil-sketch", "pixel": "pixel-art", "neon": "cyberpunk-neon"}


def style_names() -> list[str]:
    """Every style's name, in catalogue order.

    >>> len(style_names()) >= 20
    True
    """
    return [s.name for s in _LIST]


def get_style(name: str) -> StyleInfo:
    """The style called ``name`` (or one of its aliases); ``BadInput`` listing the valid names.

    >>> get_style("watercolor").name
    'watercolour'
    """
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    if key not in STYLES:
        raise BadInput(f"style {name!r}: unknown (choose from: {', '.join(style_names())})")
    return STYLES[key]
