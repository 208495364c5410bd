// Copies a wasm module without its custom sections (names, producers, debug info): the code and
// data bytes stay exactly as they are, so a build can keep one optimised copy with names for the
// size table (tests/size/breakdown.mjs) and ship the same module stripped.
//
//   node crate/pkg/strip-wasm.mjs IN.wasm OUT.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { sections } from "./wasm-sections.mjs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node crate/pkg/strip-wasm.mjs IN.wasm OUT.wasm");
  process.exit(2);
}
const bytes = readFileSync(input);
const kept = [bytes.subarray(0, 8)]; // magic and version
for (const { id, start, end } of sections(bytes)) {
  if (id !== 0) kept.push(bytes.subarray(start, end));
}
writeFileSync(output, Buffer.concat(kept));
