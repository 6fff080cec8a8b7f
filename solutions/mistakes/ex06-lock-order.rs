// Mistake: locks `from` and then `to`: a transfer from 0 to 1 holds 0 and waits for 1 while a transfer from 1 to 0 holds 1 and waits for 0, forever.
// Rejected by: opposite_transfers_never_deadlock
// Message contains: always lock the lower-numbered account first

impl Bank {
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        let payer = self
            .accounts
            .get(from)
            .ok_or(TransferError::NoSuchAccount(from))?;
        let payee = self
            .accounts
            .get(to)
            .ok_or(TransferError::NoSuchAccount(to))?;
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let mut paying = payer.lock().unwrap();
        let mut receiving = payee.lock().unwrap();
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
