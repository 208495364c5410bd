// The Diagnostics view's data: the client's own report, plus what only the extension can check
// (its host permission for the server) and the agents' names for the joined channels.
import { ext } from "./browser.js";

/** The origin pattern a host permission for `serverUrl` is granted on. */
export function originPattern(serverUrl) {
  try {
    const url = new URL(serverUrl);
    return `${url.protocol}//${url.hostname}/*`;
  } catch {
    return null;
  }
}

/**
 * The report shown by the popup. The client's report never holds the API key (the library
 * removes it); nothing from the settings is added here but the server URL it already names.
 */
export async function extensionDiagnostics(client, settings, agentNameOf) {
  const report = client.diagnostics();
  const pattern = originPattern(settings.serverUrl);
  // Firefox treats host permissions as optional even when the manifest lists them.
  const granted = pattern ? await ext.permissions.contains({ origins: [pattern] }).catch(() => false) : false;
  report.hostPermission = { origin: pattern, granted };
  if (!granted) {
    report.findings.push({
      kind: "corsPermission",
      title: "CORS / permission",
      detail: `the extension has no permission to reach ${pattern ?? settings.serverUrl}: grant it (save the settings again, or in the browser's extension settings)`,
    });
  }
  for (const channel of report.channels) channel.agentName = agentNameOf(channel.channelId);
  return report;
}
