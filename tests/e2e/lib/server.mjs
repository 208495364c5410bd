// Test-side access to the ElizaOS server's REST API: what the server really stored.

/** Messages of a channel as the server stores them, newest first (the path every release has). */
export async function channelMessages(eliza, channelId, { apiKey } = {}) {
  const res = await fetch(`${eliza.url}/api/messaging/central-channels/${channelId}/messages?limit=100`, {
    headers: apiKey ? { "x-api-key": apiKey } : {},
  });
  if (!res.ok) throw new Error(`GET channel messages: HTTP ${res.status}`);
  return (await res.json()).data.messages;
}

/** The DM channel between a user and an agent (the server creates it on first use). */
export async function dmChannelId(eliza, userId, agentId) {
  const url = `${eliza.url}/api/messaging/dm-channel?currentUserId=${userId}&targetUserId=${agentId}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET dm-channel: HTTP ${res.status}`);
  return (await res.json()).data.id;
}

/** Stops an agent: the server then lists it as inactive. */
export async function stopAgent(eliza, agentId) {
  const res = await fetch(`${eliza.url}/api/agents/${agentId}/stop`, { method: "POST" });
  if (!res.ok) throw new Error(`POST agent stop: HTTP ${res.status}`);
}

/**
 * Posts a message as the agent through the server's own agent endpoint (what an agent's runtime
 * calls to answer): the server stores it and broadcasts it to the channel, attachments included.
 */
export async function postAgentMessage(eliza, { channelId, agentId, text, attachments = [], agentName = "Echo" }) {
  const current = await fetch(`${eliza.url}/api/messaging/message-server/current`);
  if (!current.ok) throw new Error(`GET message-server/current: HTTP ${current.status}`);
  const messageServerId = (await current.json()).data.messageServerId;
  const res = await fetch(`${eliza.url}/api/messaging/submit`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      channel_id: channelId,
      message_server_id: messageServerId,
      author_id: agentId,
      content: text,
      source_type: "agent_response",
      raw_message: { text, attachments },
      metadata: { agentName, attachments },
    }),
  });
  if (!res.ok) throw new Error(`POST submit: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()).data;
}

/**
 * Posts a message into a channel through the REST API, as `authorId` (say, the same user on
 * another device). The agents in the channel answer it as they answer any message.
 */
export async function postMessage(eliza, channelId, authorId, content) {
  const current = await fetch(`${eliza.url}/api/messaging/message-server/current`);
  if (!current.ok) throw new Error(`GET message-server/current: HTTP ${current.status}`);
  const messageServerId = (await current.json()).data.messageServerId;
  const res = await fetch(`${eliza.url}/api/messaging/channels/${channelId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ author_id: authorId, content, message_server_id: messageServerId, source_type: "test" }),
  });
  if (!res.ok) throw new Error(`POST channel message: HTTP ${res.status} ${await res.text()}`);
}
