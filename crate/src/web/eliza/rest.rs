//! The REST requests: history pages, the message server's id, and the GET under them all.

use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::eliza::rest;
use crate::eliza::{ElizaError, ErrorKind, HistoryRequest};

use super::super::error::describe;
use super::super::glue;
use super::Inner;

/// How long a REST request may take.
const REST_TIMEOUT_MS: f64 = 15_000.0;

impl Inner {
    /// One page of a channel's history (newest first), from the path the server is known or
    /// guessed to have: an unproven path that is not found is tried under the other name
    /// (releases before 1.7 have only `central-channels`), and the one that answers is remembered.
    pub(super) async fn history_page(
        self: &Rc<Self>,
        channel_id: &str,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<crate::eliza::ChatMessage>, ElizaError> {
        let context = self.session.borrow().message_context(channel_id);
        let first = self.session.borrow().history_path();
        let proven = self.session.borrow().server_info().history_path == Some(first);
        let mut result = Err(ElizaError::NotFound { detail: String::new() });
        let paths = if proven { vec![first] } else { vec![first, first.other()] };
        for path in paths {
            let url = rest::channel_messages_url(&self.base_url, path, channel_id, limit, before)?;
            let (status, body) = self.get(&url).await?;
            result = rest::parse_history(status, &body, &context);
            if !matches!(result, Err(ElizaError::NotFound { .. })) {
                if result.is_ok() {
                    self.session.borrow_mut().handle_history_path(path);
                    self.pump();
                }
                break;
            }
        }
        result
    }

    pub(super) async fn fetch_history(self: Rc<Self>, request: HistoryRequest) {
        let context = self.session.borrow().message_context(&request.channel_id);
        let url = rest::channel_messages_url(
            &self.base_url,
            request.path,
            &request.channel_id,
            request.limit,
            None,
        );
        let result = match url {
            Ok(url) => {
                self.get(&url).await.and_then(|(status, body)| rest::parse_history(status, &body, &context))
            }
            Err(e) => Err(e),
        };
        let now = self.now();
        self.session.borrow_mut().handle_history(now, &request, result);
        self.pump();
    }

    /// A GET on the REST API: `(status, body)`, or a network error.
    pub(super) async fn get(&self, url: &str) -> Result<(u16, String), ElizaError> {
        let promise =
            glue::http_json("GET", url, self.api_key.clone(), None, REST_TIMEOUT_MS, &self.requests);
        match JsFuture::from(promise).await {
            Ok(pair) => {
                let pair: Array = pair.unchecked_into();
                let status = pair.get(0).as_f64().unwrap_or(0.0) as u16;
                // glue.js stops reading a body over its size limit and says why instead.
                match pair.get(1).as_string() {
                    Some(body) => Ok((status, body)),
                    None => Err(ElizaError::BadResponse(pair.get(2).as_string().unwrap_or_default())),
                }
            }
            Err(e) => {
                let error = ElizaError::Network(format!(
                    "cannot reach the ElizaOS server at {} ({})",
                    self.base_url,
                    describe(&e)
                ));
                // fetch throws a TypeError, and nothing more, when the browser blocks the request
                // (CORS, a missing host permission) or cannot reach the server at all.
                if e.is_instance_of::<js_sys::TypeError>() {
                    let message = format!("GET {url}: {}", describe(&e));
                    self.record(|d, at| d.record_error(ErrorKind::Permission, error.code(), &message, at));
                }
                Err(error)
            }
        }
    }

    /// The socket joined: find out the message server id if not known yet (a 404 means a
    /// release before 1.7 and the default id), then let the session re-join.
    pub(super) fn on_connected(self: &Rc<Self>) {
        if !self.rest || !self.session.borrow().needs_server_probe() {
            let now = self.now();
            self.session.borrow_mut().handle_connected(now);
            return self.pump();
        }
        let inner = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let url = rest::message_server_url(&inner.base_url);
            let id = inner.get(&url).await.and_then(|(s, b)| rest::parse_message_server_id(s, &b));
            // A failed request keeps the default id and asks again on the next connect.
            inner.session.borrow_mut().handle_message_server(id);
            if inner.socket_connected() {
                let now = inner.now();
                inner.session.borrow_mut().handle_connected(now);
                inner.pump();
            }
        });
    }
}
