// Mistake: refuses a transfer when the balance is less than OR EQUAL to the amount, so an account can never be emptied.
// Rejected by: transfer_moves_money_and_refuses_overdrafts
// Message contains: (`<`, not `<=`)
// Cause: none

fn withdraw(balance: &mut u64, amount: u64) -> Result<(), TransferError> {
    if *balance <= amount {
        return Err(TransferError::InsufficientFunds {
            needed: amount,
            available: *balance,
        });
    }
    *balance -= amount;
    Ok(())
}
