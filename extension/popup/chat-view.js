// One chat: message bubbles (agent replies as Markdown), delivery states, the thinking indicator, the composer.
import { $, ICONS, el, icon, reconcile, setAvatar } from "./dom.js";
import { dayKey, dayLabel, fullTimeOf, isoOf, timeOf } from "./format.js";
import { renderAttachments, renderMarkdown } from "./markdown.js";

export class ChatView {
  /**
   * onSend(text) → Promise; onRetry(clientMessageId); onDiscard(clientMessageId);
   * onTyping(isTyping): a keystroke (true) or an emptied input (false); the client throttles.
   */
  constructor({ onSend, onRetry, onDiscard, onTyping }) {
    this.onSend = onSend;
    this.onTyping = onTyping;
    this.onRetry = onRetry;
    this.onDiscard = onDiscard;
    this.nodes = new Map();
    this.chat = null;
    this.agent = null;
    this.input = $("message-input");

    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      // Enter sends; Shift+Enter (and Enter while an IME composes) inserts a newline.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      this.resizeInput();
      this.onTyping(this.input.value.trim() !== "");
    });
  }

  /** Shows a chat: `chat` from the background, `agent` from the agent list (status, bio). */
  show(chat, agent) {
    const switched = this.chat?.agentId !== chat.agentId;
    this.chat = chat;
    this.agent = agent;
    if (switched) {
      this.nodes.clear();
      $("messages").replaceChildren();
      this.input.value = "";
      this.resizeInput();
      this.setError(null);
    }
    const name = chat.agentName || agent?.name || "Agent";
    this.input.placeholder = `Message ${name}`;
    const inactive = agent?.status === "inactive";
    $("inactive-notice").hidden = !inactive;
    $("inactive-notice").textContent = inactive
      ? `${name} is inactive: it will not answer until it is started again on the server.`
      : "";
    this.renderMessages(name, switched);
  }

  renderMessages(name, jumpToEnd) {
    const scroller = $("scroller");
    const atEnd = jumpToEnd || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const nodes = [];
    let lastDay = null;
    for (const message of this.chat.messages) {
      const day = dayKey(message.createdAt);
      if (day !== lastDay) {
        nodes.push(this.cached(`day:${day}`, dayLabel(message.createdAt), () => el("li", { className: "day", role: "presentation" }, dayLabel(message.createdAt))));
        lastDay = day;
      }
      nodes.push(this.bubble(message));
    }
    reconcile($("messages"), nodes);

    const empty = this.chat.messages.length === 0;
    $("chat-empty").hidden = !empty;
    if (empty) {
      setAvatar($("chat-empty-avatar"), name);
      $("chat-empty-title").textContent = `Start a conversation with ${name}`;
      const bio = Array.isArray(this.agent?.bio) ? this.agent.bio.join(" ") : this.agent?.bio;
      $("chat-empty-text").textContent = bio || "Messages you send appear here.";
    }
    const thinking = this.chat.thinking && !this.chat.messages.some((m) => m.status === "streaming");
    $("thinking").hidden = !thinking;
    $("thinking-text").textContent = thinking ? `${name} is thinking…` : "";
    const typing = this.chat.typing ?? [];
    $("typing").hidden = typing.length === 0;
    $("typing-text").textContent = typingLine(typing);
    const present = this.chat.present ?? [];
    $("presence").hidden = present.length === 0;
    $("presence").textContent = present.length ? `Also here: ${present.join(", ")}` : "";
    if (atEnd) scroller.scrollTop = scroller.scrollHeight;
  }

  /** A node reused while `key` and `signature` stay the same. */
  cached(key, signature, build) {
    const hit = this.nodes.get(key);
    if (hit?.signature === signature) return hit.node;
    const node = build();
    this.nodes.set(key, { signature, node });
    return node;
  }

  bubble(m) {
    const key = m.clientMessageId ? `c:${m.clientMessageId}` : `m:${m.id}`;
    const signature = JSON.stringify([m.id, m.text, m.status, m.error, m.createdAt, m.attachments]);
    return this.cached(key, signature, () => {
      const meta = el("div", { className: "meta" }, el("time", { dateTime: isoOf(m.createdAt), title: fullTimeOf(m.createdAt) }, timeOf(m.createdAt)));
      if (m.own) meta.append(this.deliveryState(m));
      if (m.status === "interrupted") meta.append(el("span", { className: "state" }, "reply interrupted"));
      if (m.clipped) meta.append(el("span", { className: "state", title: "Stored shortened: it was too long to keep whole" }, "shortened"));
      // The user's own text stays plain text; others' is Markdown, built as DOM nodes (never HTML).
      const bubble = m.own
        ? el("div", { className: "bubble" }, m.text)
        : el("div", { className: "bubble rich" }, renderMarkdown(m.text), renderAttachments(m.attachments));
      // Screen readers hear who speaks, then the text (the live region reads new items).
      const who = el("span", { className: "sr-only" }, `${m.own ? "You" : m.senderName || this.chat.agentName}: `);
      return el("li", { className: `msg ${m.own ? "own" : "agent"}`, dataset: { id: m.id, status: m.status } }, who, bubble, meta);
    });
  }

  deliveryState(m) {
    if (m.status === "pending") {
      return el("span", { className: "state pending" }, icon(...ICONS.clock), "Sending…");
    }
    if (m.status === "failed") {
      const excerpt = m.text.length > 40 ? `${m.text.slice(0, 40)}…` : m.text;
      const retry = el("button", { type: "button", "aria-label": `Retry sending: ${excerpt}` }, "Retry");
      const discard = el("button", { type: "button", "aria-label": `Discard: ${excerpt}` }, "Discard");
      retry.addEventListener("click", () => this.onRetry(m.clientMessageId));
      discard.addEventListener("click", () => this.onDiscard(m.clientMessageId));
      return el(
        "span",
        { className: "state failed" },
        icon(...ICONS.alert),
        el("span", { title: m.error || "" }, "Not delivered"),
        el("span", { className: "msg-actions" }, retry, discard),
      );
    }
    return el("span", { className: "state delivered", title: "Delivered" }, icon(...ICONS.check), el("span", { className: "sr-only" }, "Delivered"));
  }

  async submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    $("send").disabled = true;
    try {
      await this.onSend(text);
      this.input.value = "";
      this.setError(null);
    } catch (error) {
      this.setError(error.message);
    } finally {
      this.resizeInput();
      this.input.focus();
    }
  }

  setError(text) {
    $("composer-error").hidden = !text;
    $("composer-error").textContent = text ?? "";
  }

  resizeInput() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 110)}px`;
    $("send").disabled = !this.input.value.trim();
  }

  focus() {
    this.input.focus();
  }
}

/** "Echo is typing…", "Ann and Bob are typing…", "3 people are typing…". */
function typingLine(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
