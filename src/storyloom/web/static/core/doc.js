// Reading the project document (the server's JSON; API.md): where a shot is, its take, its
// picture layers, who appears where. Pure functions of the document, no page state.

/** The shot's selected take (or its first): takeOf(shot).layers. */
export const takeOf = (shot) => shot.takes.find((t) => t.id === shot.selected_take) || shot.takes[0] || { layers: [], operations: [] };

/** Every shot in film order: allShots(project).map((s) => s.id). */
export const allShots = (project) => project.scenes.flatMap((s) => s.shots);

/** Where shot `id` is: {scene, shot, index (in its scene), number (1-based, in the film)}; throws when it is gone. */
export function findShot(project, id) {
  let number = 0;
  for (const scene of project.scenes) {
    for (let i = 0; i < scene.shots.length; i++) {
      number++;
      if (scene.shots[i].id === id) return { scene, shot: scene.shots[i], index: i, number };
    }
  }
  throw new Error(`no shot ${id}`);
}

/** The film's length in seconds (crossfades not taken off): filmDuration(project). */
export const filmDuration = (project) => project.scenes.reduce((n, s) => n + s.shots.reduce((m, x) => m + x.duration, 0), 0);

/** The number of edits on a take (its own and its layers'): editCount(takeOf(shot)). */
export const editCount = (take) => take.operations.length + take.layers.reduce((n, l) => n + l.operations.length, 0);

/** True for a layer cut out of its source (it carries a Cutout operation): isCutout(layer). */
export const isCutout = (layer) => layer.operations.some((o) => String(o.schema || "").startsWith("Cutout."));

/** The take's picture layers (video, image or another shot), top of the stack first: pictureLayers(take). */
export const pictureLayers = (take) => take.layers
  .filter((l) => (l.source.kind === "asset" && l.source.asset.kind !== "audio") || l.source.kind === "shot").reverse();

/** "astronaut (image)": a layer as a choice in a select. */
export const layerChoice = (l) => `${l.name || l.id} (${l.source.kind === "asset" ? l.source.asset.kind : l.source.kind})`;

/** Character id -> the shots that name them (listed, or speaking a line), in film order: [{shot, number}]. */
export function appearances(project) {
  const out = new Map(project.cast.map((c) => [c.id, []]));
  let number = 0;
  for (const scene of project.scenes) {
    for (const shot of scene.shots) {
      number++;
      for (const c of project.cast) {
        const named = shot.characters.includes(c.name) || shot.characters.includes(c.id)
          || shot.dialogue.some((l) => l.character === c.name);
        if (named) out.get(c.id).push({ shot, number });
      }
    }
  }
  return out;
}
