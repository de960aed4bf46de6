//! The growth chart of a backlog run: catch-up time and peak resident memory against the
//! backlog size, as one SVG with two panels.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use super::figures::{BacklogRun, GOAL_PEAK_RSS_MB};

/// Width and height of the chart in pixels.
const SIZE: (u32, u32) = (960, 400);

/// Renders the chart of `runs` as SVG text.
pub fn svg(runs: &[BacklogRun]) -> Result<String> {
    let time: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (f64::from(r.size.days), r.end_to_end.catch_up_s))
        .collect();
    let rss: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (f64::from(r.size.days), r.peak_rss_mb))
        .collect();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (left, right) = root.split_horizontally(SIZE.0 / 2);
        panel(&left, "Catch-up time", "seconds", &time, &BLUE, None)?;
        panel(
            &right,
            "Peak resident memory",
            "MB",
            &rss,
            &RED,
            Some(GOAL_PEAK_RSS_MB),
        )?;
        root.present().map_err(draw_error)?;
    }
    Ok(text)
}

/// One panel: `points` (backlog days, value) as a line with markers, and an optional
/// horizontal goal line.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    unit: &str,
    points: &[(f64, f64)],
    color: &RGBColor,
    goal: Option<f64>,
) -> Result<()> {
    let max_x = points.iter().map(|p| p.0).fold(1.0, f64::max) * 1.1;
    let max_y = points.iter().map(|p| p.1).chain(goal).fold(1.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_desc("backlog (days)")
        .y_desc(unit)
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(LineSeries::new(points.iter().copied(), color))
        .map_err(draw_error)?;
    chart
        .draw_series(points.iter().map(|p| Circle::new(*p, 4, color.filled())))
        .map_err(draw_error)?;
    if let Some(goal) = goal {
        chart
            .draw_series(LineSeries::new([(0.0, goal), (max_x, goal)], &BLACK))
            .map_err(draw_error)?;
    }
    Ok(())
}

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing the chart: {e}")
}
