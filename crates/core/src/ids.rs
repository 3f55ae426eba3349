//! Where ids come from.
//!
//! New row ids and temporary file names: UUID v7 made of the injected clock's time and bytes
//! from an injected random source, never read from the system behind the caller's back. The
//! running program uses [`Ids::from_os`] (the operating system's random source); a test uses
//! [`Ids::seeded`] with a fixed clock and gets the same ids on every run. Ids from one [`Ids`]
//! (and its clones) only ever grow, even when the clock stands still or steps back: they are
//! ordered by creation, as `ORDER BY id` relies on.
//!
//! Ids of what every laptop and HQ share, a standard version with its sections and
//! requirements: UUID v5 derived from their content by [`standard_id`], [`section_id`] and
//! [`requirement_id`], so two databases that import the same standard file agree on them. They
//! say nothing of when a row was made: never order by them.

use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

use crate::db::Clock;

/// The namespace of every id StoreCheck derives from content: made once at random for
/// StoreCheck. Never change it: the ids in every database and at HQ were derived in it.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x16ba54ca_b714_4cb0_85db_be0d26c1597f);

/// The id of a published standard version: its code, its version and the SHA-256 of its
/// content ([`crate::import::StandardDraft::content_hash`], as stored in
/// `standard.content_sha256`). The version is part of it because one content may be published
/// under two versions in one database.
pub fn standard_id(code: &str, version: &str, content_sha256: &str) -> Uuid {
    derived(&["standard", code, version, content_sha256])
}

/// The id of a section of the standard version `standard`: its 0-based place in the standard
/// (`section.position`).
pub fn section_id(standard: Uuid, position: u32) -> Uuid {
    derived(&["section", &standard.to_string(), &position.to_string()])
}

/// The id of the requirement `code` of the standard version `standard` (codes are unique in a
/// standard).
pub fn requirement_id(standard: Uuid, code: &str) -> Uuid {
    derived(&["requirement", &standard.to_string(), code])
}

/// UUID v5 in [`NAMESPACE`] of a name made of `parts`, the kind of thing first: each part as
/// its length in bytes (8 bytes, big-endian) then its UTF-8 bytes. Lengths, not separators,
/// because codes and versions are free text that may hold any character: no two lists of parts
/// make the same name. A standard id is written as stored (lowercase, hyphenated), a position
/// in decimal.
fn derived(parts: &[&str]) -> Uuid {
    let mut name = Vec::with_capacity(parts.iter().map(|p| 8 + p.len()).sum());
    for part in parts {
        name.extend_from_slice(&(part.len() as u64).to_be_bytes());
        name.extend_from_slice(part.as_bytes());
    }
    Uuid::new_v5(&NAMESPACE, &name)
}

/// Fills a buffer with random bytes.
pub type Random = Box<dyn FnMut(&mut [u8]) + Send>;

/// A source of new ids. Clones share one sequence.
#[derive(Clone)]
pub struct Ids {
    clock: Clock,
    state: Arc<Mutex<State>>,
}

struct State {
    random: Random,
    /// The last id made, as 48 bits of Unix milliseconds then 74 bits of counter and
    /// randomness (a UUID v7 without its version and variant bits); 0 before the first.
    last: u128,
}

/// The 74 bits of a UUID v7 after its 48-bit time, version and variant bits left out.
const TAIL_BITS: u32 = 74;
const TAIL: u128 = (1 << TAIL_BITS) - 1;
/// The 62 bits after the variant.
const LOW: u128 = (1 << 62) - 1;

impl Ids {
    /// Ids of the clock's time and bytes from `random`.
    pub fn new(clock: Clock, random: impl FnMut(&mut [u8]) + Send + 'static) -> Ids {
        Ids {
            clock,
            state: Arc::new(Mutex::new(State {
                random: Box::new(random),
                last: 0,
            })),
        }
    }

    /// Ids of the clock's time and the operating system's random source: the running program's.
    ///
    /// Panics when the operating system gives no random bytes (as `Uuid::now_v7` did).
    pub fn from_os(clock: Clock) -> Ids {
        Ids::new(clock, |bytes| {
            if let Err(e) = getrandom::fill(bytes) {
                panic!("the operating system gave no random bytes for a new id: {e}");
            }
        })
    }

    /// Ids of the clock's time and a pseudo-random sequence fixed by `seed`: the same clock
    /// readings and the same seed give the same ids, for tests. Not for production: the ids are
    /// guessable. A database reopened with the same seed and a clock that has not moved would
    /// make its ids again: give each opening of one database its own seed.
    pub fn seeded(clock: Clock, seed: u64) -> Ids {
        let mut state = seed;
        Ids::new(clock, move |bytes| {
            for chunk in bytes.chunks_mut(8) {
                let word = splitmix64(&mut state).to_le_bytes();
                chunk.copy_from_slice(&word[..chunk.len()]);
            }
        })
    }

    /// A new UUID v7: the clock's time in milliseconds, then random bits. Greater than every id
    /// this source made before: within one millisecond (or when the clock steps back) the
    /// previous id's random part counts up by a random step instead.
    pub fn next(&self) -> Uuid {
        let millis = (self.clock)().timestamp_millis().clamp(0, (1 << 48) - 1) as u128;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bytes = [0u8; 16];
        (state.random)(&mut bytes[6..]);
        let fresh = u128::from_be_bytes(bytes) & TAIL;
        let value = if millis > state.last >> TAIL_BITS {
            (millis << TAIL_BITS) | fresh
        } else {
            // A step of 1 to 2^32 keeps ids unguessable and leaves room for 2^42 of them in
            // one millisecond; past that the time part simply moves on by one.
            state.last + 1 + (fresh & 0xFFFF_FFFF)
        };
        state.last = value;
        let millis = value >> TAIL_BITS;
        let tail = value & TAIL;
        Uuid::from_u128(
            (millis << 80) | (0x7 << 76) | ((tail >> 62) << 64) | (0b10 << 62) | (tail & LOW),
        )
    }
}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ids")
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small generator whose every seed gives a good
/// sequence.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).single().expect("time")
    }

    #[test]
    fn an_id_is_a_v7_of_the_clock_time() {
        let ids = Ids::seeded(Arc::new(|| at(1_764_619_200_123)), 1);
        let id = ids.next();
        assert_eq!(id.get_version_num(), 7);
        assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        let (secs, nanos) = id.get_timestamp().expect("v7 has a time").to_unix();
        assert_eq!(
            (secs, nanos / 1_000_000),
            (1_764_619_200, 123),
            "the time part is the injected clock's"
        );
    }

    #[test]
    fn the_same_seed_and_clock_give_the_same_ids_and_another_seed_others() {
        let clock: Clock = Arc::new(|| at(1_764_619_200_000));
        let take = |ids: Ids| (0..5).map(|_| ids.next()).collect::<Vec<_>>();
        let a = take(Ids::seeded(clock.clone(), 7));
        assert_eq!(a, take(Ids::seeded(clock.clone(), 7)));
        assert_ne!(a, take(Ids::seeded(clock, 8)));
    }

    #[test]
    fn ids_grow_when_the_clock_stands_still_or_steps_back() {
        let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let t = ticks.clone();
        let clock: Clock = Arc::new(move || {
            // 5, 5, 5, 4, 3, 6, 6, … seconds past a fixed instant.
            let n = t.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let s = [5, 5, 5, 4, 3, 6, 6][n as usize % 7];
            at(1_764_619_200_000 + s * 1000)
        });
        let ids = Ids::seeded(clock, 3);
        let made: Vec<Uuid> = (0..7).map(|_| ids.next()).collect();
        assert!(
            made.windows(2).all(|w| w[0] < w[1]),
            "ids must be ordered by creation: {made:?}"
        );
        assert!(made.iter().all(|id| id.get_version_num() == 7));
    }

    /// The fixture's `DEMO-FASHION` v1 (fixtures/db/schema-3), its first section and its
    /// requirement 1.1. Computed once apart from this code (SHA-1 of the namespace and the
    /// name, as RFC 9562 says); a change here changes the id of every standard already
    /// published: never update these values to make the test pass.
    #[test]
    fn derived_ids_are_stable() {
        let sha = "3ed2a52fe0af02fd0efe10510ceb108a4a56f7e62f7535ea1a5076e547457de1";
        let standard = standard_id("DEMO-FASHION", "1", sha);
        assert_eq!(
            standard,
            Uuid::parse_str("82b586b5-daa6-5ae4-8b86-85204f4486f8").expect("uuid")
        );
        assert_eq!(
            section_id(standard, 0),
            Uuid::parse_str("bc2e1205-e3f2-589d-ad47-6b352ca15e48").expect("uuid")
        );
        assert_eq!(
            requirement_id(standard, "1.1"),
            Uuid::parse_str("76f97bae-9688-50dc-8d95-46485903665a").expect("uuid")
        );
        for id in [
            standard,
            section_id(standard, 0),
            requirement_id(standard, "1.1"),
        ] {
            assert_eq!(id.get_version_num(), 5);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn different_content_gives_different_ids() {
        let sha = "3ed2a52fe0af02fd0efe10510ceb108a4a56f7e62f7535ea1a5076e547457de1";
        let other_sha = "2e950eff95c8c810b8554e0dc3319e3f606208b89aa60267ebaf3b3addff7721";
        let a = standard_id("DEMO-FASHION", "1", sha);
        let standards = [
            a,
            standard_id("DEMO-FASHION", "2", sha), // the same content, another version
            standard_id("DEMO-FASHION", "1", other_sha),
            standard_id("DEMO-FASHION-EN", "1", sha),
            // Where one field ends and the next begins is part of the name.
            standard_id("DEMO-FASHION\u{0}1", "", sha),
            standard_id("DEMO-FASHION", "\u{0}1", sha),
        ];
        let b = standards[1];
        let mut all = standards.to_vec();
        all.extend([section_id(a, 0), section_id(a, 1), section_id(b, 0)]);
        all.extend([
            requirement_id(a, "1.1"),
            requirement_id(a, "1.2"),
            requirement_id(b, "1.1"),
            // A requirement coded like a section's position is still another thing.
            requirement_id(a, "0"),
        ]);
        let distinct: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "{all:#?}");
        assert_eq!(
            standard_id("DEMO-FASHION", "1", sha),
            a,
            "the same content gives the same id"
        );
    }

    #[test]
    fn clones_share_one_sequence() {
        let ids = Ids::seeded(Arc::new(|| at(0)), 1);
        let other = ids.clone();
        let (a, b) = (ids.next(), other.next());
        assert!(a < b);
    }
}
