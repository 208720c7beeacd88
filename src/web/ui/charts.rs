//! Numbers as people read them, and the shapes of small charts drawn as SVG by the templates
//! (no script, no build step): the geometry is computed here, the templates only place it.
//! Every chart is paired with a table of the same numbers for screen readers and printing.

use crate::domain::figures::{Measure, group_digits};
use crate::i18n::Locale;

/// An amount of yuan as people read it: `8,500 元`, `3,883 万元` (`¥8,500`, `¥38.83 million`).
pub fn money(yuan: i64, t: Locale) -> String {
    match t {
        Locale::En => {
            if yuan.abs() >= 1_000_000 {
                format!("¥{:.2} million", yuan as f64 / 1_000_000.0)
            } else {
                format!("¥{}", group_digits(yuan))
            }
        }
        _ => {
            if yuan.abs() < 10_000 {
                format!("{} 元", group_digits(yuan))
            } else if yuan.abs() < 1_000_000 {
                format!("{} 万元", one_decimal(yuan as f64 / 10_000.0))
            } else {
                format!("{} 万元", group_digits((yuan as f64 / 10_000.0).round() as i64))
            }
        }
    }
}

/// An amount kept in fen as people read it: to the fen below a million yuan (`¥12,345.00`),
/// in 万元 above (`3,883 万元`; `¥38.83 million`), where fen no longer matter to a reader.
pub fn fen(fen: i64, t: Locale) -> String {
    if fen.abs() >= 100_000_000 { money(fen / 100, t) } else { crate::domain::figures::fen_text(fen) }
}

/// A figure's value in full: counts and people with their digits grouped, money as [`money`].
pub fn value(v: i64, m: Measure, t: Locale) -> String {
    match m {
        Measure::Yuan => money(v, t),
        Measure::Fen => money(v / 100, t),
        Measure::Count | Measure::People => group_digits(v),
    }
}

/// `12.0` → `12`, `12.34` → `12.3`.
fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A value short enough to stand over a bar, in the unit that suits the largest bar of its
/// chart (`max`), so the bars of one chart read alike: `12.3万`, `2755万`, `2.8亿`
/// (`¥27.6M`, `950`).
pub fn short(v: i64, max: i64, m: Measure, t: Locale) -> String {
    if m == Measure::Fen {
        return short(v / 100, max / 100, Measure::Yuan, t);
    }
    // Nothing reads as nothing, not as `0万` or `¥0M`.
    if v == 0 {
        return if m == Measure::Yuan && t == Locale::En { "¥0".to_string() } else { "0".to_string() };
    }
    let (x, top) = (v as f64, max.abs() as f64);
    match t {
        Locale::En => {
            let money = if m == Measure::Yuan { "¥" } else { "" };
            if top >= 1_000_000.0 {
                format!("{money}{}M", one_decimal(x / 1_000_000.0))
            } else if top >= 10_000.0 {
                format!("{money}{}k", one_decimal(x / 1_000.0))
            } else {
                format!("{money}{}", group_digits(v))
            }
        }
        _ => {
            if top >= 100_000_000.0 {
                format!("{}亿", one_decimal(x / 100_000_000.0))
            } else if top >= 1_000_000.0 {
                format!("{}万", (x / 10_000.0).round() as i64)
            } else if top >= 10_000.0 {
                format!("{}万", one_decimal(x / 10_000.0))
            } else {
                group_digits(v)
            }
        }
    }
}

/// One bar of a column chart, in the chart's own coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Its label under the axis (a year).
    pub label: String,
    /// Its value, short, over the bar.
    pub text: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Where the label's and value's centre is.
    pub mid: f64,
    /// Where the value's baseline is (just over the bar).
    pub ty: f64,
}

/// A small column chart: one figure over the years.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The figure's name.
    pub title: String,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// Width of a column chart's drawing (its height is 150).
pub const CHART_W: f64 = 320.0;
/// The axis line's height in the drawing.
pub const BASELINE: f64 = 124.0;
const TOP: f64 = 22.0;

/// Lays out a column chart of `(label, value)` points of one measure.
pub fn columns(title: String, points: &[(String, i64)], m: Measure, t: Locale) -> Columns {
    let n = points.len().max(1) as f64;
    let slot = (CHART_W - 16.0) / n;
    let top = points.iter().map(|p| p.1).max().unwrap_or(0);
    let max = top.max(1) as f64;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = ((*v).max(0) as f64 / max) * (BASELINE - TOP);
            let x = 8.0 + slot * i as f64 + slot * 0.2;
            let w = slot * 0.6;
            Bar {
                label: label.clone(),
                text: short(*v, top, m, t),
                x: round1(x),
                y: round1(BASELINE - h),
                w: round1(w),
                h: round1(h),
                mid: round1(x + w / 2.0),
                ty: round1(BASELINE - h - 5.0),
            }
        })
        .collect();
    Columns { title, bars }
}

/// A bar's length as a share of the longest, 0–100, for a ranking.
pub fn share(v: i64, max: i64) -> f64 {
    if max <= 0 || v <= 0 { 0.0 } else { round1(v as f64 * 100.0 / max as f64) }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_read_exactly_until_large() {
        assert_eq!(fen(1_234_500, Locale::Zh), "¥12,345.00");
        assert_eq!(fen(-5, Locale::En), "-¥0.05");
        assert_eq!(fen(3_883_000_000, Locale::Zh), "3,883 万元");
    }

    #[test]
    fn money_reads_in_wan_yuan() {
        assert_eq!(money(38_830_000, Locale::Zh), "3,883 万元");
        assert_eq!(money(125_000, Locale::Zh), "12.5 万元");
        assert_eq!(money(510_000, Locale::Zh), "51 万元");
        assert_eq!(money(8_500, Locale::Zh), "8,500 元");
        assert_eq!(money(38_830_000, Locale::En), "¥38.83 million");
        assert_eq!(money(8_500, Locale::En), "¥8,500");
        assert_eq!(value(12_345, Measure::Count, Locale::Zh), "12,345");
        assert_eq!(short(123_456, 123_456, Measure::Count, Locale::Zh), "12.3万");
        assert_eq!(short(9_823, 123_456, Measure::Count, Locale::Zh), "1万", "a chart's bars share one unit");
        assert_eq!(short(38_830_000, 38_830_000, Measure::Yuan, Locale::Zh), "3883万");
        assert_eq!(short(280_000_000, 280_000_000, Measure::Yuan, Locale::Zh), "2.8亿");
        assert_eq!(short(27_600_000, 27_600_000, Measure::Yuan, Locale::En), "¥27.6M");
        assert_eq!(short(950, 950, Measure::Count, Locale::En), "950");
        assert_eq!(short(0, 27_600_000, Measure::Yuan, Locale::En), "¥0", "nothing in the chart's unit");
        assert_eq!(short(0, 38_830_000, Measure::Yuan, Locale::Zh), "0");
        assert_eq!(short(0, 3_000_000, Measure::Fen, Locale::Zh), "0");
    }

    #[test]
    fn the_tallest_bar_fills_the_chart_and_bars_stay_inside() {
        let pts: Vec<(String, i64)> =
            [10, 40, 0, 20].iter().enumerate().map(|(i, v)| (format!("{}", 2020 + i), *v)).collect();
        let c = columns("x".into(), &pts, Measure::Count, Locale::Zh);
        assert_eq!(c.bars.len(), 4);
        assert_eq!(c.bars[1].y, TOP);
        assert_eq!(c.bars[2].h, 0.0);
        for b in &c.bars {
            assert!(b.x >= 0.0 && b.x + b.w <= CHART_W && b.y + b.h <= BASELINE + 0.1);
        }
        assert_eq!(share(5, 10), 50.0);
        assert_eq!(share(0, 0), 0.0);
        // Nothing to draw still draws an empty axis.
        assert!(columns("x".into(), &[], Measure::Count, Locale::En).bars.is_empty());
    }
}
