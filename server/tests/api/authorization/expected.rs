//! Who may call each route: the matrix `docs/SECURITY.md` shows. A call
//! by anyone else is refused (403, 404, or sent to sign in).

use super::Actor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Anyone, signed in or not (public pages, signing in).
    Anyone,
    /// Nobody without the gateway's secret token in the path.
    TokenHolder,
    /// Only someone part-way through signing in (a code sent, or an
    /// authenticator to set up): everyone else is sent to sign in.
    SigningIn,
    /// Any signed-in citizen.
    Citizen,
    /// A signed-in citizen whose national ID is proven (adding a child);
    /// others are sent to prove it first.
    ProvenAdult,
    /// Only the citizen whose application it is.
    Owner,
    /// Only an adult whose link to the child empowers them (a parent, or
    /// an approved guardian): never a claimant still under review.
    Parent,
    /// Any member of staff whose account is active.
    Member,
    /// Members who work at the booking's centre, and administrators.
    AtTheCentre,
    /// Supervisors and administrators.
    Supervisor,
    /// Supervisors of the centre (or county) concerned, and administrators.
    SupervisorHere,
    /// Administrators only.
    Administrator,
}

impl Who {
    pub fn allows(self, actor: Actor) -> bool {
        use Actor::*;
        match self {
            // A disabled member is anyone: signed out of the console.
            Who::Anyone => true,
            Who::TokenHolder | Who::SigningIn => false,
            Who::Citizen => matches!(actor, CitizenA | CitizenB | Parent | Guardian),
            Who::ProvenAdult => matches!(actor, Parent | Guardian),
            Who::Owner => actor == CitizenA,
            Who::Parent => actor == Parent,
            Who::Member => matches!(actor, Officer1 | Supervisor1 | Officer2 | Administrator),
            Who::AtTheCentre => matches!(actor, Officer1 | Supervisor1 | Administrator),
            Who::Supervisor => matches!(actor, Supervisor1 | Administrator),
            Who::SupervisorHere => matches!(actor, Supervisor1 | Administrator),
            Who::Administrator => actor == Administrator,
        }
    }
}

/// Every route: method, path pattern as the router has it, and who may call it.
pub const EXPECTED: &[(&str, &str, Who)] = &[
    // Public
    ("GET", "/", Who::Anyone),
    ("GET", "/privacy", Who::Anyone),
    ("GET", "/healthz", Who::Anyone),
    ("GET", "/livez", Who::Anyone),
    ("GET", "/language/{code}", Who::Anyone),
    ("GET", "/sign-in", Who::Anyone),
    ("POST", "/sign-in", Who::Anyone),
    ("GET", "/sign-in/code", Who::SigningIn),
    ("POST", "/sign-in/code", Who::SigningIn),
    ("GET", "/staff/sign-in", Who::Anyone),
    ("POST", "/staff/sign-in", Who::Anyone),
    (
        "POST",
        "/messages/delivery/africastalking/{token}",
        Who::TokenHolder,
    ),
    ("POST", "/ussd/africastalking/{token}", Who::TokenHolder),
    ("POST", "/sms/africastalking/{token}", Who::TokenHolder),
    // Citizens
    ("POST", "/sign-out", Who::Anyone),
    ("GET", "/applications", Who::Citizen),
    ("POST", "/applications", Who::Citizen),
    ("GET", "/account/data.json", Who::Citizen),
    ("GET", "/account/delete", Who::Citizen),
    ("POST", "/account/delete", Who::Citizen),
    ("POST", "/account/delete/code", Who::Citizen),
    ("GET", "/identity", Who::Citizen),
    ("POST", "/identity", Who::Citizen),
    ("GET", "/children/new", Who::ProvenAdult),
    ("POST", "/children/new", Who::ProvenAdult),
    // One citizen's own application
    ("GET", "/applications/{id}", Who::Owner),
    ("GET", "/applications/{id}/photo.jpg", Who::Owner),
    ("GET", "/applications/{id}/{step}", Who::Owner),
    ("POST", "/applications/{id}/{step}", Who::Owner),
    ("GET", "/applications/{id}/booking", Who::Owner),
    ("POST", "/applications/{id}/booking/cancel", Who::Owner),
    ("GET", "/applications/{id}/booking/cancel", Who::Owner),
    ("GET", "/applications/{id}/booking/centres", Who::Owner),
    (
        "GET",
        "/applications/{id}/booking/centres/{centre}",
        Who::Owner,
    ),
    (
        "POST",
        "/applications/{id}/booking/centres/{centre}",
        Who::Owner,
    ),
    // A child's application
    ("GET", "/children/{id}", Who::Parent),
    ("GET", "/children/{id}/join", Who::Parent),
    ("POST", "/children/{id}/join", Who::Parent),
    ("GET", "/children/{id}/guardianship", Who::Parent),
    ("POST", "/children/{id}/guardianship", Who::Parent),
    ("GET", "/children/{id}/consent", Who::Parent),
    ("POST", "/children/{id}/consent", Who::Parent),
    ("GET", "/children/{id}/withdraw", Who::Parent),
    ("POST", "/children/{id}/withdraw", Who::Parent),
    // The staff console
    ("GET", "/staff/sign-in/code", Who::SigningIn),
    ("POST", "/staff/sign-in/code", Who::SigningIn),
    ("GET", "/staff/enrol", Who::SigningIn),
    ("POST", "/staff/enrol", Who::SigningIn),
    ("POST", "/staff/sign-out", Who::Anyone),
    ("GET", "/staff", Who::Member),
    ("POST", "/staff/check-in", Who::Member),
    ("GET", "/staff/bookings/{id}", Who::AtTheCentre),
    ("GET", "/staff/bookings/{id}/photo.jpg", Who::AtTheCentre),
    ("POST", "/staff/bookings/{id}/note", Who::AtTheCentre),
    ("POST", "/staff/bookings/{id}/{step}", Who::AtTheCentre),
    ("GET", "/staff/dashboard", Who::Member),
    ("GET", "/staff/cards-ready", Who::Supervisor),
    ("POST", "/staff/cards-ready", Who::Supervisor),
    ("GET", "/staff/export.csv", Who::Member),
    ("GET", "/staff/capacity", Who::Supervisor),
    ("POST", "/staff/capacity/rules", Who::Supervisor),
    ("POST", "/staff/capacity/closures", Who::Supervisor),
    (
        "POST",
        "/staff/capacity/closures/{id}/reopen",
        Who::SupervisorHere,
    ),
    ("GET", "/staff/reviews", Who::Supervisor),
    ("GET", "/staff/reviews/{id}", Who::SupervisorHere),
    ("POST", "/staff/reviews/{id}", Who::SupervisorHere),
    ("GET", "/staff/reviews/{id}/document", Who::SupervisorHere),
    ("GET", "/staff/identities", Who::Supervisor),
    ("POST", "/staff/identities", Who::Supervisor),
    ("GET", "/staff/audit", Who::Supervisor),
    ("GET", "/staff/password", Who::Member),
    ("POST", "/staff/password", Who::Member),
    ("GET", "/staff/accounts", Who::Administrator),
    ("POST", "/staff/accounts/{id}/{action}", Who::Administrator),
    ("GET", "/staff/outbox", Who::Administrator),
    ("POST", "/staff/outbox/{id}/retry", Who::Administrator),
];
