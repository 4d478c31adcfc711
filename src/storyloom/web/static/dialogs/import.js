// The Import dialog: a video (uploaded, split into shots, grouped into scenes by look, or put
// into one scene) or a script (Fountain or prose: scenes of blank shots and the cast). A video
// dropped on the storyboard opens it too.
import { upload } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { edit, loadProject } from "../core/edits.js";
import { fmtSize } from "../core/format.js";
import { jobChip, setProgress, watchJob } from "../core/jobs.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";
import { flashShots } from "../views/board.js";
import { loadProjects } from "../views/projects.js";

const importDlg = $("#import-dialog");
let importTab = "video";
function open() {
  const sel = $("#import-scene");
  sel.replaceChildren(h("option", { value: "", text: "new scenes, grouped by look" }),
    ...S.project.scenes.map((s) => h("option", { value: s.id, text: `into “${s.title}”` })));
  $("#import-progress").hidden = true;
  $("#import-go").disabled = false;
  importDlg.showModal();
}
importDlg.addEventListener("click", (e) => {
  const tab = e.target.closest("[data-tab]");
  if (!tab) return;
  importTab = tab.dataset.tab;
  importDlg.querySelectorAll("[data-tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
  importDlg.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== importTab; });
});
function showChosenFile() {
  const f = $("#video-file").files[0];
  $("#video-file-name").textContent = f ? `${f.name} · ${fmtSize(f.size)}` : "Choose a video or drop it here";
}
$("#video-file").addEventListener("change", showChosenFile);
const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
$("#video-drop").addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
$("#video-drop").addEventListener("drop", (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  $("#video-file").files = e.dataTransfer.files;
  showChosenFile();
});
// a video dropped anywhere on the storyboard opens the import dialog with it
$("#view").addEventListener("dragover", (e) => { if (!S.drag && S.project && hasFiles(e)) e.preventDefault(); });
$("#view").addEventListener("drop", (e) => {
  if (S.drag || !S.project || !hasFiles(e)) return;
  e.preventDefault();
  open();
  $("#video-file").files = e.dataTransfer.files;
  showChosenFile();
});
$("#script-file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (f) $("#script-text").value = await f.text();
});

$("#import-go").addEventListener("click", async () => {
  const pid = S.pid;
  const bar = $("#import-progress");
  const go = $("#import-go");
  if (importTab === "script") {
    const text = $("#script-text").value.trim();
    if (!text) return toast("Paste a script or open a file first", "error");
    go.disabled = true;
    const name = $("#script-file").files[0]?.name;
    const res = await edit("POST", `/api/projects/${pid}/script`, { text, filename: name || null });
    go.disabled = false;
    if (res) {
      importDlg.close();
      toast("Storyboard made from the script");
      // imported: the next Import starts empty, so the same script is not added twice by accident
      $("#script-text").value = "";
      $("#script-file").value = "";
    }
    return;
  }
  const file = $("#video-file").files[0];
  if (!file) return toast("Choose a video first", "error");
  go.disabled = true;
  const form = new FormData();
  form.append("file", file);
  form.append("split", $("#import-split").checked ? "true" : "false");
  if ($("#import-scene").value) form.append("scene_id", $("#import-scene").value);
  const chip = jobChip(`Import ${file.name}`);
  try {
    setProgress(bar, 0, "Uploading…");
    const { job_id } = await upload(`/api/projects/${pid}/import`, form, (p) => setProgress(bar, p * 0.3, `Uploading ${Math.round(p * 100)}%`));
    chip.attach(job_id);
    const job = await watchJob(job_id, (j) => {
      const p = 0.3 + 0.7 * (j.progress || 0);
      // the job's own words ("decoding", "shot 3 of 10"), as a sentence, after the percentage like the render's
      const said = j.message ? j.message[0].toUpperCase() + j.message.slice(1) : "Splitting into shots…";
      setProgress(bar, j.status === "done" ? 1 : p, `${Math.round(p * 100)}% · ${said}`);
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    loadProjects();
    importDlg.close();
    $("#video-file").value = ""; // the next Import starts with no file chosen
    showChosenFile();
    const ids = job.result?.shots || [];
    toast(`Imported ${file.name}${ids.length ? ` — ${ids.length} shot${ids.length > 1 ? "s" : ""}` : ""}`);
    flashShots(ids); // show where the new shots went
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    toast(`Import failed: ${e.message}`, "error");
  } finally {
    go.disabled = false;
    chip.done();
  }
});

export const importDialog = { name: "import", button: "#import-btn", open };
