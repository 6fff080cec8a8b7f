//! Causes: what in the student's code made a test fail, as a small shared
//! vocabulary.
//!
//! A diagnosis says what was observed ("3 sleeps of 1 s took 3 s") and, when
//! the evidence proves it, *why* ("they ran one after another"). The why is
//! recorded as a [`Cause`], a typed fact next to the message, so that:
//! - `dev verify` can check that every test a catalogued mistake fails
//!   asserts the mistake's declared cause or none, never another;
//! - the checker can show the most telling failure first (one that asserts a
//!   cause before those that assert none), whatever the wording;
//! - reports carry the cause's id and the class dashboard groups the tests
//!   the class fails most by cause.
//!
//! A diagnosis asserts at most one cause, and only when its evidence proves
//! it. When the evidence narrows things down without proving one, it lists
//! *candidates*, most likely first, in the order the evidence gives; when it
//! proves nothing about the cause, it records none and says only what it
//! observed and what a correct solution does.
//!
//! Ids are stable: they are written in mistake headers (`// Cause: <id>`),
//! facts files and reports. Add a cause at the end of [`causes!`] with an id
//! and a one-line definition; CONTRIBUTING lists them all.

use std::fmt;

macro_rules! causes {
    ($($(#[$doc:meta])* $variant:ident = $id:literal, $definition:literal;)+) => {
        /// A cause a diagnosis can assert (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cause {
            $($(#[$doc])* $variant,)+
        }

        impl Cause {
            /// Every cause, in the vocabulary's order.
            pub const ALL: &'static [Cause] = &[$(Cause::$variant),+];

            /// The stable id: `sequential`, `blocking-in-async`, ...
            pub fn id(self) -> &'static str {
                match self {
                    $(Cause::$variant => $id,)+
                }
            }

            /// One line saying what the cause is.
            pub fn definition(self) -> &'static str {
                match self {
                    $(Cause::$variant => $definition,)+
                }
            }
        }
    };
}

causes! {
    Sequential = "sequential",
        "work that should overlap is started or awaited one after another, so the times add up";
    Batches = "batches",
        "work is started in fixed batches (or a window that waits for its slowest member), so free slots stay idle";
    BlockingInAsync = "blocking-in-async",
        "a blocking call (std::thread::sleep, blocking I/O, block_on, long CPU work) runs on the async runtime's thread and stops every task on it";
    BusyLoop = "busy-loop",
        "a loop that never waits (spins, polls or yields in a circle) or never ends";
    ChannelNeverClosed = "channel-never-closed",
        "a receiver waits forever because a sender (or a clone of it) is never dropped";
    NeverJoined = "never-joined",
        "a task, thread or process is started but never joined or awaited, so its work or result is lost";
    LockHeldWhileWaiting = "lock-held-while-waiting",
        "a lock guard is held across an `.await` or a blocking wait, so the work behind it runs one at a time";
    DeadlinePerOp = "deadline-per-op",
        "each operation gets its own timeout instead of sharing one deadline, so the total can exceed it";
    NoTimeout = "no-timeout",
        "a wait has no time limit, so one slow or silent peer holds everything up";
    NotCancelled = "not-cancelled",
        "work past its deadline or shutdown is left running (not dropped, aborted or told to stop)";
    Unbounded = "unbounded",
        "more work runs at once than the limit allows (no semaphore, pool or bounded channel)";
    UnderUsed = "under-used",
        "less work runs at once than allowed: the limit, pool or cores are not kept busy";
    WrongOrder = "wrong-order",
        "results come back in another order than asked (completion order instead of input order, or the reverse)";
    LostUpdate = "lost-update",
        "shared state is read and written in separate steps without one lock around both, so concurrent updates are lost";
    LockOrder = "lock-order",
        "two locks are taken in different orders by different threads, so they can deadlock";
    NotParallel = "not-parallel",
        "CPU-bound work runs on one thread instead of being spread over the cores";
    ResourcePerCall = "resource-per-call",
        "a resource meant to be shared (a client, a connection, a reader) is created anew for each call";
    ResourceLeaked = "resource-leaked",
        "a resource (connection, permit, file, task) is not released on some path, such as an error or a cancellation";
    ErrorSwallowed = "error-swallowed",
        "an error or a panic is hidden, replaced or turned into a success instead of being passed on";
    NotFlushed = "not-flushed",
        "buffered output is never flushed, so the reader does not get it (in time)";
    ArithmeticOverflow = "arithmetic-overflow",
        "a result does not fit in the integer type used for it";
    StoppedBeforeClosed = "stopped-before-closed",
        "a consumer stops before its channel is closed (on a momentarily empty channel, a timeout or one producer's stop signal) while producers still have items";
    IgnoresStop = "ignores-stop",
        "the stop signal (a shutdown, a cancellation) is not watched while taking new work, so work is still taken or started after it";
    SharedTimeout = "shared-timeout",
        "one time limit covers a whole batch where each operation should have its own, so one slow operation costs the others their results";
    ThreadPerTask = "thread-per-task",
        "each connection or job gets an OS thread of its own where an async task would do, so thousands of them cost thousands of threads";
}

impl Cause {
    /// The cause with this id, if the vocabulary has it.
    pub fn from_id(id: &str) -> Option<Cause> {
        Cause::ALL.iter().copied().find(|c| c.id() == id.trim())
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_reads_back_and_is_unique() {
        for &cause in Cause::ALL {
            assert_eq!(Cause::from_id(cause.id()), Some(cause));
            let same = Cause::ALL.iter().filter(|c| c.id() == cause.id()).count();
            assert_eq!(same, 1, "{cause} twice");
            assert!(
                cause
                    .id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{cause}: ids are lowercase words joined by '-'"
            );
            assert!(!cause.definition().is_empty());
        }
        assert_eq!(Cause::from_id("no-such-cause"), None);
    }
}
