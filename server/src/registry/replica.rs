//! The local replica: the registry's records in the portal's own database
//! (tables `registry_births` and `registry_persons`).

use super::{BirthRecord, LifeStatus, PersonRecord, Registry, RegistryError, Sex};
use app::identifiers::{BirthCertificateNumber, NationalIdNumber};
use sqlx::AnyPool;

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

fn sex(code: &str) -> Result<Sex, RegistryError> {
    Sex::read(code).ok_or_else(|| corrupt("sex"))
}

fn date_of_birth(text: &str) -> Result<app::dates::CivilDate, RegistryError> {
    text.parse().map_err(|()| corrupt("date of birth"))
}

#[derive(sqlx::FromRow)]
struct BirthRow {
    birth_cert_no: String,
    surname: String,
    given_names: String,
    sex: String,
    date_of_birth: String,
    county_code: String,
    mother_name: Option<String>,
    mother_id_no: Option<String>,
    father_name: Option<String>,
    father_id_no: Option<String>,
    status: Option<String>,
}

impl TryFrom<BirthRow> for BirthRecord {
    type Error = RegistryError;

    fn try_from(row: BirthRow) -> Result<Self, RegistryError> {
        Ok(BirthRecord {
            sex: sex(&row.sex)?,
            date_of_birth: date_of_birth(&row.date_of_birth)?,
            // No status: from an older export, which recorded no deaths
            // (the column's migration says NULL is alive).
            status: match row.status {
                None => LifeStatus::Alive,
                Some(code) => LifeStatus::read(&code).ok_or_else(|| corrupt("status"))?,
            },
            birth_cert_no: row.birth_cert_no,
            surname: row.surname,
            given_names: row.given_names,
            county_code: row.county_code,
            mother_name: row.mother_name,
            mother_id_no: row.mother_id_no,
            father_name: row.father_name,
            father_id_no: row.father_id_no,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id_no: String,
    surname: String,
    given_names: String,
    sex: String,
    date_of_birth: String,
    birth_cert_no: Option<String>,
    status: String,
}

impl TryFrom<PersonRow> for PersonRecord {
    type Error = RegistryError;

    fn try_from(row: PersonRow) -> Result<Self, RegistryError> {
        Ok(PersonRecord {
            sex: sex(&row.sex)?,
            date_of_birth: date_of_birth(&row.date_of_birth)?,
            status: LifeStatus::read(&row.status).ok_or_else(|| corrupt("status"))?,
            id_no: row.id_no,
            surname: row.surname,
            given_names: row.given_names,
            birth_cert_no: row.birth_cert_no,
        })
    }
}

#[async_trait::async_trait]
impl Registry for LocalReplica {
    async fn birth_record(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<BirthRecord>, RegistryError> {
        let row = sqlx::query_as::<_, BirthRow>(
            "SELECT birth_cert_no, surname, given_names, sex, date_of_birth, county_code, \
             mother_name, mother_id_no, father_name, father_id_no, status \
             FROM registry_births WHERE birth_cert_no = $1",
        )
        .bind(birth_cert_no.as_ref())
        .fetch_optional(&self.db)
        .await?;
        row.map(BirthRecord::try_from).transpose()
    }

    async fn person(
        &self,
        id_no: &NationalIdNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        let row = sqlx::query_as::<_, PersonRow>(concat!(select_person!(), " WHERE id_no = $1"))
            .bind(id_no.as_ref())
            .fetch_optional(&self.db)
            .await?;
        row.map(PersonRecord::try_from).transpose()
    }

    async fn holder_of_birth_certificate(
        &self,
        birth_cert_no: &BirthCertificateNumber,
    ) -> Result<Option<PersonRecord>, RegistryError> {
        let row = sqlx::query_as::<_, PersonRow>(concat!(
            select_person!(),
            " WHERE birth_cert_no = $1 ORDER BY id_no LIMIT 1"
        ))
        .bind(birth_cert_no.as_ref())
        .fetch_optional(&self.db)
        .await?;
        row.map(PersonRecord::try_from).transpose()
    }
}
