// Mistake: never checks `from == to`, so transfer(1, 1, ..) locks account 1's Mutex twice on the same thread and waits for itself forever (std's Mutex is not re-entrant).
// Rejected by: transfer_to_the_same_account_is_refused
// Message contains: not re-entrant
// Cause: none

impl Bank {
    fn check_accounts(&self, from: usize, to: usize) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        Ok(())
    }
}
