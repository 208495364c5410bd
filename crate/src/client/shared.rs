//! State every layer of a client reads: options, server address, randomness, and the queue of
//! network work for the driver.

use std::collections::VecDeque;

use crate::error::TransportKind;
use crate::rng::Rng;

use super::config::Config;
use super::event::{Io, TransportId};
use super::url::Endpoint;
use super::wire::Wire;

pub(crate) struct Shared<W: Wire> {
    pub config: Config,
    pub endpoint: Endpoint,
    pub rng: Rng,
    pub io: VecDeque<Io<W>>,
    next_transport: u64,
}

impl<W: Wire> Shared<W> {
    pub fn new(config: Config, endpoint: Endpoint, seed: u64) -> Self {
        Shared { config, endpoint, rng: Rng::new(seed), io: VecDeque::new(), next_transport: 0 }
    }

    pub fn new_transport_id(&mut self) -> TransportId {
        self.next_transport += 1;
        TransportId(self.next_transport)
    }

    /// The URL for a transport request; polling URLs get a fresh cache-busting token.
    pub fn url(&mut self, kind: TransportKind, sid: Option<&str>) -> String {
        let token =
            (kind == TransportKind::Polling && self.config.timestamp_requests).then(|| self.rng.token());
        self.endpoint.transport_url(kind, &self.config.path, &self.config.query, sid, token.as_deref())
    }
}
