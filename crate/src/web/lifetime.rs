//! What a JavaScript or Rust handle owns: dropping the last handle of a connection closes it,
//! dropping the last handle of a socket leaves its namespace.
//!
//! A [`Driver`] keeps itself alive while its connection is active (as a browser socket is kept
//! alive by its pending callbacks), so a handle that is freed — `free()`, `[Symbol.dispose]`, or
//! the `FinalizationRegistry` once JavaScript drops its last reference — must say so, or the
//! connection would go on reconnecting with nobody to listen.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::{Rc, Weak};

use crate::client::SocketId;

use super::driver::Driver;

/// A driver whose connection is closed when this owner is dropped.
pub(crate) struct OwnedDriver(Rc<Driver>);

impl OwnedDriver {
    pub fn new(driver: Rc<Driver>) -> Self {
        OwnedDriver(driver)
    }

    /// Closes the connection now, as dropping the owner does (an owner that must tell its own
    /// listeners after the close calls this first; the close on drop then finds nothing to do).
    pub fn close(&self) {
        // Closing leaves the core idle: the driver closes its transports, clears its timer and
        // lets go of itself.
        self.0.with_client(|c, now| c.close(now));
    }
}

impl Deref for OwnedDriver {
    type Target = Rc<Driver>;
    fn deref(&self) -> &Rc<Driver> {
        &self.0
    }
}

impl Drop for OwnedDriver {
    fn drop(&mut self) {
        self.close();
    }
}

/// One connection shared by the JavaScript `Manager` and `Socket` handles on it.
pub(crate) struct Connection {
    pub driver: OwnedDriver,
    /// The live socket handles, so that every handle of a namespace shares one owner.
    sockets: RefCell<Vec<(SocketId, Weak<SocketOwner>)>>,
}

impl Connection {
    pub fn new(driver: Rc<Driver>) -> Rc<Connection> {
        Rc::new(Connection { driver: OwnedDriver::new(driver), sockets: RefCell::new(Vec::new()) })
    }

    /// The owner of socket `id`: the existing one while any handle holds it, else a new one.
    pub fn socket(self: &Rc<Self>, id: SocketId) -> Rc<SocketOwner> {
        let mut sockets = self.sockets.borrow_mut();
        if let Some(owner) = sockets.iter().find(|(i, _)| *i == id).and_then(|(_, s)| s.upgrade()) {
            return owner;
        }
        let owner = Rc::new(SocketOwner { conn: self.clone(), id });
        sockets.retain(|(i, s)| *i != id && s.strong_count() > 0);
        sockets.push((id, Rc::downgrade(&owner)));
        owner
    }
}

/// One namespace socket: shared by every JavaScript `Socket` object for it (`timeout()` and
/// `volatile` return new objects); the last one dropped leaves the namespace.
pub(crate) struct SocketOwner {
    pub conn: Rc<Connection>,
    pub id: SocketId,
}

impl Drop for SocketOwner {
    fn drop(&mut self) {
        leave_namespace(&self.conn.driver, self.id);
    }
}

/// What dropping the last handle of a socket does (JavaScript or Rust): leave its namespace.
pub(crate) fn leave_namespace(driver: &Rc<Driver>, id: SocketId) {
    if driver.read(|c| c.socket_active(id)) {
        driver.with_client(|c, now| c.disconnect(now, id));
    }
}
