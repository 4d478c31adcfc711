// Edits: every change goes to the server as one revision based on the revision the page
// shows. Edits run one after another (each based on the answer to the one before); a stale
// one (409) reloads the project. Jobs that edit (cutouts, backgrounds) and undo/redo follow
// the same rule.
import { api } from "./api.js";
import { jobChip, progressSaid, setProgress, watchJob } from "./jobs.js";
import { toast } from "./notify.js";
import { S, setProject } from "./store.js";

let queue = Promise.resolve();

/** Resolves when every edit sent so far has been answered: await settled() before a request based on S.revision. */
export const settled = () => queue;

/** Fetch the project and show it (a 404 goes back to the welcome page): await loadProject(S.pid). */
export async function loadProject(pid) {
  try {
    const res = await api("GET", `/api/projects/${pid}`);
    if (pid !== S.pid) return;
    setProject(res.revision, res.project, res.steps);
  } catch (e) {
    toast(e.message, "error");
    if (e.status === 404) location.hash = "";
  }
}

/**
 * Send one edit with the current base_revision; show the project from the answer. A 409
 * reloads the project and offers to apply the edit again. Resolves to the answer, or null
 * when it failed (the user has been told): await edit("PATCH", `/api/projects/${pid}/shots/${id}`, { title }).
 */
export function edit(method, path, body = {}, query = {}) {
  const pid = S.pid;
  const run = async () => {
    if (pid !== S.pid) return null;
    try {
      const res = method === "DELETE"
        ? await api("DELETE", path, undefined, { base_revision: S.revision, ...query })
        : await api(method, path, { base_revision: S.revision, ...body }, query);
      if (pid === S.pid && res && res.project) setProject(res.revision, res.project, res.steps);
      return res;
    } catch (e) {
      if (e.status === 409) {
        // nothing was saved: offer to make the same edit again on top of the fresh version
        toast("Changed elsewhere — refreshed. Your edit was not applied.", "warn",
          { label: "Apply again", run: () => edit(method, path, body, query) });
      } else toast(e.message, "error");
      await loadProject(pid); // whatever was shown optimistically is replaced by the truth
      return null;
    }
  };
  const p = queue.then(run);
  queue = p.catch(() => null);
  return p;
}

/**
 * Run an edit that is a job: POST `body` (plus the newest base_revision) to `url`, follow
 * the job in `bar` and a top-bar chip, reload the project. `busy`: buttons disabled meanwhile.
 * Resolves to the finished job, or null when it failed or was refused (said in the bar and a toast).
 * await runEditJob({ label: "Extract layer", url, body, bar, busy: [button], staleHint: "Pick again." })
 */
export async function runEditJob({ label, url, body, bar, busy, staleHint }) {
  const pid = S.pid;
  busy.forEach((b) => { b.disabled = true; });
  setProgress(bar, 0, "Starting…");
  const chip = jobChip(label);
  try {
    await queue; // edits still on their way first: the request is based on the newest revision
    const { job_id } = await api("POST", url, { base_revision: S.revision, ...body });
    chip.attach(job_id);
    const job = await watchJob(job_id, (j) => {
      const p = j.progress || 0;
      setProgress(bar, p, progressSaid(p, j.message));
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    return job;
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    if (e.status === 409) {
      toast(`Changed elsewhere — refreshed. ${staleHint}`, "warn");
      if (S.pid === pid) await loadProject(pid);
    } else toast(e.message, "error");
    return null;
  } finally {
    busy.forEach((b) => { b.disabled = false; });
    chip.done();
  }
}

/** Undo or redo one revision, based on what the page shows: await undoRedo("undo"). */
export async function undoRedo(which) {
  if (!S.pid) return;
  await queue;
  try {
    // based on what the page shows: never undo an edit made elsewhere that the page has not seen
    const res = await api("POST", `/api/projects/${S.pid}/${which}`, undefined, { base_revision: S.revision });
    setProject(res.revision, res.project, res.steps);
    toast(which === "undo" ? "Undone" : "Redone");
  } catch (e) {
    if (e.status === 409) {
      toast(`Changed elsewhere — refreshed. Nothing was ${which === "undo" ? "undone" : "redone"}.`, "warn");
      await loadProject(S.pid);
    } else toast(e.status === 400 ? `Nothing to ${which}` : e.message, e.status === 400 ? "info" : "error");
  }
}
