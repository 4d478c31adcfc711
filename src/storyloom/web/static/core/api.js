// The API client: talking to the studio server (API.md) with JSON calls and uploads with
// progress. The page's ?token= travels on every API, media and EventSource URL (withToken).
// Following a job's events is jobs.js.

const TOKEN = new URLSearchParams(location.search).get("token");

/** A same-origin URL with the access token added when the page has one. */
export function withToken(path) {
  if (!TOKEN || !path) return path;
  const u = new URL(path, location.origin);
  u.searchParams.set("token", TOKEN);
  return u.pathname + u.search;
}

/** The URL of a stored file (thumbnail, picture): assetUrl(shot.thumbnails[0]). */
export function assetUrl(sha) {
  return withToken(`/api/assets/${sha}`);
}

/** An answer other than 2xx, carrying the server's one-line detail. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body || {};
  }
}

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json().catch(() => ({})) : { detail: await res.text() };
  if (!res.ok) {
    const detail = typeof body.detail === "string" ? body.detail : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, detail, body);
  }
  return body;
}

/** fetch + JSON both ways; throws ApiError with the server's detail. */
export async function api(method, path, body, query) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null) u.searchParams.set(k, v);
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(withToken(u.pathname + u.search), init);
  } catch (e) {
    throw new ApiError(0, "the studio server cannot be reached — is `storyloom serve` still running?");
  }
  return parse(res);
}

/** POST a multipart form with upload progress (fetch has none): resolves to the JSON answer. */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", withToken(path));
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body.detail || `upload failed (${xhr.status})`, body));
    };
    xhr.onerror = () => reject(new ApiError(0, "upload interrupted: the studio server cannot be reached"));
    xhr.send(form);
  });
}
