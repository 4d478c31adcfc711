// Jobs: long work on the server (preview, render, import, cutouts) followed over its event
// stream (SSE), shown as a progress bar where it was asked for and as a chip in the top bar.
// A chip can stop its job (×) and resume one that was interrupted, cancelled or failed; the
// project's interrupted jobs (a server that was stopped) get chips when it opens.
import { $, h } from "./dom.js";
import { api, ApiError, withToken } from "./api.js";
import { toast } from "./notify.js";
import { S, subscribe } from "./store.js";

const TERMINAL = new Set(["done", "failed", "cancelled", "interrupted"]);
const RESUMABLE = new Set(["failed", "cancelled", "interrupted"]);
const chips = new Map(); // job id -> its chip

/**
 * Follow a job through its event stream until it ends; onUpdate gets every job JSON.
 * Resolves with the final job (status done), rejects with ApiError when it failed or was cancelled.
 */
export function watchJob(jobId, onUpdate) {
  return new Promise((resolve, reject) => {
    let finished = false;
    const es = new EventSource(withToken(`/api/jobs/${jobId}/events`));
    const finish = (job) => {
      finished = true;
      es.close();
      chips.get(job.id)?.ended(job);
      if (job.status === "done") resolve(job);
      else reject(new ApiError(0, job.message || `job ${job.status}`, job));
    };
    es.onmessage = (ev) => {
      let job;
      try { job = JSON.parse(ev.data); } catch { return; }
      onUpdate && onUpdate(job);
      if (TERMINAL.has(job.status)) finish(job);
    };
    // the stream can drop (server restart, proxy); ask for the job once instead of retrying forever
    es.onerror = async () => {
      if (finished) return;
      es.close();
      try {
        const job = await api("GET", `/api/jobs/${jobId}`);
        onUpdate && onUpdate(job);
        if (TERMINAL.has(job.status)) finish(job);
        else setTimeout(() => watchJob(jobId, onUpdate).then(resolve, reject), 500);
      } catch (e) {
        reject(e);
      }
    };
  });
}

/**
 * A chip in the top bar while a job runs: const chip = jobChip("Render"); chip.attach(jobId); chip.set(0.4, ""); chip.done().
 * Its label wraps (a long file name is shown whole); the whole text is its tooltip too. Once
 * attached to a job it has a stop button; a job that ends interrupted, cancelled or failed
 * keeps its chip, with a Resume button (done() leaves it then).
 */
export function jobChip(label) {
  const stop = h("button", { type: "button", class: "icon-btn small job-stop", title: "Stop this job", text: "×", hidden: true });
  const resume = h("button", { type: "button", class: "btn small job-resume", text: "Resume", hidden: true });
  const chip = h("div", { class: "job-chip" },
    h("div", { class: "job-head" }, h("span", { class: "job-label", text: label, title: label }), stop),
    h("div", { class: "progress slim" }, h("div", { class: "bar" })), resume);
  $("#jobs").append(chip);
  let jobId = null;
  let ended = null;
  const say = (text) => {
    $(".job-label", chip).textContent = text;
    $(".job-label", chip).title = text;
  };
  const self = {
    el: chip,
    set(p, msg) {
      $(".bar", chip).style.width = `${Math.round(p * 100)}%`;
      say(`${label} ${Math.round(p * 100)}%${msg ? " · " + msg : ""}`);
    },
    /** Follow job `id`: the chip can stop it, and resume it if it ends unfinished. */
    attach(id) {
      jobId = id;
      chips.set(id, self);
      stop.hidden = false;
    },
    /** The job ended (watchJob calls this): an unfinished one offers Resume. */
    ended(job) {
      ended = job;
      stop.hidden = true;
      if (!RESUMABLE.has(job.status)) return;
      say(`${label}: ${job.status} at ${Math.round((job.progress || 0) * 100)}%`);
      chip.title = job.message || job.status;
      resume.hidden = false;
    },
    done() {
      if (ended && RESUMABLE.has(ended.status)) return; // stays, offering Resume
      chips.delete(jobId);
      setTimeout(() => chip.remove(), 1200);
    },
  };
  stop.addEventListener("click", () => {
    if (jobId) api("POST", `/api/jobs/${jobId}/cancel`).catch((e) => toast(e.message, "error"));
  });
  resume.addEventListener("click", () => resumeJob(jobId, label, self));
  return self;
}

/** Resume an interrupted, cancelled or failed job and follow it in `chip`: resumeJob(id, "Render", chip). */
export async function resumeJob(jobId, label, chip) {
  $(".job-resume", chip.el).hidden = true;
  chip.set(0, "resuming");
  try {
    await api("POST", `/api/jobs/${jobId}/resume`);
    $(".job-stop", chip.el).hidden = false;
    const job = await watchJob(jobId, (j) => chip.set(j.progress || 0, j.message || ""));
    chip.set(1, "");
    const url = job.result?.url;
    toast(`${label} finished`, "info", url ? { label: "Open", run: () => window.open(withToken(url), "_blank") } : undefined);
    if (job.result?.revision && job.project_id === S.pid) {
      const { loadProject } = await import("./edits.js"); // the job saved a revision: show it
      await loadProject(S.pid);
    }
    chip.done();
  } catch (e) {
    toast(`${label}: ${e.message}`, "error");
  }
}

const KIND_LABELS = { render: "Render", preview: "Preview", import: "Import", extract: "Extract layer",
  refine: "Refine cutout", background: "Background" };

/** When a project opens, a chip for each of its jobs left interrupted (a stopped server), offering Resume. */
export function offerInterrupted() {
  let shown = null;
  subscribe(async () => {
    if (!S.pid || S.pid === shown) return;
    shown = S.pid;
    try {
      const jobs = await api("GET", "/api/jobs", undefined, { project_id: S.pid, status: "interrupted" });
      for (const job of jobs) {
        if (chips.has(job.id) || job.kind === "preview") continue;
        const chip = jobChip(KIND_LABELS[job.kind] || job.kind);
        chip.attach(job.id);
        chip.set(job.progress || 0, "");
        chip.ended(job);
      }
    } catch { /* the list is a courtesy: the board works without it */ }
  });
}

/** Show a `.progress` element at p (0..1) with `text` (default: the percentage): setProgress(bar, 0.5, "Uploading…"). */
export function setProgress(el, p, text) {
  el.hidden = false;
  const pct = Math.round(Math.max(0, Math.min(1, p)) * 100);
  $(".bar", el).style.width = `${pct}%`;
  $(".label", el).textContent = text ?? `${pct}%`;
  el.dataset.progress = String(pct);
}

/** A bar's words while a job runs: "40% · shot 3 of 10": progressSaid(job.progress, job.message). */
export const progressSaid = (p, message) => `${Math.round(p * 100)}%${message ? " · " + message : ""}`;
