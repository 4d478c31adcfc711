"""Messages in the studio are shown whole (issue 12): what a job or a tool says — a failed
cutout's reason, a render's error, an upload's name — wraps in its place; it is never cut
with "…" or clipped by a box too small for it, and a very long one scrolls where it is.
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from test_layer_tools import ENGINE, head, upload, wait_preview

# "" when every character of the element's text can be seen, or scrolled to inside the element
# itself; else what cuts it. Clipping ancestors count (a bar 22 px high around three lines of
# text), scrolling ones do not (the page scrolls to them), and the text stays inside the window.
WHOLE = """(el) => {
  const scrolls = (v) => v === "auto" || v === "scroll";
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return "not shown";
  if (el.scrollWidth > el.clientWidth + 1 && !scrolls(cs.overflowX)) return `cut across (${el.scrollWidth} > ${el.clientWidth} px)`;
  if (el.scrollHeight > el.clientHeight + 1 && !scrolls(cs.overflowY)) return `cut below (${el.scrollHeight} > ${el.clientHeight} px)`;
  if (r.left < -1 || r.right > innerWidth + 1) return `outside the window (${Math.round(r.left)}..${Math.round(r.right)} px)`;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a), b = a.getBoundingClientRect();
    if (s.overflowX !== "visible" && !scrolls(s.overflowX) && (r.left < b.left - 1 || r.right > b.right + 1)) return `clipped across by .${a.className}`;
    if (s.overflowY !== "visible" && !scrolls(s.overflowY) && (r.top < b.top - 1 || r.bottom > b.bottom + 1)) return `clipped below by .${a.className}`;
  }
  return "";
}"""


def test_failed_cutout_reason_is_shown_whole(page, studio, tmp_path, screenshots):
    """A click on a picture where nothing stands out: the extract job fails with the engine's
    reason, which the panel's bar and the toast show to its last word."""
    Image.fromarray(np.full((180, 320, 3), 128, np.uint8)).save(tmp_path / "grey.png")
    asset = upload(studio, tmp_path / "grey.png")
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes", {"base_revision": head(studio), "title": "Grey"})
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes/{res['id']}/shots",
                      {"base_revision": res["revision"], "title": "Grey", "duration": 0.5})
    shot_id = res["id"]
    studio.call("POST", f"/api/projects/{studio.pid}/shots/{shot_id}/layers",
                {"base_revision": res["revision"],
                 "source": {"kind": "asset", "asset": {k: asset[k] for k in ("sha256", "name", "kind")}}})
    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot_id}")
    wait_preview(page)
    panel = page.locator(".extract-panel")
    panel.locator("select[name=extract-engine]").select_option(ENGINE)
    panel.get_by_role("button", name="Pick on player").click()
    vb = page.locator(".stage").bounding_box()
    page.locator(".pick-overlay").click(position={"x": vb["width"] / 2, "y": vb["height"] / 2})
    label = page.locator(".extract-progress .label")
    expect(label).to_contain_text("Failed:", timeout=90_000)
    said = label.inner_text()
    assert said.startswith("Failed: cutout at point (160, 90) on frame 0: ") and said.endswith("(a point on empty background?)"), said
    assert label.evaluate(WHOLE) == "", said
    toast = page.locator(".toast.error > span")
    assert "Failed: " + toast.inner_text() == said
    assert toast.evaluate(WHOLE) == ""
    page.mouse.move(5, 5)
    page.screenshot(path=str(screenshots / "extract-failed.png"))
    assert page.console.unexpected("400") == []


def test_every_job_message_is_shown_whole(page, studio):
    """The page's own bars, chips, toasts and preview message, each given a long message
    with a long path in it (as an import's or a render's error can be): all of it shows."""
    long = ("Failed: cutout at point (256, 288) on frame 0: the object found covers 0.0% of the frame - "
            "nothing stands out there (a point on empty background?) while reading "
            "/home/someone/films/2026/a-very-long-folder-name-without-any-spaces-at-all/take_0001_final_final.mp4; "
            + "try a click on the object itself, or a box around it. " * 4)
    shot = studio.project()["scenes"][0]["shots"][0]
    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot['id']}")
    wait_preview(page)
    problems = page.evaluate("""async ([long, whole]) => {
      whole = eval(whole);
      const { jobChip, setProgress } = await import("/static/core/jobs.js");
      const { toast } = await import("/static/core/notify.js");
      const $ = (s) => document.querySelector(s);
      const out = {};
      const bar = (sel) => {
        setProgress($(sel), 0.4, long);
        out[sel] = $(`${sel} .label`).textContent === long ? whole($(`${sel} .label`)) : "text changed";
      };
      bar(".extract-progress");
      $(".refine-bar").hidden = false;  // the bar of an armed Refine
      bar(".refine-progress");
      $(".refine-bar").hidden = true;
      for (const [dialog, sel] of [["#import-dialog", "#import-progress"], ["#bg-dialog", "#bg-progress"], ["#render-dialog", "#render-progress"]]) {
        $(dialog).show();
        bar(sel);
        $(dialog).close();
      }
      const chip = jobChip(`Import ${long}`);
      chip.set(0.4, "");
      out["job chip"] = whole([...document.querySelectorAll(".job-label")].pop());
      chip.done();
      toast(long, "error");
      out["toast"] = whole([...document.querySelectorAll(".toast > span")].pop());
      $(".stage-msg").hidden = false;
      $(".stage-text").textContent = `No preview: ${long}`;
      out["preview"] = whole($(".stage-text"));
      return out;
    }""", [long, WHOLE])
    assert problems and all(v == "" for v in problems.values()), problems
    assert page.console.unexpected() == []
