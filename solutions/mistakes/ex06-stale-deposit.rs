// Mistake: copies the receiving balance under its lock, and writes the copy plus the amount back under a second lock: whatever another transfer did to that account in between is overwritten, so money disappears or appears.
// Rejected by: random_transfers_keep_every_account_exact
// Message contains: one change overwrote the other

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
        let received = *payee.lock().unwrap();
        {
            let mut paying = payer.lock().unwrap();
            if *paying < amount {
                return Err(TransferError::InsufficientFunds {
                    needed: amount,
                    available: *paying,
                });
            }
            *paying -= amount;
        }
        *payee.lock().unwrap() = received + amount;
        Ok(())
    }
}
