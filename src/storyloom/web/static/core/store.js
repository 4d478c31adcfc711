// The page's shared state and its change notifications. One object, S, holds what the page
// shows (the project list, the open project and its revision, where the user is); modules
// read it freely and change the open project only through setProject, which tells every
// subscriber. window.storyloom is S, for tests and the curious (read-only by convention).

export const S = {
  projects: [],       // GET /api/projects: [{id, title, shots, duration, revision}]
  pid: null,          // the open project's id (null: the welcome page)
  project: null,      // the open project's document, as the server last answered
  revision: null,     // its revision: every edit is based on it
  view: null,         // the route's view under the project: "shot" (the editor) or null (the storyboard)
  arg: null,          // the view's argument (the shot id)
  shotId: null,       // the shot open in the editor (null: not in the editor)
  operations: null,   // GET /api/operations, fetched once
  drag: null,         // a drag on the storyboard: {kind: "shot"|"scene", id}
};
window.storyloom = S;

const listeners = [];

/** Call fn({revision, project, steps}) after every new version of the open project: subscribe(render). */
export function subscribe(fn) {
  listeners.push(fn);
}

/** The server's answer is the truth: show this version of the project everywhere. setProject(res.revision, res.project, res.steps). */
export function setProject(revision, project, steps) {
  S.project = project;
  S.revision = revision;
  for (const fn of listeners) fn({ revision, project, steps });
}
