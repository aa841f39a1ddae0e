//! The GOV.UK-style error summary: a list of problems at the top of a form,
//! each linking to its field. It takes focus when it appears so that screen
//! reader and keyboard users learn of the errors at once.

use leptos::prelude::*;

/// One problem with one field: the id of the input it links to, and the
/// message, already in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldProblem {
    pub field_id: String,
    pub message: String,
}

#[component]
pub fn ErrorSummary(
    /// The heading, in the reader's language ("There is a problem").
    title: String,
    problems: Vec<FieldProblem>,
    /// Set on a server-rendered page so that the browser focuses the summary
    /// on load, with or without JavaScript.
    #[prop(optional)]
    autofocus: bool,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Div>>,
    /// Rendered hidden, for an island to fill in and show.
    #[prop(optional)]
    hidden: bool,
) -> impl IntoView {
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div
            class="error-summary"
            role="alert"
            tabindex="-1"
            autofocus=autofocus
            hidden=hidden
            node_ref=node_ref
            data-testid="error-summary"
        >
            <h2 class="error-summary__title">{title}</h2>
            <ul class="error-summary__list">
                {problems
                    .into_iter()
                    .map(|p| view! { <li><a href=format!("#{}", p.field_id)>{p.message}</a></li> })
                    .collect_view()}
            </ul>
        </div>
    }
}
