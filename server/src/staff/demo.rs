//! A queue of demo applicants booked at a centre today, so that the staff
//! console has people to check in on a fresh development machine (and in
//! the browser tests). Development only: `usajili demo queue` refuses in
//! production. Applicants are taken from registry birth records of adults
//! who hold no ID and have no application yet, never one of the people the
//! README tells newcomers to try (`registry::synth::README_BIRTH_CERTS`),
//! who must still be able to apply on a fresh server.

use crate::citizen::children::child_answers;
use crate::citizen::reference::new_reference;
use crate::crypto::FieldCipher;
use crate::crypto::columns;
use crate::registry::{Registry, replica::LocalReplica};
use app::dates::CivilDate;
use app::identifiers::BirthCertificateNumber;
use sqlx::AnyPool;

/// One demo applicant in the queue.
#[derive(Clone, Debug)]
pub struct Queued {
    pub reference: String,
    pub name: String,
    pub booking_id: String,
    pub minute: u16,
}

/// A plain head-and-shoulders silhouette, as the demo applicants' photo.
fn silhouette() -> anyhow::Result<Vec<u8>> {
    let (w, h) = (300u32, 400u32);
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - 150.0, y as f32 - 150.0);
        let head = dx * dx / (70.0 * 70.0) + dy * dy / (90.0 * 90.0) <= 1.0;
        let (sx, sy) = (x as f32 - 150.0, y as f32 - 420.0);
        let shoulders = sx * sx / (140.0 * 140.0) + sy * sy / (170.0 * 170.0) <= 1.0;
        if head || shoulders {
            image::Rgb([90, 90, 100])
        } else {
            image::Rgb([230, 232, 236])
        }
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(crate::photo::clean(&png)
        .map_err(|e| anyhow::anyhow!("demo photo: {e:?}"))?
        .jpeg)
}

/// The next quarter hour after `now`, Nairobi time: where today's demo queue starts.
pub fn next_quarter(now: i64) -> u16 {
    (CivilDate::nairobi_minute_at(now) / 15 + 1) * 15
}

/// Books `people` demo applicants at `centre` on `day`, every
/// `slot_minutes` from `first_minute` (after closing time too: it is a demo).
pub async fn queue(
    db: &AnyPool,
    cipher: &FieldCipher,
    centre: &str,
    people: usize,
    (day, first_minute): (CivilDate, u16),
    now: i64,
) -> anyhow::Result<Vec<Queued>> {
    let centre_row: Option<(String, i64)> =
        sqlx::query_as("SELECT id, slot_minutes FROM centres WHERE id = $1")
            .bind(centre)
            .fetch_optional(db)
            .await?;
    let (centre, slot_minutes) =
        centre_row.ok_or_else(|| anyhow::anyhow!("no centre has the id {centre}"))?;
    let today = CivilDate::in_nairobi_at(now);
    let adult_born_by = today.add_days(-18 * 366).to_string();
    let candidates: Vec<String> = sqlx::query_scalar(
        "SELECT b.birth_cert_no FROM registry_births b WHERE b.date_of_birth <= $1 \
         AND NOT EXISTS (SELECT 1 FROM registry_persons p WHERE p.birth_cert_no = b.birth_cert_no) \
         ORDER BY b.birth_cert_no LIMIT 500",
    )
    .bind(&adult_born_by)
    .fetch_all(db)
    .await?;
    let registry = LocalReplica::new(db.clone());
    let photo = silhouette()?;
    let step = slot_minutes.clamp(5, 60) as u16;
    let mut next_minute = first_minute;
    let mut queued = Vec::new();
    for certificate in candidates {
        if queued.len() == people || next_minute >= 24 * 60 {
            break;
        }
        if crate::registry::synth::is_readme_person(&certificate) {
            continue;
        }
        let Ok(birth_cert) = BirthCertificateNumber::parse(&certificate) else {
            continue;
        };
        let index = cipher.blind_index(columns::BIRTH_CERTIFICATE_INDEX, birth_cert.as_ref());
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM applications WHERE active_birth_cert_index = $1")
                .bind(&index)
                .fetch_optional(db)
                .await?;
        if taken.is_some() {
            continue;
        }
        let Ok(Some(record)) = registry.birth_record(&birth_cert).await else {
            continue;
        };
        let answers = child_answers(&record, &birth_cert)?;
        let name = answers
            .about_you
            .as_ref()
            .map(|a| format!("{} {}", a.given_names, a.surname))
            .unwrap_or_default();
        let (account, application, booking) = (
            crate::crypto::random_id(),
            crate::crypto::random_id(),
            crate::crypto::random_id(),
        );
        let reference = new_reference().to_string();
        let mut tx = crate::db::begin(db).await?;
        sqlx::query("INSERT INTO accounts (id, contact_index, contact, contact_kind, created_at) VALUES ($1, $2, $3, 'email', $4)")
            .bind(&account)
            .bind(cipher.blind_index(columns::CONTACT_INDEX, &format!("demo-{account}@demo.usajili.go.ke")))
            .bind(cipher.encrypt_str(&columns::ACCOUNT_CONTACT, &account, &format!("demo-{account}@demo.usajili.go.ke")))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, photo, reference, active_birth_cert_index, created_at, updated_at, submitted_at) \
             VALUES ($1, $2, 'adult_id', 'booked', $3, $4, $5, $6, $7, $7, $7)",
        )
        .bind(&application)
        .bind(&account)
        .bind(cipher.encrypt(&columns::APPLICATION_ANSWERS, &application, &serde_json::to_vec(&answers)?))
        .bind(cipher.encrypt(&columns::APPLICATION_PHOTO, &application, &photo))
        .bind(&reference)
        .bind(&index)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO bookings (id, application_id, kind, centre_id, day, slot, seat, starts_at, live, status, created_at) \
             SELECT $1, $2, 'enrolment', $3, $4, $5, n, $6, 1, 'booked', $7 FROM seat_numbers \
             WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.centre_id = $3 AND b.day = $4 AND b.slot = $5 \
             AND b.live = 1 AND b.seat = seat_numbers.n) ORDER BY n LIMIT 1",
        )
        .bind(&booking)
        .bind(&application)
        .bind(&centre)
        .bind(day.to_string())
        .bind(i64::from(next_minute))
        .bind(day.nairobi_unix_at(next_minute))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        queued.push(Queued {
            reference,
            name,
            booking_id: booking,
            minute: next_minute,
        });
        next_minute += step;
    }
    Ok(queued)
}
