"""Cutout on the yardstick layers cases: every available segment engine, from the case's
click and from its box, scored against the exact matte (J&F, alpha MAE, fringe MAE) and
timed (frames/s of ``track`` on frames in memory: decode and encode left out).

    python bench/layers.py [--seeds 0-4] [--views DIR]

Writes the "layers" section of docs/benchmarks.md. ``--views`` saves, per case, a PNG of
four frames (input | matte | truth) to look at where it fails.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _table import machine, markdown_table, today, write_section  # noqa: E402

YARDSTICK = HERE.parent.parent / "shared" / "yardstick"
GOALS = {"J&F": 0.90, "fringe": 0.12, "fps": 5.0}

#: what looking at the mattes (``--views``) showed; update when the engine changes
NOTES = """What changed the fringe (seeds 0-4, click prompt; fringe MAE 0.150 before): alpha against the
clean plate measured mostly in luma (video keeps colour at half resolution, which smears one-pixel
strands; worth ~0.01 once the steps below are in place); the object's colour behind
each pixel re-estimated locally from pixels whose alpha is clearly up, by solving I = aF + (1-a)B,
three passes (-0.015: error analysis with the true background showed the guess of F, the body's
mean colour, was nearly all of the remaining error); each matte averaged with its neighbours' (±2
frames, out to ±8 where the object's colour is too close to the background's) aligned by the
object's own motion, weighted by how well each pixel was measured (-0.008; bilinear warps smeared
strands, cubic ones do not); cubic warps and a two-frame mean for the clean plate (-0.002).
Where `matting` still fails (from looking at input | matte | truth and the error per alpha level):
- Object colours equal to the background just behind them (seed 2: the astronaut-textured
  object's white and grey parts over the white rocket and the lattice tower) read as holes and
  vertical streaks; alpha there is under-estimated (bias -0.12). Its worst case (fringe 0.17).
- Hair over fine texture (seeds 1 and 3, grass): faint strands are over-estimated (bias +0.08),
  worst on the first frames, where the clean plate needs frames far ahead chained through many
  background-motion steps; with the exact background the error falls by ~0.01-0.02.
- The mattes are still a little soft across strands: low alpha comes out too high and high
  alpha too low (error by truth alpha level), i.e. what remains is mostly blur, not bias.
- With no motion of the object against its background (a still, a locked-off shot of a static
  object, or the whole picture panning together) there is no clean plate and the fringe falls
  back to closed-form matting on GrabCut's mask: fringe MAE ~0.18 on these cases (the unit test
  pins that this fallback alone fails the fringe threshold), and GrabCut's colour model can take
  in background of the same colour (a photo pan of the astronaut with a box: the backdrop beside
  her is included).
- Tuned on seeds 0-4 (the ones in this table) and seed 5 (the click-to-box growth rule); seeds 6
  and 7 (not tuned on) gave J&F 0.966 / 0.942 and fringe MAE 0.132 / 0.117 with the click prompt
  (before this round: 0.911 / 0.906 and 0.185 / 0.168)."""


def scores(truth, alpha, score) -> dict:
    """score.py mask's metrics, computed in memory on uint8 mattes."""
    js, fs, maes, fine = [], [], [], []
    for g, a in zip(truth, alpha):
        p = a.astype(np.float32) / 255.0
        gm, pm = g > 0.5, p > 0.5
        union = (gm | pm).sum()
        js.append(1.0 if union == 0 else (gm & pm).sum() / union)
        fs.append(score.f_boundary(gm, pm))
        maes.append(np.abs(g - p).mean())
        edge = (g > 0.02) & (g < 0.98)
        if edge.any():
            fine.append(np.abs(g - p)[edge].mean())
    j, f = float(np.mean(js)), float(np.mean(fs))
    return {"J&F": (j + f) / 2, "mae": 1000 * float(np.mean(maes)), "fringe": float(np.mean(fine))}


def save_view(path, frames, alpha, truth) -> None:
    import cv2
    n = len(frames)
    rows = []
    for i in (0, n // 3, 2 * n // 3, n - 1):
        a = np.repeat(alpha[i][..., None], 3, 2)
        g = np.repeat((truth[i] * 255).astype(np.uint8)[..., None], 3, 2)
        rows.append(np.concatenate([frames[i], a, g], 1))
    cv2.imwrite(str(path), cv2.cvtColor(np.concatenate(rows, 0), cv2.COLOR_RGB2BGR))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--views", type=Path, default=None, help="folder for input|matte|truth PNGs")
    args = ap.parse_args()
    a, _, b = args.seeds.partition("-")
    seeds = list(range(int(a), int(b or a) + 1))
    sys.path.insert(0, str(YARDSTICK))
    import cases
    import mediaio
    import score
    from storyloom.engines import engines
    from storyloom.engines.cutout import Prompt, choose

    available = [c for c in engines("segment") if c.is_available()]
    skipped = [f"{c.NAME} ({c.is_available().reason})" for c in engines("segment") if not c.is_available()]
    rows, per_case = [], []
    if args.views:
        args.views.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = []
        for seed in seeds:
            case = Path(tmp) / f"layers-{seed}"
            cases.MAKERS["layers"](case, np.random.default_rng([seed, list(cases.MAKERS).index("layers")]),
                                   (320, 180), 24)
            meta = json.loads((case / "meta.json").read_text())
            frames = np.stack(mediaio.read_frames(case / "input.mp4")).astype(np.uint8)
            loaded.append((seed, meta, frames, mediaio.read_alphas(case / "alpha")))
        # what a user gets without --engine: the automatic choice for each case's prompts
        chosen = {}
        for seed, meta, frames, truth in loaded:
            c, bx = meta["click"], meta["box"]
            for kind, prompt in (("point", Prompt.make(clicks=[(c["frame"], c["x"], c["y"])])),
                                 ("box", Prompt.make(box=(bx["x0"], bx["y0"], bx["x1"], bx["y1"]), frame=bx["frame"]))):
                name = choose(frames, prompt).engine.NAME
                chosen[name] = chosen.get(name, 0) + 1
        for cls in available:
            for kind in ("point", "box"):
                got = []
                for seed, meta, frames, truth in loaded:
                    c, bx = meta["click"], meta["box"]
                    prompt = (Prompt.make(clicks=[(c["frame"], c["x"], c["y"])]) if kind == "point" else
                              Prompt.make(box=(bx["x0"], bx["y0"], bx["x1"], bx["y1"]), frame=bx["frame"]))
                    with cls() as eng:
                        eng.track(frames[:2], prompt)      # warm up (JIT, model load) outside the timing
                        t0 = time.perf_counter()
                        alpha = eng.track(frames, prompt)
                        secs = time.perf_counter() - t0
                    s = scores(truth, alpha, score)
                    s["fps"] = len(frames) / secs
                    got.append(s)
                    per_case.append([cls.NAME, kind, seed, f"{s['J&F']:.3f}", f"{s['mae']:.1f}",
                                     f"{s['fringe']:.3f}", f"{s['fps']:.1f}"])
                    print(cls.NAME, kind, seed, {k: round(v, 3) for k, v in s.items()}, flush=True)
                    if args.views:
                        save_view(args.views / f"{cls.NAME}-{kind}-{seed}.png", frames, alpha, truth)
                mean = {k: float(np.mean([g[k] for g in got])) for k in got[0]}
                worst = min(g["J&F"] for g in got)
                rows.append([cls.NAME, kind, f"{mean['J&F']:.3f}", f"{worst:.3f}", f"{mean['mae']:.1f}",
                             f"{mean['fringe']:.3f}", f"{mean['fps']:.1f}"])
    default = [r for r in rows if r[0] == "matting"]
    met = []
    for r in default:
        jf, fr, fps = float(r[2]), float(r[5]), float(r[6])
        met.append(f"{r[1]}: J&F {jf:.3f} ({'met' if jf >= GOALS['J&F'] else 'NOT met'}), fringe MAE {fr:.3f} "
                   f"({'met' if fr <= GOALS['fringe'] else 'NOT met'}), {fps:.1f} fps "
                   f"({'met' if fps >= GOALS['fps'] else 'NOT met'})")
    body = f"""## Cutout: yardstick layers, seeds {seeds[0]}-{seeds[-1]} (`bench/layers.py`)

Machine: {machine()}. Date: {today()}. 320×180, 48–72 frames per case; prompts are the case's click
point and box on frame 0. J&F and alpha MAE (×1000) over all frames, fringe MAE over the truth's soft
pixels (0.02 < α < 0.98: hair and anti-aliased edges), as `score.py mask` computes them; frames/s of
`track` on decoded frames (no decode/encode); load average {os.getloadavg()[0]:.1f} on 2 cores when run.
Every engine is run by name on every case; `people` is only chosen automatically when the prompt
lands on a person (MediaPipe's selfie mask there, confirmed by a body pose that spans it), which no
layers case has (they are blobs with hair), so its row shows what it does when forced onto the wrong
kind of object. The automatic choice (no `--engine`) on these {2 * len(loaded)} prompts:
{", ".join(f"`{k}` {v}" for k, v in sorted(chosen.items()))}.
{"Not run: " + "; ".join(skipped) + "." if skipped else ""}

{markdown_table(["engine", "prompt", "J&F", "worst case J&F", "alpha MAE ×1000", "fringe MAE", "frames/s"], rows)}

Goal for the CPU default (`matting`): J&F ≥ {GOALS['J&F']}, fringe MAE ≤ {GOALS['fringe']}, ≥ {GOALS['fps']:g} frames/s at 320×180.
{chr(10).join('- ' + m for m in met)}

{NOTES}

Per case:

{markdown_table(["engine", "prompt", "seed", "J&F", "alpha MAE ×1000", "fringe MAE", "frames/s"], per_case)}
"""
    write_section("layers", body)
    print(body)


if __name__ == "__main__":
    main()
