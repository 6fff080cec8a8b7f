// Mistake: `balance` indexes the accounts (`self.accounts[account]`), which panics for an account that does not exist instead of giving None.
// Rejected by: a_new_bank_knows_its_balances
// Message contains: which does not exist, panicked
// Cause: none

impl Bank {
    pub fn balance(&self, account: usize) -> Option<u64> {
        Some(*lock(&self.accounts[account]))
    }
}
