//! The import rules, as pure functions of what HQ holds and what arrives, so that every
//! backend applies the same ones.
//!
//! Copies of one audit are ordered by [`Rank`]: a signed copy above any unsigned one, then the
//! later change at the store, then the record's hash (two different copies with the same time
//! never happen at a store; the hash only makes the order total). HQ keeps the highest copy it
//! was given, so any set of files in any order, any number of times, leaves the same rows.
//! A signed copy is final: a different signed copy, or an unsigned copy newer than it, is
//! refused and named.

use std::cmp::Ordering;

use storecheck_core::model::AuditStatus;
use storecheck_core::record::AuditRecord;

use storecheck_sync::Problem;

/// Where a copy of an audit stands among the copies of the same audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank {
    pub signed: bool,
    /// The store's last change, RFC 3339 UTC.
    pub updated_at: String,
    /// SHA-256 of the record as sent.
    pub record_sha256: String,
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.signed
            .cmp(&other.signed)
            .then_with(|| self.updated_at.cmp(&other.updated_at))
            .then_with(|| self.record_sha256.cmp(&other.record_sha256))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Rank {
    pub fn of(audit: &AuditRecord, record_sha256: &str) -> Rank {
        Rank {
            signed: audit.status == AuditStatus::Signed,
            updated_at: audit.updated_at.clone(),
            record_sha256: record_sha256.to_string(),
        }
    }
}

/// What to do with an arriving copy of an audit.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// HQ has no copy: add it.
    Add,
    /// HQ's copy is lower: replace it and its answers, photos and actions.
    Replace,
    /// HQ has this copy, or a higher one: nothing changes.
    AlreadyPresent,
    /// The file is refused whole.
    Refuse(Problem),
}

/// The rule for one audit: `held` is HQ's copy (its rank, and the record when it is signed),
/// `arriving` the copy in the file.
pub fn decide(
    held: Option<(&Rank, Option<&AuditRecord>)>,
    arriving: &AuditRecord,
    arriving_rank: &Rank,
) -> Decision {
    let Some((held_rank, held_signed)) = held else {
        return Decision::Add;
    };
    if held_rank.record_sha256 == arriving_rank.record_sha256 {
        return Decision::AlreadyPresent;
    }
    let audit = arriving.id.to_string();
    if held_rank.signed {
        if arriving_rank.signed {
            let field = held_signed
                .and_then(|held| held.signed_difference(arriving))
                .unwrap_or("updated_at");
            return Decision::Refuse(Problem::SignedConflict {
                audit,
                field: field.to_string(),
            });
        }
        if arriving_rank.updated_at > held_rank.updated_at {
            return Decision::Refuse(Problem::UnsignedOverSigned { audit });
        }
        return Decision::AlreadyPresent;
    }
    if arriving_rank > held_rank {
        Decision::Replace
    } else {
        Decision::AlreadyPresent
    }
}
