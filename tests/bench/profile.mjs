// A CPU profile (DevTools Profiler domain) of one client on the bench page, per traffic figure:
// self time by function, to find where a client's time per event goes. Not part of the benchmark.
//
//   node tests/bench/profile.mjs [ours|sio|raw] [rtt,small,big,upload]
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, FLAGS } from "../e2e/lib/chromium.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const kind = process.argv[2] || "ours";
const parts = (process.argv[3] || "rtt,small,big,upload").split(",");
const server = spawn(process.execPath, [path.join(HERE, "server.mjs"), "0"], { stdio: ["pipe", "pipe", "inherit"] });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
try {
  const [line] = await once(createInterface({ input: server.stdout }), "line");
  const { port } = JSON.parse(line);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/bench.html`);
  await page.waitForFunction(() => !!window.bench);
  await page.evaluate((k) => bench.load(k, { transports: ["websocket"], forceNew: true }), kind);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  const run = {
    rtt: () => page.evaluate(() => bench.rtt(2000, 200)),
    small: async () => {
      await page.evaluate(() => bench.prepare("small", 50000));
      return page.evaluate(() => bench.burst("small", 50000, 60000));
    },
    big: async () => {
      await page.evaluate(() => bench.prepare("big", 20000));
      return page.evaluate(() => bench.burst("big", 20000, 60000));
    },
    upload: () => page.evaluate(() => bench.upload(50000, 60000)),
  };
  for (const part of parts) {
    await run[part](); // warm
    await cdp.send("Profiler.start");
    await run[part]();
    const { profile } = await cdp.send("Profiler.stop");
    const self = new Map();
    const dt = new Map();
    profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (profile.timeDeltas[i + 1] || 0)));
    let total = 0;
    for (const n of profile.nodes) {
      const f = n.callFrame;
      const key = `${f.functionName || "(anon)"} ${path.basename(f.url)}:${f.lineNumber + 1}`;
      const t = dt.get(n.id) || 0;
      self.set(key, (self.get(key) || 0) + t);
      if (!/\(idle\)|\(program\)/.test(key)) total += t;
    }
    console.log(`\n== ${kind} ${part}: ${(total / 1000).toFixed(0)} ms sampled (not idle/program)`);
    for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 28)) console.log(`${(t / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }
} finally {
  await browser.close();
  server.kill();
}
