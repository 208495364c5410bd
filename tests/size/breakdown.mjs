// Size table per part of each shipped package: wasm code by function family (crate / module path),
// the data section, the rest of the wasm, and the JS glue.
//
// Reads the optimised copies that keep the name section, which ./build.sh leaves in target/size/
// (the shipped files are the same modules without custom sections), and the shipped JS.
//
//   node tests/size/breakdown.mjs              table for every package
//   node tests/size/breakdown.mjs --top 30     also the 30 largest functions of each package
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { leb, sections as wasmSections } from "../../crate/pkg/wasm-sections.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const PACKAGES = [
  { name: "dist/pkg-socketio (Socket.IO only)", dir: "dist/pkg-socketio", named: "target/size/pkg-socketio.wasm" },
  { name: "dist/pkg (with the ElizaOS layer)", dir: "dist/pkg", named: "target/size/pkg.wasm" },
];

function readName(bytes, at) {
  const [len, start] = leb(bytes, at);
  return [bytes.toString("utf8", start, start + len), start + len];
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"];

/** Sections, function body sizes by function index, and function names of a wasm module. */
function parseModule(bytes) {
  const sections = [];
  const bodies = []; // [function index, body bytes]
  const names = new Map();
  let importedFunctions = 0;
  for (const { id, start: at, body, end } of wasmSections(bytes)) {
    let label = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) label = `custom "${readName(bytes, body)[0]}"`;
    sections.push({ id, label, bytes: end - at });
    if (id === 2) {
      let [count, p] = leb(bytes, body);
      for (let i = 0; i < count; i++) {
        [, p] = readName(bytes, p);
        [, p] = readName(bytes, p);
        const kind = bytes[p++];
        if (kind === 0) {
          [, p] = leb(bytes, p);
          importedFunctions++;
        } else if (kind === 1) {
          p++;
          const [flags, q] = leb(bytes, p);
          [, p] = leb(bytes, q);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 2) {
          const [flags, q] = leb(bytes, p);
          [, p] = leb(bytes, q);
          if (flags & 1) [, p] = leb(bytes, p);
        } else if (kind === 3) {
          p += 2;
        } else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      let [count, p] = leb(bytes, body);
      for (let i = 0; i < count; i++) {
        const [len, start] = leb(bytes, p);
        bodies.push([importedFunctions + i, start + len - p]);
        p = start + len;
      }
    } else if (id === 0 && readName(bytes, body)[0] === "name") {
      let p = readName(bytes, body)[1];
      while (p < end) {
        const sub = bytes[p];
        const [len, start] = leb(bytes, p + 1);
        if (sub === 1) {
          let [count, q] = leb(bytes, start);
          for (let i = 0; i < count; i++) {
            let index;
            let name;
            [index, q] = leb(bytes, q);
            [name, q] = readName(bytes, q);
            names.set(index, name);
          }
        }
        p = start + len;
      }
    }
  }
  return { sections, bodies, names };
}

/** The path a function belongs to: for `<T as Trait>::f`, formatting traits count as core::fmt,
 *  other trait impls as the implementing type's path. */
function ownerPath(name) {
  let n = name.replace(/\[[0-9a-f]{16}\]/g, "");
  const impl = /^<(.+?) as ([^>]+?)>::/.exec(n);
  if (impl) {
    if (/^core::fmt::/.test(impl[2])) return /^(f32|f64)$/.test(impl[1]) ? "core::fmt::float" : "core::fmt";
    n = impl[1];
  }
  n = n.replace(/^<([^<>]+)>::/, "$1::");
  return n.replace(/^([<&*\[(]|mut |const |dyn )+/, "");
}

const PRIMITIVES = new Set(["bool", "char", "str", "f32", "f64", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize"]);

/** The family a function is counted in. */
function family(name) {
  if (!name) return "(no name)";
  if (/^__wbg_|^__wbindgen|^__externref|^wasm_bindgen::|^wasm_bindgen\[/.test(name)) return "wasm-bindgen runtime";
  if (/^[a-z]+_[A-Za-z]+( |$)|^[A-Z][A-Za-z]* -> |^Ref\(|^[A-Z]\w+ -> /.test(name) || / shim$/.test(name))
    return "exported functions (bindgen shims)";
  // What #[derive(Serialize, Deserialize)] generates for our types (visitors, field matchers).
  if (/^eliza_socketio::.*(_::<impl serde(_core)?::(de::Deserialize|ser::Serialize)|__FieldVisitor|__Visitor|__Field)/.test(name) ||
      /^<eliza_socketio::.*(__FieldVisitor|__Visitor|__Field)/.test(name))
    return "serde derives (our types)";
  const p = ownerPath(name);
  const seg = p.split(/::|</);
  if (PRIMITIVES.has(seg[0])) return "core (primitive methods)";
  switch (seg[0]) {
    case "core":
      if (seg[1] === "fmt") return /float/.test(p) ? "core::fmt (floats)" : "core::fmt";
      if (p === "core::fmt::float") return "core::fmt (floats)";
      if (seg[1] === "num" && /flt2dec|dec2flt|float|fmt/.test(p)) return "core::fmt (floats)";
      if (/^(panicking|panic|result|option)$/.test(seg[1])) return "core::panicking / unwrap";
      return `core::${seg[1] ?? ""}`;
    case "alloc":
      return "alloc";
    case "std":
      return seg[1] === "panicking" ? "core::panicking / unwrap" : "std";
    case "dlmalloc":
      return "dlmalloc (allocator)";
    case "eliza_socketio":
      if (seg[1] === "web" || seg[1] === "eliza") return `ours: ${seg[1]}::${seg[2] ?? ""}`;
      return `ours: ${seg[1] ?? ""}`;
    case "js_sys":
    case "web_sys":
      return "js-sys / web-sys";
    case "serde_core":
      return "serde";
    default:
      if (/^(memcpy|memmove|memset|memcmp|bcmp|fmin|fmax|__|rust_|compiler_builtins)/.test(p))
        return "compiler-builtins / libc";
      if (seg.length > 1 && /^[a-z_0-9]+$/.test(seg[0])) return seg[0].replace(/_/g, "-");
      return "generic (T, F, closures)";
  }
}

function gzip(bytes) {
  return gzipSync(bytes, { level: 9 }).length;
}

function pad(s, n) {
  return String(s).padStart(n);
}

const topIndex = process.argv.indexOf("--top");
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 0;

for (const pkg of PACKAGES) {
  const wasmFile = path.join(ROOT, pkg.dir, "eliza_socketio_bg.wasm");
  const jsFile = path.join(ROOT, pkg.dir, "eliza_socketio.js");
  const namedFile = path.join(ROOT, pkg.named);
  for (const f of [wasmFile, jsFile, namedFile]) {
    if (!existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: run ./build.sh first`);
  }
  const shipped = readFileSync(wasmFile);
  const js = readFileSync(jsFile);
  const { sections, bodies, names } = parseModule(readFileSync(namedFile));

  const families = new Map();
  let code = 0;
  for (const [index, size] of bodies) {
    const fam = family(names.get(index));
    const entry = families.get(fam) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += size;
    families.set(fam, entry);
    code += size;
  }
  const shippedSections = parseModule(shipped).sections;
  const sectionBytes = (id) => shippedSections.filter((s) => s.id === id).reduce((a, s) => a + s.bytes, 0);
  const data = sectionBytes(11);
  const codeSection = sectionBytes(10);
  const rest = shipped.length - data - codeSection;

  console.log(`\n${pkg.name}: wasm ${shipped.length} B (${gzip(shipped)} gzip), JS ${js.length} B (${gzip(js)} gzip), total ${gzip(shipped) + gzip(js)} gzip`);
  console.log(`  ${"part".padEnd(40)} ${pad("funcs", 6)} ${pad("bytes", 8)} ${pad("share", 6)}`);
  const rows = [...families].sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [fam, { count, bytes }] of rows) {
    console.log(`  ${("code: " + fam).padEnd(40)} ${pad(count, 6)} ${pad(bytes, 8)} ${pad(((100 * bytes) / shipped.length).toFixed(1) + "%", 6)}`);
  }
  console.log(`  ${"code section total".padEnd(40)} ${pad(bodies.length, 6)} ${pad(codeSection, 8)} ${pad(((100 * codeSection) / shipped.length).toFixed(1) + "%", 6)}`);
  console.log(`  ${"data section (strings, tables)".padEnd(40)} ${pad("", 6)} ${pad(data, 8)} ${pad(((100 * data) / shipped.length).toFixed(1) + "%", 6)}`);
  console.log(`  ${"other sections (types, imports, exports…)".padEnd(40)} ${pad("", 6)} ${pad(rest, 8)} ${pad(((100 * rest) / shipped.length).toFixed(1) + "%", 6)}`);
  console.log(`  ${"JS glue (minified module)".padEnd(40)} ${pad("", 6)} ${pad(js.length, 8)}`);
  if (top > 0) {
    console.log(`  largest functions:`);
    for (const [index, size] of [...bodies].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${pad(size, 8)}  ${(names.get(index) ?? `#${index}`).slice(0, 150)}`);
    }
  }
  void sections;
}
