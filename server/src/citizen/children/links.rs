//! A child's link to the adults who registered them: adding a child from
//! the birth record, the second parent joining the application, and the
//! link an adult holds. Who *sees* a child's application is decided in
//! `Applications::visible_to`.

use super::{Children, status};
use crate::crypto::columns;
use crate::crypto::columns::APPLICATION_ANSWERS;
use crate::registry::LifeStatus;
use crate::registry::verification::{ApplicationKind, same_name};
use app::application::fields;
use app::application::{AboutYou, Answers, Location, Sex};
use app::dates::CivilDate;
use app::identifiers::{
    BirthCertificateNumber, CountyCode, FieldError, NationalIdNumber, PersonName,
};
use app::pages::children::Role;

/// Children one account may register (guardianship is the unproven route).
pub const MAX_CHILDREN_PER_ACCOUNT: i64 = 10;

/// What adding a child came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// A new application; the adult's role; a guardian must upload a document.
    Created { id: String, role: Role },
    /// This account already registered the child.
    AlreadyYours(String),
    /// The other parent registered the child; this adult, a listed parent
    /// too, may add their consent to that application.
    OtherParentFirst(String),
    /// Refused: the field at fault and why.
    Refused(&'static str, FieldError),
}

/// The adult's link to a child.
#[derive(Clone, Debug)]
pub struct Link {
    pub role: Role,
    pub status: String,
    pub consented: bool,
    pub review_reason: Option<String>,
}

impl Children<'_> {
    /// Adds a child from the birth record. `as_guardian`: the adult says
    /// they are the child's guardian rather than a parent.
    #[allow(clippy::too_many_arguments)]
    pub async fn add(
        &self,
        account: &str,
        adult: &NationalIdNumber,
        birth_cert: &BirthCertificateNumber,
        surname: &PersonName,
        given_names: &PersonName,
        as_guardian: bool,
        today: CivilDate,
        now: i64,
    ) -> anyhow::Result<Added> {
        let record = match self.registry.birth_record(birth_cert).await {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%error, "registry unavailable for a child's birth record");
                return Ok(Added::Refused(
                    fields::BIRTH_CERTIFICATE,
                    FieldError::RegistryDown,
                ));
            }
        };
        // Not found, a name that differs and a death registered against
        // the record are one answer, at the certificate whichever it is.
        let Some(record) = record.filter(|record| {
            same_name(surname, &record.surname)
                && same_name(given_names, &record.given_names)
                && record.status == LifeStatus::Alive
        }) else {
            return Ok(Added::Refused(
                fields::BIRTH_CERTIFICATE,
                FieldError::RegistryMismatch,
            ));
        };
        let age = record.date_of_birth.age_on(today);
        if age < self.ages.minor_min_age {
            return Ok(Added::Refused(
                fields::BIRTH_CERTIFICATE,
                FieldError::ChildTooYoung,
            ));
        }
        if age >= self.ages.adult_age {
            return Ok(Added::Refused(
                fields::BIRTH_CERTIFICATE,
                FieldError::ChildAdult,
            ));
        }
        let listed = if record.mother_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Mother)
        } else if record.father_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Father)
        } else {
            None
        };
        let role = match (listed, as_guardian) {
            (Some(parent), _) => parent,
            // Not a parent on the record: a claim, which a supervisor reviews.
            (None, true) => return self.file_claim(account, &record, birth_cert, now).await,
            (None, false) if record.mother_id_no.is_none() && record.father_id_no.is_none() => {
                return Ok(Added::Refused(
                    fields::RELATIONSHIP,
                    FieldError::ChildNoParentIds,
                ));
            }
            (None, false) => {
                return Ok(Added::Refused(
                    fields::RELATIONSHIP,
                    FieldError::ChildOtherParents,
                ));
            }
        };

        let index = self
            .cipher
            .blind_index(columns::BIRTH_CERTIFICATE_INDEX, birth_cert.as_ref());
        if let Some((id, owner)) = self.active_for(&index).await? {
            let mine: Option<String> = sqlx::query_scalar(
                "SELECT status FROM child_links WHERE application_id = $1 AND account_id = $2 AND status <> 'withdrawn'",
            )
            .bind(&id)
            .bind(account)
            .fetch_optional(self.db)
            .await?;
            return Ok(if owner == account || mine.is_some() {
                Added::AlreadyYours(id)
            } else {
                Added::OtherParentFirst(id)
            });
        }
        if let Some(refused) = self.over_child_limit(account).await? {
            return Ok(refused);
        }

        let answers = child_answers(&record, birth_cert)?;
        let id = crate::crypto::random_id();
        let mut tx = crate::db::begin(self.db).await?;
        let inserted = sqlx::query(
            "INSERT INTO applications (id, account_id, kind, state, answers, active_birth_cert_index, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(account)
        .bind(ApplicationKind::MinorCard.code())
        .bind(self.cipher.encrypt(&APPLICATION_ANSWERS, &id, &serde_json::to_vec(&answers)?))
        .bind(&index)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // The other parent added the child a moment ago.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                drop(tx);
                return Ok(match self.active_for(&index).await? {
                    Some((id, _)) => Added::OtherParentFirst(id),
                    None => Added::Refused(fields::BIRTH_CERTIFICATE, FieldError::ChildTaken),
                });
            }
            Err(error) => return Err(error.into()),
        }
        insert_link(&mut tx, &id, account, role, status::PROVEN, now).await?;
        tx.commit().await?;
        tracing::info!(application = %id, role = role.code(), "child added");
        Ok(Added::Created { id, role })
    }

    async fn active_for(&self, birth_cert_index: &str) -> anyhow::Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, account_id FROM applications WHERE active_birth_cert_index = $1",
        )
        .bind(birth_cert_index)
        .fetch_optional(self.db)
        .await?)
    }

    /// The refusal for an account that already holds the most children's
    /// applications (and claims) it may, if it does.
    pub(super) async fn over_child_limit(&self, account: &str) -> anyhow::Result<Option<Added>> {
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications WHERE account_id = $1 AND kind = 'minor_card' \
             AND state NOT IN ('cancelled', 'expired', 'collected')",
        )
        .bind(account)
        .fetch_one(self.db)
        .await?;
        Ok((held >= MAX_CHILDREN_PER_ACCOUNT).then_some(Added::Refused(
            fields::BIRTH_CERTIFICATE,
            FieldError::ChildTooMany,
        )))
    }

    /// The second parent joins the child's application: only if their
    /// proven ID is on the child's birth record. `None`: not allowed (the
    /// caller shows 404).
    pub async fn join(
        &self,
        account: &str,
        adult: &NationalIdNumber,
        id: &str,
        now: i64,
    ) -> anyhow::Result<Option<Role>> {
        let Some(role) = self.listed_role(adult, id).await? else {
            return Ok(None);
        };
        let mut tx = crate::db::begin(self.db).await?;
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT status FROM child_links WHERE application_id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account)
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            None => insert_link(&mut tx, id, account, role, status::PROVEN, now).await?,
            Some(_) => {
                sqlx::query(
                    "UPDATE child_links SET status = 'proven', consented = 0, updated_at = $3 WHERE application_id = $1 AND account_id = $2",
                )
                .bind(id)
                .bind(account)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(role))
    }

    /// Whether this adult's ID is the mother's or father's on the birth
    /// record of the active child application `id`.
    pub async fn listed_role(
        &self,
        adult: &NationalIdNumber,
        id: &str,
    ) -> anyhow::Result<Option<Role>> {
        let sealed: Option<Vec<u8>> = sqlx::query_scalar("SELECT answers FROM applications WHERE id = $1 AND kind = 'minor_card' AND active_birth_cert_index IS NOT NULL")
            .bind(id)
            .fetch_optional(self.db)
            .await?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let Some(birth_cert) = self.answers_of(id, &sealed)?.birth_certificate else {
            return Ok(None);
        };
        // The parents are read from the registry, never kept in the
        // child's answers (they are other people's data).
        let Some(record) = self.registry.birth_record(&birth_cert).await? else {
            return Ok(None);
        };
        Ok(if record.mother_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Mother)
        } else if record.father_id_no.as_deref() == Some(adult.as_ref()) {
            Some(Role::Father)
        } else {
            None
        })
    }

    /// This account's link to the child, if any.
    pub async fn link(&self, account: &str, id: &str) -> anyhow::Result<Option<Link>> {
        let row = sqlx::query_as::<_, LinkRow>("SELECT role, status, consented, review_reason FROM child_links WHERE application_id = $1 AND account_id = $2")
            .bind(id)
            .bind(account)
            .fetch_optional(self.db)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Link {
            role: row.role,
            status: row.status,
            consented: row.consented == 1,
            review_reason: row.review_reason,
        }))
    }
}

impl Link {
    /// Whether this link gives its adult a parent's powers over the child's
    /// application (see it, book, consent, receive messages): a proven
    /// parent, or a guardian a supervisor approved. A claim gives none.
    pub fn empowers(&self) -> bool {
        status::empowers(&self.status)
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    #[sqlx(try_from = "String")]
    role: Role,
    status: String,
    consented: i64,
    review_reason: Option<String>,
}

/// The answers a child's application holds: what the birth record says.
pub(crate) fn child_answers(
    record: &crate::registry::BirthRecord,
    birth_cert: &BirthCertificateNumber,
) -> anyhow::Result<Answers> {
    let county = CountyCode::parse(&record.county_code)
        .map_err(|e| anyhow::anyhow!("county on a birth record: {e}"))?;
    let name = |text: &str| {
        PersonName::parse(text).map_err(|e| anyhow::anyhow!("name on a birth record: {e}"))
    };
    let sex = match record.sex {
        crate::registry::Sex::Female => Sex::Female,
        crate::registry::Sex::Male => Sex::Male,
    };
    Ok(Answers {
        about_you: Some(AboutYou {
            surname: name(&record.surname)?,
            given_names: name(&record.given_names)?,
            sex,
            date_of_birth: record.date_of_birth,
            county_of_birth: county,
            // Asked at the centre; the county of birth until then.
            county_of_residence: county,
            location: Location::parse(county.name())
                .map_err(|e| anyhow::anyhow!("county name as a location: {e}"))?,
        }),
        birth_certificate: Some(birth_cert.clone()),
        documents: None,
        contact: None,
        // The parents on the record are other people's data: never kept
        // here (`listed_role` reads them from the registry when needed).
        parents: None,
        pre_registration: None,
    })
}

pub(super) async fn insert_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    account: &str,
    role: Role,
    link_status: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO child_links (application_id, account_id, role, status, consented, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(id)
    .bind(account)
    .bind(role.code())
    .bind(link_status)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
