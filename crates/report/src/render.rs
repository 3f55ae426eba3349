//! The report's pages: a small layout pass (text wrapped with the font's own advance widths,
//! page breaks, tables, photos) into a list of drawing operations per page, then those
//! operations drawn with krilla. Two passes, so every footer can say "page N of M".

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use krilla::Document;
use krilla::color::rgb;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use storecheck_core::Lang;
use storecheck_core::audit::AuditView;
use storecheck_core::model::{AuditStatus, Kind, Response, ShiftPart};
use storecheck_core::record::SIGNED_DATA_FILE;
use storecheck_core::scoring::FAILED_HARD;
use uuid::Uuid;

use crate::fonts::{FontId, Fonts};
use crate::labels::Labels;

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const TOP: f32 = 48.0;
const BOTTOM: f32 = PAGE_H - 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// What the layout itself writes between the labels and the audit's data: separators,
/// brackets, the marks of an unanswered or unsigned item, ellipses of cut captions, the footer's
/// product name, and digits. Kept here beside the code that writes them, for the glyph check.
pub(crate) const LAYOUT_TEXTS: &[&str] = &[
    "StoreCheck",
    " · ",
    ", ",
    ": ",
    " (",
    ")",
    " [",
    "]",
    "/",
    "1. ",
    "—",
    "…",
    "0123456789",
];

type Rgb = (u8, u8, u8);
/// A signature box: its label, who signed (and when), and the drawn signature.
type SignatureBox<'a> = (&'a str, Option<String>, Option<&'a Vec<u8>>);
const INK: Rgb = (28, 34, 32);
const MUTED: Rgb = (104, 114, 110);
const ACCENT: Rgb = (25, 104, 80);
const FAIL: Rgb = (178, 36, 36);
const RULE: Rgb = (214, 220, 217);
const SOFT: Rgb = (241, 244, 243);
const FAIL_SOFT: Rgb = (251, 236, 236);

/// Who signed, when, and the drawn signatures, when the report is for a signed audit.
#[derive(Debug, Clone)]
pub struct SignatureBlock {
    pub signer: String,
    pub signed_at: DateTime<Utc>,
    /// The drawn signature, PNG.
    pub drawn: Option<Vec<u8>>,
    /// The observed employee who acknowledged the report ("ознакомлен"), and their drawn signature.
    pub acknowledged_by: Option<String>,
    pub acknowledgement: Option<Vec<u8>>,
}

/// What a report shows, and the data it carries.
pub struct ReportInput<'a> {
    pub audit: &'a AuditView,
    /// Display copies (JPEG) by the original's SHA-256; photos missing here are left out.
    pub photos: &'a HashMap<String, Vec<u8>>,
    pub signature: Option<&'a SignatureBlock>,
    /// The signed report this audit corrects, when it is a revision.
    pub revises: Option<&'a Revises>,
    /// The audit's data as JSON ([`storecheck_core::record::SignedAuditData`]), carried as the
    /// embedded file [`storecheck_core::record::SIGNED_DATA_FILE`] in the catalog's
    /// `/Names /EmbeddedFiles` (`application/json`, Flate-compressed); none for no file. Not
    /// shown on any page. (krilla writes the catalog's `/AF` and `/AFRelationship /Data` only
    /// for PDF 2.0 or PDF/A-3, and this report is PDF 1.7.)
    pub data: Option<&'a [u8]>,
}

/// The signed report a revision corrects, as its header names it.
#[derive(Debug, Clone)]
pub struct Revises {
    pub report_id: Uuid,
    /// When the corrected report was signed, RFC 3339.
    pub signed_at: String,
    /// Why it needed correcting.
    pub reason: String,
}

/// How to render: the language of the labels, the report's id (in every footer and in the
/// PDF's metadata) and the time it was made. The same input and options give the same bytes.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub report_id: Uuid,
    pub generated_at: DateTime<Utc>,
    /// The signing computer's offset from UTC: times in the report are shown in its local time,
    /// with the offset, so a reader elsewhere can still tell the moment.
    pub utc_offset: FixedOffset,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the report's font could not be loaded")]
    Font,
    #[error("photo {0} could not be embedded: {1}")]
    Photo(String, String),
    #[error("the drawn signature is not a PNG image: {0}")]
    Signature(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
    },
    Image {
        image: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Lays out pages; `y` is where the next line's top goes.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Layout<'f> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.fonts.width(text, size, bold)
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `h` more points fit on this one.
    fn need(&mut self, h: f32) {
        if self.y + h > BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        self.ops().push(Op::Text {
            x,
            y: baseline,
            size,
            bold,
            color,
            text: text.to_string(),
        });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops().push(Op::Rect { x, y, w, h, color });
    }

    fn rule(&mut self, y: f32) {
        self.ops().push(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
            color: RULE,
        });
    }

    /// Splits `text` into lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is broken where it must be.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size, bold) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// Writes wrapped text at `x` in `width`, moving `y` down; breaks pages between lines.
    fn paragraph(&mut self, x: f32, width: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        let leading = size * 1.32;
        for line in self.wrap(text, size, bold, width) {
            self.need(leading);
            self.text(x, self.y + size, size, bold, color, &line);
            self.y += leading;
        }
    }

    /// The height [`Layout::heading`] takes.
    const HEADING_H: f32 = 41.0;

    /// A section heading, kept on the page of the first `keep` points of what follows it.
    fn heading(&mut self, text: &str, keep: f32) {
        self.need(Self::HEADING_H + keep);
        self.y += 14.0;
        self.text(MARGIN, self.y + 13.0, 13.0, true, ACCENT, text);
        self.y += 19.0;
        self.rule(self.y);
        self.y += 8.0;
    }
}

pub(crate) fn date(d: &str, lang: Lang) -> String {
    match (lang, d.split('-').collect::<Vec<_>>().as_slice()) {
        (Lang::Ru, [y, m, day]) => format!("{day}.{m}.{y}"),
        _ => d.to_string(),
    }
}

pub(crate) fn time(t: &DateTime<Utc>, offset: FixedOffset, lang: Lang) -> String {
    let local = t.with_timezone(&offset);
    let at = match lang {
        Lang::Ru => local.format("%d.%m.%Y %H:%M"),
        Lang::En => local.format("%Y-%m-%d %H:%M"),
    };
    let seconds = offset.local_minus_utc();
    let zone = match (seconds / 3600, (seconds % 3600).abs() / 60) {
        (0, 0) => "UTC".to_string(),
        (h, 0) => format!("UTC{h:+}"),
        (h, m) if seconds < 0 && h == 0 => format!("UTC-0:{m:02}"),
        (h, m) => format!("UTC{h:+}:{m:02}"),
    };
    format!("{at} ({zone})")
}

pub(crate) fn percent(v: Option<f64>, lang: Lang) -> String {
    match (v, lang) {
        (None, _) => "—".into(),
        (Some(v), Lang::Ru) => format!("{:.1} %", v).replace('.', ","),
        (Some(v), Lang::En) => format!("{v:.1}%"),
    }
}

fn answer_text(r: Option<&Response>, l: &Labels) -> (String, Rgb) {
    match r {
        None => ("—".into(), MUTED),
        Some(Response::Pass) => (l.pass.into(), ACCENT),
        Some(Response::Fail) => (l.fail.into(), FAIL),
        Some(Response::Na) => (l.na.into(), MUTED),
        Some(Response::Value(v)) => (l.number(*v), INK),
        Some(Response::Text(_)) => (String::new(), INK),
    }
}

/// Renders the report to PDF bytes.
pub fn render(input: &ReportInput<'_>, opts: &Options) -> Result<Vec<u8>, RenderError> {
    let l = Labels::for_lang(opts.lang);
    let fonts = Fonts::load()?;
    let mut r = Report {
        input,
        opts,
        l: &l,
        lay: Layout {
            fonts: &fonts,
            pages: vec![Vec::new()],
            y: TOP,
        },
        images: Vec::new(),
    };
    r.title_and_result();
    r.who_where_when();
    r.hard_failures();
    r.section_scores();
    r.comments();
    r.findings()?;
    r.actions();
    r.all_requirements()?;
    r.signatures()?;
    r.footers();
    let Report { lay, images, .. } = r;
    draw(
        lay.pages,
        &images,
        &fonts,
        opts,
        &l,
        input.audit.header.store.code.as_str(),
        input.data,
    )
}

/// Wrapped lines of one size, weight and colour, `gap` points below what comes before.
struct Para {
    size: f32,
    bold: bool,
    color: Rgb,
    gap: f32,
    lines: Vec<String>,
}

impl Para {
    fn leading(&self) -> f32 {
        self.size * 1.32
    }

    fn height(paras: &[Para]) -> f32 {
        paras
            .iter()
            .map(|p| p.gap + p.lines.len() as f32 * p.leading())
            .sum()
    }
}

/// One report being laid out: what it shows, in which words, and the pages so far.
struct Report<'a, 'f> {
    input: &'a ReportInput<'a>,
    opts: &'a Options,
    l: &'a Labels,
    lay: Layout<'f>,
    images: Vec<Image>,
}

impl<'a> Report<'a, '_> {
    fn para(&self, size: f32, bold: bool, color: Rgb, gap: f32, width: f32, text: &str) -> Para {
        Para {
            size,
            bold,
            color,
            gap,
            lines: self.lay.wrap(text, size, bold, width),
        }
    }

    /// Writes measured paragraphs at `x`, breaking pages between lines only where they must.
    fn write(&mut self, x: f32, paras: &[Para]) {
        for p in paras {
            self.lay.y += p.gap;
            for line in &p.lines {
                self.lay.need(p.leading());
                let y = self.lay.y + p.size;
                self.lay.text(x, y, p.size, p.bold, p.color, line);
                self.lay.y += p.leading();
            }
        }
    }

    /// The width of the widest requirement code at `size`, plus room to breathe: the column
    /// the codes stand in, so a long code never runs into its text.
    fn code_column(&self, size: f32, bold: bool) -> f32 {
        let widest = self
            .input
            .audit
            .standard
            .requirements()
            .map(|r| self.lay.width(&r.code, size, bold))
            .fold(0.0, f32::max);
        (widest + 10.0).max(34.0)
    }

    fn answer(&self, id: Uuid) -> Option<&'a storecheck_core::model::Answer> {
        self.input
            .audit
            .answers
            .iter()
            .find(|a| a.requirement_id == id)
    }

    fn requirement(&self, id: Uuid) -> Option<&'a storecheck_core::model::Requirement> {
        self.input
            .audit
            .standard
            .requirements()
            .find(|r| r.id == id)
    }

    fn photos_of(&self, id: Uuid) -> Vec<&'a storecheck_core::model::Photo> {
        self.input
            .audit
            .photos
            .iter()
            .filter(|p| p.requirement_id == id)
            .collect()
    }

    fn is_finding(&self, id: Uuid) -> bool {
        self.input
            .audit
            .score
            .findings
            .iter()
            .any(|f| f.requirement_id == id)
    }

    /// A failed `number` or `scale` answer beside its norm, when the requirement has one.
    fn value_against_norm(&self, id: Uuid) -> Option<String> {
        let r = self.requirement(id)?;
        let Some(Response::Value(v)) = self.answer(id)?.response else {
            return None;
        };
        let norm = self.l.norm(r.kind, r.min, r.max)?;
        Some(self.l.value_against_norm(r.kind, &norm, v))
    }

    fn title_and_result(&mut self) {
        let (l, lay) = (self.l, &mut self.lay);
        let h = &self.input.audit.header;
        let s = &self.input.audit.score;
        lay.text(MARGIN, lay.y + 20.0, 20.0, true, INK, l.title);
        let failed_hard = s.rating.as_deref() == Some(FAILED_HARD);
        let score_text = percent(s.score, self.opts.lang);
        let score_w = lay.width(&score_text, 26.0, true);
        let score_color = if failed_hard { FAIL } else { ACCENT };
        lay.text(
            PAGE_W - MARGIN - score_w,
            lay.y + 24.0,
            26.0,
            true,
            score_color,
            &score_text,
        );
        let rating = l.rating(s.rating.as_deref());
        let rating_w = lay.width(&rating, 11.0, true);
        lay.text(
            PAGE_W - MARGIN - rating_w,
            lay.y + 40.0,
            11.0,
            true,
            score_color,
            &rating,
        );
        lay.y += 28.0;
        let subtitle = format!(
            "{} · {}, {} {}",
            h.standard_title, h.standard_code, l.version, h.standard_version
        );
        // The subtitle keeps clear of the score and the rating beside it.
        let beside = 150.0_f32.max(score_w + 20.0).max(rating_w + 20.0);
        lay.paragraph(MARGIN, CONTENT_W - beside, 10.5, false, MUTED, &subtitle);
        lay.y = lay.y.max(TOP + 50.0) + 10.0;
    }

    fn who_where_when(&mut self) {
        let (l, opts, input) = (self.l, self.opts, self.input);
        let h = &input.audit.header;
        let status = match (h.status, input.signature) {
            (_, Some(sig)) => format!(
                "{} {}, {}",
                l.signed_by,
                sig.signer,
                time(&sig.signed_at, opts.utc_offset, opts.lang)
            ),
            (AuditStatus::Completed, None) => l.completed.to_string(),
            _ => l.draft.to_string(),
        };
        let store = match &h.store.region {
            Some(r) => format!("{} · {} ({r})", h.store.code, h.store.name),
            None => format!("{} · {}", h.store.code, h.store.name),
        };
        let shift = format!("{}, {}", date(&h.shift_date, opts.lang), l.shift(h.shift));
        let mut rows: Vec<(&str, String)> = vec![
            (l.store, store),
            (l.shift_label, shift),
            (l.auditor, h.auditor.clone()),
            (l.observed, h.observed.clone().unwrap_or_else(|| "—".into())),
            (
                l.standard,
                format!("{}, {} {}", h.standard_code, l.version, h.standard_version),
            ),
            (l.status, status),
        ];
        if let Some(r) = input.revises {
            let day = r.signed_at.get(..10).unwrap_or(&r.signed_at);
            rows.push((
                l.corrects,
                format!(
                    "{} {} {}: {}",
                    r.report_id,
                    l.of_date,
                    date(day, opts.lang),
                    r.reason
                ),
            ));
        }
        let lay = &mut self.lay;
        let rows: Vec<(&str, Vec<String>)> = rows
            .into_iter()
            .map(|(label, value)| (label, lay.wrap(&value, 10.5, false, CONTENT_W - 150.0)))
            .collect();
        let top = lay.y;
        let lines: usize = rows.iter().map(|(_, v)| v.len().max(1)).sum();
        let info_h = 6.0 + rows.len() as f32 * 16.0 + (lines - rows.len()) as f32 * 13.0;
        lay.rect(MARGIN, top, CONTENT_W, info_h + 4.0, SOFT);
        lay.y += 8.0;
        for (label, value) in &rows {
            lay.text(MARGIN + 10.0, lay.y + 10.0, 9.5, false, MUTED, label);
            for (i, line) in value.iter().enumerate() {
                if i > 0 {
                    lay.y += 13.0;
                }
                lay.text(MARGIN + 140.0, lay.y + 10.0, 10.5, false, INK, line);
            }
            lay.y += 16.0;
        }
        lay.y = top + info_h + 14.0;
    }

    fn hard_failures(&mut self) {
        let s = &self.input.audit.score;
        if s.hard_failures.is_empty() {
            return;
        }
        let lay = &mut self.lay;
        let text = format!("{}: {}", self.l.hard_failed, s.hard_failures.join(", "));
        let lines = lay.wrap(&text, 11.0, true, CONTENT_W - 20.0);
        let bh = 10.0 + lines.len() as f32 * 15.0;
        lay.need(bh + 6.0);
        let y = lay.y;
        lay.rect(MARGIN, y, CONTENT_W, bh, FAIL_SOFT);
        lay.rect(MARGIN, y, 3.0, bh, FAIL);
        for (i, line) in lines.iter().enumerate() {
            lay.text(
                MARGIN + 12.0,
                y + 17.0 + i as f32 * 15.0,
                11.0,
                true,
                FAIL,
                line,
            );
        }
        lay.y += bh + 6.0;
    }

    fn section_scores(&mut self) {
        let lang = self.opts.lang;
        let lay = &mut self.lay;
        lay.heading(self.l.sections, 18.0);
        for sec in &self.input.audit.score.sections {
            // A long title wraps in its column rather than being cut.
            let title = lay.wrap(&sec.title, 10.0, false, 230.0);
            let row_h = (title.len() as f32 * 12.5 + 4.5).max(17.0);
            lay.need(row_h);
            let y = lay.y;
            for (i, line) in title.iter().enumerate() {
                lay.text(MARGIN, y + 11.0 + i as f32 * 12.5, 10.0, false, INK, line);
            }
            let bar_x = MARGIN + 240.0;
            let bar_w = 160.0;
            lay.rect(bar_x, y + 4.0, bar_w, 7.0, SOFT);
            if let Some(score) = sec.score {
                let color = if score < 75.0 { (196, 128, 30) } else { ACCENT };
                lay.rect(bar_x, y + 4.0, bar_w * (score as f32 / 100.0), 7.0, color);
            }
            let pct = percent(sec.score, lang);
            lay.text(bar_x + bar_w + 10.0, y + 11.0, 10.0, true, INK, &pct);
            let counts = format!("{}/{}", sec.answered, sec.total);
            let cw = lay.width(&counts, 9.0, false);
            lay.text(PAGE_W - MARGIN - cw, y + 11.0, 9.0, false, MUTED, &counts);
            lay.y += row_h;
        }
    }

    /// The auditor's own words (the answers to `text` requirements: strengths, remarks, what
    /// the customer bought) in a block of their own, each under its requirement.
    fn comments(&mut self) {
        let code_w = self.code_column(9.5, false);
        let width = CONTENT_W - code_w;
        let items: Vec<(String, Vec<Para>)> = self
            .input
            .audit
            .standard
            .requirements()
            .filter(|r| r.kind == Kind::Text)
            .filter_map(|r| match &self.answer(r.id)?.response {
                Some(Response::Text(t)) if !t.trim().is_empty() => Some((r, t)),
                _ => None,
            })
            .map(|(r, t)| {
                let paras = vec![
                    self.para(9.5, true, MUTED, 0.0, width, &r.text),
                    self.para(11.0, false, INK, 1.0, width, t),
                ];
                (r.code.clone(), paras)
            })
            .collect();
        let Some((_, first)) = items.first() else {
            return;
        };
        self.lay.heading(self.l.comments, Para::height(first));
        for (code, paras) in &items {
            // An answer of a few lines stays with its requirement; a longer one flows on.
            self.lay.need(Para::height(paras).min(120.0));
            let y = self.lay.y;
            self.lay.text(MARGIN, y + 9.5, 9.5, false, MUTED, code);
            self.write(MARGIN + code_w, paras);
            self.lay.y += 7.0;
        }
    }

    /// A finding's lines before its photos: what was required, where, the value against the
    /// norm, the note and the corrective actions.
    fn finding_paras(&self, f: &storecheck_core::scoring::Finding, width: f32) -> Vec<Para> {
        let (l, lang) = (self.l, self.opts.lang);
        let text = if f.hard {
            format!("{} [{}]", f.text, l.hard)
        } else {
            f.text.clone()
        };
        let mut paras = vec![
            self.para(11.0, true, INK, 0.0, width, &text),
            self.para(9.0, false, MUTED, 0.0, width, &f.section),
        ];
        if let Some(line) = self.value_against_norm(f.requirement_id) {
            paras.push(self.para(10.5, true, FAIL, 2.0, width, &line));
        }
        if let Some(note) = &f.note {
            paras.push(self.para(10.5, false, INK, 2.0, width, note));
        }
        for a in self
            .input
            .audit
            .actions
            .iter()
            .filter(|a| a.requirement_id == f.requirement_id)
        {
            let line = l.action_line(&a.what, &a.owner, &date(&a.due, lang));
            paras.push(self.para(10.0, false, ACCENT, 0.0, width, &line));
        }
        paras
    }

    /// How much of a finding must share a page: its lines and its first row of photos.
    fn finding_keep(&self, f: &storecheck_core::scoring::Finding, code_w: f32) -> f32 {
        let width = CONTENT_W - code_w;
        let photos = self.photos_of(f.requirement_id);
        let first_row = photos
            .chunks(2)
            .next()
            .map_or(0.0, |pair| photo_row(&self.lay, pair, width).height);
        4.0 + Para::height(&self.finding_paras(f, width)) + first_row
    }

    /// Findings first, with their norms, notes, actions and photos. A finding's text never
    /// ends a page whose next page starts with its photo: the two move on together.
    fn findings(&mut self) -> Result<(), RenderError> {
        let (l, input) = (self.l, self.input);
        let findings = &input.audit.score.findings;
        let code_w = self.code_column(11.0, true);
        let width = CONTENT_W - code_w;
        let first = findings
            .first()
            .map_or(14.0, |f| self.finding_keep(f, code_w));
        self.lay.heading(
            &format!("{} ({})", l.findings, findings.len()),
            first.min(BOTTOM - TOP - Layout::HEADING_H),
        );
        if findings.is_empty() {
            self.lay
                .paragraph(MARGIN, CONTENT_W, 10.5, false, MUTED, l.no_findings);
        }
        for f in findings {
            let keep = self.finding_keep(f, code_w);
            self.lay.need(keep);
            self.lay.y += 4.0;
            let y = self.lay.y;
            self.lay.text(MARGIN, y + 11.0, 11.0, true, FAIL, &f.code);
            let paras = self.finding_paras(f, width);
            self.write(MARGIN + code_w, &paras);
            let photos = self.photos_of(f.requirement_id);
            let heading = l.photos_continued(&f.code);
            photo_grid(
                &mut self.lay,
                &mut self.images,
                self.input,
                &photos,
                (MARGIN + code_w, width),
                &heading,
            )?;
            self.lay.y += 6.0;
            self.lay.rule(self.lay.y);
            self.lay.y += 4.0;
        }
        Ok(())
    }

    /// Corrective actions as a table: code, what, who, by when.
    fn actions(&mut self) {
        let (l, lang) = (self.l, self.opts.lang);
        let actions = &self.input.audit.actions;
        if actions.is_empty() {
            return;
        }
        let code_w = self.code_column(10.0, true);
        let (what_x, what_w) = (MARGIN + code_w, 300.0 - code_w);
        let (owner_x, owner_w) = (MARGIN + 310.0, 130.0);
        let leading = 13.2;
        let row_h = |lay: &Layout<'_>, a: &storecheck_core::model::CorrectiveAction| {
            let what = lay.wrap(&a.what, 10.0, false, what_w).len();
            let owner = lay.wrap(&a.owner, 10.0, false, owner_w).len();
            what.max(owner) as f32 * leading + 3.0
        };
        // The heading and the column heads stay with the first row.
        let first = actions.first().map_or(0.0, |a| row_h(&self.lay, a));
        self.lay.heading(l.actions, 14.0 + first);
        let lay = &mut self.lay;
        let column_heads = |lay: &mut Layout<'_>| {
            let y = lay.y;
            lay.text(what_x, y + 9.0, 8.5, true, MUTED, l.action_what);
            lay.text(owner_x, y + 9.0, 8.5, true, MUTED, l.action_owner);
            let dw = lay.width(l.action_due, 8.5, true);
            lay.text(
                PAGE_W - MARGIN - dw,
                y + 9.0,
                8.5,
                true,
                MUTED,
                l.action_due,
            );
            lay.y += 14.0;
        };
        column_heads(lay);
        for a in actions {
            let what = lay.wrap(&a.what, 10.0, false, what_w);
            let owner = lay.wrap(&a.owner, 10.0, false, owner_w);
            // A row is measured first, so its columns never land on different pages; a page
            // the table runs onto starts with the column heads again.
            let row_h = row_h(lay, a);
            let page = lay.pages.len();
            lay.need(row_h);
            if lay.pages.len() != page {
                column_heads(lay);
            }
            let y = lay.y;
            lay.text(MARGIN, y + 10.0, 10.0, true, INK, &a.code);
            for (i, line) in what.iter().enumerate() {
                lay.text(
                    what_x,
                    y + 10.0 + i as f32 * leading,
                    10.0,
                    false,
                    INK,
                    line,
                );
            }
            for (i, line) in owner.iter().enumerate() {
                lay.text(
                    owner_x,
                    y + 10.0 + i as f32 * leading,
                    10.0,
                    false,
                    INK,
                    line,
                );
            }
            let due = date(&a.due, lang);
            let dw = lay.width(&due, 10.0, false);
            lay.text(PAGE_W - MARGIN - dw, y + 10.0, 10.0, false, INK, &due);
            lay.y += row_h;
        }
    }

    /// The height a requirement needs on its page in the list of every requirement: its text
    /// and, unless its photos are shown with the findings, its first row of photos.
    fn requirement_keep(&self, r: &storecheck_core::model::Requirement, text_w: f32) -> f32 {
        let first_row = if self.is_finding(r.id) {
            0.0
        } else {
            self.photos_of(r.id)
                .chunks(2)
                .next()
                .map_or(0.0, |pair| photo_row(&self.lay, pair, text_w).height)
        };
        Para::height(&self.requirement_paras(r, text_w)) + 4.0 + first_row
    }

    /// A requirement's lines in the list of every requirement: its text, a text answer, a
    /// failed value against its norm, the note, and where a finding's photos are.
    fn requirement_paras(&self, r: &storecheck_core::model::Requirement, text_w: f32) -> Vec<Para> {
        let a = self.answer(r.id);
        let is_finding = self.is_finding(r.id);
        let mut paras = vec![self.para(10.0, false, INK, 0.0, text_w, &r.text)];
        if let Some(Response::Text(t)) = a.and_then(|a| a.response.as_ref()) {
            paras.push(self.para(10.0, false, ACCENT, 0.0, text_w, t));
        }
        if is_finding && let Some(line) = self.value_against_norm(r.id) {
            paras.push(self.para(9.0, false, FAIL, 0.0, text_w, &line));
        }
        if let Some(note) = a.and_then(|a| a.note.as_deref()) {
            paras.push(self.para(9.0, false, MUTED, 0.0, text_w, note));
        }
        let photos = self.photos_of(r.id).len();
        if is_finding && photos > 0 {
            let text = self.l.photos_elsewhere(photos);
            paras.push(self.para(9.0, false, MUTED, 0.0, text_w, &text));
        }
        paras
    }

    /// Every requirement with its answer; a failed value says so, with its norm.
    fn all_requirements(&mut self) -> Result<(), RenderError> {
        let l = self.l;
        let v = self.input.audit;
        let code_w = self.code_column(9.5, false);
        let text_x = MARGIN + code_w;
        let text_w = CONTENT_W - code_w - 90.0;
        let first = v
            .standard
            .sections
            .first()
            .and_then(|s| s.requirements.first())
            .map_or(0.0, |r| self.requirement_keep(r, text_w));
        self.lay.heading(l.all_requirements, 24.0 + first);
        for (i, sec) in v.standard.sections.iter().enumerate() {
            let first = sec
                .requirements
                .first()
                .map_or(0.0, |r| self.requirement_keep(r, text_w));
            self.lay.need(24.0 + first);
            self.lay.y += 6.0;
            let title = format!("{}. {}", i + 1, sec.title);
            self.lay
                .paragraph(MARGIN, CONTENT_W, 11.0, true, INK, &title);
            self.lay.y += 3.5;
            for r in &sec.requirements {
                let a = self.answer(r.id);
                let response = a.and_then(|a| a.response.as_ref());
                let is_finding = self.is_finding(r.id);
                let (answer, color) = match response {
                    Some(Response::Value(value)) => (
                        l.value_answer(r.kind, *value, r.max, is_finding),
                        if is_finding { FAIL } else { INK },
                    ),
                    other => answer_text(other, l),
                };
                let photos = self.photos_of(r.id);
                // A requirement stays whole, and on the page of its first row of photos.
                let keep = self.requirement_keep(r, text_w);
                self.lay.need(keep);
                let y = self.lay.y;
                self.lay.text(MARGIN, y + 10.0, 9.5, false, MUTED, &r.code);
                let aw = self.lay.width(&answer, 10.0, true);
                self.lay
                    .text(PAGE_W - MARGIN - aw, y + 10.0, 10.0, true, color, &answer);
                let paras = self.requirement_paras(r, text_w);
                self.write(text_x, &paras);
                if !is_finding {
                    let heading = l.photos_continued(&r.code);
                    photo_grid(
                        &mut self.lay,
                        &mut self.images,
                        self.input,
                        &photos,
                        (text_x, text_w),
                        &heading,
                    )?;
                }
                self.lay.y += 3.0;
            }
        }
        Ok(())
    }

    fn signatures(&mut self) -> Result<(), RenderError> {
        let (l, opts, input) = (self.l, self.opts, self.input);
        self.lay.heading(l.signatures, 104.0);
        self.lay.need(104.0);
        let y = self.lay.y;
        let boxes: [SignatureBox<'_>; 2] = [
            (
                l.auditor_signature,
                input.signature.map(|sig| {
                    format!(
                        "{}, {}",
                        sig.signer,
                        time(&sig.signed_at, opts.utc_offset, opts.lang)
                    )
                }),
                input.signature.and_then(|sig| sig.drawn.as_ref()),
            ),
            (
                l.acknowledged,
                input.signature.and_then(|sig| sig.acknowledged_by.clone()),
                input.signature.and_then(|sig| sig.acknowledgement.as_ref()),
            ),
        ];
        let box_w = (CONTENT_W - 20.0) / 2.0;
        for (i, (label, who, png)) in boxes.into_iter().enumerate() {
            let x = MARGIN + i as f32 * (box_w + 20.0);
            self.lay.text(x, y + 10.0, 9.5, false, MUTED, label);
            if let Some(png) = png {
                let img =
                    Image::from_png(png.clone().into(), true).map_err(RenderError::Signature)?;
                let (iw, ih) = img.size();
                let scale = (box_w / iw as f32).min(60.0 / ih.max(1) as f32);
                self.images.push(img);
                let image = self.images.len() - 1;
                self.lay.ops().push(Op::Image {
                    image,
                    x,
                    y: y + 16.0,
                    w: iw as f32 * scale,
                    h: ih as f32 * scale,
                });
            }
            self.lay.ops().push(Op::Line {
                x1: x,
                y1: y + 80.0,
                x2: x + box_w,
                y2: y + 80.0,
                color: INK,
            });
            // A long name with its time wraps under the line instead of running off the box.
            let who = who.unwrap_or_else(|| l.not_signed.to_string());
            for (j, line) in self.lay.wrap(&who, 10.0, false, box_w).iter().enumerate() {
                self.lay
                    .text(x, y + 93.0 + j as f32 * 12.5, 10.0, false, INK, line);
            }
        }
        self.lay.y = y + 104.0;
        Ok(())
    }

    /// Footers, now that the page count is known.
    fn footers(&mut self) {
        let (l, opts) = (self.l, self.opts);
        let h = &self.input.audit.header;
        let total = self.lay.pages.len();
        let footer_left = format!(
            "StoreCheck · {} {} · {} {}",
            l.report,
            opts.report_id,
            h.store.code,
            date(&h.shift_date, opts.lang)
        );
        let fonts = self.lay.fonts;
        for (i, page) in self.lay.pages.iter_mut().enumerate() {
            let right = l.page_of(i + 1, total);
            let rw = fonts.width(&right, 8.0, false);
            page.push(Op::Line {
                x1: MARGIN,
                y1: PAGE_H - 40.0,
                x2: PAGE_W - MARGIN,
                y2: PAGE_H - 40.0,
                color: RULE,
            });
            page.push(Op::Text {
                x: MARGIN,
                y: PAGE_H - 28.0,
                size: 8.0,
                bold: false,
                color: MUTED,
                text: footer_left.clone(),
            });
            page.push(Op::Text {
                x: PAGE_W - MARGIN - rw,
                y: PAGE_H - 28.0,
                size: 8.0,
                bold: false,
                color: MUTED,
                text: right,
            });
        }
    }
}

/// A photo's size in a two-column grid `width` wide, at most 240 points tall.
fn photo_size(p: &storecheck_core::model::Photo, width: f32) -> (f32, f32) {
    let cell = (width - 10.0) / 2.0;
    let aspect = p.height.max(1) as f32 / p.width.max(1) as f32;
    let h = (cell * aspect).min(240.0);
    (h / aspect, h)
}

/// The most lines a photo's caption takes; a longer one ends with "…".
const CAPTION_LINES: usize = 2;
const CAPTION_SIZE: f32 = 8.5;
const CAPTION_LEADING: f32 = 10.5;

/// One row of (up to two) photos, measured: their sizes, their captions' lines, and the
/// height the row takes on the page.
struct PhotoRow {
    sizes: Vec<(f32, f32)>,
    captions: Vec<Vec<String>>,
    height: f32,
}

fn photo_row(lay: &Layout<'_>, pair: &[&storecheck_core::model::Photo], width: f32) -> PhotoRow {
    let cell = (width - 10.0) / 2.0;
    let sizes: Vec<(f32, f32)> = pair.iter().map(|p| photo_size(p, width)).collect();
    let image_h = sizes.iter().map(|(_, h)| *h).fold(0.0, f32::max);
    let captions: Vec<Vec<String>> = pair
        .iter()
        .map(|p| {
            let caption = if p.caption.is_empty() {
                &p.file_name
            } else {
                &p.caption
            };
            let mut lines = lay.wrap(caption, CAPTION_SIZE, false, cell);
            if lines.len() > CAPTION_LINES {
                lines.truncate(CAPTION_LINES);
                if let Some(last) = lines.last_mut() {
                    while !last.is_empty()
                        && lay.width(&format!("{last}…"), CAPTION_SIZE, false) > cell
                    {
                        last.pop();
                    }
                    last.push('…');
                }
            }
            lines
        })
        .collect();
    let caption_lines = captions.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height = 6.0 + image_h + 18.0 + (caption_lines - 1) as f32 * CAPTION_LEADING;
    PhotoRow {
        sizes,
        captions,
        height,
    }
}

/// Photos two to a row at the display copy's proportions, captions under them, in the column
/// `(x0, width)`. A row that moves to a new page is headed by `heading`, so it still says whose
/// photos they are.
fn photo_grid(
    lay: &mut Layout<'_>,
    images: &mut Vec<Image>,
    input: &ReportInput<'_>,
    photos: &[&storecheck_core::model::Photo],
    (x0, width): (f32, f32),
    heading: &str,
) -> Result<(), RenderError> {
    let gap = 10.0;
    let cell = (width - gap) / 2.0;
    for pair in photos.chunks(2) {
        let row = photo_row(lay, pair, width);
        let page = lay.pages.len();
        lay.need(row.height);
        if lay.pages.len() != page {
            lay.text(x0, lay.y + 10.0, 9.0, true, MUTED, heading);
            lay.y += 14.0;
        }
        lay.y += 6.0;
        let y = lay.y;
        for (i, ((p, (w, h)), caption)) in pair.iter().zip(row.sizes).zip(&row.captions).enumerate()
        {
            let Some(bytes) = input.photos.get(&p.sha256) else {
                continue;
            };
            let img = Image::from_jpeg(bytes.clone().into(), true)
                .map_err(|e| RenderError::Photo(p.file_name.clone(), e))?;
            images.push(img);
            let x = x0 + i as f32 * (cell + gap);
            lay.ops().push(Op::Image {
                image: images.len() - 1,
                x,
                y,
                w,
                h,
            });
            for (j, line) in caption.iter().enumerate() {
                let baseline = y + h + 11.0 + j as f32 * CAPTION_LEADING;
                lay.text(x, baseline, CAPTION_SIZE, false, MUTED, line);
            }
        }
        lay.y = y + row.height - 8.0;
    }
    Ok(())
}

fn pdf_date(t: &DateTime<Utc>) -> PdfDateTime {
    use chrono::{Datelike, Timelike};
    PdfDateTime::new(t.year().clamp(0, 9999) as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn draw(
    pages: Vec<Vec<Op>>,
    images: &[Image],
    fonts: &Fonts,
    opts: &Options,
    l: &Labels,
    store: &str,
    data: Option<&[u8]>,
) -> Result<Vec<u8>, RenderError> {
    let mut pdf_fonts = Vec::new();
    for id in FontId::ALL {
        let font = Font::new(Arc::new(id.data().to_vec()).into(), 0).ok_or(RenderError::Font)?;
        pdf_fonts.push((id, font));
    }
    let pdf_font = |id: FontId| {
        pdf_fonts
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f.clone())
    };
    let mut doc = Document::new();
    if let Some(data) = data {
        doc.embed_file(EmbeddedFile {
            path: SIGNED_DATA_FILE.to_string(),
            mime_type: MimeType::new("application/json"),
            description: Some("StoreCheck audit data (JSON)".to_string()),
            association_kind: AssociationKind::Data,
            data: Arc::new(data.to_vec()).into(),
            modification_date: Some(pdf_date(&opts.generated_at)),
            // Always Flate, so a reader needs nothing else to read it back.
            compress: Some(true),
            location: None,
        })
        .ok_or_else(|| RenderError::Pdf("the audit's data was embedded twice".into()))?;
    }
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} · {store}", l.title))
            .creator("StoreCheck".to_string())
            .producer("StoreCheck".to_string())
            .language(match opts.lang {
                Lang::Ru => "ru".to_string(),
                Lang::En => "en".to_string(),
            })
            .document_id(opts.report_id.to_string())
            .creation_date(pdf_date(&opts.generated_at)),
    );
    for ops in pages {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| RenderError::Pdf("bad page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold: b,
                    color,
                    text,
                } => {
                    surface.set_fill(Some(fill(color)));
                    // Each run in the font that has its characters, one after the other.
                    let mut x = x;
                    for (id, run) in fonts.runs(&text, b) {
                        let Some(font) = pdf_font(id) else { continue };
                        surface.draw_text(
                            Point::from_xy(x, y),
                            font,
                            size,
                            run,
                            false,
                            TextDirection::Auto,
                        );
                        x += fonts.width(run, size, b);
                    }
                }
                Op::Rect { x, y, w, h, color } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) =
                        krilla::geom::Rect::from_xywh(x, y, w.max(0.01), h.max(0.01))
                    {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(color)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    color,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(color.0, color.1, color.2).into(),
                            width: 0.6,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Image { image, x, y, w, h } => {
                    if let (Some(img), Some(size)) = (images.get(image), Size::from_wh(w, h)) {
                        surface.push_transform(&krilla::geom::Transform::from_translate(x, y));
                        surface.draw_image(img.clone(), size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

/// The shift parts' names, for the labels module.
pub(crate) fn shift_key(s: ShiftPart) -> usize {
    match s {
        ShiftPart::Opening => 0,
        ShiftPart::Day => 1,
        ShiftPart::Evening => 2,
        ShiftPart::Closing => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_local_with_their_offset() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 22, 18, 5, 0)
            .single()
            .expect("time");
        let at = |secs| FixedOffset::east_opt(secs).expect("offset");
        assert_eq!(time(&t, at(0), Lang::En), "2026-11-22 18:05 (UTC)");
        assert_eq!(time(&t, at(3 * 3600), Lang::Ru), "22.11.2026 21:05 (UTC+3)");
        assert_eq!(
            time(&t, at(-5 * 3600), Lang::En),
            "2026-11-22 13:05 (UTC-5)"
        );
        assert_eq!(
            time(&t, at(5 * 3600 + 1800), Lang::En),
            "2026-11-22 23:35 (UTC+5:30)"
        );
        assert_eq!(
            time(&t, at(-(3 * 3600 + 1800)), Lang::Ru),
            "22.11.2026 14:35 (UTC-3:30)"
        );
        // Across midnight the date is the local one.
        assert_eq!(time(&t, at(7 * 3600), Lang::Ru), "23.11.2026 01:05 (UTC+7)");
    }
}
