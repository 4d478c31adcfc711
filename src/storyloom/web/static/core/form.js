// A form from an operation's JSON schema (pydantic's model_json_schema):
// number → slider + number box (min/max), enum → select, boolean → checkbox, string → text.
// Arrays and objects (clicks, boxes) are left out, except the "click on the player" point.

const SKIP = new Set(["engine", "schema"]);

// String fields with a closed list of values (camera moves, restyle styles) carry them as
// JSON-schema "examples" from GET /api/operations: shown as a select. Without them (an
// engine package missing on the server) the field stays free text.

/** The field's own schema, unwrapping Optional (anyOf [X, null]). */
function unwrap(prop) {
  if (prop.anyOf) {
    const real = prop.anyOf.filter((p) => p.type !== "null");
    if (real.length === 1) return { ...prop, ...real[0], nullable: true };
  }
  return prop;
}

function resolveRef(schema, prop) {
  if (prop.$ref) {
    const name = prop.$ref.split("/").pop();
    return { ...(schema.$defs?.[name] || {}), ...prop };
  }
  if (prop.allOf && prop.allOf.length === 1 && prop.allOf[0].$ref) return { ...resolveRef(schema, prop.allOf[0]), ...prop };
  return prop;
}

let uid = 0;

/**
 * Build the fields for `schema` into `container`. Returns {read(), hasClicks, setPoint(x, y, frame)}.
 * read() gives the operation's field values (only those set, typed).
 */
export function buildForm(container, schema, { disabled = false } = {}) {
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  const readers = [];
  let point = null;
  let pointLabel = null;
  const hasClicks = "clicks" in props;

  for (const [name, raw] of Object.entries(props)) {
    if (SKIP.has(name)) continue;
    const prop = unwrap(resolveRef(schema, raw));
    const choices = Array.isArray(prop.examples) && prop.examples.length ? prop.examples : null;
    const id = `f${++uid}-${name}`;
    const label = prop.title || name;
    const row = document.createElement("div");
    row.className = "form-row";
    const lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label + (required.has(name) ? " *" : "");
    if (prop.description) lab.title = prop.description;

    if (prop.enum || (prop.type === "string" && choices)) {
      const sel = document.createElement("select");
      sel.id = id;
      sel.name = name;
      if (prop.nullable) sel.add(new Option("—", ""));
      else if (!prop.enum && prop.default === undefined) sel.add(new Option("choose…", ""));
      for (const v of prop.enum || choices) sel.add(new Option(String(v), String(v)));
      if (prop.default !== undefined && prop.default !== null) sel.value = String(prop.default);
      row.append(lab, sel);
      readers.push(() => (sel.value === "" ? undefined : [name, sel.value]));
    } else if (prop.type === "boolean") {
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.id = id;
      cb.name = name;
      cb.checked = !!prop.default;
      row.classList.add("check-row");
      row.append(cb, lab);
      readers.push(() => [name, cb.checked]);
    } else if (prop.type === "number" || prop.type === "integer") {
      const int = prop.type === "integer";
      const min = prop.minimum ?? (prop.exclusiveMinimum !== undefined ? prop.exclusiveMinimum + (int ? 1 : 0.01) : undefined);
      const max = prop.maximum ?? (prop.exclusiveMaximum !== undefined ? prop.exclusiveMaximum - (int ? 1 : 0.01) : undefined);
      const num = document.createElement("input");
      num.type = "number";
      num.id = id;
      num.name = name;
      num.step = int ? "1" : "any";
      if (min !== undefined) num.min = min;
      if (max !== undefined) num.max = max;
      if (prop.default !== undefined && prop.default !== null) num.value = prop.default;
      else if (!prop.nullable && min !== undefined) num.value = min;
      num.placeholder = prop.nullable ? "auto" : "";
      const wrap = document.createElement("div");
      wrap.className = "num-wrap";
      if (min !== undefined && max !== undefined && max - min <= 1000) {
        // a slider when the range is bounded and small enough to drag through
        const slider = document.createElement("input");
        slider.type = "range";
        slider.min = min;
        slider.max = max;
        slider.step = int ? 1 : (max - min) / 100;
        slider.value = num.value === "" ? min : num.value;
        slider.setAttribute("aria-label", label);
        slider.tabIndex = -1; // the number box is the keyboard's way in
        slider.addEventListener("input", () => { num.value = slider.value; });
        num.addEventListener("input", () => { if (num.value !== "") slider.value = num.value; });
        wrap.append(slider);
      }
      wrap.append(num);
      row.append(lab, wrap);
      readers.push(() => {
        if (num.value === "") return prop.nullable ? [name, null] : undefined;
        const v = int ? Math.round(Number(num.value)) : Number(num.value);
        return [name, v];
      });
    } else if (prop.type === "string") {
      const txt = document.createElement("input");
      txt.type = "text";
      txt.id = id;
      txt.name = name;
      if (prop.default) txt.value = prop.default;
      txt.required = required.has(name);
      row.append(lab, txt);
      readers.push(() => (txt.value === "" ? undefined : [name, txt.value]));
    } else if (name === "clicks") {
      row.classList.add("point-row");
      lab.textContent = "Point";
      pointLabel = document.createElement("span");
      pointLabel.className = "point-label";
      pointLabel.textContent = "click on the player to set a point";
      row.append(lab, pointLabel);
      readers.push(() => (point ? ["clicks", [{ frame: point.frame, x: point.x, y: point.y, positive: true }]] : undefined));
    } else {
      continue; // other arrays and objects: not editable here (the CLI and Python API take them)
    }
    if (disabled) row.querySelectorAll("input,select").forEach((el) => { el.disabled = true; });
    container.append(row);
  }

  return {
    hasClicks,
    read() {
      const out = {};
      for (const r of readers) {
        const kv = r();
        if (kv) out[kv[0]] = kv[1];
      }
      return out;
    },
    setPoint(x, y, frame) {
      point = { x: Math.round(x), y: Math.round(y), frame };
      if (pointLabel) pointLabel.textContent = `(${point.x}, ${point.y}) on frame ${frame}`;
      const frameBox = container.querySelector("input[type=number][name=frame]");
      if (frameBox) frameBox.value = frame; // the click's frame is where tracking starts
    },
    missing() {
      return [...required].filter((k) => !SKIP.has(k) && !(k in this.read()));
    },
  };
}
