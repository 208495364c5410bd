// Where the built outputs and test artifacts live.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const EXTENSION_DIR = path.join(ROOT, "dist/extension");
export const PKG_DIR = path.join(ROOT, "dist/pkg");
/** Screenshots of every run (gitignored). */
export const ARTIFACTS_DIR = path.join(ROOT, "tests/artifacts");
/** The few screenshots the README shows. */
export const README_SHOTS_DIR = path.join(ROOT, "tests/e2e/screenshots");
