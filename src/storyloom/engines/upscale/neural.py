"""``spandrel``: neural upscaling with any super-resolution model spandrel can load
(Real-ESRGAN, ESRGAN, SwinIR, HAT, compact SRVGG, ...), from a weights file the user names:

    [engines.spandrel]              # ~/.config/storyloom/config.toml
    model = "/models/RealESRGAN_x4plus.pth"

or ``STORYLOOM_SPANDREL_MODEL=/models/...``. Nothing is downloaded. The model runs at its
own scale; when the asked scale differs (a x4 model asked for x2) its output is
area-resized to the asked size. Frames go through in tiles so memory stays bounded.

spandrel is installed without its dependencies (requirements-nodeps.txt): it declares
torchvision, and no torchvision build matches the CPU torch we pin. spandrel imports
torchvision only for two non-upscaling architectures (LaMa inpainting, RestoreFormer
faces); when torchvision is absent those two names are given stand-ins that raise,
and this engine only accepts super-resolution models.

    >>> SpandrelUpscaler.is_available().ok      # doctest: +SKIP
    False
"""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np

from storyloom.config import engine_setting
from storyloom.engines.base import AVAILABLE, Availability, Progress, missing, no_progress, register
from storyloom.engines.upscale.base import Upscaler, check_size
from storyloom.errors import BadInput, EngineUnavailable

TILE = 256      # input pixels per tile side
OVERLAP = 16    # input pixels shared by neighbouring tiles, cut off again after the model


def _model_path() -> str | None:
    return engine_setting("spandrel", "model")


def import_spandrel():
    """``import spandrel``, without torchvision if need be (see the module docstring).

    The stand-in modules live in ``sys.modules`` only while spandrel imports, so other
    packages asking whether torchvision is installed still hear "no".

    >>> import_spandrel().__name__              # doctest: +SKIP
    'spandrel'
    """
    if "spandrel" in sys.modules or importlib.util.find_spec("torchvision") is not None:
        import spandrel
        return spandrel

    def unavailable(*_a, **_k):
        raise EngineUnavailable("this spandrel architecture needs torchvision, which is not installed")

    tv = types.ModuleType("torchvision")
    tr = types.ModuleType("torchvision.transforms")
    fn = types.ModuleType("torchvision.transforms.functional")
    fn.rotate = fn.normalize = unavailable
    fn.InterpolationMode = types.SimpleNamespace(BILINEAR="bilinear", NEAREST="nearest", BICUBIC="bicubic")
    tv.transforms, tr.functional = tr, fn
    names = {"torchvision": tv, "torchvision.transforms": tr, "torchvision.transforms.functional": fn}
    sys.modules.update(names)
    try:
        import spandrel
    finally:
        for name in names:
            sys.modules.pop(name, None)
    return spandrel


def load_model(path):
    """A spandrel ``ImageModelDescriptor`` for the super-resolution weights at ``path``, in eval mode.

    >>> load_model("/models/RealESRGAN_x4plus.pth").scale     # doctest: +SKIP
    4
    """
    spandrel = import_spandrel()
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: spandrel model file not found (engines.spandrel.model)")
    try:
        desc = spandrel.ModelLoader(device="cpu").load_from_file(str(path))
    except Exception as e:  # unpickling, unknown architecture, bad tensors: all say 'not a model'
        raise BadInput(f"{path.name}: not a model spandrel can load ({type(e).__name__}: {e})") from None
    if not isinstance(desc, spandrel.ImageModelDescriptor) or desc.purpose != "SR":
        raise BadInput(f"{path.name}: a {getattr(desc, 'purpose', '?')} model ({desc.architecture.name}), "
                       f"not a super-resolution one")
    if desc.input_channels != 3 or desc.output_channels != 3:
        raise BadInput(f"{path.name}: takes {desc.input_channels} and gives {desc.output_channels} channels, need RGB")
    return desc.eval()


def _run_tiled(desc, img, torch) -> np.ndarray:
    """One float32 (3, H, W) 0..1 picture through the model in overlapping tiles."""
    _, h, w = img.shape
    s = desc.scale
    out = np.zeros((3, h * s, w * s), np.float32)
    step = TILE - 2 * OVERLAP
    for y in range(0, h, step):
        for x in range(0, w, step):
            y0, x0 = max(0, y - OVERLAP), max(0, x - OVERLAP)
            y1, x1 = min(h, y + step + OVERLAP), min(w, x + step + OVERLAP)
            tile = torch.from_numpy(np.ascontiguousarray(img[:, y0:y1, x0:x1]))[None]
            with torch.inference_mode():
                res = desc(tile)[0].clamp_(0, 1).numpy()
            # keep only the tile's own part (its overlap was context for the edges)
            ty1, tx1 = min(h, y + step), min(w, x + step)
            out[:, y * s:ty1 * s, x * s:tx1 * s] = res[:, (y - y0) * s:(ty1 - y0) * s, (x - x0) * s:(tx1 - x0) * s]
    return out


@register
class SpandrelUpscaler(Upscaler):
    NAME = "spandrel"
    VERSION = "1"
    PRIORITY = 20   # a configured model beats the weightless default
    NEURAL = True
    DESCRIPTION = "neural SR models (Real-ESRGAN, SwinIR, ...) loaded by spandrel from engines.spandrel.model"

    @classmethod
    def is_available(cls) -> Availability:
        lack = missing("torch", "spandrel")
        if lack:
            return lack
        path = _model_path()
        if not path:
            return Availability(False, "no model configured (set engines.spandrel.model or "
                                       "STORYLOOM_SPANDREL_MODEL to a .pth/.safetensors file)")
        if not Path(path).is_file():
            return Availability(False, f"model file {path} not found")
        return AVAILABLE

    def __init__(self) -> None:
        path = _model_path()
        if not path:
            raise EngineUnavailable("spandrel: no model configured (engines.spandrel.model)")
        self._desc = load_model(path)

    def close(self) -> None:
        self._desc = None

    def upscale(self, frames: np.ndarray, scale: int, denoise: float = 0.0, sharpen: float = 0.0,
                progress: Progress = no_progress) -> np.ndarray:
        """Every frame ``scale`` times larger through the model. ``denoise``/``sharpen``
        are left to the model (real-world SR models denoise by design).

        >>> with SpandrelUpscaler() as e:                    # doctest: +SKIP
        ...     e.upscale(frames, 2).shape
        (24, 360, 640, 3)
        """
        import cv2
        import torch
        n, h, w = frames.shape[:3]
        ow, oh = check_size(w, h, scale)
        out = np.empty((n, oh, ow, 3), np.uint8)
        for i in range(n):
            img = frames[i, ..., :3].astype(np.float32).transpose(2, 0, 1) / 255.0
            big = _run_tiled(self._desc, img, torch).transpose(1, 2, 0) * 255.0
            if big.shape[:2] != (oh, ow):   # model scale differs from the asked one
                interp = cv2.INTER_AREA if big.shape[0] > oh else cv2.INTER_CUBIC
                big = cv2.resize(big, (ow, oh), interpolation=interp)
            out[i] = np.clip(big + 0.5, 0, 255).astype(np.uint8)
            progress((i + 1) / n, f"frame {i + 1}/{n}")
        return out
