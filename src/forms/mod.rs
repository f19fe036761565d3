//! Printed forms as A4 PDFs (krilla: shaping, font subsetting, ToUnicode so the text can be
//! searched and extracted). A small layout kit: text, wrapped text, ruled tables. Each form is
//! a module; each gets a `print KIND ID --out FILE` command.

pub mod borrow_form;
pub mod destruction_list;
pub mod labels;
pub mod stocktake_report;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A4 in points.
pub const A4: (f32, f32) = (595.28, 841.89);

/// A form that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("无法载入字体")]
    Font,
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
    #[error("内容超过一页 A4，无法打印")]
    Overflow,
}

/// Measures text with the embedded font's advances, to wrap lines.
pub struct Measure<'a> {
    font: FontRef<'a>,
}

impl<'a> Measure<'a> {
    /// The measure of a font file.
    pub fn new(data: &'a [u8]) -> Result<Self, PrintError> {
        Ok(Self {
            font: FontRef::new(data).map_err(|_| PrintError::Font)?,
        })
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size)
            })
            .sum()
    }

    /// Splits `text` into lines no wider than `width` (Chinese breaks between any two
    /// characters; explicit newlines are kept).
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for c in para.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && self.width(&next, size) > width {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// One page being drawn: coordinates from the top left, in points.
pub struct Canvas<'s, 'm> {
    surface: Surface<'s>,
    font: Font,
    pub measure: &'m Measure<'m>,
}

impl<'s, 'm> Canvas<'s, 'm> {
    /// Text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::black().into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.draw_text(
            Point::from_xy(x, y),
            self.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Text centred on `cx`.
    pub fn text_centered(&mut self, cx: f32, y: f32, size: f32, text: &str) {
        let w = self.measure.width(text, size);
        self.text(cx - w / 2.0, y, size, text);
    }

    /// A straight line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        let mut pb = PathBuilder::new();
        pb.move_to(x1, y1);
        pb.line_to(x2, y2);
        let Some(path) = pb.finish() else { return };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            paint: rgb::Color::black().into(),
            width,
            ..Default::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }

    /// A filled black rectangle (QR modules).
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let mut pb = PathBuilder::new();
        pb.move_to(x, y);
        pb.line_to(x + w, y);
        pb.line_to(x + w, y + h);
        pb.line_to(x, y + h);
        pb.close();
        let Some(path) = pb.finish() else { return };
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::black().into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.draw_path(&path);
    }

    /// A QR code of `data` with its top left at (`x`, `y`), `size` points wide.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) -> Result<(), PrintError> {
        let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
            .map_err(|e| PrintError::Pdf(e.to_string()))?;
        let n = code.width();
        let m = size / n as f32;
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let (row, col) = (i / n, i % n);
                // A hair of overlap so adjacent modules print without seams.
                self.fill_rect(x + col as f32 * m, y + row as f32 * m, m + 0.05, m + 0.05);
            }
        }
        Ok(())
    }

    /// A rectangle's outline.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.line(x, y, x + w, y, width);
        self.line(x + w, y, x + w, y + h, width);
        self.line(x + w, y + h, x, y + h, width);
        self.line(x, y + h, x, y, width);
    }
}

/// Sends a PDF to the default printer through CUPS (`lp`, reading standard input: no temporary
/// file holds the form). Fails with a message when the PC has no print service.
pub fn send_to_printer(pdf: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut child = std::process::Command::new("lp")
        .arg("-s")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|_| {
            "本机没有安装打印服务，无法直接打印；请用“另存为 PDF”，再从能打印的电脑打印".to_owned()
        })?;
    child
        .stdin
        .take()
        .ok_or("无法连接打印服务")?
        .write_all(pdf)
        .map_err(|e| format!("送往打印机失败：{e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("送往打印机失败：{e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "打印失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Makes a one-page A4 PDF: `draw` paints the page and returns the lowest y it used, which must
/// stay on the page.
pub fn one_page_a4(
    title: &str,
    draw: impl FnOnce(&mut Canvas<'_, '_>) -> f32,
) -> Result<Vec<u8>, PrintError> {
    let mut draw = Some(draw);
    pages_a4(title, 1, |_, c| {
        draw.take().expect("one page is drawn once")(c)
    })
}

/// Makes an A4 PDF of `count` pages: `draw(i, canvas)` paints page `i` (from 0) and returns the
/// lowest y it used, which must stay on the page.
pub fn pages_a4(
    title: &str,
    count: usize,
    draw: impl FnMut(usize, &mut Canvas<'_, '_>) -> f32,
) -> Result<Vec<u8>, PrintError> {
    pages(title, A4, count, draw)
}

/// Makes a PDF of `count` pages of `size` (width, height in points; A4 landscape is
/// `(A4.1, A4.0)`).
pub fn pages(
    title: &str,
    size: (f32, f32),
    count: usize,
    mut draw: impl FnMut(usize, &mut Canvas<'_, '_>) -> f32,
) -> Result<Vec<u8>, PrintError> {
    let data = crate::assets::NOTO_SANS_SC;
    let measure = Measure::new(data)?;
    let font = Font::new(data.to_vec().into(), 0).ok_or(PrintError::Font)?;
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_owned())
            .creator("Baomi 保密台账".to_owned()),
    );
    for i in 0..count {
        let mut page = document.start_page_with(
            PageSettings::from_wh(size.0, size.1).ok_or_else(|| PrintError::Pdf("A4".into()))?,
        );
        let bottom = {
            let mut canvas = Canvas {
                surface: page.surface(),
                font: font.clone(),
                measure: &measure,
            };
            let bottom = draw(i, &mut canvas);
            canvas.surface.finish();
            bottom
        };
        page.finish();
        if bottom > size.1 {
            return Err(PrintError::Overflow);
        }
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

/// Splits rows of the given heights into pages: `first` points of room for rows on the first
/// page, `rest` on the others, and the last page must also keep `tail` points for what closes
/// the form (signatures). Returns each page's rows; at least one page (possibly empty).
pub fn paginate(heights: &[f32], first: f32, rest: f32, tail: f32) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut room = first;
    let mut used = 0.0;
    for (i, h) in heights.iter().enumerate() {
        if used + h > room && i > start {
            pages.push(start..i);
            start = i;
            room = rest;
            used = 0.0;
        }
        used += h;
    }
    if used + tail > room && start < heights.len() {
        // The rows fit but the closing block does not: it goes on a page of its own.
        pages.push(start..heights.len());
        pages.push(heights.len()..heights.len());
    } else {
        pages.push(start..heights.len());
    }
    pages
}

/// `第 i 页 / 共 n 页` centred at the foot of an A4 page.
pub fn page_number(c: &mut Canvas<'_, '_>, i: usize, n: usize) {
    c.text_centered(
        A4.0 / 2.0,
        A4.1 - 28.0,
        9.0,
        &format!("第 {} 页 / 共 {n} 页", i + 1),
    );
}

#[cfg(test)]
mod paginate_tests {
    use super::paginate;

    #[test]
    fn rows_fill_pages_and_the_tail_stays_with_the_last_rows_or_gets_its_own_page() {
        assert_eq!(paginate(&[10.0; 5], 100.0, 100.0, 20.0), vec![0..5]);
        assert_eq!(
            paginate(&[10.0; 12], 100.0, 200.0, 20.0),
            vec![0..10, 10..12]
        );
        assert_eq!(paginate(&[10.0; 9], 100.0, 100.0, 20.0), vec![0..9, 9..9]);
        assert_eq!(paginate(&[], 100.0, 100.0, 20.0), vec![0..0]);
    }
}
