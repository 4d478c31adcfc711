"""Storyboard cards: what a blank shot (no visible layers) shows until it is filled.

A card is drawn at the project's frame size: shot number and scene heading, the shot's
title, its description, the characters in it and its dialogue, light text on a dark
slate background, word-wrapped and shrunk to fit. Rendering a project made from a
script therefore gives an animatic: each card held for its shot's duration.

    >>> from storyloom.model import Project
    >>> p = Project(size={"width": 320, "height": 180})
    >>> shot = p.add_scene("INT. HALL - DAY").add_shot(title="Anna waits", description="She paces.")
    >>> card_image(p, shot).shape
    (180, 320, 3)
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import numpy as np

BACKGROUND_TOP, BACKGROUND_BOTTOM = (34, 41, 54), (22, 27, 36)
ACCENT = (126, 170, 255)
TITLE, BODY, MUTED = (242, 244, 248), (204, 211, 222), (140, 151, 168)
CHIP_FILL, CHIP_TEXT = (52, 63, 82), (222, 229, 240)
SPEAKER = (255, 206, 120)

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
              "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
_FACES = {"regular": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
          "bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
          "italic": ("DejaVuSans-Oblique.ttf", "LiberationSans-Italic.ttf", "Arial Italic.ttf", "ariali.ttf")}


@lru_cache(maxsize=None)
def _font_file(face: str) -> Optional[str]:
    for name in _FACES[face]:
        for d in _FONT_DIRS:
            if (Path(d) / name).is_file():
                return str(Path(d) / name)
    return None


@lru_cache(maxsize=64)
def font(face: str, size: int):
    """A TrueType font (DejaVu Sans when installed, else Pillow's built-in font)."""
    from PIL import ImageFont
    path = _font_file(face)
    size = max(7, int(size))   # smaller is unreadable even on a thumbnail-sized card
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def wrap(text: str, fnt, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels (long words are cut).

    >>> f = font("regular", 20)
    >>> wrap("one two three four", f, f.getlength("three four"))
    ['one two', 'three four']
    """
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split():
            trial = f"{cur} {word}".strip()
            if fnt.getlength(trial) <= width:
                cur = trial
                continue
            if cur:
                lines.append(cur)
            while fnt.getlength(word) > width and len(word) > 1:  # a word wider than the line
                k = max(1, int(len(word) * width / fnt.getlength(word)) - 1)
                lines.append(word[:k] + "-")
                word = word[k:]
            cur = word
        if cur:
            lines.append(cur)
    return lines


def _ellipsize(line: str, fnt, width: float) -> str:
    while line and fnt.getlength(line + "…") > width:
        line = line[:-1]
    return line.rstrip(" ,.;:") + "…"


def _position(project, shot) -> tuple[int, int, int, str]:
    """(scene number, shot number in the scene, shot number in the film, scene title)."""
    k = 0
    for i, scene in enumerate(project.scenes):
        for j, s in enumerate(scene.shots):
            k += 1
            if s.id == shot.id:
                return i + 1, j + 1, k, scene.title
    return 0, 0, 0, ""


def card_text(project, shot) -> str:
    """Everything a card shows, as one string (part of the shot's render cache key)."""
    parts = [shot.title, shot.description, "|".join(shot.characters), repr(shot.duration),
             *(f"{d.character}\0{d.parenthetical}\0{d.text}" for d in shot.dialogue),
             repr(_position(project, shot)), str(project.size)]
    return "\n".join(parts)


def _layout(project, shot, index, scale: float):
    """Draw operations for the card at text ``scale``; also whether everything fitted."""
    W, H = project.size.width, project.size.height
    u = min(W, H) / 720   # type scale follows the frame's short side (portrait frames too)
    mx, my = round(0.06 * W), round(0.065 * H)
    right, bottom = W - mx, H - my
    ops: list[tuple] = []
    fitted = True

    scene_no, shot_no, number, scene_title = _position(project, shot)
    label = f"SHOT {index}" if index is not None else (f"SHOT {scene_no}.{shot_no}" if scene_no else "SHOT")
    f_head = font("bold", 26 * u * scale)
    f_head_r = font("regular", 26 * u * scale)
    y = my
    ops.append(("text", (mx, y), label, f_head, ACCENT))
    dur = f"{shot.duration:.1f} s"
    ops.append(("text", (right - f_head_r.getlength(dur), y), dur, f_head_r, MUTED))
    x_scene = mx + f_head.getlength(label) + 18 * u
    room = right - f_head_r.getlength(dur) - 18 * u - x_scene
    if scene_title and room > 20 * u:
        st = scene_title if f_head_r.getlength(scene_title) <= room else _ellipsize(scene_title, f_head_r, room)
        ops.append(("text", (x_scene, y), st, f_head_r, MUTED))
    y += f_head.size * 1.35
    ops.append(("rule", (mx, round(y), right, round(y) + max(1, round(3 * u))), ACCENT))
    y += 22 * u * scale

    width = right - mx
    title = shot.title or (f"Shot {number}" if number else "Untitled shot")
    f_title = font("bold", 60 * u * scale)
    lines = wrap(title, f_title, width)
    if len(lines) > 2:
        lines, fitted = lines[:2], False
        lines[1] = _ellipsize(lines[1], f_title, width)
    for ln in lines:
        ops.append(("text", (mx, y), ln, f_title, TITLE))
        y += f_title.size * 1.18
    y += 10 * u * scale

    if shot.characters:  # name chips
        f_chip = font("bold", 24 * u * scale)
        pad_x, pad_y = 12 * u * scale, 6 * u * scale
        x = mx
        for name in shot.characters:
            w = f_chip.getlength(name) + 2 * pad_x
            if x + w > right:
                fitted = False
                break
            ops.append(("chip", (x, y, x + w, y + f_chip.size + 2 * pad_y), name, f_chip, (pad_x, pad_y)))
            x += w + 10 * u * scale
        y += f_chip.size + 2 * pad_y + 18 * u * scale

    f_body = font("regular", 34 * u * scale)
    f_speaker = font("bold", 32 * u * scale)
    f_line = font("italic", 32 * u * scale)
    body_lh, line_lh = f_body.size * 1.3, f_line.size * 1.3
    desc = wrap(shot.description, f_body, width) if shot.description else []
    said: list[tuple[str, str, int]] = []   # (speaker label, wrapped words, which line) per row
    indent = 28 * u * scale
    for k, d in enumerate(shot.dialogue):
        who = d.character.upper() + (f" ({d.parenthetical})" if d.parenthetical else "")
        said.append((who, "", k))
        said += [("", ln, k) for ln in wrap(f"“{d.text}”", f_line, width - indent)]
    gap = 14 * u * scale if desc and said else 0
    free = bottom - y - gap
    need = len(desc) * body_lh + len(said) * line_lh
    if need > free:
        fitted = False
        # dialogue keeps up to half the room (more when the description is short)
        said_rows = min(len(said), max(int(free / 2 / line_lh), int((free - len(desc) * body_lh) / line_lh)))
        desc_rows = max(0, int((free - said_rows * line_lh) / body_lh))
        if len(desc) > desc_rows and desc_rows > 0:
            desc = desc[:desc_rows]
            desc[-1] = _ellipsize(desc[-1], f_body, width)
        else:
            desc = desc[:desc_rows]
        if len(said) > said_rows:
            rows = said
            said = rows[:max(0, said_rows - 1)]       # the last row says how many lines are left out
            while said and said[-1][1] == "":   # never end on a speaker with no words
                said.pop()
            shown = 0
            if said:
                k = said[-1][2]
                if len(said) - 1 < max(i for i, r in enumerate(rows) if r[2] == k):   # cut short
                    said[-1] = ("", _ellipsize(said[-1][1], f_line, width - indent), k)
                shown = k + 1
            left = len(shot.dialogue) - shown
            if left > 0 and said_rows > 0:
                said.append(("", f"… {left} more line{'s' if left > 1 else ''} of dialogue", -1))
    for ln in desc:
        ops.append(("text", (mx, y), ln, f_body, BODY))
        y += body_lh
    y += gap
    for who, ln, k in said:
        if who:
            ops.append(("text", (mx, y), who, f_speaker, SPEAKER))
        else:
            ops.append(("text", (mx + indent, y), ln, f_line, MUTED if k < 0 else TITLE))
        y += line_lh
    return ops, fitted


def card_image(project, shot, index: Optional[int] = None) -> np.ndarray:
    """The storyboard card of ``shot`` as an RGB ``uint8`` array at the project's size.

    ``index``: a shot number to print instead of its scene.shot position in ``project``.

    >>> from storyloom.model import Project
    >>> p = Project(size={"width": 640, "height": 360})
    >>> s = p.add_scene("EXT. PIER").add_shot(title="Gulls", description="Gulls wheel over the pier.")
    >>> img = card_image(p, s); img.shape, img.dtype.name, int(img.max()) > 200
    ((360, 640, 3), 'uint8', True)
    """
    from PIL import Image, ImageDraw
    W, H = project.size.width, project.size.height
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
        ops, fitted = _layout(project, shot, index, scale)
        if fitted:
            break
    t = np.linspace(0.0, 1.0, H, dtype=np.float32)[:, None]
    grad = np.array(BACKGROUND_TOP, np.float32) * (1 - t) + np.array(BACKGROUND_BOTTOM, np.float32) * t
    im = Image.fromarray(np.repeat(grad[:, None, :], W, axis=1).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for op in ops:
        if op[0] == "text":
            _, (x, y), text, fnt, color = op
            draw.text((round(x), round(y)), text, font=fnt, fill=color)
        elif op[0] == "rule":
            _, box, color = op
            draw.rectangle(box, fill=color)
        elif op[0] == "chip":
            _, (x0, y0, x1, y1), name, fnt, (px, py) = op
            draw.rounded_rectangle((x0, y0, x1, y1), radius=(y1 - y0) / 2, fill=CHIP_FILL)
            draw.text((round(x0 + px), round((y0 + y1) / 2)), name, font=fnt, fill=CHIP_TEXT, anchor="lm")
    return np.asarray(im).copy()


def is_blank(shot) -> bool:
    """Whether a shot shows nothing of its own: no visible layer."""
    return not any(layer.visible for layer in shot.layers)
