// Mistake: checks the balance under one lock, releases it, and withdraws under a second lock: two threads can both see the last 10 and both take it.
// Rejected by: racing_withdrawals_never_overdraw
// Message contains: overdrawn

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;

pub struct Counter {
    count: AtomicU64,
}

impl Counter {
    pub fn new() -> Counter {
        Counter {
            count: AtomicU64::new(0),
        }
    }

    pub fn increment(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

impl Default for Counter {
    fn default() -> Counter {
        Counter::new()
    }
}

pub fn count_with_threads(threads: usize, per_thread: u64) -> u64 {
    let counter = Counter::new();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    counter.increment();
                }
            });
        }
    });
    counter.get()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    NoSuchAccount(usize),
    SameAccount,
    InsufficientFunds { needed: u64, available: u64 },
}

pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    pub fn new(balances: &[u64]) -> Bank {
        Bank {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
        }
    }

    pub fn balance(&self, account: usize) -> Option<u64> {
        self.accounts.get(account).map(|a| *a.lock().unwrap())
    }

    pub fn total(&self) -> u64 {
        let guards: Vec<_> = self.accounts.iter().map(|a| a.lock().unwrap()).collect();
        guards.iter().map(|balance| **balance).sum()
    }

    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        let payer = self
            .accounts
            .get(from)
            .ok_or(TransferError::NoSuchAccount(from))?;
        let payee = self
            .accounts
            .get(to)
            .ok_or(TransferError::NoSuchAccount(to))?;
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let available = *payer.lock().unwrap();
        if available < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available,
            });
        }
        let (mut paying, mut receiving) = if from < to {
            let paying = payer.lock().unwrap();
            (paying, payee.lock().unwrap())
        } else {
            let receiving = payee.lock().unwrap();
            (payer.lock().unwrap(), receiving)
        };
        *paying -= amount;
        *receiving += amount;
        Ok(())
    }
}
