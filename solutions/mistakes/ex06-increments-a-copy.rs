// Mistake: a Mutex<u64> counter whose `increment` copies the count out of the guard and adds one to the copy: the counter itself never changes.
// Rejected by: counter_counts_on_one_thread
// Message contains: adds one to a copy
// Cause: none

pub struct Counter {
    count: Mutex<u64>,
}

impl Counter {
    pub fn new() -> Counter {
        Counter {
            count: Mutex::new(0),
        }
    }
}

impl Count for Counter {
    fn increment(&self) {
        // `*guard` copies the u64 out: `n` is a new variable.
        let mut n = *self.count.lock().unwrap();
        n += 1;
    }

    fn get(&self) -> u64 {
        *self.count.lock().unwrap()
    }
}
