// Jobs: long work on the server (preview, render, import, cutouts) followed over its event
// stream (SSE), shown as a progress bar where it was asked for and as a chip in the top bar.
import { $, h } from "./dom.js";
import { api, ApiError, withToken } from "./api.js";

const TERMINAL = new Set(["done", "failed", "cancelled"]);

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
 * A chip in the top bar while a job runs: const chip = jobChip("Render"); chip.set(0.4, ""); chip.done().
 * Its label wraps (a long file name is shown whole); the whole text is its tooltip too.
 */
export function jobChip(label) {
  const chip = h("div", { class: "job-chip" }, h("span", { class: "job-label", text: label, title: label }),
    h("div", { class: "progress slim" }, h("div", { class: "bar" })));
  $("#jobs").append(chip);
  return {
    set(p, msg) {
      const text = `${label} ${Math.round(p * 100)}%${msg ? " · " + msg : ""}`;
      $(".bar", chip).style.width = `${Math.round(p * 100)}%`;
      $(".job-label", chip).textContent = text;
      $(".job-label", chip).title = text;
    },
    done() { setTimeout(() => chip.remove(), 1200); },
  };
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
