// Mistake: refuses a transfer when the balance is less than OR EQUAL to the amount, so an account can never be emptied.
// Rejected by: transfer_moves_money_and_refuses_overdrafts
// Message contains: (`<`, not `<=`)

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
        let (mut paying, mut receiving) = if from < to {
            let paying = lock(payer);
            (paying, lock(payee))
        } else {
            let receiving = lock(payee);
            (lock(payer), receiving)
        };
        if *paying <= amount {
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
