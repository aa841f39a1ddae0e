//! Cards ready: a supervisor marks a batch of applications enrolled at
//! their own centre (by reference) as having their card ready there. Each
//! is one conditional update from `biometrics_captured` that also requires
//! the enrolment at that centre, so a reference given twice, one not yet
//! enrolled, or another centre's, changes nothing.

use app::identifiers::ApplicationReference;
use app::pages::staff::CardOutcome;
use sqlx::AnyConnection;

/// Most references one batch may hold.
pub const MAX_BATCH: usize = 2000;

/// The references in pasted text or a CSV file: every token that reads as
/// one (any column, any separator), in order, without repeats, plus the
/// tokens that look like a reference but are not one (a typo).
pub fn references_in(text: &str) -> (Vec<ApplicationReference>, Vec<String>) {
    let mut found: Vec<ApplicationReference> = Vec::new();
    let mut broken = Vec::new();
    for token in
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '\t'))
    {
        let token = token.trim();
        if token.is_empty() {
            continue;
        }
        match ApplicationReference::parse(token) {
            Ok(reference) if !found.contains(&reference) => found.push(reference),
            Ok(_) => {}
            Err(_)
                if token.to_uppercase().starts_with("HN-")
                    || token.to_uppercase().starts_with("HN") && token.len() >= 10 =>
            {
                broken.push(token.chars().take(20).collect())
            }
            Err(_) => {}
        }
    }
    (found, broken)
}

/// Whether the application `a` was enrolled at the centre `$2`: its
/// enrolment booking there reached biometrics captured.
const ENROLLED_HERE: &str = "EXISTS (SELECT 1 FROM bookings b WHERE b.application_id = applications.id \
     AND b.kind = 'enrolment' AND b.status = 'biometrics_captured' AND b.centre_id = $2)";

/// Marks each reference's card ready at `centre`, the supervisor's own, on
/// the caller's connection `conn` (inside the transaction that also queues
/// the messages and records the audit events); returns what happened to
/// each and the ids of the applications now ready (to notify and audit).
/// Only an application enrolled at `centre` can be marked: any other
/// reference (another centre's, unknown, not enrolled yet) is
/// [`CardOutcome::NotAtCentre`], one answer for all. Each reference is
/// written before it is read, so SQLite takes its write lock at the first
/// statement.
pub async fn mark_ready(
    conn: &mut AnyConnection,
    references: &[ApplicationReference],
    centre: &str,
    now: i64,
) -> anyhow::Result<(Vec<(String, CardOutcome)>, Vec<String>)> {
    let mut outcomes = Vec::with_capacity(references.len());
    let mut ready = Vec::new();
    for reference in references {
        let reference = reference.to_string();
        let marked: Option<String> = sqlx::query_scalar(&format!(
            "UPDATE applications SET state = 'card_ready', card_centre_id = $2, updated_at = $3 \
             WHERE reference = $1 AND state = 'biometrics_captured' AND {ENROLLED_HERE} RETURNING id"
        ))
        .bind(&reference)
        .bind(centre)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        let outcome = if let Some(id) = marked {
            ready.push(id);
            CardOutcome::Ready
        } else {
            let state: Option<String> = sqlx::query_scalar(&format!(
                "SELECT state FROM applications WHERE reference = $1 AND {ENROLLED_HERE}"
            ))
            .bind(&reference)
            .bind(centre)
            .fetch_optional(&mut *conn)
            .await?;
            match state.as_deref() {
                Some("card_ready" | "collected") => CardOutcome::AlreadyReady,
                _ => CardOutcome::NotAtCentre,
            }
        };
        outcomes.push((reference, outcome));
    }
    Ok((outcomes, ready))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_in_any_column_once_each_and_typos_are_kept_apart() {
        let good = ApplicationReference::from_random([1, 2, 3, 4, 5, 6, 7]).to_string();
        let mut typo = good.clone();
        let last = typo.pop().unwrap();
        typo.push(if last == 'A' { 'B' } else { 'A' });
        let csv = format!(
            "reference,name\n{good},Wanjiru\n\"{}\",again\n{typo},x\nnot-a-reference,y\n",
            good.to_lowercase()
        );
        let (found, broken) = references_in(&csv);
        assert_eq!(
            found.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            vec![good]
        );
        assert_eq!(broken, vec![typo]);
    }
}
