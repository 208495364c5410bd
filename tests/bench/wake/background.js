// The service worker both wake-benchmark extensions share; only ./client.js differs (ours or
// socket.io-client, written by tests/bench/wake.mjs). Every time the worker starts it connects,
// joins a room (an acknowledged emit) and reports how long that took, in the worker's own clock
// (performance.now() counts from performance.timeOrigin, the worker's start).
import * as client from "./client.js";
import { KIND, SERVER } from "./config.js";

const scriptMs = performance.now();

// Registered synchronously, as a woken worker needs: the page's message is what woke it.
let woken;
const wake = new Promise((resolve) => (woken = resolve));
chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type !== "wake") return false;
  woken(message);
  joined.then(
    (report) => sendResponse(report),
    (error) => sendResponse({ error: String(error?.message || error) }),
  );
  return true;
});

const joined = (async () => {
  const io = await client.load();
  const loadedMs = performance.now();
  const socket = io(SERVER, { transports: ["websocket"], reconnection: false });
  await new Promise((resolve, reject) => {
    socket.on("connect", resolve);
    socket.on("connect_error", reject);
  });
  const connectedMs = performance.now();
  const joinAck = await socket.emitWithAck("join", "wake-room");
  const joinedMs = performance.now();
  const message = await wake;
  const report = {
    kind: KIND,
    wakeId: message.id,
    timeOrigin: performance.timeOrigin,
    scriptMs,
    loadedMs,
    connectedMs,
    joinedMs,
    joinAck,
    marks: client.marks, // optional: a client's own breakdown of its loading
  };
  await socket.emitWithAck("wake-report", report);
  return report;
})();
