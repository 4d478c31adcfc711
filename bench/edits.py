"""Global edits on the yardstick: Storyloom's interpolate and upscale engines beside the
ffmpeg filters a user would otherwise reach for, through the same CLI path a user runs
(file in, file out, H.264 CRF 10 for every output), scored against the exact truth.

    python bench/edits.py [--seeds 0-1]

Writes the "edits" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _table import machine, markdown_table, today, write_section  # noqa: E402

YARDSTICK = HERE.parent.parent / "shared" / "yardstick"
STORYLOOM = [sys.executable, "-m", "storyloom.cli.main"]


def load_note() -> str:
    """The 1-minute load average against the core count: timings on a shared machine mean little without it."""
    import os
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0-1")
    args = ap.parse_args()
    a, _, b = args.seeds.partition("-")
    seeds = list(range(int(a), int(b or a) + 1))
    sys.path.insert(0, str(YARDSTICK))
    import cases
    import peers
    import score
    from storyloom.media import probe

    results: dict[tuple[str, str], list] = {}

    def add(task, name, psnr, ssim, secs, frames):
        results.setdefault((task, name), []).append((psnr, ssim, secs, frames))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for seed in seeds:
            for task in ("interp", "sr"):
                case = tmp / f"{task}-{seed}"
                cases.MAKERS[task](case, np.random.default_rng([seed, list(cases.MAKERS).index(task)]), (320, 180), 24)
            ic, sc = tmp / f"interp-{seed}", tmp / f"sr-{seed}"
            # ours, through the CLI a user runs
            out = tmp / f"ours-interp-{seed}.mp4"
            secs = timed(STORYLOOM + ["interpolate", str(ic / "input.mp4"), "--factor", "2", "--crf", "10", "-o", str(out)])
            s = score.score_frames(ic / "truth", out, pick="odd")
            add("interpolate ×2", "storyloom flow", s["psnr"], s.get("ssim"), secs, probe(out).frames)
            for mode, name in (("minterpolate", "ffmpeg minterpolate (mci, aobmc, bidir)"),
                               ("blend", "ffmpeg framerate (blend)")):
                r = peers.interp_peer(ic, tmp, mode)
                add("interpolate ×2", name, r["score"]["psnr"], r["score"].get("ssim"), r["seconds"],
                    probe(tmp / f"interp_{mode}.mp4").frames)
            out = tmp / f"ours-sr-{seed}.mp4"
            secs = timed(STORYLOOM + ["upscale", str(sc / "input.mp4"), "--scale", "2", "--crf", "10", "-o", str(out)])
            s = score.score_frames(sc / "truth", out)
            add("upscale ×2", "storyloom edge", s["psnr"], s.get("ssim"), secs, probe(out).frames)
            for flags in ("lanczos", "bicubic"):
                r = peers.sr_peer(sc, tmp, flags)
                add("upscale ×2", f"ffmpeg {flags}", r["score"]["psnr"], r["score"].get("ssim"), r["seconds"],
                    probe(tmp / f"sr_{flags}.mp4").frames)
            print("seed", seed, "done", flush=True)
    rows = []
    for (task, name), vals in results.items():
        psnr = np.mean([v[0] for v in vals])
        ssims = [v[1] for v in vals if v[1] is not None]
        fps = sum(v[3] for v in vals) / sum(v[2] for v in vals)
        rows.append([task, name, f"{psnr:.2f}", f"{np.mean(ssims):.4f}" if ssims else "-", f"{fps:.1f}"])
    body = (f"## Global edits: yardstick interp and sr, seeds {args.seeds} (`bench/edits.py`)\n\n"
            f"Machine: {machine()}. Date: {today()}. 320×180 input; every tool run as a whole command "
            f"(file in, file out, H.264 CRF 10), so frames/s includes process start, decode and encode. "
            f"PSNR/SSIM against the yardstick's exact truth (interpolation: the in-between frames only). "
            f"Load average when run: {load_note()}; every tool ran in the same run under the same load, "
            f"so compare rows with each other rather than with other sections.\n\n"
            + markdown_table(["task", "tool", "PSNR dB", "SSIM", "output frames/s"], rows)
            + "\n\nGoals: interpolation ≥ +1 dB over ffmpeg minterpolate at ≥ its speed; upscaling ≥ +0.5 dB "
              "over ffmpeg lanczos. The restyle warping error of every style and the measured direction "
              "of every camera move have their own sections below (`bench/restyle.py`, `bench/camera.py`).")
    write_section("edits", body)
    print(body)


if __name__ == "__main__":
    main()
