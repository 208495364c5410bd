// Reading a wasm binary's layout: shared by the build (strip-wasm.mjs) and the size tools
// (tests/size/breakdown.mjs, tests/size/memory.test.mjs).

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
export function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/** The module's sections in order: `{ id, start, body, end }` (`start` is the id byte, `body`
 *  the first byte after the size, `end` one past the section). */
export function* sections(bytes) {
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    yield { id, start: at, body, end: body + size };
    at = body + size;
  }
}
