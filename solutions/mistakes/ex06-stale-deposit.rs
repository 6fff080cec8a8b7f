// Mistake: copies the receiving balance under its lock, and writes the copy plus the amount back under a second lock: whatever another transfer did to that account in between is overwritten, so money disappears or appears.
// Rejected by: random_transfers_keep_every_account_exact
// Message contains: one change overwrote the other

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
        let received = *payee.lock().unwrap();
        {
            let mut paying = payer.lock().unwrap();
            if *paying < amount {
                return Err(TransferError::InsufficientFunds {
                    needed: amount,
                    available: *paying,
                });
            }
            *paying -= amount;
        }
        *payee.lock().unwrap() = received + amount;
        Ok(())
    }
}
