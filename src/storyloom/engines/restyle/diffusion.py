"""``diffusers``: restyle with a Stable Diffusion image-to-image pipeline.

Weights come from ``engine_setting("diffusers", "model")`` (a local folder saved with
``save_pretrained`` or a hub id), e.g. in ``~/.config/storyloom/config.toml``::

    [engines.diffusers]
    model = "/models/stable-diffusion-v1-5"
    steps = 20          # denoising steps
    denoise = 0.45      # how far from the input each frame may move (img2img strength)
    size = 512          # longest side the model sees

Each style's prompt comes from the catalogue. Cross-frame consistency: every frame is
denoised from the *same* noise (one seed per clip), and its init image is the input
frame blended with the previous output warped onto it by optical flow (where the flow
is reliable), so the model starts from what it drew before; the result is blended with
that warped output once more, as in ``cpu-styles``.

    >>> DiffusersRestyler.is_available().ok        # doctest: +SKIP
    False
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from storyloom.config import engine_setting
from storyloom.engines.base import AVAILABLE, Availability, Progress, missing, no_progress, register
from storyloom.engines.restyle.base import Restyler, blend_strength, check_frames, check_strength
from storyloom.engines.restyle.catalogue import get_style
from storyloom.errors import EngineUnavailable

NEGATIVE = "blurry, low quality, deformed, watermark, text"


def _setting(key: str, default: float) -> float:
    try:
        return float(engine_setting("diffusers", key, str(default)))
    except ValueError:
        return default


def model_size(w: int, h: int, longest: int, multiple: int = 64) -> tuple[int, int]:
    """The size a frame is given to the model: longest side ``longest``, both sides a
    multiple of ``multiple`` (what the VAE and UNet downsampling need).

    >>> model_size(320, 180, 512)
    (512, 256)
    """
    scale = longest / max(w, h)
    return (max(multiple, int(round(w * scale / multiple)) * multiple),
            max(multiple, int(round(h * scale / multiple)) * multiple))


@register
class DiffusersRestyler(Restyler):
    NAME = "diffusers"
    VERSION = "1"
    PRIORITY = 5          # neural and slow: used when asked for by name
    NEURAL = True
    DESCRIPTION = "Stable Diffusion img2img per frame, shared noise + flow-warped init (diffusers)"

    #: how much of the warped previous output goes into the init image, and into the result
    CARRY_INIT = 0.5
    CARRY_OUT = 0.5

    def __init__(self, device: str | None = None):
        self._pipe = None
        self._device = device

    @classmethod
    def is_available(cls) -> Availability:
        absent = missing("torch", "diffusers", "transformers")
        if absent:
            return absent
        model = engine_setting("diffusers", "model")
        if not model:
            return Availability(False, "no model configured (set [engines.diffusers] model = PATH or hub id "
                                       "in the config file, or STORYLOOM_DIFFUSERS_MODEL)")
        p = Path(model).expanduser()
        if (model.startswith((".", "/", "~")) or p.exists()) and not (p / "model_index.json").exists():
            return Availability(False, f"model {model}: no diffusers pipeline there (model_index.json missing)")
        return AVAILABLE

    def _load(self):
        if self._pipe is not None:
            return self._pipe
        a = self.is_available()
        if not a:
            raise EngineUnavailable(f"diffusers: {a.reason}")
        import torch
        from diffusers import StableDiffusionImg2ImgPipeline
        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        model = engine_setting("diffusers", "model")
        if Path(model).expanduser().exists():
            model = str(Path(model).expanduser())
        pipe = StableDiffusionImg2ImgPipeline.from_pretrained(model, dtype=dtype, safety_checker=None,
                                                              requires_safety_checker=False)
        pipe.set_progress_bar_config(disable=True)
        self._pipe, self._device = pipe.to(device), device
        return self._pipe

    def close(self) -> None:
        if self._pipe is not None:
            self._pipe = None
            try:
                import torch
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
            except ImportError:
                pass

    def restyle(self, frames: np.ndarray, style: str, strength: float = 1.0, seed: int = 0,
                progress: Progress = no_progress) -> np.ndarray:
        info = get_style(style)
        strength = check_strength(strength)
        frames = check_frames(frames)
        if strength == 0.0:
            return frames.copy()
        import torch
        from PIL import Image

        from storyloom.engines.restyle.temporal import Follower
        pipe = self._load()
        steps = max(1, int(_setting("steps", 20)))
        denoise = min(1.0, max(0.05, _setting("denoise", 0.45)))
        guidance = _setting("guidance", 7.0)
        n, h, w = frames.shape[:3]
        # never larger than the frame: upscaling only costs time
        mw, mh = model_size(w, h, min(int(_setting("size", 512)), max(64, max(w, h))))
        follow = Follower(h, w)
        out = np.empty_like(frames)
        prev = None
        for i, frame in enumerate(frames):
            follow.advance(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))
            cur = frame.astype(np.float32) / 255.0
            warped = follow.warp_previous(prev) if prev is not None else None
            init = cur
            if warped is not None:
                k = (self.CARRY_INIT * follow.confidence)[..., None]
                init = cur * (1 - k) + warped * k
            small = cv2.resize((init * 255 + 0.5).clip(0, 255).astype(np.uint8), (mw, mh), interpolation=cv2.INTER_AREA)
            # the same seed for every frame: each is denoised from identical noise
            gen = torch.Generator(device="cpu").manual_seed(int(seed))
            result = pipe(prompt=info.prompt, negative_prompt=NEGATIVE, image=Image.fromarray(small),
                          strength=denoise, num_inference_steps=steps, guidance_scale=guidance,
                          generator=gen, output_type="np").images[0]
            styled = cv2.resize(np.asarray(result, np.float32), (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)
            if warped is not None:
                k = (self.CARRY_OUT * follow.confidence)[..., None]
                styled = styled * (1 - k) + warped * k
            prev = styled.astype(np.float32)
            out[i] = (styled * 255 + 0.5).clip(0, 255).astype(np.uint8)
            progress((i + 1) / n, f"restyling ({info.name}, diffusers)")
        return blend_strength(frames, out, strength)
