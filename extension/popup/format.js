// Words and times shown in the popup.

const NETWORK_CODES = new Set(["NETWORK", "TIMEOUT", "TRANSPORT_ERROR", "CONNECT_TIMEOUT"]);

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A sentence for an error from the background or the client library ({code, message}). */
export function describeError(error, serverUrl) {
  const code = error?.code;
  if (code === "UNAUTHORIZED") return "Wrong API key: the server refused it. Check the key in Settings.";
  if (NETWORK_CODES.has(code)) return `Server unreachable. Is ElizaOS running at ${hostOf(serverUrl)}?`;
  if (code === "NOT_FOUND") return "The server does not know this (is it an ElizaOS server?).";
  if (code === "BAD_RESPONSE") return "Unexpected answer from the server. Is it an ElizaOS server?";
  if (code === "SERVER_ERROR") return `The server had a problem: ${error.message}`;
  if (code === "CONNECT_REFUSED") return `The server refused the connection: ${error.message}`;
  if (code === "RESTARTED") return "The extension restarted. Please try again.";
  if (code === "JOIN_TIMEOUT") return "The server did not confirm joining this chat: replies may not arrive.";
  if (code === "HISTORY_UNAVAILABLE") return "The chat's history could not be read from the server; new messages are sent anyway.";
  if (code === "MESSAGE_TOO_LONG") return `Not sent: ${error.message}. Shorten it or split it in parts.`;
  return error?.message || "Something went wrong.";
}

/**
 * The connection banner: {tone, text, action} or null when all is well.
 * action: "retry" | "settings" | null.
 */
export function connectionBanner(connection, serverUrl, now = Date.now()) {
  const { state, retryAt, error } = connection;
  if (state === "connected") return null;
  if (error?.code === "UNAUTHORIZED") {
    return { tone: "error", text: "Wrong API key: the server refused the connection.", action: "settings" };
  }
  const unreachable = error && NETWORK_CODES.has(error.code);
  if (state === "reconnecting" && retryAt) {
    const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000));
    const lead = unreachable ? "Server unreachable." : "Connection lost.";
    return { tone: unreachable ? "error" : "warn", text: `${lead} Reconnecting in ${seconds} s…`, action: "retry" };
  }
  if (state === "connecting" || state === "reconnecting") {
    return { tone: "info", text: `Connecting to ${hostOf(serverUrl)}…`, action: null };
  }
  if (error) return { tone: "error", text: describeError(error, serverUrl), action: "retry" };
  return { tone: "warn", text: "Offline.", action: "retry" };
}

/** The header's connection dot state and its spoken label. */
export function connectionDot(connection) {
  if (connection.state === "connected") return { state: "connected", label: "Connected" };
  if (connection.error?.code === "UNAUTHORIZED") return { state: "error", label: "Wrong API key" };
  if (connection.state === "disconnected") return { state: "error", label: "Disconnected" };
  return { state: connection.state, label: connection.state === "connecting" ? "Connecting" : "Reconnecting" };
}

// Times come from storage and the network: none of these may throw, whatever they get
// (`new Date(9e15).toISOString()` throws a RangeError, and a throw here would keep the whole
// chat from showing).

/** A Date for `ms`, or null when no Date can hold it. */
function dateOf(ms) {
  const d = new Date(typeof ms === "number" ? ms : NaN);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function timeOf(ms) {
  return dateOf(ms)?.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) ?? "";
}

export function fullTimeOf(ms) {
  return dateOf(ms)?.toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) ?? "Unknown time";
}

/** The machine-readable form for <time dateTime>, or "" for a time no Date can hold. */
export function isoOf(ms) {
  return dateOf(ms)?.toISOString() ?? "";
}

export function dayKey(ms) {
  const d = dateOf(ms);
  return d ? `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}` : "unknown";
}

export function dayLabel(ms, now = Date.now()) {
  const d = dateOf(ms);
  if (!d) return "Unknown date";
  const key = dayKey(ms);
  if (key === dayKey(now)) return "Today";
  if (key === dayKey(now - 86_400_000)) return "Yesterday";
  return d.toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" });
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
