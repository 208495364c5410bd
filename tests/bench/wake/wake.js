// The extension page that wakes the stopped worker: a runtime message starts it. The answer
// comes once the worker has joined; `wakeAt` is in the same clock as the worker's report
// (performance.timeOrigin + performance.now()).
import { KIND } from "./config.js";

window.KIND = KIND;
window.wake = async (id) => {
  const wakeAt = performance.timeOrigin + performance.now();
  const report = await chrome.runtime.sendMessage({ type: "wake", id });
  return { ...report, wakeAt };
};
