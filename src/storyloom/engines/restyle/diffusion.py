"""``diffusers``: restyle with Stable Diffusion image-to-image, optionally steered by a ControlNet.

Weights come from the engine settings (a local folder saved with ``save_pretrained``, or a
hub id), e.g. in ``~/.config/storyloom/config.toml``::

    [engines.diffusers]
    model = "/models/stable-diffusion-v1-5"
    controlnet = "/models/sd-controlnet-canny"   # optional: keeps every frame's structure
    control = "canny"   # the control picture made from each frame: canny | soft-edge
    control_scale = 0.8 # how strongly the ControlNet steers (0..2)
    steps = 20          # denoising steps
    denoise = 0.45      # how far from the input each frame may move (img2img strength)
    guidance = 7.0      # classifier-free guidance scale
    size = 512          # longest side the model sees
    prompt = "{style}, highly detailed"   # optional: replaces the style's prompt ({style} = it)

Each style's prompt comes from the catalogue. Cross-frame consistency comes from three
things: every frame is denoised from the *same* noise (one seed per clip); its init image
is the input frame blended with the previous *output* warped onto it by DIS optical flow
(only where the flow is reliable), so the model starts from what it drew before; and with
a ControlNet, each frame's edges (computed on the CPU, no extra weights) pin the structure
to the picture. The result is blended with that warped output once more, as in ``cpu-styles``.
On a CUDA machine the pipeline runs there in float16, else on the CPU in float32.

    >>> DiffusersRestyler.is_available().ok        # doctest: +SKIP
    False
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from storyloom.config import engine_setting
from storyloom.engines.base import AVAILABLE, Availability, Progress, missing, register
from storyloom.engines.restyle.base import Restyler, blend_strength
from storyloom.engines.restyle.catalogue import StyleInfo, get_style
from storyloom.errors import BadInput, EngineUnavailable

NEGATIVE = "blurry, low quality, deformed, watermark, text"
#: control pictures this engine can compute from a frame without any extra model
CONTROLS = ("canny", "soft-edge")


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


def control_image(frame: np.ndarray, kind: str = "canny") -> np.ndarray:
    """The ControlNet conditioning picture for one uint8 RGB frame, as uint8 (H, W, 3).

    ``canny``: white one-pixel edges on black, thresholds set from the frame's median grey
    (so dark and bright shots both get edges), what canny ControlNets are trained on.
    ``soft-edge``: blurred Sobel gradient magnitude scaled to 0..255 — a weight-free stand-in
    for HED/PiDiNet soft edges; it changes smoothly with the picture, so it flickers less.

    >>> f = np.zeros((32, 32, 3), np.uint8); f[:, 16:] = 200
    >>> e = control_image(f, "canny"); e.shape, int(e[:, 15:17].max()), int(e[:, :8].max())
    ((32, 32, 3), 255, 0)
    """
    if kind not in CONTROLS:
        raise BadInput(f"control {kind!r}: unknown (choose from: {', '.join(CONTROLS)})")
    gray = cv2.GaussianBlur(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (0, 0), 1.0)
    if kind == "canny":
        med = float(np.median(gray))
        lo, hi = max(10.0, 0.67 * med), min(255.0, max(40.0, 1.33 * med))
        edges = cv2.Canny(gray, lo, hi)
    else:
        g = gray.astype(np.float32)
        mag = cv2.magnitude(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))
        mag = cv2.GaussianBlur(mag, (0, 0), 1.0)
        # a fixed scale (not per-frame max): the same edge gets the same value in every frame
        edges = (np.clip(mag / 255.0, 0, 1) ** 0.5 * 255 + 0.5).astype(np.uint8)
    return np.repeat(edges[..., None], 3, axis=2)


def _local(value: str) -> bool:
    return value.startswith((".", "/", "~")) or Path(value).expanduser().exists()


def _check_folder(what: str, value: str, marker: str, kind: str) -> str:
    """'' if ``value`` (a setting) is a usable local ``kind`` folder or a hub id, else why not."""
    if not _local(value):
        return ""              # a hub id: from_pretrained fetches (or finds it in the cache)
    p = Path(value).expanduser()
    if not p.exists():
        return f"{what} {value}: no such folder"
    if not (p / marker).is_file():
        return f"{what} {value}: not a diffusers {kind} folder ({marker} missing)"
    if kind == "ControlNet":
        try:
            cls = json.loads((p / marker).read_text()).get("_class_name", "")
        except (OSError, ValueError, AttributeError):
            return f"{what} {value}: {marker} is not readable JSON"
        if "ControlNet" not in cls:
            return f"{what} {value}: holds a {cls or 'model of unknown class'}, not a ControlNetModel"
    return ""


@register
class DiffusersRestyler(Restyler):
    NAME = "diffusers"
    VERSION = "2"
    PRIORITY = 5          # neural and slow: used when asked for by name
    NEURAL = True
    DESCRIPTION = ("Stable Diffusion img2img per frame (+ ControlNet edges when configured), "
                   "shared noise + flow-warped previous output (diffusers)")

    #: how much of the warped previous output goes into the init image, and into the result
    CARRY_INIT = 0.5
    CARRY_OUT = 0.5

    def __init__(self, device: str | None = None):
        self._pipe = None
        self._device = device
        self._control = None     # the control kind when a ControlNet is loaded

    @classmethod
    def is_available(cls) -> Availability:
        absent = missing("torch", "diffusers", "transformers")
        if absent:
            return absent
        model = engine_setting("diffusers", "model")
        if not model:
            return Availability(False, "no model configured (set [engines.diffusers] model = PATH or hub id "
                                       "in the config file, or STORYLOOM_DIFFUSERS_MODEL)")
        why = _check_folder("model", model, "model_index.json", "pipeline")
        controlnet = engine_setting("diffusers", "controlnet")
        if not why and controlnet:
            why = _check_folder("controlnet", controlnet, "config.json", "ControlNet")
            control = engine_setting("diffusers", "control", "canny")
            if not why and control not in CONTROLS:
                why = f"control {control!r}: unknown (choose from: {', '.join(CONTROLS)})"
        return Availability(False, why) if why else AVAILABLE

    @property
    def pipeline(self):
        """The loaded diffusers pipeline (loads it on first use)."""
        return self._load()

    def _load(self):
        if self._pipe is not None:
            return self._pipe
        a = self.is_available()
        if not a:
            raise EngineUnavailable(f"diffusers: {a.reason}")
        import torch
        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        # float16 halves memory and doubles speed on GPUs; CPUs have no fast float16 kernels
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        model = engine_setting("diffusers", "model")
        controlnet = engine_setting("diffusers", "controlnet")
        model, controlnet = (str(Path(v).expanduser()) if v and _local(v) else v for v in (model, controlnet))
        common = dict(dtype=dtype, safety_checker=None, requires_safety_checker=False)
        try:
            if controlnet:
                from diffusers import ControlNetModel, StableDiffusionControlNetImg2ImgPipeline
                try:
                    net = ControlNetModel.from_pretrained(controlnet, dtype=dtype)
                except Exception as e:
                    raise EngineUnavailable(f"diffusers: controlnet {controlnet}: cannot load it "
                                            f"({_first_line(e)})") from e
                pipe = StableDiffusionControlNetImg2ImgPipeline.from_pretrained(model, controlnet=net, **common)
                self._control = engine_setting("diffusers", "control", "canny")
            else:
                from diffusers import StableDiffusionImg2ImgPipeline
                pipe = StableDiffusionImg2ImgPipeline.from_pretrained(model, **common)
                self._control = None
        except EngineUnavailable:
            raise
        except Exception as e:   # a broken or mismatched folder fails in many ways; all mean "fix the setting"
            raise EngineUnavailable(f"diffusers: model {model}: cannot load it ({_first_line(e)})") from e
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

    @staticmethod
    def prompt_for(style: str) -> str:
        """The text prompt for ``style``: the catalogue's, or the ``prompt`` setting with
        ``{style}`` replaced by it.

        >>> DiffusersRestyler.prompt_for("pixel-art")        # doctest: +SKIP
        '16-bit pixel art, limited palette, retro video game sprite'
        """
        info = get_style(style)
        custom = engine_setting("diffusers", "prompt")
        return custom.replace("{style}", info.prompt) if custom else info.prompt

    def _restyle(self, frames: np.ndarray, info: StyleInfo, strength: float, seed: int,
                 progress: Progress) -> np.ndarray:
        import torch
        from PIL import Image

        from storyloom.engines.restyle.temporal import Follower
        pipe = self._load()
        prompt = self.prompt_for(info.name)
        negative = engine_setting("diffusers", "negative", NEGATIVE)
        steps = max(1, int(_setting("steps", 20)))
        denoise = min(1.0, max(0.05, _setting("denoise", 0.45)))
        # img2img runs int(steps * denoise) steps: never let that be 0 (a bare VAE round trip)
        steps = max(steps, int(np.ceil(1.0 / denoise)))
        if int(steps * denoise) < 1:
            steps += 1
        guidance = _setting("guidance", 7.0)
        control_scale = min(2.0, max(0.0, _setting("control_scale", 0.8)))
        n, h, w = frames.shape[:3]
        # never larger than the frame: upscaling only costs time
        mw, mh = model_size(w, h, min(int(_setting("size", 512)), max(64, max(w, h))))
        follow = Follower(h, w)
        out = np.empty_like(frames)
        prev = None
        for i, frame in enumerate(frames):
            follow.advance(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY))
            cur = frame.astype(np.float32) / 255.0
            # the previous output moved along the flow onto this frame (None after a cut)
            warped = follow.warp_previous(prev) if prev is not None else None
            init = cur
            if warped is not None:
                k = (self.CARRY_INIT * follow.confidence)[..., None]
                init = cur * (1 - k) + warped * k
            small = cv2.resize((init * 255 + 0.5).clip(0, 255).astype(np.uint8), (mw, mh), interpolation=cv2.INTER_AREA)
            # the same seed for every frame: each is denoised from identical noise
            gen = torch.Generator(device="cpu").manual_seed(int(seed))
            args = dict(prompt=prompt, negative_prompt=negative, image=Image.fromarray(small), strength=denoise,
                        num_inference_steps=steps, guidance_scale=guidance, generator=gen, output_type="np")
            if self._control:
                # edges of the *input* frame (not the init image): structure follows the picture
                src = cv2.resize(frame, (mw, mh), interpolation=cv2.INTER_AREA)
                args.update(control_image=Image.fromarray(control_image(src, self._control)),
                            controlnet_conditioning_scale=control_scale)
            result = pipe(**args).images[0]
            styled = cv2.resize(np.asarray(result, np.float32), (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)
            if warped is not None:
                k = (self.CARRY_OUT * follow.confidence)[..., None]
                styled = styled * (1 - k) + warped * k
            prev = styled.astype(np.float32)
            out[i] = (styled * 255 + 0.5).clip(0, 255).astype(np.uint8)
            progress((i + 1) / n, f"restyling ({info.name}, diffusers{' + controlnet' if self._control else ''})")
        return blend_strength(frames, out, strength)


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
