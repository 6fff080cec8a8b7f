// Mistake: refuses `from == to` before checking that the accounts exist, so transfer(2, 2, 1) on a bank of two accounts says SameAccount instead of NoSuchAccount(2).
// Rejected by: missing_accounts_are_refused
// Message contains: a missing account is refused as missing

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let payer = self
            .accounts
            .get(from)
            .ok_or(TransferError::NoSuchAccount(from))?;
        let payee = self
            .accounts
            .get(to)
            .ok_or(TransferError::NoSuchAccount(to))?;
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
