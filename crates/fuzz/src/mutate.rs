//! The seeded random source and the byte-level mutations every target shares.
//!
//! A case's input depends only on the run's seed, the target and the case number: the random
//! source of case `n` is ChaCha8 seeded with the run's seed, on stream `n`. So `--replay n`
//! with the same seed makes the same input again.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The random source of one case, and what was done with it (for the failure report).
pub struct Rng {
    inner: ChaCha8Rng,
    /// The mutations applied, in order, e.g. `["xml:uniqueCount", "zip:truncate"]`.
    pub log: Vec<String>,
}

impl Rng {
    /// Case `case` of a run seeded with `seed`, for target `target`.
    pub fn for_case(seed: u64, target: &str, case: u64) -> Rng {
        // Each target gets its own key, so "standards case 7" and "photos case 7" differ.
        let mut key = seed;
        for b in target.bytes() {
            key = key.rotate_left(5) ^ u64::from(b);
        }
        let mut inner = ChaCha8Rng::seed_from_u64(key);
        inner.set_stream(case);
        Rng {
            inner,
            log: Vec::new(),
        }
    }

    pub fn u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.u64() % n as u64) as usize
        }
    }

    /// True `num` times out of `den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn byte(&mut self) -> u8 {
        self.u64() as u8
    }

    /// Records a mutation for the failure report.
    pub fn note(&mut self, what: impl Into<String>) {
        self.log.push(what.into());
    }
}

/// Values that tend to find edges: zero, one, powers of two and their neighbours, the limits
/// of signed and unsigned integers of each width.
pub const INTERESTING_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "-0",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967295",
    "4294967296",
    "1000000000000",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e308",
    "1e309",
    "NaN",
    "inf",
    "0.0000001",
    "99999999999999999999999999999999",
];

const INTERESTING_BYTES: &[u8] = &[
    0x00, 0x01, 0x7F, 0x80, 0xFF, b'"', b'\'', b',', b';', b'\n', b'\r', b'<', b'>', b'&', b'{',
    b'[',
];

/// Applies one to `max` random byte-level mutations: bit and byte flips, interesting bytes,
/// insertions, deletions, duplications, truncation, and splices from `others`.
pub fn bytes(rng: &mut Rng, data: &mut Vec<u8>, others: &[&[u8]], max: usize) {
    let rounds = 1 + rng.below(max.max(1));
    for _ in 0..rounds {
        mutate_once(rng, data, others);
    }
}

fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, others: &[&[u8]]) {
    if data.is_empty() {
        let n = 1 + rng.below(16);
        data.extend((0..n).map(|_| rng.byte()));
        rng.note("fill-empty");
        return;
    }
    let len = data.len();
    match rng.below(10) {
        0 => {
            let at = rng.below(len);
            let bit = rng.below(8);
            data[at] ^= 1 << bit;
            rng.note(format!("bit-flip@{at}"));
        }
        1 => {
            let at = rng.below(len);
            data[at] = rng.byte();
            rng.note(format!("byte@{at}"));
        }
        2 => {
            let at = rng.below(len);
            data[at] = *rng.pick(INTERESTING_BYTES);
            rng.note(format!("interesting-byte@{at}"));
        }
        3 => {
            let at = rng.below(len + 1);
            let n = 1 + rng.below(32);
            let ins: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            data.splice(at..at, ins);
            rng.note(format!("insert{n}@{at}"));
        }
        4 => {
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(256));
            data.drain(at..at + n);
            rng.note(format!("delete{n}@{at}"));
        }
        5 => {
            // Duplicate a range, sometimes many times (long lines, repeated rows).
            let at = rng.below(len);
            let n = 1 + rng.below((len - at).min(512));
            let times = if rng.chance(1, 4) {
                1 + rng.below(200)
            } else {
                1
            };
            let piece = data[at..at + n].to_vec();
            let to = rng.below(len + 1);
            let rep: Vec<u8> = piece.iter().copied().cycle().take(n * times).collect();
            data.splice(to..to, rep);
            rng.note(format!("duplicate{n}x{times}@{to}"));
        }
        6 => {
            let at = rng.below(len);
            data.truncate(at);
            rng.note(format!("truncate@{at}"));
        }
        7 if !others.is_empty() => {
            // Splice: our head, another seed's tail.
            let other = *rng.pick(others);
            let at = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            data.truncate(at);
            data.extend_from_slice(&other[from..]);
            rng.note(format!("splice@{at}<-{from}"));
        }
        8 => {
            // Replace a run of ASCII digits with an interesting number.
            if let Some((s, e)) = digit_run(rng, data) {
                let n = *rng.pick(INTERESTING_NUMBERS);
                data.splice(s..e, n.bytes());
                rng.note(format!("number@{s}={n}"));
            } else {
                data[rng.below(len)] ^= 0xFF;
                rng.note("invert-byte");
            }
        }
        _ => {
            // Swap two ranges' contents by overwriting one with the other.
            let a = rng.below(len);
            let b = rng.below(len);
            let n = 1 + rng.below((len - a.max(b)).min(64));
            let piece = data[a..a + n].to_vec();
            data[b..b + n].copy_from_slice(&piece);
            rng.note(format!("copy{n}@{a}->{b}"));
        }
    }
}

/// A random run of ASCII digits in `data`, as `start..end`.
pub fn digit_run(rng: &mut Rng, data: &[u8]) -> Option<(usize, usize)> {
    if data.is_empty() {
        return None;
    }
    let start = rng.below(data.len());
    let at = data[start..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| start + p)
        .or_else(|| data.iter().position(u8::is_ascii_digit))?;
    let mut s = at;
    while s > 0 && data[s - 1].is_ascii_digit() {
        s -= 1;
    }
    let e = at + data[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    Some((s, e))
}

/// Replaces the first `from` at or after a random place in `text` (or the first at all) with
/// `to`; returns whether it did.
pub fn replace_one(rng: &mut Rng, text: &mut String, from: &str, to: &str) -> bool {
    let hits: Vec<usize> = text.match_indices(from).map(|(i, _)| i).collect();
    if hits.is_empty() {
        return false;
    }
    let at = *rng.pick(&hits);
    text.replace_range(at..at + from.len(), to);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_made_again_from_its_seed_and_number() {
        let seeds: &[&[u8]] = &[b"section,code,requirement\nA,1,x\n"];
        let make = |case| {
            let mut rng = Rng::for_case(42, "standards", case);
            let mut data = seeds[0].to_vec();
            bytes(&mut rng, &mut data, seeds, 8);
            (data, rng.log)
        };
        assert_eq!(
            make(7),
            make(7),
            "--replay must make the same input as the run did"
        );
        assert_ne!(
            make(7),
            make(8),
            "cases must differ, or the run tries one input many times"
        );
    }

    #[test]
    fn targets_draw_different_inputs_for_the_same_case() {
        let a = Rng::for_case(1, "standards", 3).u64();
        let b = Rng::for_case(1, "photos", 3).u64();
        assert_ne!(a, b, "each target has its own stream");
    }
}
