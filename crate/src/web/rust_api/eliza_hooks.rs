//! The ElizaOS client's side of the Rust API: typed calls and events over the very session,
//! socket and driver of the JS `ElizaClient` (this file is a child module of `web::eliza`, so
//! that it shares that client's private state rather than copying its pump).

use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::eliza::rest::{self, Agent, DmChannel};
use crate::eliza::{
    ChatMessage, ElizaError, ElizaEvent, JoinOptions as SessionJoin, OutboxEntry, SendOptions as SessionSend,
};
use crate::web::rust_api::listen::HandlerList;

use super::ElizaClient;

/// Rust handlers of session events, told before the JS listeners.
pub(crate) type RustEvents = Rc<HandlerList<ElizaEvent>>;

pub(crate) fn new_rust_events() -> RustEvents {
    HandlerList::new()
}

impl ElizaClient {
    /// A client from the options object the JS constructor reads (built by the Rust builder).
    pub(crate) fn from_js_options(opts: &JsValue) -> Result<ElizaClient, ElizaError> {
        Self::inner_new(opts).map_err(|e| ElizaError::InvalidArgument(crate::web::error::describe(&e)))
    }

    pub(crate) fn rust_events(&self) -> &RustEvents {
        &self.inner.rust_events
    }

    pub(crate) async fn agents_typed(&self) -> Result<Vec<Agent>, ElizaError> {
        let inner = self.inner.clone();
        let (status, body) = inner.get(&rest::agents_url(&inner.base_url)).await?;
        rest::parse_agents(status, &body)
    }

    pub(crate) async fn join_dm_typed(
        &self,
        agent_id: &str,
        since: Option<i64>,
    ) -> Result<DmChannel, ElizaError> {
        let inner = self.inner.clone();
        let entity = inner.session.borrow().entity_id().to_owned();
        let url = rest::dm_channel_url(&inner.base_url, &entity, agent_id)?;
        let (status, body) = inner.get(&url).await?;
        let channel = rest::parse_dm_channel(status, &body)?;
        let join = SessionJoin {
            channel_id: channel.id.clone(),
            agent_id: Some(agent_id.to_owned()),
            dm: true,
            since,
            history: true,
        };
        let now = inner.now();
        let joined = inner.session.borrow_mut().join(now, join);
        inner.pump();
        joined.map(|_| channel)
    }

    pub(crate) async fn history_typed(
        &self,
        channel_id: &str,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, ElizaError> {
        let inner = self.inner.clone();
        inner.history_page(channel_id, limit.clamp(1, 500), None).await
    }

    pub(crate) fn send_typed(&self, channel_id: &str, text: &str) -> Result<String, ElizaError> {
        let options = SessionSend { attachments: serde_json::Value::Null, metadata: serde_json::Value::Null };
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().send(now, channel_id, text, options);
        self.inner.pump();
        result
    }

    pub(crate) fn retry_typed(&self, client_message_id: &str) -> Result<(), ElizaError> {
        let now = self.inner.now();
        let result = self.inner.session.borrow_mut().retry(now, client_message_id);
        self.inner.pump();
        result
    }

    pub(crate) fn discard_typed(&self, client_message_id: &str) -> bool {
        let discarded = self.inner.session.borrow_mut().discard(client_message_id).is_some();
        self.inner.pump();
        discarded
    }

    pub(crate) fn outbox_typed(&self) -> Vec<OutboxEntry> {
        self.inner.outbox_wall()
    }

    pub(crate) fn is_thinking_typed(&self, channel_id: &str) -> bool {
        self.inner.session.borrow().is_thinking(channel_id)
    }

    pub(crate) fn leave_typed(&self, channel_id: &str) -> bool {
        let left = self.inner.session.borrow_mut().leave(channel_id);
        self.inner.pump();
        left
    }
}
