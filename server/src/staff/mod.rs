//! Huduma Centre staff: accounts and sign-in (`accounts`), and the work of
//! the counter (`desk`): the day's visits, check-in and each step of an
//! enrolment or a collection, every one a state transition the database
//! checks.

pub mod accounts;
pub mod capacity;
pub mod cards;
pub mod dashboard;
pub mod demo;
pub mod desk;
pub mod identities;

app::coded_enum! {
    /// What a member of staff may do (`staff_accounts.role`), in rising order.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Role {
        /// One centre; works the queue.
        Officer => "officer",
        /// One centre; also capacity, closures, cards ready, guardianship
        /// reviews and the centre's audit trail.
        Supervisor => "supervisor",
        /// Every centre; manages staff accounts; sees the whole audit trail.
        Administrator => "administrator",
    }
}

/// A signed-in member of staff, loaded afresh on every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// `None` for administrators.
    pub centre_id: Option<String>,
    pub totp_enrolled: bool,
    /// Disabled by an administrator, the command line or the idle job: no
    /// sign-in and no session.
    pub disabled: bool,
    /// The password was set by an operator: it must be changed before
    /// anything else.
    pub password_temporary: bool,
    /// Raised by each action that ends the member's sessions; a session
    /// signed in under another value is over.
    pub session_epoch: i64,
}

impl StaffMember {
    /// The centre whose records this person may open: their own, or for an
    /// administrator the one they chose (`None`: every centre).
    pub fn may_open(&self, centre: &str) -> bool {
        match &self.centre_id {
            Some(own) => own == centre,
            None => self.role == Role::Administrator,
        }
    }

    pub fn is_supervisor(&self) -> bool {
        self.role >= Role::Supervisor
    }
}
