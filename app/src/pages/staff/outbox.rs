//! The outbox, for administrators: every message queued for citizens, its
//! state, tries and last error, and a button to send a failed one again.
//! Never a recipient or a text: those hold phone numbers and codes.

use super::{StaffBar, staff_bar, titled};
use crate::context::use_locale;
use crate::forms::Form;
use crate::i18n::*;
use leptos::prelude::*;

/// One message, as the page shows it.
#[derive(Clone, Debug, Default)]
pub struct OutboxLine {
    pub id: String,
    /// `sign_in_code`, `card_ready`…
    pub kind: String,
    /// `sms` or `email`.
    pub channel: String,
    /// `pending`, `sending`, `sent`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When it was queued and last changed, as Nairobi times.
    pub queued: String,
    pub updated: String,
    pub retryable: bool,
}

#[derive(Clone, Debug, Default)]
pub struct OutboxView {
    pub bar: StaffBar,
    /// Messages per state.
    pub counts: Vec<(String, i64)>,
    /// The state shown, or empty for all.
    pub state: String,
    pub lines: Vec<OutboxLine>,
    /// After a retry: `queued` (it will be sent again) or `refused`.
    pub retried: Option<String>,
}

crate::coded_enum! {
    /// Where a message is on its way out (`outbox.state`), in the order it
    /// goes through them (the filter offers them in this order).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OutboxState {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Delivered => "delivered",
        Failed => "failed",
    }
}

/// The label of a state's code; anything else (the filter's empty choice)
/// reads "all".
pub fn state_label(locale: Locale, state: &str) -> &'static str {
    match OutboxState::from_code(state) {
        Some(OutboxState::Pending) => td_string!(locale, staff.outbox_pending),
        Some(OutboxState::Sending) => td_string!(locale, staff.outbox_sending),
        Some(OutboxState::Sent) => td_string!(locale, staff.outbox_sent),
        Some(OutboxState::Delivered) => td_string!(locale, staff.outbox_delivered),
        Some(OutboxState::Failed) => td_string!(locale, staff.outbox_failed),
        None => td_string!(locale, staff.outbox_all),
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let locale = use_locale();
    let data = use_context::<OutboxView>().unwrap_or_default();
    let title = td_string!(locale, staff.outbox_title);
    let counts = data
        .counts
        .iter()
        .map(|(state, count)| {
            view! {
                <div class="counts__item">
                    <dt>{state_label(locale, state)}</dt>
                    <dd data-testid=format!("outbox-count-{state}")>{*count}</dd>
                </div>
            }
        })
        .collect_view();
    let choices = OutboxState::ALL
        .iter()
        .map(|state| {
            let code = state.code();
            view! { <option value=code selected=data.state == code>{state_label(locale, code)}</option> }
        })
        .collect_view();
    let rows = data
        .lines
        .iter()
        .map(|line| {
            let action = line.retryable.then(|| {
                view! {
                    <form method="post" action=format!("/staff/outbox/{}/retry", line.id) class="inline-form">
                        <button class="button button--secondary" type="submit"
                            aria-label=format!("{} {}", td_string!(locale, staff.outbox_retry), line.kind)>
                            {td!(locale, staff.outbox_retry)}
                        </button>
                    </form>
                }
            });
            view! {
                <tr data-testid="outbox-line" data-id=line.id.clone() data-state=line.state.clone() data-kind=line.kind.clone()>
                    <td>{line.queued.clone()}</td>
                    <td><code>{line.kind.clone()}</code></td>
                    <td>{if line.channel == "email" { td_string!(locale, staff.outbox_email) } else { td_string!(locale, staff.outbox_sms) }}</td>
                    <td>{state_label(locale, &line.state)}</td>
                    <td>{line.attempts}</td>
                    <td>{line.last_error.clone().unwrap_or_default()}</td>
                    <td>{line.updated.clone()}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    let notice = data.retried.as_deref().map(|outcome| {
        if outcome == "queued" {
            view! { <div class="notice" role="status" data-testid="outbox-retried">{td!(locale, staff.outbox_retried)}</div> }.into_any()
        } else {
            view! { <div class="notice notice--problem" role="status" data-testid="outbox-retried">{td!(locale, staff.outbox_not_retried)}</div> }.into_any()
        }
    });
    view! {
        {titled(locale, &Form::default(), title)}
        {staff_bar(locale, &data.bar)}
        {notice}
        <h1>{title}</h1>
        <p class="lead">{td!(locale, staff.outbox_lead)}</p>
        <dl class="counts" data-testid="outbox-counts">{counts}</dl>
        <form method="get" action="/staff/outbox" class="filters" role="search">
            <div class="field field--inline">
                <label class="label" for="state">{td!(locale, staff.outbox_state)}</label>
                <select class="select" id="state" name="state">
                    <option value="" selected=data.state.is_empty()>{td!(locale, staff.outbox_all)}</option>
                    {choices}
                </select>
            </div>
            <button class="button button--secondary" type="submit">{td!(locale, staff.filter_button)}</button>
        </form>
        {if data.lines.is_empty() {
            view! { <p data-testid="outbox-empty">{td!(locale, staff.outbox_none)}</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">{title}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td!(locale, staff.outbox_queued)}</th>
                            <th scope="col">{td!(locale, staff.col_kind)}</th>
                            <th scope="col">{td!(locale, staff.outbox_channel)}</th>
                            <th scope="col">{td!(locale, staff.col_status)}</th>
                            <th scope="col">{td!(locale, staff.outbox_attempts)}</th>
                            <th scope="col">{td!(locale, staff.outbox_error)}</th>
                            <th scope="col">{td!(locale, staff.outbox_updated)}</th>
                            <th scope="col"><span class="visually-hidden">{td!(locale, staff.outbox_retry)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}
