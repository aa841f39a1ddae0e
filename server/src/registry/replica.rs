//! The local replica: the registry's records in the portal's own database
//! (tables `registry_births` and `registry_persons`).

use super::{BirthRecord, LifeStatus, PersonRecord, Registry, RegistryError, Sex};
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use sqlx::{AnyPool, Row, any::AnyRow};

#[derive(Clone)]
pub struct LocalReplica {
    db: AnyPool,
}

impl LocalReplica {
    pub fn new(db: AnyPool) -> Self {
        LocalReplica { db }
    }
}

/// A macro rather than a `const` so that `concat!` builds each query at
/// compile time: no allocation on the lookup path.
macro_rules! select_person {
    () => {
        "SELECT id_no, surname, given_names, sex, date_of_birth, birth_cert_no, status FROM registry_persons"
    };
}

fn corrupt(what: &str) -> RegistryError {
    RegistryError::Protocol(format!("the replica holds an unreadable {what}"))
}

fn sex(row: &AnyRow) -> Result<Sex, RegistryError> {
    Sex::read(row.try_get("sex")?).ok_or_else(|| corrupt("sex"))
}

fn date_of_birth(row: &AnyRow) -> Result<app::dates::CivilDate, RegistryError> {
    row.try_get::<String, _>("date_of_birth")?
        .parse()
        .map_err(|()| corrupt("date of birth"))
}

fn birth_from_row(row: &AnyRow) -> Result<BirthRecord, RegistryError> {
    Ok(BirthRecord {
        birth_cert_no: row.try_get("birth_cert_no")?,
        surname: row.try_get("surname")?,
        given_names: row.try_get("given_names")?,
        sex: sex(row)?,
        date_of_birth: date_of_birth(row)?,
        county_code: row.try_get("county_code")?,
        mother_name: row.try_get("mother_name")?,
        mother_id_no: row.try_get("mother_id_no")?,
        father_name: row.try_get("father_name")?,
        father_id_no: row.try_get("father_id_no")?,
        status: match row.try_get::<Option<String>, _>("status")? {
            None => LifeStatus::Alive,
            Some(code) => LifeStatus::read(&code).ok_or_else(|| corrupt("status"))?,
        },
    })
}

fn person_from_row(row: &AnyRow) -> Result<PersonRecord, RegistryError> {
    Ok(PersonRecord {
        id_no: row.try_get("id_no")?,
        surname: row.try_get("surname")?,
        given_names: row.try_get("given_names")?,
        sex: sex(row)?,
        date_of_birth: date_of_birth(row)?,
        birth_cert_no: row.try_get("birth_cert_no")?,
        status: LifeStatus::read(row.try_get("status")?).ok_or_else(|| corrupt("status"))?,
    })
}

#[async_trait::async_trait]
impl Registry for LocalReplica {
    async fn birth_record(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<BirthRecord>, RegistryError> {
        let row = sqlx::query(
            "SELECT birth_cert_no, surname, given_names, sex, date_of_birth, county_code, \
             mother_name, mother_id_no, father_name, father_id_no, status \
             FROM registry_births WHERE birth_cert_no = $1",
        )
        .bind(birth_cert_no.as_ref())
        .fetch_optional(&self.db)
        .await?;
        row.as_ref().map(birth_from_row).transpose()
    }

    async fn person(
        &self,
        id_no: &NationalIdNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        let row = sqlx::query(concat!(select_person!(), " WHERE id_no = $1"))
            .bind(id_no.as_ref())
            .fetch_optional(&self.db)
            .await?;
        row.as_ref().map(person_from_row).transpose()
    }

    async fn holder_of_birth_certificate(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        let row = sqlx::query(concat!(
            select_person!(),
            " WHERE birth_cert_no = $1 ORDER BY id_no LIMIT 1"
        ))
        .bind(birth_cert_no.as_ref())
        .fetch_optional(&self.db)
        .await?;
        row.as_ref().map(person_from_row).transpose()
    }
}
