// Mistake: checks the balance under one lock, releases it, and withdraws under a second lock: two threads can both see the last 10 and both take it.
// Rejected by: racing_withdrawals_never_overdraw
// Message contains: overdrawn
// Cause: lost-update
// Removes: fn withdraw

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        self.check_accounts(from, to)?;
        let available = *self.accounts[from].lock().unwrap();
        if available < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available,
            });
        }
        let (mut paying, mut receiving) = self.lock_both(from, to);
        *paying -= amount;
        *receiving += amount;
        Ok(())
    }
}
