// DOM helpers every module uses: find one element, build one, and "is the user typing here?".

/** The first element matching `sel` under `root`: $(".bar", panel). */
export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * Build an element: h("button", { class: "btn", text: "OK", onclick: go }, child, …).
 * `text` sets textContent, `html` innerHTML, `on…` adds a listener; false/null/undefined are left out.
 */
export const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "html") el.innerHTML = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) el.append(kid);
  return el;
};

/** True when keys typed on `el` are text (shortcuts stay off): typing(document.activeElement). */
export const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))
  && !(el.type === "range" || el.type === "checkbox");
