// Mistake: total() adds the accounts up one at a time, each under its own short lock: a transfer that runs between two reads is counted twice or not at all.
// Rejected by: total_is_one_consistent_snapshot
// Message contains: money in flight
// Cause: none

impl Bank {
    pub fn total(&self) -> u64 {
        self.accounts.iter().map(|a| *a.lock().unwrap()).sum()
    }
}
