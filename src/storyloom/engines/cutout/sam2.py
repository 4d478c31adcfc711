"""``sam2``: SAM 2 video tracking (transformers ``Sam2VideoModel``), then the same
closed-form matting as ``matting`` on its mask edge for soft alpha.

Weights come from ``engine_setting("sam2", "model")`` — a local folder or a hub id, e.g.
``STORYLOOM_SAM2_MODEL=facebook/sam2.1-hiera-tiny`` or in the config file::

    [engines.sam2]
    model = "/models/sam2.1-hiera-tiny"

Frames are prepared here (resize to the model's square input, ImageNet normalisation,
points scaled to it), as transformers' Sam2VideoProcessor does, so torchvision (which
that processor needs) is not required.

    >>> with Sam2Segmenter() as e:                       # doctest: +SKIP
    ...     alpha = e.track(frames, Prompt.make(clicks=[(0, 135, 92)]))
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import cv2
import numpy as np

from storyloom.config import engine_setting
from storyloom.engines.base import AVAILABLE, Availability, Progress, missing, no_progress, register
from storyloom.engines.cutout.base import Prompt, Segmenter, check_frames
from storyloom.errors import EngineUnavailable

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def model_setting() -> Optional[str]:
    """The configured SAM 2 model (path or hub id), or None."""
    return engine_setting("sam2", "model") or engine_setting("sam2", "weights")


@register
class Sam2Segmenter(Segmenter):
    NAME = "sam2"
    VERSION = "1"
    PRIORITY = 30
    NEURAL = True
    DESCRIPTION = "SAM 2 video tracking (transformers), closed-form matting on its edge; needs weights"

    def __init__(self, model: Optional[str] = None, device: Optional[str] = None) -> None:
        self.model_id = model or model_setting()
        self.device = device
        self._model = None
        self._mean, self._std = IMAGENET_MEAN, IMAGENET_STD

    @classmethod
    def is_available(cls) -> Availability:
        gap = missing("torch", "transformers")
        if gap:
            return gap
        # the weights setting first: finding transformers' SAM 2 module imports transformers (~0.6 s)
        if not model_setting():
            return Availability(False, "no weights configured (set STORYLOOM_SAM2_MODEL or "
                                       "[engines.sam2] model = a folder or hub id)")
        import importlib.util
        if importlib.util.find_spec("transformers.models.sam2_video") is None:
            return Availability(False, "needs transformers with SAM 2 video (Sam2VideoModel, 4.56 or newer)")
        return AVAILABLE

    def _load(self):
        if self._model is None:
            import torch
            from transformers import Sam2VideoModel
            if not self.model_id:
                raise EngineUnavailable("sam2: no weights configured (set STORYLOOM_SAM2_MODEL)")
            try:
                self._model = Sam2VideoModel.from_pretrained(self.model_id).eval()
            except (OSError, ValueError) as e:
                raise EngineUnavailable(f"sam2: cannot load {self.model_id}: {e}") from None
            self.device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._model.to(self.device)
            pre = Path(self.model_id) / "preprocessor_config.json"
            if pre.exists():   # a checkpoint may name its own normalisation
                cfg = json.loads(pre.read_text())
                self._mean = tuple(cfg.get("image_mean", IMAGENET_MEAN))
                self._std = tuple(cfg.get("image_std", IMAGENET_STD))
        return self._model

    def close(self) -> None:
        self._model = None

    def track(self, frames: np.ndarray, prompt: Prompt, progress: Progress = no_progress) -> np.ndarray:
        import torch
        import torch.nn.functional as F
        from transformers.models.sam2_video.modeling_sam2_video import Sam2VideoInferenceSession
        from storyloom.engines.cutout.matting import MattingSegmenter, band_kernels
        frames = check_frames(frames)
        n, H, W = frames.shape[:3]
        prompt.check(n, H, W)
        model = self._load()
        S = int(model.config.image_size)
        mean = np.asarray(self._mean, np.float32)
        std = np.asarray(self._std, np.float32)
        video = np.stack([(cv2.resize(f, (S, S), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255 - mean) / std
                          for f in frames]).transpose(0, 3, 1, 2)
        session = Sam2VideoInferenceSession(video=torch.from_numpy(np.ascontiguousarray(video)), video_height=H,
                                            video_width=W, inference_device=self.device,
                                            inference_state_device=self.device, video_storage_device="cpu",
                                            dtype=torch.float32)
        sx, sy = S / W, S / H
        obj = session.obj_id_to_idx(1)
        for f in prompt.frames():
            pts = [[c.x * sx, c.y * sy] for c in prompt.clicks if c.frame == f]
            labels = [int(c.positive) for c in prompt.clicks if c.frame == f]
            if prompt.box is not None and prompt.box_frame == f:   # a box is two corner points, labels 2 and 3
                x0, y0, x1, y1 = prompt.box
                pts = [[x0 * sx, y0 * sy], [x1 * sx, y1 * sy]] + pts
                labels = [2, 3] + labels
            session.add_point_inputs(obj, f, {"point_coords": torch.tensor([[pts]], dtype=torch.float32),
                                              "point_labels": torch.tensor([[labels]], dtype=torch.int32)})
            session.obj_with_new_inputs = [1]
            with torch.no_grad():
                model(inference_session=session, frame_idx=f)
        logits = {}
        start = prompt.frames()[0]
        with torch.no_grad():
            for reverse in (False, True):
                for out in model.propagate_in_video_iterator(session, start_frame_idx=start, reverse=reverse):
                    m = F.interpolate(out.pred_masks[:1, :1].float().cpu(), (H, W), mode="bilinear", align_corners=False)
                    logits[out.frame_idx] = m[0, 0].numpy()
                    progress(0.8 * len(logits) / n, "tracking")
        matter = MattingSegmenter(analysis_width=max(W, 1))
        k = band_kernels(H, W)
        alpha = np.empty((n, H, W), np.uint8)
        for t in range(n):
            mask = (logits.get(t, np.full((H, W), -1.0)) > 0).astype(np.uint8)
            a = matter._matte(frames[t], mask, k)
            alpha[t] = np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8)
            progress(0.8 + 0.2 * (t + 1) / n, "matting")
        return alpha
