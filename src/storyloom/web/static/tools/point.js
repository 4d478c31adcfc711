// Player tool "point": "Set point on player" on an operation's form (a Cutout's click) —
// the next click on the picture becomes the form's point, in the chosen layer's own pixels.
import { findShot, takeOf } from "../core/doc.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";
import { toSource } from "./coords.js";

export const pointTool = {
  name: "point",
  hint: "Click the object",
  overlay: false,                  // the picture stays as it is: the click lands on the video
  field: "clicks",                 // offered on the forms of operations with a "clicks" field
  offer: "Set point on player",
  /** arg: {form (form.js), layerSel (the form's layer select, or null)}. */
  arm(ed, arg) {
    toast("Click the object on the player");
    return arg;
  },
  async click(ed, { form, layerSel }, { x, y, fx, fy }) {
    const { shot } = findShot(S.project, ed.shotId);
    const layer = layerSel ? takeOf(shot).layers.find((l) => l.id === layerSel.value) : null;
    try {
      const p = await toSource(layer, x, y, ed.player.frame() / ed.player.fps);
      form.setPoint(p.x, p.y, p.frame);
    } catch (err) {
      return toast(`cannot place the point: ${err.message}`, "error");
    }
    ed.player.mark(fx, fy);
  },
};
