/** stepship.yml: load it into the app model, or learn every problem it has. */
export { formatProblem, ManifestError, type ManifestProblem } from './errors.js';
export { loadManifest, MANIFEST_NAMES, parseManifest } from './load.js';
export type * from './model.js';
