// The Render dialog: the whole film rendered as a job (progress, cancel), then played in
// the dialog and offered as an MP4 download. "Render on" picks where the shots render (the
// server's default, its process pool, or Ray: a local one or a cluster's HOST:PORT); the
// choice is remembered for the next renders, and "Render again" uses it at once.
import { api, withToken } from "../core/api.js";
import { $ } from "../core/dom.js";
import { settled } from "../core/edits.js";
import { fmtDur } from "../core/format.js";
import { jobChip, progressSaid, setProgress, watchJob } from "../core/jobs.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";

const renderDlg = $("#render-dialog");
const executorSel = $("#render-executor");
const addressIn = $("#render-ray-address");
let renderJob = null;

/** The render's "where", as the API takes it: {executor: "pool"|"ray", ray_address} or {} (the server's default). */
function renderOn() {
  const executor = executorSel.value;
  if (!executor) return {};
  return executor === "ray" ? { executor, ray_address: addressIn.value.trim() } : { executor };
}

function showChoice() {
  executorSel.value = localStorage.getItem("storyloom.render.executor") || "";
  addressIn.value = localStorage.getItem("storyloom.render.ray") || "";
  addressIn.hidden = executorSel.value !== "ray";
}
for (const el of [executorSel, addressIn]) {
  el.addEventListener("change", () => {
    localStorage.setItem("storyloom.render.executor", executorSel.value);
    localStorage.setItem("storyloom.render.ray", addressIn.value.trim());
    addressIn.hidden = executorSel.value !== "ray";
  });
}

async function open() {
  if (!renderDlg.open) showChoice();
  const pid = S.pid;
  const bar = $("#render-progress");
  const video = $("#render-video");
  const dl = $("#render-download");
  video.hidden = true;
  video.removeAttribute("src");
  dl.hidden = true;
  $("#render-cancel").hidden = false;
  $("#render-again").hidden = true;
  setProgress(bar, 0, "Starting…");
  if (!renderDlg.open) renderDlg.showModal();
  const chip = jobChip("Render");
  try {
    await settled();
    const { job_id } = await api("POST", `/api/projects/${pid}/render`, { format: "mp4", ...renderOn() });
    renderJob = job_id;
    chip.attach(job_id);
    const job = await watchJob(job_id, (j) => {
      setProgress(bar, j.progress || 0, progressSaid(j.progress || 0, j.message));
      chip.set(j.progress || 0, "");
    });
    const r = job.result || {};
    const what = r.duration ? ` · ${fmtDur(r.duration)} of film${r.frames ? `, ${r.frames} frames` : ""}` : "";
    setProgress(bar, 1, `Done in ${r.seconds?.toFixed?.(1) ?? "?"} s${what}${r.executor ? ` on ${r.executor}` : ""}`);
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
    $("#render-cancel").hidden = true;
    $("#render-again").hidden = false;
    chip.done();
  }
}

$("#render-again").addEventListener("click", () => open());

$("#render-cancel").addEventListener("click", async () => {
  if (renderJob) await api("POST", `/api/jobs/${renderJob}/cancel`).catch((e) => toast(e.message, "error"));
});
renderDlg.addEventListener("close", () => $("#render-video").pause());

export const renderDialog = { name: "render", button: "#render-btn", open };
