// An HTTP proxy in front of the real ElizaOS server that gives some stored messages a creation
// time no JavaScript Date can hold, as a broken or hostile server might.
//
// History answers (GET /api/messaging/channels/:id/messages) pass through with every message
// whose text contains `marker` carrying `createdAt` and `created_at` = `createdAt` below
// (9e15 ms, beyond a Date's ±8.64e15). Everything else, the WebSocket included, passes as is.
//
//   const proxy = await startTimeWarpProxy(eliza.port, { marker: "[far-future]" });
//   proxy.url; proxy.rewritten (messages changed so far); await proxy.close();
//   proxy.blockSockets = true   refuses WebSocket upgrades (the client can only learn from history)
import http from "node:http";
import net from "node:net";

const HOST = "127.0.0.1";
const HISTORY = /^\/api\/messaging\/channels\/[^/]+\/messages(\?|$)/;

export async function startTimeWarpProxy(upstreamPort, { marker, createdAt = 9e15 }) {
  const sockets = new Set();
  const proxy = { url: "", rewritten: 0, blockSockets: false };
  const server = http.createServer((req, res) => {
    // Uncompressed answers, so that history can be read and rewritten.
    const { "accept-encoding": _, ...headers } = req.headers;
    const upstream = http.request(
      { host: HOST, port: upstreamPort, method: req.method, path: req.url, headers },
      (answer) => {
        if (req.method !== "GET" || !HISTORY.test(req.url)) {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks = [];
        answer.on("data", (c) => chunks.push(c));
        answer.on("end", () => {
          let body = Buffer.concat(chunks).toString("utf8");
          try {
            const json = JSON.parse(body);
            for (const m of json?.data?.messages ?? []) {
              if (typeof m.content === "string" && m.content.includes(marker)) {
                Object.assign(m, { createdAt, created_at: createdAt });
                proxy.rewritten += 1;
              }
            }
            body = JSON.stringify(json);
          } catch {
            // Not JSON: passed on untouched.
          }
          const headers = { ...answer.headers, "content-length": Buffer.byteLength(body) };
          delete headers["transfer-encoding"];
          delete headers["content-encoding"];
          res.writeHead(answer.statusCode, headers);
          res.end(body);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  // WebSocket upgrades: the request is replayed upstream and both sides are piped untouched.
  server.on("upgrade", (req, client, head) => {
    if (proxy.blockSockets) {
      client.destroy();
      return;
    }
    const upstream = net.connect(upstreamPort, HOST, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  proxy.url = `http://${HOST}:${server.address().port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
