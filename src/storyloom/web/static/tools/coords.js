// From the picture to a layer's source: a point on the shot's frame (project pixels, shot
// time) mapped through the layer's fit, offset, scale and rotation back to the source's own
// pixels and frame, so an operation on that layer gets coordinates it can use.
import { api } from "../core/api.js";
import { S } from "../core/store.js";

const infoCache = new Map();

/** A stored file's probe (width, height, fps), fetched once: await assetInfo(sha). */
function assetInfo(sha) {
  if (!infoCache.has(sha)) infoCache.set(sha, api("GET", `/api/assets/${sha}/info`).then((r) => r.info));
  return infoCache.get(sha);
}

/** A keyframed parameter at t (linear between keys: close enough for pointing): paramAt(layer.transform.x, 0.5). */
export function paramAt(p, t) {
  if (p === undefined || p === null) return undefined;
  if (typeof p === "number") return p;
  const keys = (p.keys || []).slice().sort((a, b) => a.t - b.t);
  if (!keys.length) return p.value;
  if (t <= keys[0].t) return keys[0].v;
  for (let i = 1; i < keys.length; i++) {
    if (t <= keys[i].t) {
      const a = keys[i - 1], b = keys[i];
      return a.v + (b.v - a.v) * (b.t > a.t ? (t - a.t) / (b.t - a.t) : 0);
    }
  }
  return keys[keys.length - 1].v;
}

/**
 * A point on the shot's picture (project pixels at shot time t) in the layer's source:
 * undoes the layer's fit, offset, scale and rotation. {x, y, frame} in source pixels/frames.
 * await toSource(layer, 160, 90, 0.5)
 */
export async function toSource(layer, px, py, t) {
  const W = S.project.size.width, H = S.project.size.height;
  if (!layer || layer.source.kind !== "asset") return { x: px, y: py, frame: Math.round(t * S.project.fps) };
  const info = await assetInfo(layer.source.asset.sha256);
  const w = info.width || W, h = info.height || H;
  let sx = 1, sy = 1;
  if (layer.fit === "fill") sx = sy = Math.max(W / w, H / h);
  else if (layer.fit === "fit") sx = sy = Math.min(W / w, H / h);
  else if (layer.fit === "stretch") { sx = W / w; sy = H / h; }
  const tr = layer.transform || {};
  const k = paramAt(tr.scale, t) ?? 1;
  const rot = ((paramAt(tr.rotation, t) ?? 0) * Math.PI) / 180;
  let dx = px - W / 2 - (paramAt(tr.x, t) ?? 0);
  let dy = py - H / 2 - (paramAt(tr.y, t) ?? 0);
  if (rot) [dx, dy] = [dx * Math.cos(rot) - dy * Math.sin(rot), dx * Math.sin(rot) + dy * Math.cos(rot)];
  const x = Math.max(0, Math.min(w - 1, dx / (sx * k) + w / 2));
  const y = Math.max(0, Math.min(h - 1, dy / (sy * k) + h / 2));
  const st = Math.max(0, t - (layer.start || 0)) + (layer.source.in_point || 0);
  return { x, y, frame: info.fps ? Math.round(st * info.fps) : 0 };
}
