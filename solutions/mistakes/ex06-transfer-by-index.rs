// Mistake: `transfer` indexes the accounts having checked only that they differ, not that they exist, so a missing account panics instead of being refused with NoSuchAccount.
// Rejected by: missing_accounts_are_refused
// Message contains: used as an index before the bank checked
// Cause: none

impl Bank {
    fn check_accounts(&self, from: usize, to: usize) -> Result<(), TransferError> {
        if from == to {
            return Err(TransferError::SameAccount);
        }
        Ok(())
    }
}
