//! The day's list at the counter: a centre's visits on one day, the counts
//! at its top, and its search.

use super::{Desk, FoundRow, SELECT};
use app::dates::CivilDate;
use app::identifiers::ApplicationReference;
use app::pages::staff::{DayCounts, Visit, VisitStatus};

impl Desk<'_> {
    /// The centre's visits on `day`, by time (moved bookings are left out:
    /// their successor is listed where it now is).
    pub async fn day(&self, centre: &str, day: CivilDate) -> anyhow::Result<Vec<Visit>> {
        let rows = sqlx::query_as::<_, FoundRow>(&format!(
            "{SELECT} WHERE b.centre_id = $1 AND b.day = $2 AND b.status <> 'moved' ORDER BY b.starts_at, a.reference"
        ))
        .bind(centre)
        .bind(day.to_string())
        .fetch_all(self.db)
        .await?;
        rows.into_iter()
            .map(|row| self.decode(row).map(|found| found.visit))
            .collect()
    }
}

/// The counts at the top of the day's list.
pub fn counts(visits: &[Visit]) -> DayCounts {
    let mut counts = DayCounts::default();
    for visit in visits {
        match visit.status {
            VisitStatus::Cancelled | VisitStatus::Moved => continue,
            VisitStatus::NoShow => counts.no_show += 1,
            VisitStatus::BiometricsCaptured | VisitStatus::HandedOver => counts.done += 1,
            VisitStatus::Booked => {}
            VisitStatus::CheckedIn
            | VisitStatus::DocumentsVerified
            | VisitStatus::IdentityConfirmed => counts.checked_in += 1,
        }
        counts.expected += 1;
    }
    counts
}

/// Whether a visit matches the list's search: a reference, a phone number
/// (any way it is written) or part of a name.
pub fn matches_search(visit: &Visit, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return true;
    }
    if let Ok(reference) = ApplicationReference::parse(query) {
        return visit.reference == reference.to_string();
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 4 && digits.len() * 2 >= query.chars().filter(|c| !c.is_whitespace()).count()
    {
        let digits = digits
            .trim_start_matches('0')
            .trim_start_matches("254")
            .to_string();
        return visit.phone.as_deref().is_some_and(|phone| {
            phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
                .ends_with(&digits)
        });
    }
    let needle = query.to_lowercase();
    visit.name.to_lowercase().contains(&needle) || visit.reference.to_lowercase().contains(&needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::pages::staff::VisitKind;

    fn visit(status: VisitStatus) -> Visit {
        Visit {
            booking_id: "b".into(),
            reference: "HN-ABCD-EFG2".into(),
            kind: VisitKind::Enrolment,
            status,
            minute: 600,
            name: "Wanjiru Achieng Otieno".into(),
            phone: Some("+254712345678".into()),
        }
    }

    #[test]
    fn counts_leave_out_cancelled_bookings() {
        use VisitStatus::*;
        let visits: Vec<Visit> = [
            Booked,
            CheckedIn,
            DocumentsVerified,
            BiometricsCaptured,
            HandedOver,
            NoShow,
            Cancelled,
        ]
        .into_iter()
        .map(visit)
        .collect();
        assert_eq!(
            counts(&visits),
            DayCounts {
                expected: 6,
                checked_in: 2,
                done: 2,
                no_show: 1
            }
        );
    }

    #[test]
    fn search_finds_names_and_phones_however_written() {
        let v = visit(VisitStatus::Booked);
        assert!(matches_search(&v, "achieng"));
        assert!(matches_search(&v, "0712 345 678"));
        assert!(matches_search(&v, "+254712345678"));
        assert!(matches_search(&v, "5678"));
        assert!(!matches_search(&v, "0799 000 111"));
        assert!(!matches_search(&v, "kamau"));
        assert!(matches_search(&v, ""));
    }
}
