//! Target `pdf`: signed reports through `verify_pdf`. The seed is the demo's completed audit,
//! signed as the report tests sign it; a second seed is the same report signed again, by a
//! self-made key in the same name, as a forger would.
//!
//! The oracle: whenever verify says "valid", the file must be byte-identical to the original
//! in the original's signed ranges and have nothing after them. Anything else is a false
//! "valid". Whenever it says the audit's data is intact, the data `embedded_data` reads must be
//! the original's. Every case is also read with `embedded_data`, which must not panic.

use std::sync::Arc;

use storecheck_core::db::Inputs;
use storecheck_core::model::AuditStatus;
use storecheck_core::record::SignedAuditData;
use storecheck_core::{Db, Lang};
use storecheck_report::sign::{Signer, sign_pdf, verify_pdf};
use storecheck_report::{DataStatus, SignRequest, embedded_data, sign_audit};

use crate::mutate::{self, Rng};
use crate::sandbox::at;
use crate::{Failure, Input, Target};

pub struct Pdf {
    original: Vec<u8>,
    /// The original's `/ByteRange`: signed are `0..hole_start` and `hole_end..len`.
    hole_start: usize,
    hole_end: usize,
    forged: Vec<u8>,
    /// The audit's data the original carries.
    data: SignedAuditData,
    trust: Vec<u8>,
    _dir: tempfile::TempDir,
}

/// The numbers of the last `/ByteRange [a b c d]`, with where the bracket's text starts and ends.
fn byte_range(pdf: &[u8]) -> Option<([usize; 4], usize, usize)> {
    let at = pdf.windows(10).rposition(|w| w == b"/ByteRange")?;
    let open = at + pdf[at..].iter().position(|&b| b == b'[')?;
    let close = open + pdf[open..].iter().position(|&b| b == b']')?;
    let nums: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
        .ok()?
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    Some((nums.try_into().ok()?, open + 1, close))
}

impl Pdf {
    pub fn new() -> Result<Pdf, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let err = |e: storecheck_core::Error| format!("making the signed demo report: {e}");
        let mut db = Db::open(
            &dir.path().join("store.db"),
            Inputs::seeded(Arc::new(at), 1),
        )
        .map_err(err)?;
        db.load_demo(Lang::Ru).map_err(err)?;
        let audit = db
            .list_audits()
            .map_err(err)?
            .into_iter()
            .find(|a| a.status == AuditStatus::Completed)
            .ok_or("the demo has no completed audit")?
            .id;
        sign_audit(
            &mut db,
            audit,
            &SignRequest {
                signer: "Анна Смирнова".into(),
                lang: Lang::Ru,
                drawn: None,
                acknowledged_by: Some("Ольга Петрова".into()),
                acknowledgement: None,
                utc_offset: chrono::FixedOffset::east_opt(3 * 3600).ok_or("offset")?,
            },
            at(),
        )
        .map_err(err)?;
        let original = db.signed_pdf(audit).map_err(err)?;
        let ([a, b, c, d], _, _) =
            byte_range(&original).ok_or("the signed report has no /ByteRange")?;
        if a != 0 || c + d != original.len() || b >= c {
            return Err(format!(
                "unexpected /ByteRange [{a} {b} {c} {d}] in the seed"
            ));
        }
        let data = embedded_data(&original)
            .map_err(|e| format!("the seed's data: {e}"))?
            .ok_or("the signed report carries no data")?;
        let trust = Signer::load_or_create(
            &db.keys_dir().map_err(err)?,
            "Анна Смирнова",
            at(),
            db.ids(),
        )
        .map_err(|e| format!("the signer's certificate: {e}"))?
        .certificate_pem()
        .into_bytes();
        // The forger: another key, a self-made certificate in the same name.
        let forger =
            Signer::load_or_create(&dir.path().join("forger"), "Анна Смирнова", at(), db.ids())
                .map_err(|e| format!("the forger's key: {e}"))?;
        let forged =
            sign_pdf(&original, &forger, at(), "forged").map_err(|e| format!("forging: {e}"))?;
        Ok(Pdf {
            original,
            hole_start: b,
            hole_end: c,
            forged,
            data,
            trust,
            _dir: dir,
        })
    }

    /// True when `pdf` is the original in its signed ranges, with nothing after them.
    fn same_signed_bytes(&self, pdf: &[u8]) -> bool {
        pdf.len() == self.original.len()
            && pdf[..self.hole_start] == self.original[..self.hole_start]
            && pdf[self.hole_end..] == self.original[self.hole_end..]
    }
}

impl Target for Pdf {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn generate(&self, rng: &mut Rng) -> Input {
        let forged = rng.chance(1, 8);
        let mut b = if forged {
            rng.note("seed:forged");
            self.forged.clone()
        } else {
            rng.note("seed:signed");
            self.original.clone()
        };
        // The forgery is also tried as it is.
        let rounds = if forged {
            rng.below(3)
        } else {
            1 + rng.below(2)
        };
        for _ in 0..rounds {
            self.mutate(rng, &mut b);
        }
        // Half of the cases are checked against the genuine signer's certificate.
        let name = if rng.chance(1, 2) {
            "trust.pdf"
        } else {
            "report.pdf"
        };
        Input::new(name, b)
    }

    fn check(&mut self, input: &Input) -> Result<(), Failure> {
        let trust = (input.name == "trust.pdf").then_some(self.trust.as_slice());
        let v = verify_pdf(&input.bytes, trust);
        // A later signature appended to the intact original is a valid file (PDF allows it),
        // but it must never lend the first signer's confirmed identity to the later signer.
        let later_signature_only = input.bytes.starts_with(&self.original)
            && v.signatures.len() > 1
            && v.trusted != Some(true)
            && v.signer.is_none();
        if v.valid && !self.same_signed_bytes(&input.bytes) && !later_signature_only {
            let after = input.bytes.len() as i64 - self.original.len() as i64;
            return Err(Failure::new(
                "false-valid",
                format!(
                    "verify says valid (signer {:?}, trusted {:?}) for a file that differs from the signed original ({after:+} bytes)",
                    v.signer, v.trusted
                ),
            ));
        }
        let data = embedded_data(&input.bytes);
        if v.data == DataStatus::Intact
            && (data.as_ref().ok().and_then(Option::as_ref) != Some(&self.data)
                || v.data_audit != Some(self.data.audit.id))
        {
            return Err(Failure::new(
                "false-intact",
                "verify says the audit's data is intact, but it is not the signed original's",
            ));
        }
        if !v.valid && v.problem.as_deref().is_none_or(|p| p.trim().is_empty()) {
            return Err(Failure::new(
                "silent-refusal",
                "invalid, but no problem is named",
            ));
        }
        Ok(())
    }

    fn recover(&mut self) -> Result<(), String> {
        Ok(())
    }
}

impl Pdf {
    fn mutate(&self, rng: &mut Rng, b: &mut Vec<u8>) {
        if b.is_empty() {
            return;
        }
        let len = b.len();
        let (hs, he) = (self.hole_start.min(len), self.hole_end.min(len));
        match rng.below(10) {
            0 => {
                // A flip inside the signed ranges.
                let signed = hs + len.saturating_sub(he);
                let mut at = rng.below(signed.max(1));
                if at >= hs {
                    at = at - hs + he;
                }
                if at < len {
                    b[at] ^= 1 << rng.below(8);
                }
                rng.note(format!("flip-signed@{at}"));
            }
            1 if he > hs + 2 => {
                // A flip inside /Contents: the CMS, or the zeros after it.
                let at = hs + 1 + rng.below(he - hs - 2);
                b[at] ^= 1 << rng.below(8);
                rng.note(format!("flip-contents@{at}"));
            }
            2 => {
                // /ByteRange numbers, keeping the text's width when they fit.
                if let Some((mut nums, s, e)) = byte_range(b) {
                    let i = rng.below(4);
                    let n = nums[i];
                    nums[i] = match rng.below(5) {
                        0 => n.wrapping_add(1 + rng.below(16)),
                        1 => n.saturating_sub(1 + rng.below(16)),
                        2 => 0,
                        3 => len,
                        _ => rng.u64() as usize % (len * 2 + 1),
                    };
                    let text = format!("{} {} {} {}", nums[0], nums[1], nums[2], nums[3]);
                    let width = e - s;
                    let text = if text.len() < width {
                        format!("{text:<width$}")
                    } else {
                        text
                    };
                    b.splice(s..e, text.into_bytes());
                    rng.note(format!("byterange[{i}]={}", nums[i]));
                }
            }
            3 if he > hs + 2 => {
                // /Contents hex: a character that is not a hex digit, or another case.
                let at = hs + 1 + rng.below(he - hs - 2);
                let c = *rng.pick(b"+-gG x\n\t0Ff");
                b[at] = c;
                rng.note(format!("contents-char@{at}={}", c as char));
            }
            4 => {
                // An incremental update appended: objects, a new xref, another %%EOF.
                let update = *rng.pick(&[
                    &b"\n%%EOF\n"[..],
                    b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n0\n%%EOF\n",
                    b"\n999 0 obj\n(forged text)\nendobj\n%%EOF\n",
                    b" ",
                    b"\n",
                    b"\0",
                ]);
                b.extend_from_slice(update);
                rng.note(format!("append{}", update.len()));
            }
            5 => {
                // A later /ByteRange, made to cover the whole longer file.
                let junk = b"\n% changed after signing\n";
                let new_len = len + junk.len() + 60;
                let c = self.hole_end;
                let tail = format!(
                    "/ByteRange [0 {} {c} {}]",
                    self.hole_start,
                    new_len.saturating_sub(c)
                );
                b.extend_from_slice(junk);
                b.extend_from_slice(tail.as_bytes());
                let pad = new_len.saturating_sub(b.len() + 6);
                b.extend(std::iter::repeat_n(b' ', pad));
                b.extend_from_slice(b"\n%%EOF");
                rng.note("later-byterange");
            }
            6 => {
                let at = rng.below(len);
                b.truncate(at);
                rng.note(format!("truncate@{at}"));
            }
            7 => {
                // The signature's dictionary renamed away.
                let hits: Vec<usize> = b
                    .windows(10)
                    .enumerate()
                    .filter(|(_, w)| *w == b"/ByteRange")
                    .map(|(i, _)| i)
                    .collect();
                if !hits.is_empty() {
                    let at = *rng.pick(&hits);
                    b[at + 9] = b'X';
                    rng.note(format!("rename-byterange@{at}"));
                }
            }
            _ => {
                mutate::bytes(rng, b, &[&self.original, &self.forged], 3);
            }
        }
    }
}
