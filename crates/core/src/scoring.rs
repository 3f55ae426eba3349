//! Scoring exactly as PRODUCT.md §5: per-requirement scores, weighted section and audit
//! percentages, findings, hard (knock-out) failures and the rating band.
//!
//! [`score`] is a pure function of a standard and its answers; [`validate`] says whether an
//! answer may be given at all.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{AnswerProblem, Error, Result};
use crate::model::{Kind, Requirement, Response, Standard, UNSATISFACTORY};

/// The rating of an audit with a failed hard requirement, whatever its percentage.
pub const FAILED_HARD: &str = "failed_hard";

/// A scored answer below this is a finding.
pub const FINDING_BELOW: f64 = 0.5;

/// The score of a section.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SectionScore {
    pub title: String,
    /// Percentage rounded to one decimal; `None` when nothing in the section counts.
    pub score: Option<f64>,
    /// Requirements answered, `text` ones (the auditor's own notes) included.
    pub answered: u32,
    /// Every requirement of the section, `text` ones included.
    pub total: u32,
    pub findings: u32,
}

/// A failed requirement.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Finding {
    pub requirement_id: Uuid,
    pub code: String,
    pub text: String,
    pub section: String,
    pub hard: bool,
    pub note: Option<String>,
}

/// Everything §5 derives from an audit's answers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ScoreCard {
    /// Percentage rounded to one decimal; `None` with nothing to count.
    pub score: Option<f64>,
    /// A band name, [`FAILED_HARD`], or `None` while there is no score and no hard failure.
    pub rating: Option<String>,
    /// Codes of failed hard requirements.
    pub hard_failures: Vec<String>,
    pub sections: Vec<SectionScore>,
    pub findings: Vec<Finding>,
    pub answered: u32,
    pub total: u32,
    /// Codes of requirements (not `text`) still without an answer, in the standard's order.
    pub open: Vec<String>,
}

/// What one answer scores: `None` for answers left out of the sums (`text`, not applicable).
pub fn requirement_score(req: &Requirement, response: &Response) -> Option<f64> {
    match (req.kind, response) {
        (_, Response::Na) | (Kind::Text, _) => None,
        (Kind::Check, Response::Pass) => Some(1.0),
        (Kind::Check, Response::Fail) => Some(0.0),
        (Kind::Scale, Response::Value(v)) => {
            let min = req.min.unwrap_or(0.0);
            let max = req.max.unwrap_or(min);
            if max > min {
                Some(((v - min) / (max - min)).clamp(0.0, 1.0))
            } else {
                None
            }
        }
        (Kind::Number, Response::Value(v)) => {
            let inside = req.min.is_none_or(|min| *v >= min) && req.max.is_none_or(|max| *v <= max);
            Some(if inside { 1.0 } else { 0.0 })
        }
        _ => None,
    }
}

/// Refuses an answer that does not fit the requirement: a wrong kind, a scale value outside
/// its range, or "not applicable" where the standard does not allow it.
pub fn validate(req: &Requirement, response: &Response) -> Result<()> {
    let problem = match (req.kind, response) {
        (_, Response::Na) if !req.na_allowed => Some(AnswerProblem::NaNotAllowed),
        (_, Response::Na) => None,
        (Kind::Check, Response::Pass | Response::Fail) => None,
        (Kind::Scale, Response::Value(v)) => {
            let min = req.min.unwrap_or(0.0);
            let max = req.max.unwrap_or(min);
            (*v < min || *v > max).then_some(AnswerProblem::OutOfRange { min, max })
        }
        (Kind::Number, Response::Value(_)) => None,
        (Kind::Text, Response::Text(t)) if !t.trim().is_empty() => None,
        (kind, _) => Some(AnswerProblem::WrongKind(kind.as_str())),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::InvalidAnswer {
            code: req.code.clone(),
            problem,
        }),
    }
}

/// A percentage rounded to one decimal.
fn percent(sum: f64, weights: f64) -> Option<f64> {
    (weights > 0.0).then(|| (sum / weights * 1000.0).round() / 10.0)
}

/// The answer to one requirement, as scoring sees it.
pub struct Given<'a> {
    pub response: &'a Response,
    pub note: Option<&'a str>,
}

/// Scores an audit: `answers` maps requirement ids to what was given.
pub fn score(standard: &Standard, answers: &HashMap<Uuid, Given<'_>>) -> ScoreCard {
    let mut card = ScoreCard {
        score: None,
        rating: None,
        hard_failures: Vec::new(),
        sections: Vec::new(),
        findings: Vec::new(),
        answered: 0,
        total: 0,
        open: Vec::new(),
    };
    let (mut sum, mut weights) = (0.0, 0.0);
    for section in &standard.sections {
        let mut sec = SectionScore {
            title: section.title.clone(),
            score: None,
            answered: 0,
            total: 0,
            findings: 0,
        };
        let (mut s_sum, mut s_weights) = (0.0, 0.0);
        for req in &section.requirements {
            sec.total += 1;
            let Some(given) = answers.get(&req.id) else {
                if req.kind != Kind::Text {
                    card.open.push(req.code.clone());
                }
                continue;
            };
            sec.answered += 1;
            let Some(value) = requirement_score(req, given.response) else {
                continue;
            };
            s_sum += req.weight * value;
            s_weights += req.weight;
            if value < FINDING_BELOW {
                sec.findings += 1;
                if req.hard {
                    card.hard_failures.push(req.code.clone());
                }
                card.findings.push(Finding {
                    requirement_id: req.id,
                    code: req.code.clone(),
                    text: req.text.clone(),
                    section: section.title.clone(),
                    hard: req.hard,
                    note: given.note.map(str::to_string),
                });
            }
        }
        sec.score = percent(s_sum, s_weights);
        sum += s_sum;
        weights += s_weights;
        card.answered += sec.answered;
        card.total += sec.total;
        card.sections.push(sec);
    }
    card.score = percent(sum, weights);
    card.rating = if !card.hard_failures.is_empty() {
        Some(FAILED_HARD.to_string())
    } else {
        card.score.map(|score| rating_for(standard, score))
    };
    card
}

/// The highest band whose minimum the score reaches, or "unsatisfactory" below them all.
pub fn rating_for(standard: &Standard, score: f64) -> String {
    standard
        .ratings
        .iter()
        .filter(|band| score >= band.min)
        .max_by(|a, b| a.min.total_cmp(&b.min))
        .map_or_else(|| UNSATISFACTORY.to_string(), |band| band.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PhotoRule, RatingBand, Section, default_ratings};

    /// A distinct id for each thing a test makes (scoring never looks inside an id).
    fn new_id() -> Uuid {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Uuid::from_u64_pair(0, NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    fn req(
        code: &str,
        kind: Kind,
        weight: f64,
        hard: bool,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Requirement {
        Requirement {
            id: new_id(),
            code: code.into(),
            text: format!("requirement {code}"),
            guidance: None,
            kind,
            weight,
            hard,
            photo: PhotoRule::Optional,
            na_allowed: true,
            min,
            max,
        }
    }

    fn standard(sections: Vec<(&str, Vec<Requirement>)>) -> Standard {
        Standard {
            id: new_id(),
            code: "T".into(),
            version: "1".into(),
            title: "T".into(),
            language: "en".into(),
            ratings: default_ratings(),
            sections: sections
                .into_iter()
                .map(|(t, r)| Section {
                    id: new_id(),
                    title: t.into(),
                    requirements: r,
                })
                .collect(),
            created_at: String::new(),
        }
    }

    fn card(st: &Standard, given: &[(&str, Response)]) -> ScoreCard {
        let map: HashMap<Uuid, Given<'_>> = given
            .iter()
            .map(|(code, r)| {
                (
                    st.requirement_by_code(code).expect("code").id,
                    Given {
                        response: r,
                        note: None,
                    },
                )
            })
            .collect();
        score(st, &map)
    }

    #[test]
    fn each_kind_scores_as_the_contract_says() {
        let check = req("1", Kind::Check, 1.0, false, None, None);
        assert_eq!(requirement_score(&check, &Response::Pass), Some(1.0));
        assert_eq!(requirement_score(&check, &Response::Fail), Some(0.0));
        let scale = req("2", Kind::Scale, 1.0, false, Some(1.0), Some(5.0));
        assert_eq!(
            requirement_score(&scale, &Response::Value(3.0)),
            Some(0.5),
            "(3-1)/(5-1)"
        );
        assert_eq!(requirement_score(&scale, &Response::Value(1.0)), Some(0.0));
        let number = req("3", Kind::Number, 1.0, false, Some(4.0), None);
        assert_eq!(
            requirement_score(&number, &Response::Value(4.0)),
            Some(1.0),
            "min is inclusive"
        );
        assert_eq!(requirement_score(&number, &Response::Value(3.0)), Some(0.0));
        let both = req("4", Kind::Number, 1.0, false, Some(1.0), Some(3.0));
        assert_eq!(
            requirement_score(&both, &Response::Value(3.0)),
            Some(1.0),
            "max is inclusive"
        );
        assert_eq!(requirement_score(&both, &Response::Value(3.5)), Some(0.0));
        let text = req("5", Kind::Text, 1.0, false, None, None);
        assert_eq!(
            requirement_score(&text, &Response::Text("x".into())),
            None,
            "text is not scored"
        );
        assert_eq!(
            requirement_score(&check, &Response::Na),
            None,
            "n/a is left out"
        );
    }

    #[test]
    fn weights_sections_and_rounding() {
        let st = standard(vec![
            (
                "A",
                vec![
                    req("a1", Kind::Check, 2.0, false, None, None),
                    req("a2", Kind::Check, 1.0, false, None, None),
                ],
            ),
            (
                "B",
                vec![req("b1", Kind::Scale, 1.0, false, None, Some(3.0))],
            ),
        ]);
        let c = card(
            &st,
            &[
                ("a1", Response::Pass),
                ("a2", Response::Fail),
                ("b1", Response::Value(2.0)),
            ],
        );
        // A: 2/3 = 66.666… → 66.7; B: 2/3 → 66.7; total (2 + 0 + 0.6667) / 4 = 66.666… → 66.7
        assert_eq!(c.sections[0].score, Some(66.7));
        assert_eq!(c.sections[1].score, Some(66.7));
        assert_eq!(c.score, Some(66.7));
        assert_eq!(c.rating.as_deref(), Some("satisfactory"));
        assert_eq!(c.findings.len(), 1, "only a2 scored below 0.5");
        assert_eq!(c.findings[0].code, "a2");
        assert_eq!(c.answered, 3);
        assert!(c.open.is_empty());
    }

    #[test]
    fn a_scale_answer_below_half_is_a_finding_and_exactly_half_is_not() {
        let st = standard(vec![(
            "A",
            vec![req("s", Kind::Scale, 1.0, false, Some(0.0), Some(4.0))],
        )]);
        assert_eq!(
            card(&st, &[("s", Response::Value(1.0))]).findings.len(),
            1,
            "0.25 < 0.5"
        );
        assert!(
            card(&st, &[("s", Response::Value(2.0))])
                .findings
                .is_empty(),
            "0.5 is not below 0.5"
        );
    }

    #[test]
    fn a_failed_hard_requirement_fails_the_audit_whatever_the_percentage() {
        let mut reqs: Vec<Requirement> = (0..20)
            .map(|i| req(&format!("r{i}"), Kind::Check, 1.0, false, None, None))
            .collect();
        reqs.push(req("hard", Kind::Check, 1.0, true, None, None));
        let st = standard(vec![("A", reqs)]);
        let mut given: Vec<(String, Response)> =
            (0..20).map(|i| (format!("r{i}"), Response::Pass)).collect();
        given.push(("hard".into(), Response::Fail));
        let refs: Vec<(&str, Response)> =
            given.iter().map(|(c, r)| (c.as_str(), r.clone())).collect();
        let c = card(&st, &refs);
        assert_eq!(c.score, Some(95.2), "20/21");
        assert_eq!(c.rating.as_deref(), Some(FAILED_HARD));
        assert_eq!(c.hard_failures, vec!["hard".to_string()]);
    }

    #[test]
    fn rating_bands_pick_the_highest_reached_and_below_all_is_unsatisfactory() {
        let mut st = standard(vec![]);
        assert_eq!(
            rating_for(&st, 90.0),
            "excellent",
            "a band's minimum reaches it"
        );
        assert_eq!(rating_for(&st, 89.9), "good");
        assert_eq!(rating_for(&st, 60.0), "satisfactory");
        assert_eq!(rating_for(&st, 59.9), UNSATISFACTORY);
        st.ratings = vec![RatingBand {
            name: "pass".into(),
            min: 80.0,
        }];
        assert_eq!(rating_for(&st, 80.0), "pass");
        assert_eq!(rating_for(&st, 10.0), UNSATISFACTORY);
    }

    #[test]
    fn nothing_to_count_means_an_empty_score_and_no_rating() {
        let st = standard(vec![
            ("A", vec![req("a", Kind::Check, 1.0, false, None, None)]),
            ("Notes", vec![req("t", Kind::Text, 1.0, false, None, None)]),
        ]);
        let c = card(
            &st,
            &[
                ("a", Response::Na),
                ("t", Response::Text("busy day".into())),
            ],
        );
        assert_eq!(c.score, None);
        assert_eq!(c.rating, None);
        assert_eq!(c.sections[0].score, None);
        assert_eq!(c.sections[1].score, None);
        assert_eq!(
            (c.sections[1].answered, c.sections[1].total),
            (1, 1),
            "a text requirement counts, and an answered one counts as answered"
        );
        assert_eq!((c.answered, c.total), (2, 2));
        let empty = card(&st, &[]);
        assert_eq!((empty.answered, empty.total), (0, 2));
        assert_eq!(
            empty.open,
            vec!["a".to_string()],
            "text requirements are never open"
        );
    }

    #[test]
    fn validate_refuses_out_of_range_wrong_kind_and_forbidden_na() {
        let scale = req("s", Kind::Scale, 1.0, false, Some(1.0), Some(5.0));
        assert!(validate(&scale, &Response::Value(5.0)).is_ok());
        let err = validate(&scale, &Response::Value(6.0)).expect_err("6 is outside 1..5");
        assert_eq!(
            err.to_string(),
            "requirement s: the value must be between 1 and 5"
        );
        assert!(validate(&scale, &Response::Value(0.5)).is_err());
        assert!(
            validate(&scale, &Response::Pass).is_err(),
            "a scale takes a value"
        );
        let mut check = req("c", Kind::Check, 1.0, false, None, None);
        check.na_allowed = false;
        let err = validate(&check, &Response::Na).expect_err("na not allowed");
        assert!(err.to_string().contains("not applicable"), "{err}");
        assert!(
            validate(&check, &Response::Value(1.0)).is_err(),
            "a check takes pass or fail"
        );
        let number = req("n", Kind::Number, 1.0, false, Some(4.0), None);
        assert!(
            validate(&number, &Response::Value(2.0)).is_ok(),
            "a measured value outside the range is a finding, not an error"
        );
    }
}
