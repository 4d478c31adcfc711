// The "Replace background" dialog of a scene: a colour, a picture or video (it loops), or
// another scene's shot behind every shot of the scene; subjects are cut out first where a
// shot has no foreground layer, and may be harmonised to the new background. One job.
import { api, upload } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { loadProject, settled } from "../core/edits.js";
import { fmtSize } from "../core/format.js";
import { jobChip, progressSaid, setProgress, watchJob } from "../core/jobs.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";

const bgDlg = $("#bg-dialog");
let bgTab = "color";
let bgScene = null;

function open(sceneId) {
  const scene = S.project.scenes.find((s) => s.id === sceneId);
  if (!scene) return;
  bgScene = sceneId;
  const n = scene.shots.length;
  $("#bg-what").textContent = `Behind ${n === 1 ? "the shot" : `all ${n} shots`} of “${scene.title || "Untitled scene"}”. `
    + "A shot without a foreground layer gets its subject cut out first.";
  // another scene's shots (a shot of this scene cannot be its own background)
  let number = 0;
  const groups = [];
  for (const s of S.project.scenes) {
    const opts = s.shots.map((shot) => {
      number++;
      return h("option", { value: shot.id, text: `Shot ${number}${shot.title ? " · " + shot.title : ""}` });
    });
    if (s.id !== sceneId && opts.length) groups.push(h("optgroup", { label: s.title || "Untitled scene" }, ...opts));
  }
  $("#bg-shot").replaceChildren(...groups);
  $("[data-bgtab=shot]", bgDlg).disabled = !groups.length;
  $("#bg-progress").hidden = true;
  $("#bg-go").disabled = !n;
  bgDlg.showModal();
}

function setBgTab(tab) {
  bgTab = tab;
  bgDlg.querySelectorAll("[data-bgtab]").forEach((t) => t.setAttribute("aria-selected", String(t.dataset.bgtab === tab)));
  bgDlg.querySelectorAll("[data-bgpanel]").forEach((p) => { p.hidden = p.dataset.bgpanel !== tab; });
}
bgDlg.addEventListener("click", (e) => {
  const tab = e.target.closest("[data-bgtab]");
  if (tab && !tab.disabled) setBgTab(tab.dataset.bgtab);
});
$("#bg-color").addEventListener("input", (e) => { $("#bg-color-hex").textContent = e.target.value; });
$("#bg-file").addEventListener("change", (e) => {
  const f = e.target.files[0];
  $("#bg-file-name").textContent = f ? `${f.name} · ${fmtSize(f.size)}` : "Choose a picture or a video (it loops)";
});
$("#bg-harmonize").addEventListener("change", (e) => { $(".bg-strength", bgDlg).hidden = !e.target.checked; });
$("#bg-strength").addEventListener("input", (e) => { $("#bg-strength-out").textContent = `${Math.round(e.target.value * 100)}%`; });

$("#bg-go").addEventListener("click", async () => {
  const pid = S.pid;
  const sceneId = bgScene;
  const bar = $("#bg-progress");
  const go = $("#bg-go");
  const body = { harmonize: $("#bg-harmonize").checked };
  if (body.harmonize) body.strength = Number($("#bg-strength").value);
  if (bgTab === "shot") {
    if (!$("#bg-shot").value) return toast("Choose a shot of another scene", "error");
    body.shot_id = $("#bg-shot").value;
  } else if (bgTab === "media" && !$("#bg-file").files[0]) {
    return toast("Choose a picture or a video first", "error");
  } else if (bgTab === "color") body.color = $("#bg-color").value;
  go.disabled = true;
  const chip = jobChip("Background");
  try {
    if (bgTab === "media") {
      const file = $("#bg-file").files[0];
      const form = new FormData();
      form.append("file", file);
      setProgress(bar, 0, "Uploading…");
      const asset = await upload("/api/assets", form, (p) => setProgress(bar, p * 0.2, `Uploading ${Math.round(p * 100)}%`));
      body.asset = { sha256: asset.sha256, name: asset.name };
    }
    await settled();
    const { job_id } = await api("POST", `/api/projects/${pid}/scenes/${sceneId}/background`, { base_revision: S.revision, ...body });
    const off = bgTab === "media" ? 0.2 : 0;
    setProgress(bar, off, "Starting…");
    chip.attach(job_id);
    const job = await watchJob(job_id, (j) => {
      const p = off + (1 - off) * (j.progress || 0);
      setProgress(bar, p, progressSaid(p, j.message));
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    const r = job.result || {};
    const cut = (r.extracted || []).length;
    toast(`New background behind ${r.shots ?? "the"} shot${r.shots === 1 ? "" : "s"}${cut ? ` (${cut} subject${cut > 1 ? "s" : ""} cut out)` : ""}`);
    if (bgDlg.open) bgDlg.close();
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    if (e.status === 409) {
      toast("Changed elsewhere — refreshed. Press Replace again to use the fresh version.", "warn");
      if (S.pid === pid) await loadProject(pid);
    } else toast(e.message, "error");
  } finally {
    go.disabled = false;
    chip.done();
  }
});

export const backgroundDialog = { name: "background", open };
