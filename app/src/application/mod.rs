//! An application for a card, as the citizen fills it in: the tasks, the
//! answers each task saves, and the states an application goes through.
//!
//! Each task reads a submitted `Form` into its answer type with the shared
//! identifier types (`from_form`), or returns every problem at once; and
//! gives its saved answer back as form values (`to_values`) so that the
//! page can show it for changing. The server stores the answers encrypted.
//!
//! The rooms: `tasks` (the task list), `fields` (the forms' field
//! names), `values` (the answers' own small types), `answers` (what the
//! tasks save), `task_forms` (each task's form to and from its answer) and
//! `states` (where an application stands).

mod answers;
pub mod fields;
mod states;
mod task_forms;
mod tasks;
mod values;

pub use answers::{AboutYou, Answers, Contact, OtherDocuments, Parent, Parents, PreRegistration};
pub use states::{ApplicationState, Attention, Fix};
pub use task_forms::birth_certificate_from_form;
pub use tasks::Task;
pub use values::{Channel, Location, MessageLanguage, Sex};

/// The version of the declaration and privacy notice the citizen agrees to.
/// Change it whenever the notice's wording changes: the consent ledger
/// records which version each person saw.
pub const NOTICE_VERSION: &str = "2026-11-25";

/// Applications one account may hold (the citizen's own and their children's).
pub const MAX_APPLICATIONS_PER_ACCOUNT: usize = 5;
