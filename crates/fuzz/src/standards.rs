//! Target `standards`: CSV, JSON and XLSX through the import the command line runs
//! (`read_standard`, then `publish_standard`), seeded from `fixtures/standards`.

use std::path::Path;

use storecheck_core::import::read_standard;

use crate::mutate::{self, Rng};
use crate::sandbox::Sandbox;
use crate::{Failure, Input, Target, xlsx};

pub struct Standards {
    seeds: Vec<Input>,
    sandbox: Sandbox,
}

impl Standards {
    /// Reads the seeds: `sample.*`, `demo-fashion.*.json` and everything in `broken/` but the
    /// expected messages.
    pub fn new(fixtures: &Path) -> Result<Standards, String> {
        let dir = fixtures.join("standards");
        let mut seeds = Vec::new();
        for folder in [dir.clone(), dir.join("broken")] {
            let entries =
                std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let wanted =
                    name.ends_with(".csv") || name.ends_with(".json") || name.ends_with(".xlsx");
                if path.is_file() && wanted {
                    let bytes =
                        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    seeds.push(Input { name, bytes });
                }
            }
        }
        if seeds.is_empty() {
            return Err(format!("no seed standards in {}", dir.display()));
        }
        Ok(Standards {
            seeds,
            sandbox: Sandbox::new(|_| Ok(()))?,
        })
    }
}

impl Target for Standards {
    fn name(&self) -> &'static str {
        "standards"
    }

    fn generate(&self, rng: &mut Rng) -> Input {
        // XLSX, the richest format, gets a larger share than its number of seeds.
        let xlsx: Vec<&Input> = self
            .seeds
            .iter()
            .filter(|s| s.name.ends_with(".xlsx"))
            .collect();
        let seed = if !xlsx.is_empty() && rng.chance(2, 5) {
            *rng.pick(&xlsx)
        } else {
            rng.pick(&self.seeds)
        };
        rng.note(format!("seed:{}", seed.name));
        let others: Vec<&[u8]> = self.seeds.iter().map(|s| s.bytes.as_slice()).collect();
        let mut name = seed.name.clone();
        let bytes = if name.ends_with(".xlsx") {
            match xlsx::read_entries(&seed.bytes) {
                Some(entries) if rng.chance(5, 6) => xlsx::mutate(rng, entries, &others),
                _ => {
                    let mut b = seed.bytes.clone();
                    mutate::bytes(rng, &mut b, &others, 8);
                    b
                }
            }
        } else {
            let mut b = seed.bytes.clone();
            if rng.chance(1, 3) {
                structured_text(rng, &mut b, name.ends_with(".json"));
            }
            if rng.chance(3, 4) {
                mutate::bytes(rng, &mut b, &others, 8);
            }
            b
        };
        if rng.chance(1, 20) {
            // The content under another format's name.
            name = format!(
                "mislabelled.{}",
                rng.pick(&["csv", "json", "xlsx", "txt", "xlsm"])
            );
            rng.note(format!("rename:{name}"));
        }
        Input { name, bytes }
    }

    fn check(&mut self, input: &Input) -> Result<(), Failure> {
        let path = self.sandbox.inputs.join(&input.name);
        std::fs::write(&path, &input.bytes)
            .map_err(|e| Failure::harness(format!("{}: {e}", path.display())))?;
        let db = self.sandbox.db().map_err(Failure::harness)?;
        let result = read_standard(&path).and_then(|draft| db.publish_standard(&draft));
        match result {
            Ok(_) => self.sandbox.reset().map_err(Failure::harness),
            Err(e) => {
                let message = e.to_string();
                if message.trim().is_empty() {
                    return Err(Failure::new("silent-refusal", "the refusal says nothing"));
                }
                match self.sandbox.changed().map_err(Failure::harness)? {
                    None => Ok(()),
                    Some(diff) => {
                        let _ = self.sandbox.reset();
                        Err(Failure::new(
                            "refusal-wrote",
                            format!("refused ({message}) but changed the database: {diff}"),
                        ))
                    }
                }
            }
        }
    }

    fn recover(&mut self) -> Result<(), String> {
        self.sandbox.reset()
    }
}

/// Mutations that keep CSV and JSON well-formed enough to reach the validator.
fn structured_text(rng: &mut Rng, b: &mut Vec<u8>, json: bool) {
    let Ok(mut text) = String::from_utf8(b.clone()) else {
        return;
    };
    match rng.below(6) {
        0 => {
            // Many sections: each row of the body repeated under new section titles.
            let n = *rng.pick(&[100usize, 2000]);
            if json {
                let extra: String = (0..n)
                    .map(|i| {
                        format!("{{\"section\":\"S{i}\",\"code\":\"x{i}\",\"requirement\":\"t\"}},")
                    })
                    .collect();
                mutate::replace_one(
                    rng,
                    &mut text,
                    "\"requirements\": [",
                    &format!("\"requirements\": [{extra}"),
                );
            } else {
                let sep = if text.lines().next().is_some_and(|l| l.contains(';')) {
                    ';'
                } else {
                    ','
                };
                for i in 0..n {
                    text.push_str(&format!("S{i}{sep}x{i}{sep}requirement {i}\n"));
                }
            }
            rng.note(format!("sections{n}"));
        }
        1 => {
            // Deep nesting.
            let depth = *rng.pick(&[1000usize, 100_000]);
            let at = rng.below(text.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let deep = if json {
                format!("{}{}", "[".repeat(depth), "]".repeat(depth))
            } else {
                "\"".repeat(depth)
            };
            text.insert_str(at, &deep);
            rng.note(format!("nest{depth}@{at}"));
        }
        2 => {
            // A weight, min or max made huge, negative or not a number.
            let n = *rng.pick(mutate::INTERESTING_NUMBERS);
            let done = mutate::replace_one(
                rng,
                &mut text,
                "\"weight\": ",
                &format!("\"weight\": {n}, \"x\": "),
            ) || mutate::replace_one(rng, &mut text, ",1,", &format!(",{n},"));
            rng.note(format!("weight={n}:{done}"));
        }
        3 => {
            // One very long cell.
            let n = *rng.pick(&[100_000usize, 5_000_000]);
            let long = "Ж".repeat(n);
            let done = mutate::replace_one(
                rng,
                &mut text,
                "\"requirement\": \"",
                &format!("\"requirement\": \"{long}"),
            ) || mutate::replace_one(rng, &mut text, ",", &format!(",{long}"));
            rng.note(format!("long-cell{n}:{done}"));
        }
        4 => {
            // Duplicate codes.
            let line = text.lines().nth(1 + rng.below(4)).unwrap_or("").to_string();
            for _ in 0..1 + rng.below(5) {
                text.push_str(&line);
                text.push('\n');
            }
            rng.note("duplicate-row");
        }
        _ => {
            // Column headers in another case, language or order.
            let (from, to) = *rng.pick(&[
                ("section", "РАЗДЕЛ"),
                ("code", "Code"),
                ("kind", "тип"),
                ("requirement", ""),
                ("weight", "weight,weight"),
            ]);
            let done = mutate::replace_one(rng, &mut text, from, to);
            rng.note(format!("header:{from}->{to}:{done}"));
        }
    }
    *b = text.into_bytes();
}
