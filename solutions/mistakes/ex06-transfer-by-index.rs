// Mistake: `transfer` indexes the accounts before checking that they exist, so a missing account panics instead of being refused with NoSuchAccount.
// Rejected by: missing_accounts_are_refused
// Message contains: used as an index before the bank checked

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let (payer, payee) = (&self.accounts[from], &self.accounts[to]);
        let (mut paying, mut receiving) = if from < to {
            let paying = lock(payer);
            (paying, lock(payee))
        } else {
            let receiving = lock(payee);
            (lock(payer), receiving)
        };
        if *paying < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available: *paying,
            });
        }
        *paying -= amount;
        *receiving += amount;
        Ok(())
    }
}
