// How the studio says numbers and things in words: durations, file sizes, times ago,
// an operation's label, a list of frames.

/** "2.5 s", "1:05": fmtDur(65). */
export const fmtDur = (s) => (s >= 60 ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}` : `${+s.toFixed(2)} s`);

/** A file's size as people read it: "8 KB", "3.4 MB", "1.2 GB" (never "0.0 MB"): fmtSize(file.size). */
export const fmtSize = (n) => (n < 1e6 ? `${Math.max(1, Math.round(n / 1e3))} KB` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`);

/** The player's clock, "00:01.25": fmtClock(video.currentTime). */
export const fmtClock = (s) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${(s % 60).toFixed(2).padStart(5, "0")}`;

/** "just now", "5 min ago", "3 h ago", else the date: ago(revision.timestamp). */
export const ago = (iso) => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleString();
};

/** "frame 7", "frames 1, 3" (the timecode counts from 1): framesSaid([0, 2]). */
export const framesSaid = (frames) => {
  const fs = [...new Set(frames)].sort((a, b) => a - b).map((f) => f + 1);
  return `frame${fs.length > 1 ? "s" : ""} ${fs.join(", ")}`;
};

/** "Camera move · push-in", "Cutout · 1 click": the tool's name as the tool panel says it, then its first setting. */
export const opLabel = (op) => {
  const name = String(op.schema || "").split(".")[0];
  if (name === "Cutout") {
    // as the server's label: the prompt (a box, or the first + click on its frame), then the corrections
    const first = (op.clicks || []).find((c) => c.positive && c.frame === op.frame);
    const rest = (op.clicks || []).filter((c) => c !== first).length;
    return ["Cutout", op.box ? "box" : first ? "1 click" : null, rest ? `${rest} correction${rest > 1 ? "s" : ""}` : null]
      .filter(Boolean).join(" · ");
  }
  const label = name.replace(/([a-z0-9])([A-Z])/g, (_, a, b) => `${a} ${b.toLowerCase()}`); // as the server's labels
  const first = Object.entries(op).find(([k, v]) => !["schema", "engine"].includes(k) && v !== null && v !== ""
    && !(Array.isArray(v) && !v.length) && (Array.isArray(v) || typeof v !== "object"));
  if (!first) return label;
  const [key, v] = first;
  const count = (n) => `${n} ${n === 1 ? key.replace(/s$/, "") : key}`;
  return `${label} · ${Array.isArray(v) ? count(v.length) : v}`;
};
