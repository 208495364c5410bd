// Copies a wasm module without its custom sections (names, producers, debug info): the code and
// data bytes stay exactly as they are, so a build can keep one optimised copy with names for the
// size table (tests/size/breakdown.mjs) and ship the same module stripped.
//
//   node crate/pkg/strip-wasm.mjs IN.wasm OUT.wasm
import { readFileSync, writeFileSync } from "node:fs";

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node crate/pkg/strip-wasm.mjs IN.wasm OUT.wasm");
  process.exit(2);
}
const bytes = readFileSync(input);
const kept = [bytes.subarray(0, 8)]; // magic and version
let at = 8;
while (at < bytes.length) {
  const start = at;
  const id = bytes[at];
  const [size, body] = leb(bytes, at + 1);
  at = body + size;
  if (id !== 0) kept.push(bytes.subarray(start, at));
}
writeFileSync(output, Buffer.concat(kept));
