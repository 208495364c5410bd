// The user's settings: defaults, validation, and whether a server needs a runtime permission.

export const DEFAULT_SETTINGS = Object.freeze({
  serverUrl: "http://localhost:3000",
  apiKey: "",
  /** The origin the API key was entered for: it is never sent anywhere else. */
  apiKeyOrigin: "",
  userName: "",
  /** false: a Socket.IO-only server (no ElizaOS REST API), chatting in one known room. */
  restApi: true,
  /** Without the REST API: the room (channel) id to chat in, and the name its agent goes by. */
  roomId: "",
  agentName: "",
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Hosts the manifest grants up front; any other server needs an optional host permission. */
const BUILT_IN_HOSTS = new Set(["localhost", "127.0.0.1"]);

/**
 * Cleans user input: trims, checks the URL (http or https, no path beyond "/"). An API key
 * entered for another origin (`apiKeyOrigin`) is dropped: changing the server asks for its key.
 * Returns {settings} or {error}.
 */
export function normalizeSettings(input) {
  const serverUrl = String(input?.serverUrl ?? "").trim().replace(/\/+$/, "");
  let url;
  try {
    url = new URL(serverUrl);
  } catch {
    return { error: "Enter the server's address, e.g. http://localhost:3000" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: "The server address must start with http:// or https://" };
  }
  const apiKey = input?.apiKeyOrigin === url.origin ? String(input?.apiKey ?? "").trim() : "";
  const restApi = input?.restApi !== false;
  const roomId = String(input?.roomId ?? "").trim().toLowerCase();
  if (!restApi && !UUID.test(roomId)) {
    return { error: "Enter the room id to chat in (a UUID, e.g. 5eed0000-0000-4000-8000-000000000001)" };
  }
  return {
    settings: {
      serverUrl: url.origin + url.pathname.replace(/\/+$/, ""),
      apiKey,
      apiKeyOrigin: apiKey ? url.origin : "",
      userName: String(input?.userName ?? "").trim().slice(0, 64),
      restApi,
      roomId: restApi ? "" : roomId,
      agentName: restApi ? "" : String(input?.agentName ?? "").trim().slice(0, 64),
    },
  };
}

/** Loopback hosts: nothing sent to them leaves the machine. */
export function isLoopbackHost(hostname) {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** True when an API key for `serverUrl` would cross the network unencrypted. */
export function keyTravelsInClear(serverUrl) {
  try {
    const url = new URL(serverUrl);
    return url.protocol === "http:" && !isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/** The origin pattern to request for a server outside the built-in hosts, or null. */
export function permissionPatternFor(serverUrl) {
  try {
    const url = new URL(serverUrl);
    return BUILT_IN_HOSTS.has(url.hostname) ? null : `${url.protocol}//${url.hostname}/*`;
  } catch {
    return null;
  }
}
