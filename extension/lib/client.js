// The wasm ElizaClient, loaded from the files packaged with the extension.
//
// A module service worker cannot use import(): the glue is imported statically, and the .wasm
// is fetched from the extension's own URL (never a blob or data URL, which the CSP forbids).
import init, { ElizaClient } from "../pkg/eliza_socketio.js";
import { ext } from "./browser.js";

/** Resolves once the wasm module is instantiated. */
export const wasmReady = init({ module_or_path: ext.runtime.getURL("pkg/eliza_socketio_bg.wasm") });

/** Stored in the server's history with every message the extension sends. */
const SOURCE = "eliza-chat-extension";

const SOCKET_OPTIONS = {
  // WebSocket only: its traffic (the server pings every 25 s) is what keeps a Chrome service
  // worker alive, and there is no polling-then-upgrade round trip.
  transports: ["websocket"],
  reconnectionDelay: 1000,
  reconnectionDelayMax: 5000,
};

/**
 * ElizaOS confirms a join and acknowledges a message within milliseconds: waiting longer than
 * this means something is wrong, and the popup says so (the message is kept for Retry, and
 * re-checked after a reconnect).
 */
const JOIN_TIMEOUT_MS = 5_000;
const MESSAGE_ACK_TIMEOUT_MS = 15_000;

/** How long "Test connection" waits for the socket. */
const TEST_TIMEOUT_MS = 10_000;

/** The API key, only for the origin it was entered for (see settings.js). */
function keyFor(settings) {
  try {
    return settings.apiKey && settings.apiKeyOrigin === new URL(settings.serverUrl).origin ? settings.apiKey : undefined;
  } catch {
    return undefined;
  }
}

/** The client for the user's settings; connects at once. */
export function createClient(settings, { entityId, outbox, serverInfo }) {
  return new ElizaClient({
    serverUrl: settings.serverUrl,
    apiKey: keyFor(settings),
    entityId: entityId || undefined,
    userName: settings.userName || "User",
    source: SOURCE,
    socket: SOCKET_OPTIONS,
    rest: hasRestApi(settings),
    outbox,
    serverInfo,
    joinTimeout: JOIN_TIMEOUT_MS,
    messageAckTimeout: MESSAGE_ACK_TIMEOUT_MS,
  });
}

/** Settings saved before the "no REST API" option existed have the REST API. */
export const hasRestApi = (settings) => settings.restApi !== false;

/** The one "agent" of a server without the REST API: its room, under the name the user gave. */
export function roomAgent(settings) {
  return { id: settings.roomId, name: settings.agentName || "Agent", characterName: null, bio: null, status: "active" };
}

/**
 * Checks settings without touching the live client: the REST API (agent list; an auth token
 * shows here) and the socket (where SERVER_API_KEY is checked). Resolves {agents, active} or
 * rejects with an Error carrying the client's `code`.
 */
export async function testConnection(settings, entityId) {
  const probe = new ElizaClient({
    serverUrl: settings.serverUrl,
    apiKey: keyFor(settings),
    entityId: entityId || undefined,
    rest: hasRestApi(settings),
    socket: { ...SOCKET_OPTIONS, reconnection: false, autoConnect: false, timeout: TEST_TIMEOUT_MS },
  });
  try {
    // Without the REST API the socket is all there is to test.
    const agents = hasRestApi(settings) ? await probe.agents() : null;
    await new Promise((resolve, reject) => {
      const fail = (code, message) => reject(Object.assign(new Error(message), { code }));
      const timer = setTimeout(() => fail("TIMEOUT", "the server did not accept the connection in time"), TEST_TIMEOUT_MS);
      const off = probe.on("state", ({ state, error }) => {
        if (state === "connected") {
          clearTimeout(timer);
          off();
          resolve();
        } else if (state === "disconnected" && error) {
          clearTimeout(timer);
          off();
          fail(error.code, error.message);
        }
      });
      probe.connect();
    });
    if (!agents) return { agents: null, active: null };
    return { agents: agents.length, active: agents.filter((a) => a.status === "active").length };
  } finally {
    probe.disconnect();
  }
}
