//! Handler lists, the guard that removes a handler on drop, and event streams.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

type Handler<T> = Rc<RefCell<dyn FnMut(&T)>>;

/// Handlers of one kind of event, called in the order they were added.
pub(crate) struct HandlerList<T> {
    next_id: Cell<u64>,
    handlers: RefCell<Vec<(u64, Handler<T>)>>,
}

impl<T: 'static> HandlerList<T> {
    pub fn new() -> Rc<Self> {
        Rc::new(HandlerList { next_id: Cell::new(0), handlers: RefCell::new(Vec::new()) })
    }

    /// Adds a handler; dropping the returned guard removes it.
    pub fn add(self: &Rc<Self>, handler: impl FnMut(&T) + 'static) -> Subscription {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.handlers.borrow_mut().push((id, Rc::new(RefCell::new(handler))));
        let list: Weak<Self> = Rc::downgrade(self);
        Subscription::new(move || {
            if let Some(list) = list.upgrade() {
                // Taken out first: the handler (and what it owns) is dropped with no borrow held.
                let removed = {
                    let mut handlers = list.handlers.borrow_mut();
                    handlers.iter().position(|(i, _)| *i == id).map(|at| handlers.remove(at))
                };
                drop(removed);
            }
        })
    }

    /// Calls every handler with `event`. Handlers may add and remove handlers (the change
    /// applies from the next event) and call back into the client.
    pub fn deliver(&self, event: &T) {
        let handlers: Vec<Handler<T>> = self.handlers.borrow().iter().map(|(_, h)| h.clone()).collect();
        for handler in handlers {
            // A handler busy further up the stack is not re-entered (events are never nested by
            // the driver; this only guards against a panic on a RefCell).
            if let Ok(mut f) = handler.try_borrow_mut() {
                f(event);
            }
        }
    }

    /// Drops every handler (and so ends every stream fed by one).
    pub fn clear(&self) {
        let all = std::mem::take(&mut *self.handlers.borrow_mut());
        drop(all);
    }
}

/// Keeps a handler registered; dropping it removes the handler (gloo's `EventListener` style).
///
/// ```no_run
/// # use eliza_socketio::rust_api::Socket;
/// # fn demo(socket: &Socket) {
/// let subscription = socket.on("news", |message| {
///     web_sys_log(message.event());
/// });
/// // … later: no more "news" for this handler.
/// drop(subscription);
///
/// // A handler for the whole life of the socket:
/// socket.on_connect(|| web_sys_log("connected")).forget();
/// # }
/// # fn web_sys_log(_: &str) {}
/// ```
#[must_use = "the handler is removed as soon as the Subscription is dropped; keep it, or call .forget()"]
pub struct Subscription {
    remove: Option<Box<dyn FnOnce()>>,
}

impl Subscription {
    pub(crate) fn new(remove: impl FnOnce() + 'static) -> Self {
        Subscription { remove: Some(Box::new(remove)) }
    }

    /// Keeps the handler for as long as its socket or client lives.
    pub fn forget(mut self) {
        self.remove = None;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(remove) = self.remove.take() {
            remove();
        }
    }
}

impl core::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Subscription")
    }
}

/// Events waiting for a stream's reader, at most `capacity` of them.
struct Queue<T> {
    items: RefCell<VecDeque<T>>,
    capacity: usize,
    missed: Cell<u64>,
    ended: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl<T> Queue<T> {
    fn wake(&self) {
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// The writing half of a stream, owned by the handler that feeds it: when the handler is
/// removed (its socket or client is gone), the stream ends.
struct QueueWriter<T>(Rc<Queue<T>>);

impl<T> QueueWriter<T> {
    /// Queues an event; when the reader is `capacity` events behind, the oldest is dropped and
    /// counted in `missed`, so that memory stays bounded whatever the server sends.
    fn push(&self, item: T) {
        let queue = &self.0;
        {
            let mut items = queue.items.borrow_mut();
            if items.len() >= queue.capacity {
                items.pop_front();
                queue.missed.set(queue.missed.get() + 1);
            }
            items.push_back(item);
        }
        queue.wake();
    }
}

impl<T> Drop for QueueWriter<T> {
    fn drop(&mut self) {
        self.0.ended.set(true);
        self.0.wake();
    }
}

/// A [`futures_core::Stream`] of events, an alternative to callbacks.
///
/// It holds at most its capacity of unread events: when the reader falls further behind, the
/// oldest are dropped and counted by [`EventStream::missed`]. The stream ends when its socket
/// or client is dropped; dropping the stream unsubscribes it.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use eliza_socketio::rust_api::{Socket, SocketEvent};
///
/// # async fn demo(socket: Socket) {
/// let mut events = socket.events();
/// while let Some(event) = events.next().await {
///     match event {
///         SocketEvent::Connect => {}
///         SocketEvent::Message(message) => { let _ = message.event(); }
///         _ => {}
///     }
/// }
/// # }
/// ```
#[must_use = "a stream does nothing unless polled"]
pub struct EventStream<T> {
    queue: Rc<Queue<T>>,
    _subscription: Subscription,
}

impl<T: 'static> EventStream<T> {
    /// A stream of the events of `list` that `select` picks, `capacity` unread at most.
    pub(crate) fn from_handlers<E: 'static>(
        list: &Rc<HandlerList<E>>,
        capacity: usize,
        select: impl Fn(&E) -> Option<T> + 'static,
    ) -> Self {
        let queue = Rc::new(Queue {
            items: RefCell::new(VecDeque::new()),
            capacity: capacity.max(1),
            missed: Cell::new(0),
            ended: Cell::new(false),
            waker: RefCell::new(None),
        });
        let writer = QueueWriter(queue.clone());
        let subscription = list.add(move |event| {
            if let Some(item) = select(event) {
                writer.push(item);
            }
        });
        EventStream { queue, _subscription: subscription }
    }

    /// Events dropped so far because the reader was too far behind.
    pub fn missed(&self) -> u64 {
        self.queue.missed.get()
    }
}

impl<T> futures_core::Stream for EventStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let queue = &self.queue;
        if let Some(item) = queue.items.borrow_mut().pop_front() {
            return Poll::Ready(Some(item));
        }
        if queue.ended.get() {
            return Poll::Ready(None);
        }
        *queue.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> core::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventStream").field("queued", &self.queue.items.borrow().len()).finish()
    }
}

/// A value that arrives once (an acknowledgement), and the task waiting for it.
pub(crate) struct Slot<T> {
    value: RefCell<Option<T>>,
    waker: RefCell<Option<Waker>>,
}

impl<T> Slot<T> {
    pub fn new() -> Rc<Self> {
        Rc::new(Slot { value: RefCell::new(None), waker: RefCell::new(None) })
    }

    /// Fills the slot (the first value wins) and wakes the waiting task.
    pub fn fill(&self, value: T) {
        {
            let mut slot = self.value.borrow_mut();
            if slot.is_some() {
                return;
            }
            *slot = Some(value);
        }
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    pub fn poll_take(&self, cx: &mut Context<'_>) -> Poll<T> {
        match self.value.borrow_mut().take() {
            Some(value) => Poll::Ready(value),
            None => {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
