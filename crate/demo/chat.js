// The whole client side of the demo: connect, list agents, open a DM, chat.
import init, { ElizaClient } from "/pkg/eliza_socketio.js";
// The same Markdown renderer as the extension's popup (bundled with its parser by ./build.sh).
import { renderAttachments, renderMarkdown } from "/markdown/markdown.js";

await init(); // loads /pkg/eliza_socketio_bg.wasm next to the module

const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);
let client = null;
let channelId = null;

$("server-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  client?.disconnect();
  channelId = null;
  $("send-form").hidden = true;
  $("log").replaceChildren();
  // Keep the same user across page loads: the server knows the DM by this id.
  const entityId = localStorage.getItem("entityId") ?? undefined;
  client = new ElizaClient({ serverUrl: $("server").value, entityId, userName: "Demo user" });
  localStorage.setItem("entityId", client.entityId);

  client.on("state", ({ state, error }) => status(error ? `${state}: ${error.message}` : state));
  client.on("message", ({ message }) => show(message));
  client.on("ack", ({ clientMessageId }) => $(`m-${clientMessageId}`)?.classList.remove("pending"));
  client.on("thinking", ({ active }) => status(active ? "The agent is thinking…" : client.state.state));

  try {
    const agents = await client.agents();
    $("agent").replaceChildren(
      ...agents.map((a) => new Option(`${a.name}${a.status === "active" ? "" : " (inactive)"}`, a.id)),
    );
    $("agent-form").hidden = false;
  } catch (error) {
    status(`Cannot list agents: ${error.message} (${error.code})`);
  }
});

$("agent-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("log").replaceChildren();
  if (channelId) client.leave(channelId);
  channelId = null;
  $("send-form").hidden = true;
  // Opens (or creates) the DM channel and joins it; its recent history arrives as messages.
  try {
    channelId = (await client.joinDm($("agent").value, {})).id;
  } catch (error) {
    status(`Cannot open the chat: ${error.message} (${error.code})`);
    return;
  }
  $("send-form").hidden = false;
  $("text").focus();
});

$("send-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) return;
  const clientMessageId = client.send(channelId, text, {});
  show({ id: clientMessageId, own: true, senderName: "You", text, clientMessageId }, true);
  $("text").value = "";
});

// Enter sends, Shift+Enter starts a new line.
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("send-form").requestSubmit();
  }
});

/** Adds a message, or replaces the one shown with the same id (or the pending copy of it). */
function show(message, pending = false) {
  if (message.channelId && message.channelId !== channelId) return;
  const existing = $(`m-${message.id}`) ?? (message.clientMessageId && $(`m-${message.clientMessageId}`));
  const li = document.createElement("li");
  li.id = `m-${message.id}`;
  li.className = (message.own ? "own" : "agent") + (pending ? " pending" : "");
  const who = document.createElement("b");
  who.textContent = message.senderName;
  // The user's own text is plain text; replies are Markdown, built as DOM nodes (never innerHTML).
  if (message.own) li.append(who, document.createTextNode(message.text));
  else li.append(who, renderMarkdown(message.text), renderAttachments(message.attachments) ?? "");
  if (existing) existing.replaceWith(li);
  else $("log").append(li);
  li.scrollIntoView({ block: "end" });
}
