// Mistake: refuses `from == to` before checking that the accounts exist, so transfer(2, 2, 1) on a bank of two accounts says SameAccount instead of NoSuchAccount(2).
// Rejected by: missing_accounts_are_refused
// Message contains: a missing account is refused as missing
// Cause: none

impl Bank {
    fn check_accounts(&self, from: usize, to: usize) -> Result<(), TransferError> {
        if from == to {
            return Err(TransferError::SameAccount);
        }
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        Ok(())
    }
}
