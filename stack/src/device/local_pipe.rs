//! A memory pipe for one thread: [`LocalPipe`], the [`super::Pipe`]'s link
//! without the mutex.

use std::cell::RefCell;
use std::rc::Rc;

use super::pipe::{Link, LinkHandle, PipeEnd};

/// One end of an in-memory pipe whose two ends stay on one thread.
///
/// The same link as [`super::Pipe`] (latency, MTU, queue limit, frames in
/// ready order, taken in batches), shared through an `Rc<RefCell<_>>`
/// instead of an `Arc<Mutex<_>>`: a driver that steps both hosts in turn
/// (a simulation, a benchmark) pays no atomic operation per frame, as
/// smoltcp's `Loopback` (a plain queue) pays none. The type is neither
/// `Send` nor `Sync`; a driver with a thread per end uses `Pipe`.
pub type LocalPipe = PipeEnd<Rc<RefCell<Link>>>;

impl LinkHandle for Rc<RefCell<Link>> {
    fn with<R>(&self, f: impl FnOnce(&mut Link) -> R) -> R {
        // Each `PipeEnd` method borrows the link for one call into `Link`
        // that calls nothing back, so no borrow overlaps another and none
        // panics.
        f(&mut self.borrow_mut())
    }
}
