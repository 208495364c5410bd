// The Diagnostics report as plain text, for "Copy report". It is built only from the report
// object, which never holds the API key.

const time = (ms) => (typeof ms === "number" ? new Date(ms).toISOString() : "-");

/** Plain text of a diagnostics report (see the library's `Diagnostics` type). */
export function reportText(report, { extensionVersion = "" } = {}) {
  const lines = [];
  const add = (...parts) => lines.push(parts.join(""));
  add("ElizaOS Chat diagnostics", extensionVersion ? ` (extension ${extensionVersion})` : "", ` — ${time(report.generatedAt)}`);
  add("");
  add("Findings:");
  if (report.findings.length === 0) add("  none");
  for (const f of report.findings) add(`  - ${f.title}: ${f.detail}`);
  add("");
  add("Connection:");
  add(`  server URL: ${report.serverUrl}`);
  add(`  server release: ${report.serverEra}`);
  add(`  state: ${report.state}`);
  add(`  transport: ${report.transport ?? "-"}`);
  add(`  handshake: ${report.handshake.result}${report.handshake.reason ? ` (${report.handshake.reason})` : ""}`);
  add(`  socket id: ${report.socketId ?? "-"}`);
  add(`  message server id: ${report.messageServerId}`);
  add(`  user (entity) id: ${report.entityId}`);
  if (report.hostPermission) {
    add(`  host permission: ${report.hostPermission.granted ? "granted" : "missing"} (${report.hostPermission.origin ?? "-"})`);
  }
  add("");
  add("Channels:");
  if (report.channels.length === 0) add("  none joined");
  for (const c of report.channels) {
    const name = c.agentName ? `${c.agentName} ` : "";
    const confirmed = c.joinConfirmedAt ? ` at ${time(c.joinConfirmedAt)}` : "";
    add(`  - ${name}${c.channelId}${c.dm ? " (DM)" : ""}: join ${c.join}${confirmed}${c.live ? ", live" : ""}`);
  }
  add("");
  add("Broadcasts for channels not joined:");
  if (report.unjoinedBroadcasts.length === 0) add("  none");
  for (const u of report.unjoinedBroadcasts) {
    add(`  - ${u.channelId}: ${u.count} × ${u.event}, last ${time(u.lastAt)} (joined: ${u.joinedChannelIds.join(", ") || "none"})`);
  }
  add("");
  add("Last errors:");
  const errors = Object.entries(report.lastErrors).filter(([, e]) => e);
  if (errors.length === 0) add("  none");
  for (const [kind, e] of errors) add(`  - ${kind}: ${e.code} — ${e.message} (${time(e.at)})`);
  add("");
  const c = report.counts;
  add(`Counts: ${c.events} events, ${c.broadcasts} messageBroadcast, ${c.acks} messageAck, ${c.messageEvents} "message", ${c.connects} connects`);
  add("");
  add(`Recent events (last ${report.recentEvents.length}, oldest first):`);
  for (const e of report.recentEvents) add(`  ${time(e.at)}  ${e.name}${e.channelId ? `  ${e.channelId}` : ""}`);
  return lines.join("\n") + "\n";
}
