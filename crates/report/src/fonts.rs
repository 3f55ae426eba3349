//! The report's fonts: PT Sans for everything it has (Latin and Cyrillic), and DejaVu Sans for
//! the characters PT Sans lacks (arrows, check marks, and whatever else an auditor types). Text
//! is measured and drawn run by run, each run in the font that has its characters, so no
//! character of a report ends up as a missing-glyph box when either font can draw it.

use crate::render::RenderError;

const REGULAR: &[u8] = include_bytes!("../fonts/PTSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/PTSans-Bold.ttf");
const FALLBACK: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const FALLBACK_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the four font files draws a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FontId {
    Regular,
    Bold,
    Fallback,
    FallbackBold,
}

impl FontId {
    pub(crate) const ALL: [FontId; 4] = [
        FontId::Regular,
        FontId::Bold,
        FontId::Fallback,
        FontId::FallbackBold,
    ];

    pub(crate) fn data(self) -> &'static [u8] {
        match self {
            FontId::Regular => REGULAR,
            FontId::Bold => BOLD,
            FontId::Fallback => FALLBACK,
            FontId::FallbackBold => FALLBACK_BOLD,
        }
    }
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

    fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The advance of `c` in em units of this face.
    fn advance(&self, c: char) -> f32 {
        self.face
            .glyph_index(c)
            .and_then(|g| self.face.glyph_hor_advance(g))
            .map_or(0.5, |a| f32::from(a) / self.upem)
    }
}

/// The report's fonts, loaded once per report.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
    fallback: Face,
    fallback_bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, RenderError> {
        Ok(Fonts {
            regular: Face::load(REGULAR)?,
            bold: Face::load(BOLD)?,
            fallback: Face::load(FALLBACK)?,
            fallback_bold: Face::load(FALLBACK_BOLD)?,
        })
    }

    fn face(&self, id: FontId) -> &Face {
        match id {
            FontId::Regular => &self.regular,
            FontId::Bold => &self.bold,
            FontId::Fallback => &self.fallback,
            FontId::FallbackBold => &self.fallback_bold,
        }
    }

    /// The font that draws `c`: PT Sans when it has the character, else DejaVu Sans when it
    /// has it, else PT Sans (whose missing-glyph box then shows); and whether that font has it.
    fn pick(&self, c: char, bold: bool) -> (FontId, bool) {
        let (main, fallback) = if bold {
            (FontId::Bold, FontId::FallbackBold)
        } else {
            (FontId::Regular, FontId::Fallback)
        };
        if self.face(main).has(c) {
            (main, true)
        } else if self.face(fallback).has(c) {
            (fallback, true)
        } else {
            (main, false)
        }
    }

    /// The width of `text` at `size` points, each character measured in the font that draws it.
    pub(crate) fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        text.chars()
            .map(|c| self.face(self.pick(c, bold).0).advance(c))
            .sum::<f32>()
            * size
    }

    /// `text` cut into runs that one font draws each, in order.
    pub(crate) fn runs<'t>(&self, text: &'t str, bold: bool) -> Vec<(FontId, &'t str)> {
        let mut runs: Vec<(FontId, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<FontId> = None;
        for (i, c) in text.char_indices() {
            let id = self.pick(c, bold).0;
            match current {
                Some(cur) if cur != id => {
                    runs.push((cur, &text[start..i]));
                    start = i;
                    current = Some(id);
                }
                None => current = Some(id),
                _ => {}
            }
        }
        if let Some(cur) = current {
            runs.push((cur, &text[start..]));
        }
        runs
    }

    /// The characters of `text` that no font of the report can draw in the given weight.
    pub(crate) fn missing(&self, text: &str, bold: bool) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace() && !self.pick(*c, bold).1)
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }
}

/// The characters of `text` that the report's fonts cannot draw, regular or bold: each one
/// would show as a missing-glyph box in the PDF. Whitespace is not drawn and never counts.
pub fn missing_glyphs(text: &str) -> Vec<char> {
    let Ok(fonts) = Fonts::load() else {
        return text.chars().filter(|c| !c.is_whitespace()).collect();
    };
    let mut missing = fonts.missing(text, false);
    missing.extend(fonts.missing(text, true));
    missing.sort_unstable();
    missing.dedup();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_pt_sans_lacks_is_drawn_in_dejavu_sans() {
        let fonts = Fonts::load().expect("fonts");
        assert_eq!(
            fonts.runs("→ Убрать — Ольга", false),
            vec![
                (FontId::Fallback, "→"),
                (FontId::Regular, " Убрать — Ольга")
            ]
        );
        assert_eq!(fonts.runs("", true), vec![]);
        assert!(fonts.missing("✓ ×", true).is_empty());
    }
}
