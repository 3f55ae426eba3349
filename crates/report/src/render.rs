//! The report's pages: a small layout pass (text wrapped with the font's own advance widths,
//! page breaks, tables, photos) into a list of drawing operations per page, then those
//! operations drawn with krilla. Two passes, so every footer can say "page N of M".

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use storecheck_core::Lang;
use storecheck_core::audit::AuditView;
use storecheck_core::model::{AuditStatus, Kind, Response, ShiftPart, format_number};
use storecheck_core::scoring::FAILED_HARD;
use uuid::Uuid;

use crate::labels::Labels;

const REGULAR: &[u8] = include_bytes!("../fonts/PTSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/PTSans-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const TOP: f32 = 48.0;
const BOTTOM: f32 = PAGE_H - 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

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

/// What a report shows.
pub struct ReportInput<'a> {
    pub audit: &'a AuditView,
    /// Display copies (JPEG) by the original's SHA-256; photos missing here are left out.
    pub photos: &'a HashMap<String, Vec<u8>>,
    pub signature: Option<&'a SignatureBlock>,
    /// The signed report this audit corrects, when it is a revision.
    pub revises: Option<&'a Revises>,
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

struct Face {
    face: ttf_parser::Face<'static>,
    upem: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Face, RenderError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|_| RenderError::Font)?;
        let upem = f32::from(face.units_per_em());
        Ok(Face { face, upem })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(self.upem * 0.5, f32::from)
            })
            .sum();
        units * size / self.upem
    }
}

/// Lays out pages; `y` is where the next line's top goes.
struct Layout<'f> {
    regular: &'f Face,
    bold: &'f Face,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Layout<'f> {
    fn face(&self, bold: bool) -> &'f Face {
        if bold { self.bold } else { self.regular }
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
        let face = self.face(bold);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if face.width(&candidate, size) <= width {
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
                    if face.width(&piece, size) > width && piece.chars().count() > 1 {
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

    fn heading(&mut self, text: &str) {
        self.need(60.0);
        self.y += 14.0;
        self.text(MARGIN, self.y + 13.0, 13.0, true, ACCENT, text);
        self.y += 19.0;
        self.rule(self.y);
        self.y += 8.0;
    }
}

fn date(d: &str, lang: Lang) -> String {
    match (lang, d.split('-').collect::<Vec<_>>().as_slice()) {
        (Lang::Ru, [y, m, day]) => format!("{day}.{m}.{y}"),
        _ => d.to_string(),
    }
}

fn time(t: &DateTime<Utc>, offset: FixedOffset, lang: Lang) -> String {
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

fn percent(v: Option<f64>, lang: Lang) -> String {
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
        Some(Response::Value(v)) => (format_number(*v), INK),
        Some(Response::Text(_)) => (String::new(), INK),
    }
}

/// Renders the report to PDF bytes.
pub fn render(input: &ReportInput<'_>, opts: &Options) -> Result<Vec<u8>, RenderError> {
    let l = Labels::for_lang(opts.lang);
    let regular = Face::load(REGULAR)?;
    let bold = Face::load(BOLD)?;
    let v = input.audit;
    let h = &v.header;
    let s = &v.score;
    let mut images: Vec<Image> = Vec::new();
    let mut lay = Layout {
        regular: &regular,
        bold: &bold,
        pages: vec![Vec::new()],
        y: TOP,
    };

    // Title and result.
    lay.text(MARGIN, lay.y + 20.0, 20.0, true, INK, l.title);
    let failed_hard = s.rating.as_deref() == Some(FAILED_HARD);
    let score_text = percent(s.score, opts.lang);
    let score_w = bold.width(&score_text, 26.0);
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
    let rating_w = bold.width(&rating, 11.0);
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
    lay.paragraph(MARGIN, CONTENT_W - 150.0, 10.5, false, MUTED, &subtitle);
    lay.y = lay.y.max(TOP + 50.0) + 10.0;

    // Who, where, when.
    let status = match (h.status, input.signature) {
        (AuditStatus::Signed, Some(sig)) | (_, Some(sig)) => {
            format!(
                "{} {}, {}",
                l.signed_by,
                sig.signer,
                time(&sig.signed_at, opts.utc_offset, opts.lang)
            )
        }
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

    if !s.hard_failures.is_empty() {
        let text = format!("{}: {}", l.hard_failed, s.hard_failures.join(", "));
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

    // Score per section.
    lay.heading(l.sections);
    for sec in &s.sections {
        lay.need(18.0);
        let y = lay.y;
        let title = lay
            .wrap(&sec.title, 10.0, false, 230.0)
            .into_iter()
            .next()
            .unwrap_or_default();
        lay.text(MARGIN, y + 11.0, 10.0, false, INK, &title);
        let bar_x = MARGIN + 240.0;
        let bar_w = 160.0;
        lay.rect(bar_x, y + 4.0, bar_w, 7.0, SOFT);
        if let Some(score) = sec.score {
            let color = if score < 75.0 { (196, 128, 30) } else { ACCENT };
            lay.rect(bar_x, y + 4.0, bar_w * (score as f32 / 100.0), 7.0, color);
        }
        let pct = percent(sec.score, opts.lang);
        lay.text(bar_x + bar_w + 10.0, y + 11.0, 10.0, true, INK, &pct);
        let counts = format!("{}/{}", sec.answered, sec.total);
        let cw = regular.width(&counts, 9.0);
        lay.text(PAGE_W - MARGIN - cw, y + 11.0, 9.0, false, MUTED, &counts);
        lay.y += 17.0;
    }

    // Findings first, with their notes, photos and actions.
    lay.heading(&format!("{} ({})", l.findings, s.findings.len()));
    if s.findings.is_empty() {
        lay.paragraph(MARGIN, CONTENT_W, 10.5, false, MUTED, l.no_findings);
    }
    for f in &s.findings {
        lay.need(40.0);
        lay.y += 4.0;
        let code_w = 34.0;
        lay.text(MARGIN, lay.y + 11.0, 11.0, true, FAIL, &f.code);
        let text = if f.hard {
            format!("{} [{}]", f.text, l.hard)
        } else {
            f.text.clone()
        };
        lay.paragraph(MARGIN + code_w, CONTENT_W - code_w, 11.0, true, INK, &text);
        lay.paragraph(
            MARGIN + code_w,
            CONTENT_W - code_w,
            9.0,
            false,
            MUTED,
            &f.section,
        );
        if let Some(note) = &f.note {
            lay.y += 2.0;
            lay.paragraph(MARGIN + code_w, CONTENT_W - code_w, 10.5, false, INK, note);
        }
        for a in v.actions.iter().filter(|a| a.code == f.code) {
            let line = format!(
                "→ {} — {}, {} {}",
                a.what,
                a.owner,
                l.due,
                date(&a.due, opts.lang)
            );
            lay.paragraph(
                MARGIN + code_w,
                CONTENT_W - code_w,
                10.0,
                false,
                ACCENT,
                &line,
            );
        }
        let photos: Vec<_> = v.photos.iter().filter(|p| p.code == f.code).collect();
        let heading = format!("{} · {} ({})", f.code, l.photos, l.continued);
        photo_grid(
            &mut lay,
            &mut images,
            input,
            &photos,
            (MARGIN + code_w, CONTENT_W - code_w),
            &heading,
        )?;
        lay.y += 6.0;
        lay.rule(lay.y);
        lay.y += 4.0;
    }

    // Corrective actions as a table.
    if !v.actions.is_empty() {
        lay.heading(l.actions);
        for a in &v.actions {
            lay.need(18.0);
            let y = lay.y;
            lay.text(MARGIN, y + 11.0, 10.0, true, INK, &a.code);
            let before = lay.y;
            lay.paragraph(MARGIN + 40.0, 270.0, 10.0, false, INK, &a.what);
            let after = lay.y;
            lay.y = before;
            lay.paragraph(MARGIN + 320.0, 120.0, 10.0, false, INK, &a.owner);
            let due = date(&a.due, opts.lang);
            let dw = regular.width(&due, 10.0);
            lay.text(PAGE_W - MARGIN - dw, y + 11.0, 10.0, false, INK, &due);
            lay.y = lay.y.max(after) + 3.0;
        }
    }

    // Every requirement with its answer.
    lay.heading(l.all_requirements);
    let answers: HashMap<_, _> = v.answers.iter().map(|a| (a.requirement_id, a)).collect();
    let text_w = CONTENT_W - 34.0 - 90.0;
    // The height a requirement needs on its page: its text and its first row of photos.
    let block = |lay: &Layout<'_>, r: &storecheck_core::model::Requirement| {
        let lines = lay.wrap(&r.text, 10.0, false, text_w).len() as f32;
        let is_finding = s.findings.iter().any(|f| f.requirement_id == r.id);
        let first_row = if is_finding {
            0.0
        } else {
            v.photos
                .iter()
                .filter(|p| p.requirement_id == r.id)
                .take(2)
                .map(|p| photo_size(p, text_w).1 + 24.0)
                .fold(0.0, f32::max)
        };
        lines * 13.2 + 4.0 + first_row
    };
    for (i, sec) in v.standard.sections.iter().enumerate() {
        let first = sec.requirements.first().map_or(0.0, |r| block(&lay, r));
        lay.need(24.0 + first);
        lay.y += 6.0;
        lay.text(
            MARGIN,
            lay.y + 11.0,
            11.0,
            true,
            INK,
            &format!("{}. {}", i + 1, sec.title),
        );
        lay.y += 18.0;
        for r in &sec.requirements {
            let a = answers.get(&r.id);
            let response = a.and_then(|a| a.response.as_ref());
            let (answer, color) = answer_text(response, &l);
            let answer = match (response, r.kind) {
                (Some(Response::Value(_)), Kind::Scale) => {
                    format!("{answer} / {}", format_number(r.max.unwrap_or(0.0)))
                }
                _ => answer,
            };
            let is_finding = s.findings.iter().any(|f| f.requirement_id == r.id);
            let photos: Vec<_> = v
                .photos
                .iter()
                .filter(|p| p.requirement_id == r.id)
                .collect();
            // A requirement stays on the page of its first row of photos.
            let needed = block(&lay, r);
            lay.need(needed);
            let y = lay.y;
            lay.text(MARGIN, y + 10.0, 9.5, false, MUTED, &r.code);
            let aw = bold.width(&answer, 10.0);
            lay.text(PAGE_W - MARGIN - aw, y + 10.0, 10.0, true, color, &answer);
            lay.paragraph(MARGIN + 34.0, text_w, 10.0, false, INK, &r.text);
            if let Some(Response::Text(t)) = response {
                lay.paragraph(MARGIN + 34.0, text_w, 10.0, false, ACCENT, t);
            }
            if let Some(note) = a.and_then(|a| a.note.as_deref()) {
                lay.paragraph(MARGIN + 34.0, text_w, 9.0, false, MUTED, note);
            }
            if is_finding {
                if !photos.is_empty() {
                    let text = format!("{}: {} ({})", l.photos, photos.len(), l.see_findings);
                    lay.paragraph(MARGIN + 34.0, text_w, 9.0, false, MUTED, &text);
                }
            } else {
                let heading = format!("{} · {} ({})", r.code, l.photos, l.continued);
                photo_grid(
                    &mut lay,
                    &mut images,
                    input,
                    &photos,
                    (MARGIN + 34.0, text_w),
                    &heading,
                )?;
            }
            lay.y += 3.0;
        }
    }

    // Signatures.
    lay.heading(l.signatures);
    lay.need(110.0);
    let y = lay.y;
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
        lay.text(x, y + 10.0, 9.5, false, MUTED, label);
        if let Some(png) = png {
            let img = Image::from_png(png.clone().into(), true).map_err(RenderError::Signature)?;
            let (iw, ih) = img.size();
            let scale = (box_w / iw as f32).min(60.0 / ih.max(1) as f32);
            images.push(img);
            lay.ops().push(Op::Image {
                image: images.len() - 1,
                x,
                y: y + 16.0,
                w: iw as f32 * scale,
                h: ih as f32 * scale,
            });
        }
        lay.ops().push(Op::Line {
            x1: x,
            y1: y + 80.0,
            x2: x + box_w,
            y2: y + 80.0,
            color: INK,
        });
        let who = who.unwrap_or_else(|| l.not_signed.to_string());
        lay.text(x, y + 93.0, 10.0, false, INK, &who);
    }
    lay.y = y + 104.0;

    // Footers, now that the page count is known.
    let total = lay.pages.len();
    let footer_left = format!(
        "StoreCheck · {} {} · {} {}",
        l.report,
        opts.report_id,
        h.store.code,
        date(&h.shift_date, opts.lang)
    );
    for (i, page) in lay.pages.iter_mut().enumerate() {
        let right = l.page_of(i + 1, total);
        let rw = regular.width(&right, 8.0);
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

    draw(lay.pages, &images, opts, &l, h.store.code.as_str())
}

/// A photo's size in a two-column grid `width` wide, at most 240 points tall.
fn photo_size(p: &storecheck_core::model::Photo, width: f32) -> (f32, f32) {
    let cell = (width - 10.0) / 2.0;
    let aspect = p.height.max(1) as f32 / p.width.max(1) as f32;
    let h = (cell * aspect).min(240.0);
    (h / aspect, h)
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
        let mut row_h: f32 = 0.0;
        let sizes: Vec<(f32, f32)> = pair.iter().map(|p| photo_size(p, width)).collect();
        for (_, h) in &sizes {
            row_h = row_h.max(*h);
        }
        let page = lay.pages.len();
        lay.need(row_h + 24.0);
        if lay.pages.len() != page {
            lay.text(x0, lay.y + 10.0, 9.0, true, MUTED, heading);
            lay.y += 14.0;
        }
        lay.y += 6.0;
        let y = lay.y;
        for (i, (p, (w, h))) in pair.iter().zip(sizes).enumerate() {
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
            let caption = if p.caption.is_empty() {
                p.file_name.clone()
            } else {
                p.caption.clone()
            };
            let line = lay
                .wrap(&caption, 8.5, false, cell)
                .into_iter()
                .next()
                .unwrap_or_default();
            lay.text(x, y + h + 11.0, 8.5, false, MUTED, &line);
        }
        lay.y = y + row_h + 16.0;
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
    opts: &Options,
    l: &Labels,
    store: &str,
) -> Result<Vec<u8>, RenderError> {
    let regular = Font::new(Arc::new(REGULAR.to_vec()).into(), 0).ok_or(RenderError::Font)?;
    let bold = Font::new(Arc::new(BOLD.to_vec()).into(), 0).ok_or(RenderError::Font)?;
    let mut doc = Document::new();
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
                    let font = if b { bold.clone() } else { regular.clone() };
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font,
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
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
