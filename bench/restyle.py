"""Restyle on the yardstick's motion case: warping error (``score.py temporal``) of every
style against the input's own, beside the peer a user would otherwise get (the same
look applied to each frame on its own, textures drawn afresh per frame), and speed.

    python bench/restyle.py [--seeds 0-1] [--size 320x180] [--styles a,b] [--no-peer]
    python bench/restyle.py --sheet          # docs/styles.jpg + docs/styles.md only

Writes the "restyle" section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _table import machine, markdown_table, today, write_section  # noqa: E402

YARDSTICK = HERE.parent.parent / "shared" / "yardstick"
DOCS = HERE.parent / "docs"
GOAL = 1.5


def contact_sheet(tile=(384, 216), cols=4) -> None:
    """Every style on one frame (scikit-image's astronaut: a face, a flag, a rocket), labelled."""
    import cv2
    import skimage.data as skd
    from storyloom.engines.restyle import STYLES
    from storyloom.engines.restyle.cpu import CpuStyles
    w, h = tile
    frame = cv2.resize(skd.astronaut()[10:298], (w, h), interpolation=cv2.INTER_AREA)
    tiles = [("original", frame)]
    with CpuStyles() as eng:
        tiles += [(name, eng.restyle(frame[None], name)[0]) for name in STYLES]
    bar = 26
    rows = -(-len(tiles) // cols)
    sheet = np.full((rows * (h + bar), cols * w, 3), 255, np.uint8)
    for k, (name, img) in enumerate(tiles):
        r, c = divmod(k, cols)
        y, x = r * (h + bar), c * w
        sheet[y + bar:y + bar + h, x:x + w] = img
        cv2.putText(sheet, name, (x + 8, y + 19), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 1, cv2.LINE_AA)
    DOCS.mkdir(exist_ok=True)
    tmp = DOCS / "styles.part.jpg"   # JPEG: the PNG of 24 painterly tiles weighs ~3 MB
    cv2.imwrite(str(tmp), sheet[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    tmp.replace(DOCS / "styles.jpg")
    lines = ["# Restyle: the named styles", "",
             "`storyloom styles` lists them; `storyloom restyle VIDEO --style NAME [--strength 0..1] -o OUT.mp4`",
             "applies one (or add a `Restyle(style=NAME)` operation to a shot). Every style below is the",
             "`cpu-styles` engine (no weights) on one frame, at full strength.",
             "Made by `python bench/restyle.py --sheet`.",
             "", "![every style on one frame](styles.jpg)", "", "| style | look |", "|---|---|"]
    lines += [f"| `{s.name}` | {s.description} |" for s in STYLES.values()]
    lines += ["", "On video, textures (paper, strokes, dots, tiles) are drawn on canvas coordinates that",
              "follow the picture by optical flow, palettes and tone thresholds are fixed per clip, and each",
              "frame is blended with the previous output warped onto it where the flow is reliable: the",
              "warping error stays near the input's own (see the `restyle` section of benchmarks.md).", ""]
    (DOCS / "styles.md").write_text("\n".join(lines))
    print(f"wrote {DOCS / 'styles.jpg'} and {DOCS / 'styles.md'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0-1")
    ap.add_argument("--size", default="320x180")
    ap.add_argument("--styles", default="")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--sheet", action="store_true", help="only write docs/styles.jpg and docs/styles.md")
    args = ap.parse_args()
    if args.sheet:
        contact_sheet()
        return
    a, _, b = args.seeds.partition("-")
    seeds = list(range(int(a), int(b or a) + 1))
    size = tuple(int(v) for v in args.size.split("x"))

    sys.path.insert(0, str(YARDSTICK))
    import cases
    import score
    from storyloom.engines.restyle import style_names
    from storyloom.engines.restyle.cpu import CpuStyles
    from storyloom.media import read_frames, write_video

    names = args.styles.split(",") if args.styles else style_names()
    res = {n: {"ratio": [], "peer": [], "frames": 0, "seconds": 0.0} for n in names}
    inputs = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for seed in seeds:
            case = tmp / f"s{seed}" / "motion"
            cases.make_motion(case, np.random.default_rng([seed, list(cases.MAKERS).index("motion")]), size, 24)
            src = np.stack(read_frames(case / "input.mp4"))
            inputs.append(len(src))
            for name in names:
                with CpuStyles() as eng:
                    t0 = time.perf_counter()
                    out = eng.restyle(src, name)
                    res[name]["seconds"] += time.perf_counter() - t0
                    res[name]["frames"] += len(src)
                    pred = write_video(tmp / "pred.mp4", list(out), 24, crf=18)
                    res[name]["ratio"].append(score.score_temporal(case, pred)["ratio_to_input"])
                    if not args.no_peer and seed == seeds[0]:   # slow (textures rebuilt per frame): one seed
                        peer = np.concatenate([eng.restyle(f[None], name, seed=i) for i, f in enumerate(src)])
                        pred = write_video(tmp / "peer.mp4", list(peer), 24, crf=18)
                        res[name]["peer"].append(score.score_temporal(case, pred)["ratio_to_input"])
                print(name, seed, res[name]["ratio"][-1], res[name]["peer"][-1:] or "", flush=True)
    rows = []
    for name in names:
        r = res[name]
        rows.append([name, f"{np.mean(r['ratio']):.2f}", f"{max(r['ratio']):.2f}",
                     f"{np.mean(r['peer']):.2f}" if r["peer"] else "-",
                     f"{r['frames'] / r['seconds']:.1f}"])
    worst = max(max(res[n]["ratio"]) for n in names)
    met = sum(max(res[n]["ratio"]) <= GOAL for n in names)
    body = "\n".join([
        f"## Restyle: yardstick motion, seeds {args.seeds}, {args.size} (`bench/restyle.py`)", "",
        f"Machine: {machine()}. Date: {today()}. Timings taken while other work loaded the machine. "
        f"Warping error ratio = `score.py temporal` warp error of the restyled video (H.264 CRF 18) ÷ the "
        f"input's own, under the case's exact camera motion ({', '.join(map(str, inputs))} frames). Peer (seed "
        f"{seeds[0]} only): the same look applied to every frame on its own with fresh textures (a per-frame "
        f"filter). frames/s: "
        f"`cpu-styles` restyle alone, one process, no decode/encode.", "",
        markdown_table(["style", "warp ratio (mean)", "warp ratio (worst seed)", "per-frame peer ratio", "frames/s"],
                       rows), "",
        f"Goal: ≤ {GOAL} for every style — met by {met}/{len(names)} styles (worst {worst:.2f}).",
    ])
    write_section("restyle", body)
    print(body)


if __name__ == "__main__":
    main()
