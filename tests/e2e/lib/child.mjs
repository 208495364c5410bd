// Child processes that announce themselves with a first line on stdout (the demo server,
// geckodriver), stopped for sure when the test process ends.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

const live = new Set();
const killAll = () => {
  for (const child of live) child.kill("SIGKILL");
};
process.on("exit", killAll);
// A signal ends the process without "exit": kill the children first, then die of the signal.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

/**
 * Spawns a command and resolves once a stdout (or stderr) line matches `ready`.
 * Returns {child, match, stop()}.
 */
export async function spawnUntil(cmd, args, ready, { timeout = 30_000, env } = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  let output = "";
  try {
    const match = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd}: not ready after ${timeout} ms:\n${output}`)), timeout);
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          output += line + "\n";
          const m = line.match(ready);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        });
      }
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} exited (${code}) before it was ready:\n${output}`));
      });
    });
    return { child, match, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
