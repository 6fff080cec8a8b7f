// Mistake: copies the receiving balance under its lock, and writes the copy plus the amount back under a second lock: whatever another transfer did to that account in between is overwritten, so money disappears or appears.
// Rejected by: random_transfers_keep_every_account_exact
// Message contains: one change overwrote the other
// Cause: lost-update
// Removes: impl Bank::fn lock_both

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        self.check_accounts(from, to)?;
        let received = *self.accounts[to].lock().unwrap();
        withdraw(&mut self.accounts[from].lock().unwrap(), amount)?;
        *self.accounts[to].lock().unwrap() = received + amount;
        Ok(())
    }
}
