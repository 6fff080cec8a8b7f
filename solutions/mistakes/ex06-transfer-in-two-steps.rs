// Mistake: withdraws under `from`'s lock, releases it, then deposits under `to`'s lock: no deadlock and no money lost in the end, but between the two steps the money is in no account, and total() sees it missing.
// Rejected by: total_is_one_consistent_snapshot
// Message contains: money in flight
// Cause: none
// Removes: impl Bank::fn lock_both

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        self.check_accounts(from, to)?;
        withdraw(&mut self.accounts[from].lock().unwrap(), amount)?;
        *self.accounts[to].lock().unwrap() += amount;
        Ok(())
    }
}
