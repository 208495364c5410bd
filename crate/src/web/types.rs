//! TypeScript declarations that wasm-bindgen cannot derive: options, typed event maps, and the
//! variadic / overloaded methods (merged into the generated classes by interface merging).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of a connection (socket.io-client's names and defaults). */
export interface ManagerOptions {
  /** Transports in order of preference. Default `["polling", "websocket"]`. */
  transports?: ("polling" | "websocket")[];
  /** Upgrade from polling to WebSocket when offered. Default `true`. */
  upgrade?: boolean;
  /** Server path. Default `"/socket.io/"`. */
  path?: string;
  /** Extra query parameters sent with every request. */
  query?: Record<string, string> | string;
  /**
   * Milliseconds allowed to open the connection, and for each namespace's CONNECT answer
   * (`connect_error` with code `CONNECT_TIMEOUT` when it does not come), or `false`.
   * Default `20000`.
   */
  timeout?: number | false;
  /** Reconnect automatically. Default `true`. */
  reconnection?: boolean;
  /** Attempts before giving up. Default `Infinity`. */
  reconnectionAttempts?: number;
  /** First reconnection delay (ms). Default `1000`. */
  reconnectionDelay?: number;
  /** Largest reconnection delay (ms). Default `5000`. */
  reconnectionDelayMax?: number;
  /** Jitter, between 0 and 1. Default `0.5`. */
  randomizationFactor?: number;
  /** Connect as soon as created. Default `true`. */
  autoConnect?: boolean;
  /** Send cookies with polling requests (for sticky sessions). Default `false`. */
  withCredentials?: boolean;
  /** Default acknowledgement timeout (ms) for emits that expect one, on every socket of the connection. */
  ackTimeout?: number;
  /** Re-send an emit this many times after its acknowledgement timed out (every socket of the connection). */
  retries?: number;
  /** Add a random `t` parameter to polling requests. Default `true`. */
  timestampRequests?: boolean;
  /**
   * Largest message accepted from the server, in bytes (a text frame or polling record in
   * UTF-8, or one binary attachment). A larger one ends the connection with
   * `disconnect("transport error")` (error code `TOO_LARGE`), then reconnects as usual.
   * Default `Infinity`: no limit, as socket.io-client.
   */
  maxMessageSize?: number;
  /**
   * Most events a socket keeps while it waits for the CONNECT answer (some servers send events
   * first). One more is a transport error (code `TOO_LARGE`). Default `1000`.
   */
  maxEarlyEvents?: number;
  /**
   * Most emits kept while disconnected; beyond it `emit` throws an error with code
   * `BUFFER_FULL`. Default `Infinity`, as socket.io-client.
   */
  maxBufferedEmits?: number;
  /**
   * Most emits waiting in the retry queue (`retries`); beyond it `emit` throws an error with
   * code `BUFFER_FULL`. Default `Infinity`, as socket.io-client.
   */
  maxRetryQueue?: number;
}

/** Options of a namespace socket. */
export interface SocketOptions {
  /** Sent with the CONNECT packet (e.g. a token). */
  auth?: Record<string, unknown>;
}

/** Options of `io()`. */
export interface IoOptions extends ManagerOptions, SocketOptions {
  /** Always open a new connection instead of sharing one per origin. */
  forceNew?: boolean;
  /** `false` is the same as `forceNew: true`. */
  multiplex?: boolean;
}

/** Errors carry a stable `code`; a server's refusal also carries its `data`. */
export interface SocketError extends Error {
  code:
    | "PROTOCOL_ERROR" | "TRANSPORT_ERROR" | "CONNECT_TIMEOUT" | "CONNECT_REFUSED" | "ACK_TIMEOUT"
    | "DISCONNECTED" | "INVALID_OPTION" | "INVALID_URL" | "INVALID_ARGUMENT" | "TOO_LARGE"
    | "BUFFER_FULL";
  data?: unknown;
}

export type DisconnectReason =
  | "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close"
  | "transport error" | "parse error" | "forced close";

/** Lifecycle events of a socket. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: SocketError) => void;
  disconnect: (reason: DisconnectReason, description?: string) => void;
}

/** Events of a connection. */
export interface ManagerEvents {
  open: () => void;
  close: (reason: DisconnectReason, description?: string) => void;
  error: (err: SocketError) => void;
  ping: () => void;
  upgrade: (transport: "websocket") => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect: (attempt: number) => void;
  reconnect_error: (err: SocketError) => void;
  reconnect_failed: () => void;
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

export interface Socket {
  on<E extends keyof SocketReservedEvents>(event: E, listener: SocketReservedEvents[E]): Unsubscribe;
  on(event: string, listener: (...args: any[]) => void): Unsubscribe;
  once<E extends keyof SocketReservedEvents>(event: E, listener: SocketReservedEvents[E]): Unsubscribe;
  once(event: string, listener: (...args: any[]) => void): Unsubscribe;
  off(event?: string, listener?: (...args: any[]) => void): void;
  listeners(event: string): ((...args: any[]) => void)[];
  onAny(listener: (event: string, ...args: any[]) => void): Unsubscribe;
  prependAny(listener: (event: string, ...args: any[]) => void): Unsubscribe;
  offAny(listener?: (event: string, ...args: any[]) => void): void;
  listenersAny(): ((event: string, ...args: any[]) => void)[];
  onAnyOutgoing(listener: (event: string, ...args: any[]) => void): Unsubscribe;
  prependAnyOutgoing(listener: (event: string, ...args: any[]) => void): Unsubscribe;
  offAnyOutgoing(listener?: (event: string, ...args: any[]) => void): void;
  listenersAnyOutgoing(): ((event: string, ...args: any[]) => void)[];
  /** Sends an event; a trailing function receives the acknowledgement. Throws on reserved names. */
  emit(event: string, ...args: any[]): void;
  /** Sends an event and resolves with the acknowledgement's first argument. */
  emitWithAck(event: string, ...args: any[]): Promise<any>;
  /** Sends a `message` event. */
  send(...args: any[]): void;
  auth: Record<string, unknown> | undefined;
}

export interface Manager {
  on<E extends keyof ManagerEvents>(event: E, listener: ManagerEvents[E]): Unsubscribe;
  once<E extends keyof ManagerEvents>(event: E, listener: ManagerEvents[E]): Unsubscribe;
  off(event?: keyof ManagerEvents, listener?: (...args: any[]) => void): void;
}

/** Connects to a namespace, e.g. `io("http://localhost:3000/admin", { auth: { token } })`. */
export function io(url?: string, opts?: IoOptions): Socket;
"#;
