//! `usajili registry synth`: a deterministic synthetic population, written
//! as the two CSV files that `registry import` reads. The same `--people`
//! and `--seed` always give the same files.
//!
//! Households of two parents holding IDs and their children, whose birth
//! records name them; grown children who already hold an ID; older people
//! born before birth registration was routine (no birth record); some
//! deceased people; some birth records with a misspelt name; some with no
//! parent ID (the guardian route). The first household is always the same
//! demo family, which the README lists.

use super::{LifeStatus, Sex};
use app::dates::CivilDate;
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// The seed of the population the portal seeds in development.
pub const DEMO_SEED: u64 = 2019;

/// Ages are computed against this date, not today, so output never drifts.
pub fn reference_date() -> CivilDate {
    CivilDate::new(2026, 11, 1).expect("a real date")
}

struct Community {
    surnames: &'static [&'static str],
    female: &'static [&'static str],
    male: &'static [&'static str],
    counties: &'static [u8],
}

const COMMUNITIES: &[Community] = &[
    Community {
        // Kikuyu
        surnames: &[
            "Kamau",
            "Njoroge",
            "Mwangi",
            "Kariuki",
            "Ng'ang'a",
            "Githinji",
            "Kinyanjui",
            "Macharia",
            "Kiarie",
            "Gachanja",
        ],
        female: &[
            "Wanjiru", "Njeri", "Wambui", "Muthoni", "Wairimu", "Nyambura", "Wangari",
        ],
        male: &["Kamau", "Mwangi", "Kimani", "Njuguna", "Gitau", "Maina"],
        counties: &[22, 19, 20, 21, 18, 47],
    },
    Community {
        // Luo
        surnames: &[
            "Otieno", "Odhiambo", "Ochieng", "Onyango", "Owino", "Omondi", "Oduor", "Okoth",
        ],
        female: &[
            "Achieng", "Akinyi", "Adhiambo", "Awuor", "Atieno", "Anyango",
        ],
        male: &["Otieno", "Odhiambo", "Ouma", "Okello", "Oloo"],
        counties: &[42, 41, 43, 44, 47],
    },
    Community {
        // Luhya
        surnames: &[
            "Wafula", "Wanjala", "Barasa", "Simiyu", "Wekesa", "Makokha", "Khaemba", "Shikuku",
        ],
        female: &["Nafula", "Nekesa", "Naliaka", "Nasimiyu", "Khavere"],
        male: &["Wafula", "Wanjala", "Wekesa", "Mukhwana"],
        counties: &[37, 38, 39, 40, 47],
    },
    Community {
        // Kalenjin
        surnames: &[
            "Kiprono",
            "Cheruiyot",
            "Kiptoo",
            "Rotich",
            "Koech",
            "Langat",
            "Kipchoge",
            "Kirui",
        ],
        female: &[
            "Chebet",
            "Jepkoech",
            "Jeptoo",
            "Chepkemoi",
            "Jerop",
            "Cherono",
        ],
        male: &["Kiprono", "Kipkemboi", "Kiptoo", "Kibet"],
        counties: &[27, 28, 29, 30, 35, 36],
    },
    Community {
        // Kamba
        surnames: &[
            "Mutua", "Musyoka", "Kioko", "Nzioka", "Wambua", "Kilonzo", "Mutiso",
        ],
        female: &["Mwikali", "Mumbua", "Ndunge", "Mwende", "Kanini"],
        male: &["Mutua", "Musyoka", "Kioko", "Muema"],
        counties: &[15, 16, 17, 47],
    },
    Community {
        // Kisii
        surnames: &[
            "Ondieki", "Nyamweya", "Onchari", "Bosire", "Omwenga", "Nyakundi",
        ],
        female: &["Nyaboke", "Moraa", "Kerubo", "Kemunto", "Bochere"],
        male: &["Ondieki", "Onchari", "Nyakundi", "Momanyi"],
        counties: &[45, 46],
    },
    Community {
        // Meru
        surnames: &[
            "Mutembei", "Kinoti", "Gitonga", "Murithi", "Mwiti", "Kirimi",
        ],
        female: &["Kawira", "Nkatha", "Kendi", "Makena", "Gatwiri"],
        male: &["Mutembei", "Kinoti", "Gitonga", "Mwenda"],
        counties: &[12, 13],
    },
    Community {
        // Mijikenda
        surnames: &[
            "Kazungu", "Kahindi", "Karisa", "Baya", "Kenga", "Mwamburi", "Charo",
        ],
        female: &["Kadzo", "Mbeyu", "Kadzo", "Sidi", "Dama"],
        male: &["Kazungu", "Karisa", "Charo", "Katana"],
        counties: &[1, 2, 3],
    },
    Community {
        // Somali
        surnames: &[
            "Abdullahi",
            "Mohamed",
            "Hassan",
            "Hussein",
            "Farah",
            "Abdi",
            "Ibrahim",
        ],
        female: &["Fatuma", "Amina", "Halima", "Hodan", "Sahra", "Ubah"],
        male: &["Abdullahi", "Mohamed", "Hassan", "Abdirahman", "Yusuf"],
        counties: &[7, 8, 9, 11, 47],
    },
    Community {
        // Maasai
        surnames: &[
            "Sankale", "Lekishon", "Saitoti", "Parsitau", "Kisemei", "Nkoitiko",
        ],
        female: &["Naserian", "Nashipae", "Naipanoi", "Resiato", "Nalangu"],
        male: &["Sankale", "Lekishon", "Saitoti", "Lemayian"],
        counties: &[33, 34],
    },
    Community {
        // Turkana
        surnames: &["Ekai", "Lokol", "Ewoi", "Lotukoi", "Ekaale", "Nakadio"],
        female: &["Akai", "Nakiru", "Ekiru", "Akiru", "Nakaale"],
        male: &["Ekai", "Lokol", "Ewoi", "Emuria"],
        counties: &[23, 25],
    },
];

const FEMALE_FIRST: &[&str] = &[
    "Mary", "Grace", "Faith", "Mercy", "Esther", "Ruth", "Janet", "Sharon", "Ann", "Zainab",
    "Aisha", "Khadija", "Joy", "Beatrice",
];
const MALE_FIRST: &[&str] = &[
    "John", "Peter", "Joseph", "David", "James", "Daniel", "Samuel", "Brian", "Kevin", "Ali",
    "Omar", "Yusuf", "Dennis", "Victor",
];

#[derive(Clone, Debug)]
struct Person {
    surname: String,
    given_names: String,
    sex: Sex,
    date_of_birth: CivilDate,
    county: u8,
    id_no: Option<String>,
    birth_cert_no: Option<String>,
    status: LifeStatus,
}

impl Person {
    fn full_name(&self) -> String {
        format!("{} {}", self.given_names, self.surname)
    }
}

struct Generator<B: Write, P: Write> {
    rng: ChaCha8Rng,
    next_id: u32,
    next_birth_cert: u64,
    births: csv::Writer<B>,
    persons: csv::Writer<P>,
    written: u64,
}

impl<B: Write, P: Write> Generator<B, P> {
    fn date_aged(&mut self, min_age: i32, max_age: i32) -> CivilDate {
        let today = reference_date();
        let year = today.year() - self.rng.random_range(min_age..=max_age);
        let month = self.rng.random_range(1..=12u8);
        let day = self
            .rng
            .random_range(1..=app::dates::days_in_month(year, month));
        let date = CivilDate::new(year, month, day).expect("a day within its month");
        // Keep ages inside the range on either side of the birthday.
        if date.age_on(today) < min_age {
            CivilDate::new(year - 1, month, day.min(28)).expect("valid")
        } else {
            date
        }
    }

    fn id_no(&mut self) -> String {
        self.next_id += 1;
        format!("{:08}", self.next_id)
    }

    fn birth_cert_no(&mut self) -> String {
        self.next_birth_cert += self.rng.random_range(1..=97);
        format!("{}", self.next_birth_cert)
    }

    fn name_for(&mut self, c: &Community, sex: Sex) -> String {
        let (first, local) = match sex {
            Sex::Female => (FEMALE_FIRST, c.female),
            Sex::Male => (MALE_FIRST, c.male),
        };
        let first = first.choose(&mut self.rng).expect("names");
        let local = local.choose(&mut self.rng).expect("names");
        if self.rng.random_bool(0.5) {
            format!("{first} {local}")
        } else {
            (*first).to_string()
        }
    }

    fn adult(
        &mut self,
        c: &Community,
        sex: Sex,
        surname: &str,
        min_age: i32,
        max_age: i32,
    ) -> Person {
        let date_of_birth = self.date_aged(min_age, max_age);
        // Birth registration was far from universal before the 1980s.
        let registered_at_birth = date_of_birth.year() >= 1980 || self.rng.random_bool(0.3);
        Person {
            surname: surname.to_string(),
            given_names: self.name_for(c, sex),
            sex,
            date_of_birth,
            county: *c.counties.choose(&mut self.rng).expect("counties"),
            id_no: Some(self.id_no()),
            birth_cert_no: registered_at_birth.then(|| self.birth_cert_no()),
            status: if self.rng.random_bool(0.03) {
                LifeStatus::Deceased
            } else {
                LifeStatus::Alive
            },
        }
    }

    fn write_person(&mut self, p: &Person) -> anyhow::Result<()> {
        if let Some(id_no) = &p.id_no {
            self.persons.write_record([
                id_no.as_str(),
                &p.surname,
                &p.given_names,
                p.sex.code(),
                &p.date_of_birth.to_string(),
                p.birth_cert_no.as_deref().unwrap_or(""),
                p.status.code(),
            ])?;
        }
        self.written += 1;
        Ok(())
    }

    /// A birth record; `misspell` changes one letter of the given names as a
    /// registry clerk might have.
    fn write_birth(
        &mut self,
        p: &Person,
        mother: Option<&Person>,
        father: Option<&Person>,
        misspell: bool,
    ) -> anyhow::Result<()> {
        let Some(no) = &p.birth_cert_no else {
            return Ok(());
        };
        let given = if misspell {
            misspelt(&p.given_names, &mut self.rng)
        } else {
            p.given_names.clone()
        };
        let parent_name = |x: Option<&Person>| x.map(Person::full_name).unwrap_or_default();
        let parent_id = |x: Option<&Person>| x.and_then(|x| x.id_no.clone()).unwrap_or_default();
        self.births.write_record([
            no.as_str(),
            &p.surname,
            &given,
            p.sex.code(),
            &p.date_of_birth.to_string(),
            &format!("{:03}", p.county),
            &parent_name(mother),
            &parent_id(mother),
            &parent_name(father),
            &parent_id(father),
            p.status.code(),
        ])?;
        Ok(())
    }
}

/// Drops or doubles one letter of a name longer than three letters.
fn misspelt(name: &str, rng: &mut ChaCha8Rng) -> String {
    let chars: Vec<char> = name.chars().collect();
    let candidates: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    let Some(&i) = candidates.choose(rng) else {
        return format!("{name}h");
    };
    let mut out: Vec<char> = chars.clone();
    if rng.random_bool(0.5) {
        out.remove(i);
    } else {
        out.insert(i, chars[i]);
    }
    out.into_iter().collect()
}

/// Writes about `people` people (whole households) to the two writers.
pub fn generate(
    people: u64,
    seed: u64,
    births: impl Write,
    persons: impl Write,
) -> anyhow::Result<u64> {
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(seed),
        next_id: 20_000_000,
        next_birth_cert: 1_000_000,
        births: csv::Writer::from_writer(births),
        persons: csv::Writer::from_writer(persons),
        written: 0,
    };
    g.births.write_record(super::import::BIRTHS_HEADER)?;
    g.persons.write_record(super::import::PERSONS_HEADER)?;
    write_demo_family(&mut g)?;
    while g.written < people {
        let c = COMMUNITIES.choose(&mut g.rng).expect("communities");
        let surname = c.surnames.choose(&mut g.rng).expect("surnames").to_string();
        let father = g.adult(c, Sex::Male, &surname, 30, 70);
        let mother_surname = c.surnames.choose(&mut g.rng).expect("surnames").to_string();
        let mother = g.adult(c, Sex::Female, &mother_surname, 26, 65);
        for parent in [&father, &mother] {
            g.write_person(parent)?;
            g.write_birth(parent, None, None, false)?;
        }
        let children = g.rng.random_range(0..=4);
        // Some records name no parent ID: the father was not recorded, or
        // the mother had no ID when the child was registered.
        let father_on_record = g.rng.random_bool(0.9);
        let mother_id_on_record = g.rng.random_bool(0.95);
        for _ in 0..children {
            let sex = if g.rng.random_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            };
            let youngest_parent_age = mother
                .date_of_birth
                .age_on(reference_date())
                .min(father.date_of_birth.age_on(reference_date()));
            let max_age = (youngest_parent_age - 18).clamp(0, 40);
            let mut child = Person {
                surname: surname.clone(),
                given_names: g.name_for(c, sex),
                sex,
                date_of_birth: g.date_aged(0, max_age),
                county: *c.counties.choose(&mut g.rng).expect("counties"),
                id_no: None,
                birth_cert_no: None,
                status: if g.rng.random_bool(0.005) {
                    LifeStatus::Deceased
                } else {
                    LifeStatus::Alive
                },
            };
            child.birth_cert_no = Some(g.birth_cert_no());
            // Grown children who have already been issued an ID.
            if child.date_of_birth.age_on(reference_date()) >= 18 && g.rng.random_bool(0.7) {
                child.id_no = Some(g.id_no());
            }
            let mother_rec = Person {
                id_no: mother.id_no.clone().filter(|_| mother_id_on_record),
                ..mother.clone()
            };
            let misspell = g.rng.random_bool(0.03);
            g.write_birth(
                &child,
                Some(&mother_rec),
                father_on_record.then_some(&father),
                misspell,
            )?;
            g.write_person(&child)?;
        }
    }
    g.births.flush()?;
    g.persons.flush()?;
    Ok(g.written)
}

/// The birth certificates of the Otieno family, the people the README
/// tells newcomers to try ("People to try"): the one list that the demo
/// queue leaves alone (`staff::demo`) and that a test holds the README to.
pub const README_BIRTH_CERTS: [&str; 6] = [
    "1000001", "1000002", "1000100", "1000101", "1000102", "1000103",
];

/// Whether `birth_cert_no` is one of the README's people, whom nothing
/// made for a demo (the staff console's queue) may ever take.
pub fn is_readme_person(birth_cert_no: &str) -> bool {
    README_BIRTH_CERTS.contains(&birth_cert_no)
}

/// The Otieno family, always first, for demos and the README: Grace
/// (mother, ID 20000001), Peter (father, ID 20000002), Juma (born
/// 2007-01-15, birth certificate 1000100, an adult with no ID yet), Baraka (born
/// 2015-06-15, birth certificate 1000101) and Amani (born 2010-03-02,
/// birth certificate 1000102), and Neema (born 2022-08-20, certificate 1000103).
fn write_demo_family<B: Write, P: Write>(g: &mut Generator<B, P>) -> anyhow::Result<()> {
    let date = |y, m, d| CivilDate::new(y, m, d).expect("a real date");
    let person =
        |surname: &str, given: &str, sex, dob, id: Option<&str>, cert: Option<&str>| Person {
            surname: surname.into(),
            given_names: given.into(),
            sex,
            date_of_birth: dob,
            county: 42,
            id_no: id.map(Into::into),
            birth_cert_no: cert.map(Into::into),
            status: LifeStatus::Alive,
        };
    let mother = person(
        "Otieno",
        "Grace Achieng",
        Sex::Female,
        date(1988, 4, 12),
        Some("20000001"),
        Some("1000001"),
    );
    let father = person(
        "Otieno",
        "Peter Ouma",
        Sex::Male,
        date(1985, 9, 30),
        Some("20000002"),
        Some("1000002"),
    );
    let children = [
        person(
            "Otieno",
            "Juma Onyango",
            Sex::Male,
            date(2007, 1, 15),
            None,
            Some("1000100"),
        ),
        person(
            "Otieno",
            "Baraka Odhiambo",
            Sex::Male,
            date(2015, 6, 15),
            None,
            Some("1000101"),
        ),
        person(
            "Otieno",
            "Amani Akinyi",
            Sex::Female,
            date(2010, 3, 2),
            None,
            Some("1000102"),
        ),
        person(
            "Otieno",
            "Neema Atieno",
            Sex::Female,
            date(2022, 8, 20),
            None,
            Some("1000103"),
        ),
    ];
    for parent in [&mother, &father] {
        g.write_person(parent)?;
        g.write_birth(parent, None, None, false)?;
    }
    for child in &children {
        g.write_birth(child, Some(&mother), Some(&father), false)?;
        g.write_person(child)?;
    }
    g.next_id = g.next_id.max(20_000_002);
    g.next_birth_cert = g.next_birth_cert.max(1_001_000);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The birth certificates in the README's "People to try" table.
    fn readme_birth_certs() -> Vec<String> {
        let readme = include_str!("../../../README.md");
        let table = readme
            .split("### People to try")
            .nth(1)
            .expect("the README has its People to try")
            .split("\n#")
            .next()
            .unwrap();
        table
            .lines()
            .filter(|line| line.starts_with('|'))
            .filter_map(|line| line.split('|').nth(2).map(str::trim))
            .filter(|cell| cell.len() == 7 && cell.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_readme_s_people_are_the_ones_the_demo_leaves_alone() {
        let in_readme = readme_birth_certs();
        assert_eq!(in_readme.len(), 6, "{in_readme:?}");
        for cert in &in_readme {
            assert!(is_readme_person(cert), "{cert} is in the README");
        }
        // And the generator writes the family under exactly those numbers.
        let (births, _) = run(10, DEMO_SEED);
        let family: Vec<&str> = births
            .lines()
            .skip(1)
            .take(6)
            .map(|line| line.split(',').next().unwrap())
            .collect();
        let mut expected = README_BIRTH_CERTS.to_vec();
        let mut written = family.clone();
        expected.sort();
        written.sort();
        assert_eq!(written, expected);
    }
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn run(people: u64, seed: u64) -> (String, String) {
        let (b, p) = (Shared::default(), Shared::default());
        generate(people, seed, b.clone(), p.clone()).unwrap();
        let text = |s: Shared| String::from_utf8(s.0.lock().unwrap().clone()).unwrap();
        (text(b), text(p))
    }

    #[test]
    fn the_same_seed_gives_the_same_population() {
        assert_eq!(run(300, 7), run(300, 7));
        assert_ne!(run(300, 7), run(300, 8));
    }

    #[test]
    fn the_population_has_every_kind_of_person_the_tests_need() {
        let (births, persons) = run(3000, 2019);
        assert!(births.starts_with(
            "birth_cert_no,surname,given_names,sex,date_of_birth,county_code,mother_name"
        ));
        assert!(
            persons.lines().any(|l| l.ends_with(",deceased")),
            "deceased people"
        );
        assert!(
            births
                .lines()
                .skip(1)
                .any(|l| l.split(',').nth(7).is_some_and(|m| !m.is_empty())),
            "children linked to a mother's ID"
        );
        assert!(
            births
                .lines()
                .skip(1)
                .any(|l| l.split(',').skip(6).take(4).all(str::is_empty)),
            "records naming no parent"
        );
        assert!(
            births
                .lines()
                .skip(1)
                .all(|l| l.ends_with(",alive") || l.ends_with(",deceased")),
            "a status on every birth"
        );
        assert!(
            persons
                .lines()
                .skip(1)
                .any(|l| l.split(',').nth(5).is_some_and(str::is_empty)),
            "adults with no birth record"
        );
        assert!(persons.lines().count() > 1000);
    }

    #[test]
    fn misspelling_changes_exactly_one_letter() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..50 {
            let m = misspelt("Wanjiru", &mut rng);
            assert_ne!(m, "Wanjiru");
            assert!((m.chars().count() as i64 - 7).abs() == 1, "{m}");
        }
    }
}
