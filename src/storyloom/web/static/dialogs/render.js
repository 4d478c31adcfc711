// The Render dialog: the whole film rendered as a job (progress, cancel), then played in
// the dialog and offered as an MP4 download.
import { api, withToken } from "../core/api.js";
import { $ } from "../core/dom.js";
import { settled } from "../core/edits.js";
import { fmtDur } from "../core/format.js";
import { jobChip, progressSaid, setProgress, watchJob } from "../core/jobs.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";

const renderDlg = $("#render-dialog");
let renderJob = null;
async function open() {
  const pid = S.pid;
  const bar = $("#render-progress");
  const video = $("#render-video");
  const dl = $("#render-download");
  video.hidden = true;
  video.removeAttribute("src");
  dl.hidden = true;
  $("#render-cancel").hidden = false;
  setProgress(bar, 0, "Starting…");
  renderDlg.showModal();
  const chip = jobChip("Render");
  try {
    await settled();
    const { job_id } = await api("POST", `/api/projects/${pid}/render`, { format: "mp4" });
    renderJob = job_id;
    const job = await watchJob(job_id, (j) => {
      setProgress(bar, j.progress || 0, progressSaid(j.progress || 0, j.message));
      chip.set(j.progress || 0, "");
    });
    const r = job.result || {};
    const what = r.duration ? ` · ${fmtDur(r.duration)} of film${r.frames ? `, ${r.frames} frames` : ""}` : "";
    setProgress(bar, 1, `Done in ${r.seconds?.toFixed?.(1) ?? "?"} s${what}`);
    chip.set(1, "");
    const url = withToken(job.result.url);
    video.src = url;
    video.hidden = false;
    dl.href = withToken(`${job.result.url}?download=1`); // the server names the file after the project
    dl.setAttribute("download", `${(S.project?.title || "film").replace(/[^\w.-]+/g, "_")}.mp4`);
    dl.hidden = false;
    $("#render-cancel").hidden = true;
  } catch (e) {
    setProgress(bar, 0, `Render failed: ${e.message}`);
    if (!/cancel/i.test(e.message)) toast(`Render failed: ${e.message}`, "error");
  } finally {
    renderJob = null;
    chip.done();
  }
}

$("#render-cancel").addEventListener("click", async () => {
  if (renderJob) await api("POST", `/api/jobs/${renderJob}/cancel`).catch((e) => toast(e.message, "error"));
});
renderDlg.addEventListener("close", () => $("#render-video").pause());

export const renderDialog = { name: "render", button: "#render-btn", open };
