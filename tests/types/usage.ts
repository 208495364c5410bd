// Compiled (not run) against the generated declarations, with strict checks: the typed API a
// TypeScript user sees. Lines marked @ts-expect-error must stay errors.
import init, { io, Manager, ElizaClient, type Socket, type ChatMessage, type ConnectionState, type ServerInfo, type Diagnostics } from "../../dist/pkg/eliza_socketio.js";

export async function socketIo(): Promise<void> {
  await init();
  const socket: Socket = io("http://localhost:3000/admin", { transports: ["websocket"], auth: { token: "t" }, ackTimeout: 500 });
  const off: () => void = socket.on("connect", () => console.log(socket.id, socket.connected, socket.recovered));
  socket.on("connect_error", (err) => console.log(err.code, err.data));
  socket.on("disconnect", (reason) => {
    const r: "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close" | "transport error" | "parse error" | "forced close" = reason;
    console.log(r);
  });
  socket.on("chat", (from: string, text: string) => console.log(from, text));
  socket.emit("chat", "me", "hi", (ack: unknown) => console.log(ack));
  const answer: unknown = await socket.timeout(1000).emitWithAck("sum", 1, 2);
  socket.onAny((event, ...args) => console.log(event, args));
  socket.volatile.emit("tick");
  off();
  const manager = new Manager("http://localhost:3000", { reconnectionDelayMax: 10_000 });
  manager.on("reconnect_attempt", (n) => console.log(n + 1));
  const admin: Socket = manager.socket("/admin");
  admin.connect();
  console.log(answer, manager.transport, manager.id);
  // @ts-expect-error: transports are named
  io("http://localhost:3000", { transports: ["carrier-pigeon"] });
  // @ts-expect-error: manager events are typed
  manager.on("reconnect", (n: string) => n);
}

export async function eliza(): Promise<void> {
  await init();
  const client = new ElizaClient({ serverUrl: "http://localhost:3000", apiKey: "k", userName: "Ada", messageAckTimeout: 10_000 });
  client.on("state", (s: ConnectionState) => console.log(s.state, s.retryAt, s.error?.code));
  const agents = await client.agents();
  const channel = await client.joinDm(agents[0].id, { since: 0 });
  client.onChannel(channel.id, "message", ({ message, fromHistory }) => {
    const m: ChatMessage = message;
    console.log(m.text, m.fromAgent, m.own, fromHistory);
  });
  client.on("ack", (e) => console.log(e.clientMessageId, e.via));
  client.on("outbox", ({ outbox }) => console.log(outbox.map((o) => o.state.kind)));
  const id: string = client.send(channel.id, "hello");
  const history: ChatMessage[] = await client.history(channel.id, { limit: 10 });
  console.log(id, history.length, client.entityId, client.isThinking(channel.id));
  const info: ServerInfo = client.serverInfo;
  const era: "unknown" | "1.2-1.6.4" | "1.2-1.4" | "1.5-1.6.4" | "1.6.5+" = info.era;
  client.on("serverInfo", (e) => console.log(era, e.info.historyPath, e.info.messageServerId));
  const again = new ElizaClient({ serverUrl: "http://localhost:3000", serverInfo: info, joinTimeout: 5_000 });
  again.on("sendFailed", (e) => console.log(e.error.code));
  // @ts-expect-error: the era is one of the named ranges
  const wrong: ServerInfo["era"] = "2.0";
  // @ts-expect-error: state payloads are typed
  client.on("state", (s) => s.nonexistent);
  // @ts-expect-error: options are typed
  new ElizaClient({ serverUrl: 3000 });

  // A server without the REST API: presence and typing.
  const seed = new ElizaClient({ serverUrl: "http://localhost:3000", rest: false });
  const room = "5eed0000-0000-4000-8000-000000000001";
  seed.join(room, { history: false });
  seed.onChannel(room, "presence", (e) => console.log(e.userId, e.present));
  seed.onChannel(room, "typing", (e) => console.log(e.userId, e.isTyping));
  seed.typing(room, true);
  const present: string[] = seed.present(room);
  const typers: string[] = seed.typingUsers(room);
  console.log(present, typers);
  // @ts-expect-error: typing payloads are typed
  seed.on("typing", (e) => e.active);
  // @ts-expect-error: isTyping is a boolean
  seed.typing(room, "yes");
  const report: Diagnostics = client.diagnostics();
  for (const f of report.findings) console.log(f.kind === "idMismatch" ? f.joinedChannelIds : f.detail);
  if (report.handshake.result === "refused") console.log(report.handshake.reason.length);
  console.log(report.channels.map((c) => c.join), report.recentEvents.at(-1)?.name, report.lastErrors.permission?.at);
  // @ts-expect-error: finding kinds are named
  report.findings.filter((f) => f.kind === "wrongEvents");
}

// Every handle is Disposable: leaving the block frees it, which closes what it opened.
export function disposal(): void {
  {
    using socket = io("http://localhost:3000", { forceNew: true });
    using manager = new Manager("http://localhost:3000", { autoConnect: false });
    using client = new ElizaClient({ serverUrl: "http://localhost:3000" });
    const handles: Disposable[] = [socket, manager, client];
    client.close();
    console.log(handles.length);
  }
}
