// Mistake: a Mutex<u64> counter that reads the count under one lock and writes it back under another: another thread can increment in between, and that increment is overwritten.
// Rejected by: many_threads_never_lose_an_increment
// Message contains: increments were lost
// Cause: lost-update

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
        let seen = *self.count.lock().unwrap();
        *self.count.lock().unwrap() = seen + 1;
    }

    fn get(&self) -> u64 {
        *self.count.lock().unwrap()
    }
}
