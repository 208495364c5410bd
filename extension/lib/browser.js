// The WebExtension API object: Firefox's promise-based `browser`, else Chrome's `chrome`
// (whose MV3 methods return promises too).
export const ext = globalThis.browser ?? globalThis.chrome;
