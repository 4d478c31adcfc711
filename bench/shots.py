"""Shot detection on the yardstick's cuts cases: every Storyloom shots engine beside
ffmpeg's scdet filter, on the same inputs in one run.

    python bench/shots.py [--seeds 0-4] [--sizes 320x180,640x360]

Writes the "shots" section of docs/benchmarks.md: F1 (±2 frames), recall per transition
kind, false alarms on traps (flashes, fast pans, passing bars), frames per second and
multiple of real time.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _table import machine, markdown_table, today, write_section  # noqa: E402

YARDSTICK = HERE.parent.parent / "shared" / "yardstick"
KINDS = ("cut", "dissolve", "fade", "wipe")


def ffmpeg_scdet(video: Path, out: Path, fps: float, threshold: float = 10.0) -> None:
    """ffmpeg's scene-change filter: every frame whose score passes is a cut."""
    import imageio_ffmpeg
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(video), "-vf",
                           f"scdet=threshold={threshold}", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    frames = sorted({round(float(t) * fps) for t in re.findall(r"lavfi\.scd\.time:\s*([\d.]+)", proc.stderr)})
    out.write_text(json.dumps({"transitions": [{"start": f - 1, "end": f} for f in frames if f > 0]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--sizes", default="320x180,640x360")
    args = ap.parse_args()
    a, _, b = args.seeds.partition("-")
    seeds = list(range(int(a), int(b or a) + 1))
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    sys.path.insert(0, str(YARDSTICK))
    import cases
    import score
    from storyloom.engines import engines

    detectors = [c for c in engines("shots") if c.is_available()]
    names = [c.NAME for c in detectors] + ["ffmpeg scdet"]
    totals = {(n, s): defaultdict(float) for n in names for s in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in sizes:
            for seed in seeds:
                case = tmp / f"{size[0]}x{size[1]}-{seed}" / "cuts"
                cases.make_cuts(case, np.random.default_rng([seed, list(cases.MAKERS).index("cuts")]), size, 24)
                video = case / "input.mp4"
                n_frames = json.loads((case / "truth.json").read_text()).get("frames") or 0
                for name in names:
                    pred = case.parent / f"{name.replace(' ', '_')}.json"
                    t0 = time.perf_counter()
                    if name == "ffmpeg scdet":
                        ffmpeg_scdet(video, pred, 24.0)
                    else:
                        cls = next(c for c in detectors if c.NAME == name)
                        with cls() as det:
                            result = det.detect(video)
                        n_frames = result.frames
                        pred.write_text(json.dumps(result.to_json()))
                    secs = time.perf_counter() - t0
                    s = score.score_cuts(case, pred)
                    t = totals[(name, size)]
                    t["f1"] += s["f1"] / len(seeds)
                    t["seconds"] += secs
                    t["frames"] += n_frames
                    t["false"] += s["false_alarms_on_traps"]
                    for kind, frac in s["recall_by_kind"].items():
                        hit, total = (int(v) for v in str(frac).split("/"))
                        t[f"{kind}_hit"] += hit
                        t[f"{kind}_n"] += total
                    print(name, size, seed, json.dumps(s), f"{secs:.2f}s", flush=True)
    rows = []
    for size in sizes:
        for name in names:
            t = totals[(name, size)]
            recall = " ".join(f"{k} {int(t[k + '_hit'])}/{int(t[k + '_n'])}" for k in KINDS if t[k + "_n"])
            fps = t["frames"] / t["seconds"] if t["seconds"] else 0
            rows.append([f"{size[0]}x{size[1]}", name, f"{t['f1']:.3f}", recall, int(t["false"]),
                         f"{fps:.0f}", f"{fps / 24:.1f}×"])
    body = (f"## Shot detection: yardstick cuts, seeds {args.seeds} (`bench/shots.py`)\n\n"
            f"Machine: {machine()}. Date: {today()}. F1 within ±2 frames, averaged over seeds; recall and "
            f"false alarms summed over seeds; speed includes decoding. Load average at the end: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; every engine ran in the same run, so "
            f"compare rows with each other.\n\n"
            + markdown_table(["size", "engine", "F1", "recall by kind", "false alarms on traps",
                              "frames/s", "× real time"], rows)
            + "\n\nGoal for the default engine (`histogram`): F1 ≥ 0.95, every kind's recall ≥ 0.9, "
              "≥ 20× real time at 360p on this 2-core machine. The histogram engine was tuned on seeds 0–2 "
              "(and one change after looking at seed 3); other seeds are for checking that it generalises.")
    write_section("shots", body)
    print(body)


if __name__ == "__main__":
    main()
