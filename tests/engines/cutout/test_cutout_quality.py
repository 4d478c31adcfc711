"""The matting segmenter on a pinned yardstick layers case (320x180): the matte must
track the object (J&F) and give its hair fringe partial alpha (fringe MAE); a hard mask
(no matting) and a mask that is not carried through the clip (no propagation) must fail."""
from __future__ import annotations

import json

import numpy as np
import pytest

from storyloom.engines.cutout import Prompt, cut_out
from storyloom.engines.cutout.matting import MattingSegmenter

SEED = 4          # pinned: thresholds below were set on this case
MIN_JF = 0.93      # measured 0.946 (point and box); without the clean-plate matting 0.921
MAX_FRINGE = 0.12  # measured 0.102; before the local object colour and temporal smoothing 0.123,
                   # closed-form matting alone 0.18, a hard mask 0.26


@pytest.fixture(scope="module")
def layers_case(yardstick, tmp_path_factory):
    out = yardstick.make("layers", tmp_path_factory.mktemp("yardstick") / "layers", seed=SEED)
    meta = json.loads((out / "meta.json").read_text())
    frames = np.stack(yardstick.mediaio.read_frames(out / "input.mp4")).astype(np.uint8)
    truth = yardstick.mediaio.read_alphas(out / "alpha")
    return frames, truth, meta, yardstick.score


def _scores(truth, alpha, score) -> dict:
    """score.py's mask metrics, computed in memory on uint8 mattes."""
    js, fs, fine = [], [], []
    for g, a in zip(truth, alpha):
        p = a.astype(np.float32) / 255.0
        gm, pm = g > 0.5, p > 0.5
        union = (gm | pm).sum()
        js.append(1.0 if union == 0 else (gm & pm).sum() / union)
        fs.append(score.f_boundary(gm, pm))
        edge = (g > 0.02) & (g < 0.98)
        if edge.any():
            fine.append(np.abs(g - p)[edge].mean())
    return {"jf": (float(np.mean(js)) + float(np.mean(fs))) / 2, "fringe": float(np.mean(fine))}


@pytest.fixture(scope="module")
def point_result(layers_case):
    frames, truth, meta, score = layers_case
    c = meta["click"]
    alpha = cut_out(frames, clicks=[(c["frame"], c["x"], c["y"])], engine="matting")
    return alpha, _scores(truth, alpha, score)


def test_point_prompt_tracks_and_mattes(layers_case, point_result):
    frames, truth, meta, score = layers_case
    alpha, s = point_result
    print(f"seed {SEED} point: J&F {s['jf']:.3f}, fringe MAE {s['fringe']:.3f}")
    assert alpha.shape == frames.shape[:3] and alpha.dtype == np.uint8
    assert s["jf"] >= MIN_JF and s["fringe"] <= MAX_FRINGE
    # soft edges really are soft: a good share of the fringe gets partial alpha
    edge = (truth[10] > 0.02) & (truth[10] < 0.98)
    assert ((alpha[10][edge] > 12) & (alpha[10][edge] < 243)).mean() > 0.2


def test_box_prompt(layers_case):
    frames, truth, meta, score = layers_case
    b = meta["box"]
    alpha = cut_out(frames, box=(b["x0"], b["y0"], b["x1"], b["y1"]), frame=b["frame"], engine="matting")
    s = _scores(truth, alpha, score)
    print(f"seed {SEED} box: J&F {s['jf']:.3f}, fringe MAE {s['fringe']:.3f}")
    assert s["jf"] >= MIN_JF and s["fringe"] <= MAX_FRINGE


def test_broken_versions_fail_the_thresholds(layers_case, point_result):
    frames, truth, meta, score = layers_case
    alpha, good = point_result
    hard = np.where(alpha >= 128, 255, 0).astype(np.uint8)        # no matting
    held = np.repeat(alpha[meta["click"]["frame"]][None], len(alpha), axis=0)   # no propagation
    s_hard, s_held = _scores(truth, hard, score), _scores(truth, held, score)
    print(f"hard mask fringe {s_hard['fringe']:.3f}; held mask J&F {s_held['jf']:.3f}")
    assert s_hard["fringe"] > MAX_FRINGE
    assert s_held["jf"] < MIN_JF


def test_prompt_in_the_middle_tracks_both_ways(layers_case):
    """A click on a later frame: the object is followed backwards to frame 0 as well."""
    frames, truth, meta, score = layers_case
    t = len(frames) // 2
    ys, xs = np.nonzero(truth[t] > 0.99)
    k = int(np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2))
    alpha = cut_out(frames, clicks=[(t, int(xs[k]), int(ys[k]))], engine="matting")
    s = _scores(truth, alpha, score)
    assert s["jf"] >= MIN_JF, s
    j0 = ((alpha[0] >= 128) & (truth[0] > 0.5)).sum() / ((alpha[0] >= 128) | (truth[0] > 0.5)).sum()
    assert j0 > 0.8


def test_negative_click_removes_a_region():
    """Two touching squares (red, blue) in a box: both are the object until a negative
    click on the blue one says it is not."""
    rng = np.random.default_rng(0)
    img = (rng.random((90, 160, 3)) * 60 + 20).astype(np.uint8)   # dark noisy ground
    img[30:60, 40:70] = (220, 60, 50)
    img[30:60, 70:100] = (50, 80, 220)
    frames = np.repeat(img[None], 3, axis=0)
    both = cut_out(frames, box=(35, 25, 105, 65), engine="matting")
    left = cut_out(frames, clicks=[(0, 55, 45, True), (0, 85, 45, False)], box=(35, 25, 105, 65),
                   engine="matting")
    assert (both[0, 45, 55] > 200) and (both[0, 45, 85] > 200)
    assert left[0, 45, 55] > 200 and left[0, 45, 85] < 60


def test_larger_frames_are_analysed_small_and_upsampled(layers_case):
    """At 2x the analysis width the matte comes back full size with smooth edges."""
    import cv2
    frames, truth, meta, score = layers_case
    big = np.stack([cv2.resize(f, (1280, 720), interpolation=cv2.INTER_CUBIC) for f in frames[:6]])
    c = meta["click"]
    with MattingSegmenter(analysis_width=320) as eng:
        alpha = eng.track(big, Prompt.make(clicks=[(0, 4 * c["x"], 4 * c["y"])]))
    assert alpha.shape == (6, 720, 1280)
    small = cv2.resize(alpha[3], (320, 180), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    inter = ((small > 0.5) & (truth[3] > 0.5)).sum() / ((small > 0.5) | (truth[3] > 0.5)).sum()
    assert inter > 0.85


def test_without_clean_plate_the_fringe_fails(layers_case, monkeypatch):
    """The plate step (alpha measured against the background seen in other frames) is
    what brings the fringe under the threshold: closed-form matting alone does not."""
    frames, truth, meta, score = layers_case
    monkeypatch.setattr(MattingSegmenter, "_with_plate",
                        lambda self, small, masks, grown, steps, t, alpha, k: (alpha, np.ones_like(alpha)))
    c = meta["click"]
    alpha = cut_out(frames, clicks=[(c["frame"], c["x"], c["y"])], engine="matting")
    s = _scores(truth, alpha, score)
    print(f"no plate: J&F {s['jf']:.3f}, fringe MAE {s['fringe']:.3f}")
    assert s["fringe"] > MAX_FRINGE
