//! The centre's dashboard: the next 14 days' bookings against capacity (a
//! bar chart with the same figures in a table beside it), today's no-show
//! rate, and the cards waiting to be collected.

use super::{StaffBar, staff_bar, titled};
use crate::calendar::day_label;
use crate::context::use_locale;
use crate::dates::CivilDate;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayLoad {
    pub day: CivilDate,
    pub booked: u32,
    pub capacity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncollected {
    pub reference: String,
    /// Days since the card was marked ready.
    pub waiting_days: u32,
}

#[derive(Clone, Debug, Default)]
pub struct DashboardView {
    pub bar: StaffBar,
    pub days: Vec<DayLoad>,
    /// Today: no-shows, and bookings whose time has come (seen or not).
    pub no_shows: u32,
    pub due: u32,
    /// The longest-waiting cards first, at most 50.
    pub uncollected: Vec<Uncollected>,
    pub uncollected_total: u32,
}

const CHART_HEIGHT: u32 = 160;
const BAR_STEP: u32 = 40;

/// The bar chart as SVG elements: capacity as an outline, bookings filled.
fn chart(locale: Locale, days: &[DayLoad]) -> impl IntoView + use<> {
    let top = days
        .iter()
        .map(|d| d.capacity.max(d.booked))
        .max()
        .unwrap_or(0)
        .max(1);
    let width = BAR_STEP * days.len() as u32 + 10;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = 10 + i as u32 * BAR_STEP;
            let capacity_h = d.capacity * CHART_HEIGHT / top;
            let booked_h = d.booked * CHART_HEIGHT / top;
            view! {
                <g>
                    <rect x=x y=10 + CHART_HEIGHT - capacity_h width="28" height=capacity_h class="chart__capacity"/>
                    <rect x=x y=10 + CHART_HEIGHT - booked_h width="28" height=booked_h class="chart__booked"/>
                    <text x=x + 14 y=CHART_HEIGHT + 28 text-anchor="middle" class="chart__label">{d.day.day()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {}", CHART_HEIGHT + 36) role="img" aria-labelledby="chart-title" data-testid="load-chart">
            <title id="chart-title">{td_string!(locale, staff.chart_title)}</title>
            {bars}
        </svg>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<DashboardView>().unwrap_or_default();
    let title = td_string!(locale, staff.dashboard_title);
    let rate = (data.no_shows * 100)
        .checked_div(data.due)
        .map_or_else(|| "–".to_string(), |rate| format!("{rate}%"));
    let rows = data
        .days
        .iter()
        .map(|d| {
            let share = (d.booked * 100)
                .checked_div(d.capacity)
                .map_or_else(|| "–".to_string(), |share| format!("{share}%"));
            view! {
                <tr data-testid="load-row">
                    <th scope="row">{day_label(d.day, locale)}</th>
                    <td>{d.booked}</td>
                    <td>{d.capacity}</td>
                    <td>{share}</td>
                </tr>
            }
        })
        .collect_view();
    let uncollected = data
        .uncollected
        .iter()
        .map(|u| view! { <tr><td><code>{u.reference.clone()}</code></td><td>{u.waiting_days}</td></tr> })
        .collect_view();
    view! {
        {titled(locale, &Form::default(), title)}
        {staff_bar(locale, &data.bar)}
        <h1>{title}</h1>
        <section aria-labelledby="load-heading">
            <h2 id="load-heading">{td!(locale, staff.load_heading)}</h2>
            <div class="chart-and-table">
                {chart(locale, &data.days)}
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{td!(locale, staff.day_label)}</th>
                            <th scope="col">{td!(locale, staff.load_booked)}</th>
                            <th scope="col">{td!(locale, staff.load_capacity)}</th>
                            <th scope="col">{td!(locale, staff.load_share)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <section aria-labelledby="no-show-heading">
            <h2 id="no-show-heading">{td!(locale, staff.no_show_heading)}</h2>
            <p><strong data-testid="no-show-rate">{rate}</strong> " " {format!("({} / {})", data.no_shows, data.due)}</p>
        </section>
        <section aria-labelledby="uncollected-heading">
            <h2 id="uncollected-heading">{td!(locale, staff.uncollected_heading)} " " <span data-testid="uncollected-total">{data.uncollected_total}</span></h2>
            {if data.uncollected.is_empty() {
                view! { <p>{td!(locale, staff.uncollected_none)}</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">{td!(locale, staff.col_reference)}</th><th scope="col">{td!(locale, staff.waiting_days)}</th></tr></thead>
                        <tbody>{uncollected}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
