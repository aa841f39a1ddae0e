//! What an application may book, where, and with whom: an enrolment once
//! verified (or to change a booked one), a collection once the card is
//! ready (at the centre staff named, if they named one), and, with a first
//! enrolment, the account's other verified applications alongside.

use super::bookings::{Kind, Member};
use crate::citizen::applications::Stored;
use app::application::ApplicationState;
use sqlx::AnyPool;

/// Most people one family request books.
pub const MAX_FAMILY: usize = 6;

/// What the application may book now, if anything.
pub fn bookable(app: &Stored) -> Option<Kind> {
    match app.state {
        ApplicationState::Verified | ApplicationState::Booked => Some(Kind::Enrolment),
        ApplicationState::CardReady => Some(Kind::Collection),
        _ => None,
    }
}

/// The centre a ready card waits at, if staff named one: a collection is
/// booked there and nowhere else.
pub async fn card_centre(db: &AnyPool, application_id: &str) -> anyhow::Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT card_centre_id FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(db)
            .await?
            .flatten(),
    )
}

/// The applications of the account (`all`) that may be booked alongside
/// `app` when it books `kind`: only with a first enrolment (`changing` is
/// false), and only the others that are verified, with no appointment yet.
pub fn companions<'a>(
    all: &'a [Stored],
    app: &Stored,
    kind: Kind,
    changing: bool,
) -> Vec<&'a Stored> {
    if kind != Kind::Enrolment || changing {
        return Vec::new();
    }
    all.iter()
        .filter(|a| a.id != app.id && a.state == ApplicationState::Verified)
        .collect()
}

/// The people one request books: `first`, then each of `asked` (none may
/// be anyone but one of `companions`, nor anyone twice), at most
/// [`MAX_FAMILY`] in all; `None` if someone asked for may not be booked.
pub fn family(first: Member, asked: Vec<String>, companions: &[&Stored]) -> Option<Vec<Member>> {
    let mut members = vec![first];
    if asked.is_empty() {
        return Some(members);
    }
    for other in asked {
        if !companions.iter().any(|c| c.id == other)
            || members.iter().any(|m| m.application_id == other)
        {
            return None;
        }
        members.push(Member {
            application_id: other,
            kind: Kind::Enrolment,
            replaces: None,
        });
    }
    members.truncate(MAX_FAMILY);
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::verification::ApplicationKind;
    use app::application::Answers;

    fn app(id: &str, kind: ApplicationKind, state: ApplicationState) -> Stored {
        Stored {
            id: id.into(),
            account_id: "acc".into(),
            kind,
            state,
            answers: Answers::default(),
            has_photo: false,
            reference: None,
            attention: None,
            pending_verification_id: None,
            channel: app::application::Channel::Web,
        }
    }

    fn member(id: &str) -> Member {
        Member {
            application_id: id.into(),
            kind: Kind::Enrolment,
            replaces: None,
        }
    }

    #[test]
    fn what_may_be_booked_follows_the_state() {
        use ApplicationState::*;
        for kind in [ApplicationKind::AdultId, ApplicationKind::MinorCard] {
            assert_eq!(bookable(&app("a", kind, Verified)), Some(Kind::Enrolment));
            assert_eq!(bookable(&app("a", kind, Booked)), Some(Kind::Enrolment));
            assert_eq!(bookable(&app("a", kind, CardReady)), Some(Kind::Collection));
            for state in [Draft, PendingVerification, NeedsAttention, Collected] {
                assert_eq!(bookable(&app("a", kind, state)), None, "{state:?}");
            }
        }
    }

    #[test]
    fn companions_are_the_other_verified_applications_of_a_first_enrolment() {
        use ApplicationState::*;
        let all = vec![
            app("me", ApplicationKind::AdultId, Verified),
            app("child", ApplicationKind::MinorCard, Verified),
            app("booked", ApplicationKind::AdultId, Booked),
            app("draft", ApplicationKind::AdultId, Draft),
        ];
        let ids = |c: Vec<&Stored>| c.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(companions(&all, &all[0], Kind::Enrolment, false)),
            ["child"]
        );
        assert!(companions(&all, &all[0], Kind::Enrolment, true).is_empty());
        assert!(companions(&all, &all[0], Kind::Collection, false).is_empty());
    }

    #[test]
    fn a_family_takes_only_companions_once_and_at_most_six() {
        let others: Vec<Stored> = (0..8)
            .map(|i| {
                app(
                    &format!("c{i}"),
                    ApplicationKind::MinorCard,
                    ApplicationState::Verified,
                )
            })
            .collect();
        let companions: Vec<&Stored> = others.iter().collect();
        let ids = |m: Vec<Member>| m.into_iter().map(|m| m.application_id).collect::<Vec<_>>();

        assert_eq!(ids(family(member("me"), vec![], &[]).unwrap()), ["me"]);
        assert_eq!(
            ids(family(member("me"), vec!["c1".into()], &companions).unwrap()),
            ["me", "c1"]
        );
        assert!(family(member("me"), vec!["stranger".into()], &companions).is_none());
        assert!(family(member("me"), vec!["c1".into(), "c1".into()], &companions).is_none());
        assert!(family(member("me"), vec!["me".into()], &companions).is_none());
        let everyone = (0..8).map(|i| format!("c{i}")).collect();
        assert_eq!(
            family(member("me"), everyone, &companions).unwrap().len(),
            MAX_FAMILY
        );
    }
}
