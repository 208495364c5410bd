// The extension's background: a module service worker in Chrome, an event page in Firefox.
//
// It owns the one ElizaClient (socket, outbox, chats) and outlives the popup. Chrome stops an
// idle worker and starts it again for the next event, so every listener is registered right
// here, synchronously, and each waits for the stored state (hub.ready) before acting.
import { ext } from "./lib/browser.js";
import { Hub, RECONNECT_ALARM } from "./lib/hub.js";
import { PORT_NAME } from "./lib/protocol.js";

const hub = new Hub();

// Only this extension's own popup may talk to the hub: the hub hands out settings (the API key
// among them) and sends messages in the user's name.
ext.runtime.onConnect.addListener((port) => {
  if (port.name === PORT_NAME && isOwnPopup(port.sender)) hub.attach(port);
  else port.disconnect();
});

function isOwnPopup(sender) {
  const page = typeof sender?.url === "string" ? sender.url.split(/[?#]/)[0] : "";
  return sender?.id === ext.runtime.id && page === ext.runtime.getURL("popup.html");
}

// Timers die with a stopped worker: this alarm wakes it, and waking is what reconnects
// (the hub connects as soon as its state is loaded), re-joins and syncs history.
ext.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RECONNECT_ALARM) hub.ready.then(() => hub.nudge());
});

// Browser start-up and installation only need the worker to run, which it now does.
ext.runtime.onStartup.addListener(() => {});
ext.runtime.onInstalled.addListener(() => {});

hub.ready.catch((error) => console.error("ElizaOS Chat: the background could not start", error));
