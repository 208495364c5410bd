//! Per-namespace state: connection phase, acknowledgements, buffered and retried emits.

use std::collections::VecDeque;

use core::time::Duration;

use crate::json;
use crate::time::Instant;

use super::wire::Wire;

/// Where a socket is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Not subscribed to the connection: never connected, or disconnected for good.
    Inactive,
    /// Wants to be connected; the CONNECT packet has not gone out on this session yet.
    Connecting,
    /// CONNECT sent on this session, waiting for the answer until `deadline` (the `timeout`
    /// option; `None`: wait as long as the session lasts).
    Joining { deadline: Option<Instant> },
    /// Joined the namespace under this socket id.
    Connected { sid: String },
}

/// Who is waiting for an acknowledgement.
#[derive(Debug)]
pub(crate) enum AckTarget<W: Wire> {
    /// A user callback.
    User(W::Ack),
    /// The retry queue's entry with this sequence number.
    Queue(u64),
}

#[derive(Debug)]
pub(crate) struct PendingAck<W: Wire> {
    pub target: AckTarget<W>,
    pub deadline: Option<Instant>,
}

/// Pending acknowledgements by id.
///
/// Ids are handed out in increasing order, so a sorted `Vec` with binary search does what a
/// map would, in a fraction of the code size.
#[derive(Debug)]
pub(crate) struct AckTable<W: Wire>(Vec<(u64, PendingAck<W>)>);

impl<W: Wire> Default for AckTable<W> {
    fn default() -> Self {
        AckTable(Vec::new())
    }
}

impl<W: Wire> AckTable<W> {
    fn find(&self, id: u64) -> Result<usize, usize> {
        self.0.binary_search_by_key(&id, |(k, _)| *k)
    }

    pub fn insert(&mut self, id: u64, ack: PendingAck<W>) {
        match self.find(id) {
            Ok(i) => self.0[i].1 = ack,
            Err(i) => self.0.insert(i, (id, ack)),
        }
    }

    pub fn get(&self, id: &u64) -> Option<&PendingAck<W>> {
        self.find(*id).ok().map(|i| &self.0[i].1)
    }

    pub fn remove(&mut self, id: &u64) -> Option<PendingAck<W>> {
        self.find(*id).ok().map(|i| self.0.remove(i).1)
    }

    pub fn keys(&self) -> impl Iterator<Item = &u64> {
        self.0.iter().map(|(k, _)| k)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// An EVENT packet waiting to be written.
#[derive(Debug)]
pub(crate) struct Packet<W: Wire> {
    pub ack_id: Option<u64>,
    pub data: W::Text,
    pub attachments: Vec<W::Binary>,
}

/// An emit in the retry queue (`retries` option): sent one at a time, in order, until acknowledged.
#[derive(Debug)]
pub(crate) struct Queued<W: Wire> {
    pub seq: u64,
    pub data: W::Text,
    pub attachments: Vec<W::Binary>,
    pub ack: Option<W::Ack>,
    pub timeout: Option<Duration>,
    /// Acknowledgement timeouts so far.
    pub failures: u32,
    /// Sent and waiting for its acknowledgement.
    pub in_flight: bool,
}

pub(crate) struct Socket<W: Wire> {
    pub nsp: String,
    /// Auth payload for CONNECT, as JSON object text.
    pub auth: Option<String>,
    pub phase: Phase,
    /// Connection-state-recovery session id and last seen offset.
    pub pid: Option<String>,
    pub last_offset: Option<String>,
    pub recovered: bool,
    /// Whether `Event::Sent` is wanted (someone listens to outgoing packets).
    pub notify_outgoing: bool,
    next_ack_id: u64,
    pub acks: AckTable<W>,
    pub send_buffer: VecDeque<Packet<W>>,
    /// Events that arrived before the CONNECT answer (a recovered session replays missed
    /// packets first): delivered right after it. At most `Config::max_early_packets`.
    pub receive_buffer: VecDeque<Received<W>>,
    pub queue: VecDeque<Queued<W>>,
    next_seq: u64,
}

/// An EVENT received before the socket was connected.
#[derive(Debug)]
pub(crate) struct Received<W: Wire> {
    pub data: W::Text,
    pub attachments: Vec<W::Binary>,
    pub ack: Option<u64>,
}

impl<W: Wire> Socket<W> {
    pub fn new(nsp: String, auth: Option<String>) -> Self {
        Socket {
            nsp,
            auth,
            phase: Phase::Inactive,
            pid: None,
            last_offset: None,
            recovered: false,
            notify_outgoing: false,
            next_ack_id: 0,
            acks: AckTable::default(),
            send_buffer: VecDeque::new(),
            receive_buffer: VecDeque::new(),
            queue: VecDeque::new(),
            next_seq: 0,
        }
    }

    pub fn is_active(&self) -> bool {
        self.phase != Phase::Inactive
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected { .. })
    }

    pub fn sid(&self) -> Option<&str> {
        match &self.phase {
            Phase::Connected { sid } => Some(sid),
            _ => None,
        }
    }

    /// Registers an acknowledgement and returns its id.
    pub fn register_ack(&mut self, target: AckTarget<W>, deadline: Option<Instant>) -> u64 {
        let id = self.next_ack_id;
        // Ids wrap far beyond anything a session reaches; stay within JavaScript's safe integers.
        self.next_ack_id = (self.next_ack_id + 1) % (crate::sio::MAX_ACK_ID + 1);
        self.acks.insert(id, PendingAck { target, deadline });
        id
    }

    pub fn push_queued(
        &mut self,
        data: W::Text,
        attachments: Vec<W::Binary>,
        ack: Option<W::Ack>,
        timeout: Option<Duration>,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push_back(Queued { seq, data, attachments, ack, timeout, failures: 0, in_flight: false });
    }

    /// The CONNECT payload: the auth object, with the recovery session merged in when there is one.
    pub fn connect_payload(&self) -> Option<String> {
        let Some(pid) = &self.pid else { return self.auth.clone() };
        let mut out = String::from("{\"pid\":");
        json::write_string(&mut out, pid);
        out.push_str(",\"offset\":");
        match &self.last_offset {
            Some(offset) => json::write_string(&mut out, offset),
            None => out.push_str("null"),
        }
        // The auth object's own fields follow; an empty or absent object adds nothing.
        let auth_fields = self
            .auth
            .as_deref()
            .map(str::trim)
            .and_then(|a| a.strip_prefix('{'))
            .and_then(|a| a.strip_suffix('}'))
            .map(str::trim)
            .unwrap_or("");
        if !auth_fields.is_empty() {
            out.push(',');
            out.push_str(auth_fields);
        }
        out.push('}');
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::wire::Native;

    #[test]
    fn connect_payload_merges_recovery_fields_into_auth() {
        let mut s = Socket::<Native>::new("/".into(), Some(r#"{"token":"abc"}"#.into()));
        assert_eq!(s.connect_payload().as_deref(), Some(r#"{"token":"abc"}"#));
        s.pid = Some("p1".into());
        assert_eq!(s.connect_payload().as_deref(), Some(r#"{"pid":"p1","offset":null,"token":"abc"}"#));
        s.last_offset = Some("o\"9".into());
        s.auth = Some("{ }".into());
        assert_eq!(s.connect_payload().as_deref(), Some(r#"{"pid":"p1","offset":"o\"9"}"#));
        s.auth = None;
        let payload = s.connect_payload().unwrap();
        assert!(json::parse_object(&payload).is_ok());
    }

    #[test]
    fn ack_ids_count_up() {
        let mut s = Socket::<Native>::new("/".into(), None);
        assert_eq!(s.register_ack(AckTarget::User(1), None), 0);
        assert_eq!(s.register_ack(AckTarget::User(2), None), 1);
        assert_eq!(s.acks.len(), 2);
    }
}
