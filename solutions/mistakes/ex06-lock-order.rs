// Mistake: locks `from` and then `to`: a transfer from 0 to 1 holds 0 and waits for 1 while a transfer from 1 to 0 holds 1 and waits for 0, forever.
// Rejected by: opposite_transfers_never_deadlock
// Message contains: always lock the lower-numbered account first
// Cause: lock-order

impl Bank {
    fn lock_both(&self, from: usize, to: usize) -> (MutexGuard<'_, u64>, MutexGuard<'_, u64>) {
        let paying = self.accounts[from].lock().unwrap();
        (paying, self.accounts[to].lock().unwrap())
    }
}
