//! Verdicts reused while nothing changed, and what the checker last saw of
//! each student file.
//!
//! A hung exercise costs its watchdogs' time on every run; a student with
//! one hang and a dozen untouched exercises would wait for it again and
//! again. So each verdict is stored under the fingerprint of everything that
//! can change it (`fingerprint::verdict_key`) and reused while that is
//! unchanged. Everything lives in the target folder: `cargo clean` forgets
//! it, and it never shows in `git status`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::engine::verdict::Verdict;

/// Values stored under a name, each with the key it was made under: a
/// value is handed back only under the same key.
pub struct Store {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    key: String,
    value: T,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// The value stored as `name` under `key`, if any. A stale, missing or
    /// unreadable entry is simply no value.
    pub fn get<T: DeserializeOwned>(&self, name: &str, key: &str) -> Option<T> {
        let text = fs::read_to_string(self.file(name)).ok()?;
        let entry: Entry<T> = serde_json::from_str(&text).ok()?;
        (entry.key == key).then_some(entry.value)
    }

    /// Stores a value. Losing it only costs work again: errors are ignored.
    pub fn put<T: Serialize>(&self, name: &str, key: &str, value: &T) {
        let entry = Entry {
            key: key.to_string(),
            value,
        };
        if let Ok(text) = serde_json::to_string(&entry) {
            let _ = fs::create_dir_all(&self.dir);
            let file = self.file(name);
            let partial = file.with_extension("json.partial");
            if fs::write(&partial, text).is_ok() {
                let _ = fs::rename(partial, file);
            }
        }
    }
}

/// Where the checker keeps what it knows of one course's student files:
/// in the target folder (so `cargo clean` forgets it and git never sees it),
/// apart for each course folder, since scratch copies of the course may
/// share the target folder and have other student files.
pub fn state_dir(target_dir: &Path, course_root: &Path) -> PathBuf {
    let root = course_root
        .canonicalize()
        .unwrap_or_else(|_| course_root.to_path_buf());
    let tag = crate::engine::fingerprint::Fingerprint::new("course root")
        .add_str(&root.to_string_lossy())
        .finish();
    target_dir.join("checker").join(format!("course-{tag}"))
}

/// The verdicts of the student's exercises, by exercise id.
pub struct VerdictCache(Store);

impl VerdictCache {
    pub fn new(state_dir: &Path) -> VerdictCache {
        VerdictCache(Store::new(state_dir.join("verdicts")))
    }

    pub fn get(&self, id: &str, key: &str) -> Option<Verdict> {
        self.0.get(id, key)
    }

    pub fn put(&self, id: &str, key: &str, verdict: &Verdict) {
        self.0.put(id, key, verdict);
    }
}

/// What the checker last saw of each exercise's student files.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Seen {
    #[serde(default)]
    exercises: BTreeMap<String, SeenExercise>,
    #[serde(skip)]
    file: PathBuf,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SeenExercise {
    /// Fingerprint of the student files when last looked at.
    content: String,
    /// When the student last saved them (milliseconds since 1970).
    since: u64,
    /// When the checker last looked at them.
    #[serde(default)]
    observed_at: u64,
    /// The content cargo last built, and when that build started (ms).
    built_content: Option<String>,
    built_at: Option<u64>,
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Seen {
    /// The record kept in `state_dir` (see [`state_dir`]).
    pub fn load(state_dir: &Path) -> Seen {
        let file = state_dir.join("seen.json");
        let mut seen: Seen = fs::read_to_string(&file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        seen.file = file;
        seen
    }

    pub fn save(&self) {
        if let Ok(text) = serde_json::to_string_pretty(self) {
            if let Some(dir) = self.file.parent() {
                let _ = fs::create_dir_all(dir);
            }
            let _ = fs::write(&self.file, text);
        }
    }

    /// Notes the current content of `id`'s files (modified at `modified`)
    /// and returns when the student last saved them: the file's own time,
    /// unless the content changed while the time stayed older than the
    /// checker's last look (a file restored with `mv` keeps an old
    /// timestamp): then the moment the change was first seen.
    pub fn observe(&mut self, id: &str, content: &str, modified: Option<SystemTime>) -> SystemTime {
        let now = millis(SystemTime::now());
        let modified = modified.map(millis);
        let entry = self.exercises.entry(id.to_string()).or_default();
        entry.since = if entry.content.is_empty() {
            modified.unwrap_or(now)
        } else if entry.content == content {
            entry.since.max(modified.unwrap_or(0))
        } else {
            match modified {
                Some(m) if m > entry.observed_at => m,
                _ => now,
            }
        };
        entry.content = content.to_string();
        entry.observed_at = now;
        UNIX_EPOCH + Duration::from_millis(entry.since)
    }

    /// Whether cargo must be told that `id` changed: it last built other
    /// content, and the file's timestamp is not newer than that build, so
    /// cargo (which compares timestamps) would reuse the stale build.
    pub fn stale_for_cargo(&self, id: &str, content: &str, modified: Option<SystemTime>) -> bool {
        let Some(entry) = self.exercises.get(id) else {
            return false;
        };
        match (&entry.built_content, entry.built_at, modified) {
            (Some(built), Some(at), Some(modified)) => built != content && millis(modified) <= at,
            _ => false,
        }
    }

    /// Notes that cargo built `id` from `content`, starting at `at`.
    pub fn built(&mut self, id: &str, content: &str, at: SystemTime) {
        let entry = self.exercises.entry(id.to_string()).or_default();
        entry.built_content = Some(content.to_string());
        entry.built_at = Some(millis(at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::verdict::Status;

    #[test]
    fn a_verdict_is_reused_only_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = VerdictCache::new(dir.path());
        let verdict = Verdict::of_status(Status::Solved);
        assert_eq!(cache.get("ex01", "k1"), None);
        cache.put("ex01", "k1", &verdict);
        assert_eq!(cache.get("ex01", "k1"), Some(verdict));
        assert_eq!(cache.get("ex01", "k2"), None);
        fs::write(dir.path().join("verdicts/ex01.json"), "{broken").unwrap();
        assert_eq!(cache.get("ex01", "k1"), None);
    }

    #[test]
    fn a_file_restored_with_an_old_timestamp_is_stale_for_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Seen::load(dir.path());
        let build_time = SystemTime::now();
        seen.built("ex01", "stub", build_time);
        let old = build_time - Duration::from_secs(3600);
        assert!(seen.stale_for_cargo("ex01", "restored", Some(old)));
        assert!(!seen.stale_for_cargo("ex01", "stub", Some(old)));
        let newer = build_time + Duration::from_secs(5);
        assert!(!seen.stale_for_cargo("ex01", "edited", Some(newer)));
        assert!(!seen.stale_for_cargo("ex02", "never built", Some(old)));
    }

    #[test]
    fn a_change_is_dated_when_first_seen() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Seen::load(dir.path());
        let old = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(seen.observe("ex01", "a", Some(old)), old);
        assert_eq!(seen.observe("ex01", "a", None), old);
        let resaved = old + Duration::from_secs(60);
        assert_eq!(
            seen.observe("ex01", "a", Some(resaved)),
            resaved,
            "saved again"
        );
        let changed = seen.observe("ex01", "b", Some(old));
        assert!(
            changed > old + Duration::from_secs(1000),
            "content restored with an old time is dated when first seen"
        );
        // Two files saved while the checker was not looking keep their order.
        let later = UNIX_EPOCH + Duration::from_millis(millis(SystemTime::now()) + 5000);
        let latest = later + Duration::from_secs(5);
        assert_eq!(seen.observe("ex01", "c", Some(latest)), latest);
        assert_eq!(seen.observe("ex02", "x", Some(later)), later);
        seen.save();
        let again = Seen::load(dir.path());
        assert_eq!(again.exercises["ex01"].content, "c");
    }
}
