// Mistake: withdraws under `from`'s lock, releases it, then deposits under `to`'s lock: no deadlock and no money lost in the end, but between the two steps the money is in no account, and total() sees it missing.
// Rejected by: total_is_one_consistent_snapshot
// Message contains: money in flight

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
        *payee.lock().unwrap() += amount;
        Ok(())
    }
}
