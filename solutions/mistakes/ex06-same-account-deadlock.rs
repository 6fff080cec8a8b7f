// Mistake: never checks `from == to`, so transfer(1, 1, ..) locks account 1's Mutex twice on the same thread and waits for itself forever (std's Mutex is not re-entrant).
// Rejected by: transfer_to_the_same_account_is_refused
// Message contains: not re-entrant

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
        let (mut paying, mut receiving) = if from <= to {
            let paying = payer.lock().unwrap();
            (paying, payee.lock().unwrap())
        } else {
            let receiving = payee.lock().unwrap();
            (payer.lock().unwrap(), receiving)
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
