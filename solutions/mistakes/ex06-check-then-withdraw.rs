// Mistake: checks the balance under one lock, releases it, and withdraws under a second lock: two threads can both see the last 10 and both take it.
// Rejected by: racing_withdrawals_never_overdraw
// Message contains: overdrawn

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
        let available = *payer.lock().unwrap();
        if available < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available,
            });
        }
        let (mut paying, mut receiving) = if from < to {
            let paying = payer.lock().unwrap();
            (paying, payee.lock().unwrap())
        } else {
            let receiving = payee.lock().unwrap();
            (payer.lock().unwrap(), receiving)
        };
        *paying -= amount;
        *receiving += amount;
        Ok(())
    }
}
