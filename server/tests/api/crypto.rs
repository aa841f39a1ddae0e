//! Field encryption: data keys wrapped by the master key, on both engines.

use crate::helpers::spawn_app;
use usajili::crypto::{CryptoError, FieldCipher, MasterKey};

#[tokio::test]
async fn a_value_encrypted_for_one_column_decrypts_only_there() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();

    let sealed = cipher.encrypt_str("applications.surname", "Ng'ang'a");

    assert!(!sealed.windows(8).any(|w| w == b"Ng'ang'a"), "no plaintext in the ciphertext");
    assert_eq!(cipher.decrypt_string("applications.surname", &sealed).unwrap().as_str(), "Ng'ang'a");
    assert!(matches!(cipher.decrypt_string("applications.given_names", &sealed), Err(CryptoError::Tampered)));
    let mut tampered = sealed.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(matches!(cipher.decrypt("applications.surname", &tampered), Err(CryptoError::Tampered)));
}

#[tokio::test]
async fn the_same_value_encrypts_differently_but_indexes_the_same() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();

    assert_ne!(cipher.encrypt_str("c", "+254712345678"), cipher.encrypt_str("c", "+254712345678"));
    assert_eq!(cipher.blind_index("phone", "+254712345678"), cipher.blind_index("phone", "+254712345678"));
    assert_ne!(cipher.blind_index("phone", "+254712345678"), cipher.blind_index("id", "+254712345678"));
    assert!(!cipher.blind_index("phone", "+254712345678").contains("712345678"));
}

#[tokio::test]
async fn old_values_stay_readable_after_a_rotation() {
    let app = spawn_app().await;
    let master = usajili::config::Config::load_master_key(&app.config).unwrap();
    let cipher = FieldCipher::load(&app.db, &master).await.unwrap();
    let before = cipher.encrypt_str("c", "Achieng");

    let new_id = cipher.rotate(&app.db, &master).await.unwrap();
    let after = cipher.encrypt_str("c", "Achieng");

    assert_eq!(FieldCipher::key_id_of(&before), Some(new_id - 1));
    assert_eq!(FieldCipher::key_id_of(&after), Some(new_id));
    assert_eq!(cipher.decrypt_string("c", &before).unwrap().as_str(), "Achieng");
    let reloaded = FieldCipher::load(&app.db, &master).await.unwrap();
    assert_eq!(reloaded.decrypt_string("c", &after).unwrap().as_str(), "Achieng");
    assert_eq!(reloaded.active_key_id(), new_id);
}

#[tokio::test]
async fn the_portal_refuses_to_start_with_the_wrong_master_key_and_says_why() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.master_key = Some(MasterKey::generate().to_base64().to_string().into());

    let error = usajili::startup::Application::build(config).await.err().expect("refused");

    assert!(format!("{error:#}").contains("the master key does not match this database"), "{error:#}");
}

#[tokio::test]
async fn production_refuses_to_start_without_a_master_key() {
    let app = spawn_app().await;
    let mut config = app.config.clone();
    config.environment = usajili::config::Environment::Production;
    config.https = true;
    config.master_key = None;
    config.master_key_file = None;

    let error = usajili::startup::Application::build(config).await.err().expect("refused");

    assert!(format!("{error:#}").contains("production needs a master key"), "{error:#}");
}
