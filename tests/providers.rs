//! Each generated client against its provider's sandbox: success, and every
//! documented status as its typed variant with its body.

mod support;

use authgen::runtime::{Error, StatusCode};
use authgen::{core_banking, dakota, mogoplus, moota, uqudo};
use authgen_sandbox::{Fault, Provider};
use serde_json::json;
use support::{config, sandbox};

mod mogoplus_client {
    use super::*;

    async fn client(sandbox: &authgen_sandbox::Sandbox, password: &str) -> mogoplus::Client {
        let username = sandbox.credentials().username.clone();
        mogoplus::Client::new(config(sandbox)).unwrap().with_basic_auth(username, password)
    }

    #[tokio::test]
    async fn issues_a_bearer_token_over_mutual_tls_and_basic() {
        let sandbox = sandbox(Provider::Mogoplus).await;
        let token = client(&sandbox, &sandbox.credentials().password).await.request_token().await.unwrap();
        assert_eq!(token.token_type, "Bearer");
        assert_eq!(token.expires_in, 35999);
        assert!(token.access_token.expose_secret().starts_with("eyJ"));
        assert_eq!(sandbox.token_requests(), 1);
    }

    #[tokio::test]
    async fn bad_credentials_are_a_typed_401() {
        let sandbox = sandbox(Provider::Mogoplus).await;
        let err = client(&sandbox, "wrong").await.request_token().await.unwrap_err();
        let Error::Status { status, error, body } = err else { panic!("{err:?}") };
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error,
            mogoplus::RequestTokenError::Unauthorized(mogoplus::InvalidClientError {
                error: "invalid_client".into()
            })
        );
        assert_eq!(body.text(), r#"{"error":"invalid_client"}"#);
    }

    #[tokio::test]
    async fn the_documented_400_is_a_typed_oauth_error() {
        let sandbox = sandbox(Provider::Mogoplus).await;
        let documented = json!({
            "error_description": "OAuth 2.0 Parameter: grant_type",
            "error": "unsupported_grant_type",
            "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"
        });
        sandbox.set_fault(Some(Fault::Respond { status: 400, body: documented }));
        let err = client(&sandbox, &sandbox.credentials().password).await.request_token().await.unwrap_err();
        let Error::Status { status, error: mogoplus::RequestTokenError::BadRequest(oauth), .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(oauth.error, mogoplus::OAuthErrorCode::UnsupportedGrantType);
        assert_eq!(oauth.error_description.as_deref(), Some("OAuth 2.0 Parameter: grant_type"));
        assert_eq!(
            oauth.error_uri.as_deref(),
            Some("https://datatracker.ietf.org/doc/html/rfc6749#section-5.2")
        );
    }

    #[tokio::test]
    async fn without_basic_credentials_nothing_is_sent() {
        let sandbox = sandbox(Provider::Mogoplus).await;
        let err = mogoplus::Client::new(config(&sandbox)).unwrap().request_token().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "request not sent: no credentials for the security requirement mutualTLS + basicAuth"
        );
        assert_eq!(sandbox.requests(), 0);
    }
}

mod moota_client {
    use super::*;

    fn login(sandbox: &authgen_sandbox::Sandbox, password: &str) -> moota::LoginRequest {
        moota::LoginRequest {
            username: sandbox.credentials().username.clone(),
            password: password.into(),
            scopes: vec![moota::Scope::Api, moota::Scope::MutationRead],
        }
    }

    #[tokio::test]
    async fn login_returns_a_jwt_that_the_api_accepts_as_bearer() {
        let sandbox = sandbox(Provider::Moota).await;
        let client = moota::Client::new(config(&sandbox)).unwrap();
        let token = client.login(login(&sandbox, &sandbox.credentials().password)).await.unwrap();
        assert_eq!(token.access_token.expose_secret().split('.').count(), 3, "a JWT");
        let object = client.with_bearer_auth(token.access_token).get_object("mutation").await.unwrap();
        assert_eq!(object, json!({"object": "mutation", "scopes": ["api", "mutation_read"]}));
    }

    #[tokio::test]
    async fn bad_credentials_are_a_typed_302_not_a_redirect() {
        let sandbox = sandbox(Provider::Moota).await;
        let client = moota::Client::new(config(&sandbox)).unwrap();
        let err = client.login(login(&sandbox, "wrong")).await.unwrap_err();
        let Error::Status { status, error: moota::LoginError::Found(message), .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(status, StatusCode::FOUND);
        assert_eq!(message.message, "Invalid Credentials");
    }

    #[tokio::test]
    async fn a_bad_token_is_a_typed_401_and_no_token_is_not_sent() {
        let sandbox = sandbox(Provider::Moota).await;
        let client = moota::Client::new(config(&sandbox)).unwrap();
        let err = client.get_object("user").await.unwrap_err();
        assert!(
            matches!(err, Error::MissingCredentials { ref schemes } if schemes == "bearerAuth"),
            "{err:?}"
        );
        assert_eq!(sandbox.requests(), 0);
        let err = client.with_bearer_auth("not-a-token").get_object("user").await.unwrap_err();
        let Error::Status { status, error: moota::GetObjectError::Unauthorized(message), .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((status, message.message.as_str()), (StatusCode::UNAUTHORIZED, "Unauthenticated."));
    }

    #[tokio::test]
    async fn a_dot_segment_object_is_refused_naming_the_parameter_and_the_token_stays_home() {
        let sandbox = sandbox(Provider::Moota).await;
        let client = moota::Client::new(config(&sandbox)).unwrap().with_bearer_auth("s3cr3t-token");
        for dots in ["..", "."] {
            let err = client.get_object(dots).await.unwrap_err();
            let Error::Invalid(invalid) = &err else { panic!("{err:?}") };
            assert_eq!(invalid.field, "object", "{err}");
        }
        assert_eq!(sandbox.requests(), 0, "GET /api/ would have carried the bearer token");
    }
}

mod dakota_client {
    use super::*;

    fn auth(sandbox: &authgen_sandbox::Sandbox, password: &str) -> dakota::Auth {
        dakota::Auth {
            username: sandbox.credentials().username.clone(),
            password: password.into(),
            grant_type: "password".into(),
        }
    }

    #[tokio::test]
    async fn password_grant_returns_refresh_token_and_a_null_sequence() {
        let sandbox = sandbox(Provider::Dakota).await;
        let client = dakota::Client::new(config(&sandbox)).unwrap();
        let token =
            client.post_index_php_api_oauth2(auth(&sandbox, &sandbox.credentials().password)).await.unwrap();
        assert_eq!(token.expires_in, Some(3600));
        assert_eq!(token.refresh_expires_in, Some(18000));
        assert!(token.access_token.is_some() && token.refresh_token.is_some());
        assert_eq!(token.fuse_client_id_seq, None);
    }

    #[tokio::test]
    async fn bad_credentials_are_a_bodiless_400() {
        let sandbox = sandbox(Provider::Dakota).await;
        let client = dakota::Client::new(config(&sandbox)).unwrap();
        let err = client.post_index_php_api_oauth2(auth(&sandbox, "wrong")).await.unwrap_err();
        let Error::Status { status, error, body } = err else { panic!("{err:?}") };
        assert_eq!(
            (status, error),
            (StatusCode::BAD_REQUEST, dakota::PostIndexPhpApiOauth2Error::BadRequest)
        );
        assert!(body.is_empty());
    }

    #[tokio::test]
    async fn an_unknown_path_is_a_bodiless_404() {
        let sandbox = sandbox(Provider::Dakota).await;
        let moved = config(&sandbox).base_url(format!("{}/moved", sandbox.base_url()));
        let client = dakota::Client::new(moved).unwrap();
        let err = client
            .post_index_php_api_oauth2(auth(&sandbox, &sandbox.credentials().password))
            .await
            .unwrap_err();
        let Error::Status { status, error, .. } = err else { panic!("{err:?}") };
        assert_eq!((status, error), (StatusCode::NOT_FOUND, dakota::PostIndexPhpApiOauth2Error::NotFound));
    }
}

mod uqudo_client {
    use super::*;

    fn request(sandbox: &authgen_sandbox::Sandbox, secret: &str) -> uqudo::TokenRequest {
        uqudo::TokenRequest {
            grant_type: uqudo::GrantType::ClientCredentials,
            client_id: sandbox.credentials().username.clone(),
            client_secret: secret.into(),
        }
    }

    #[tokio::test]
    async fn form_encoded_client_credentials_give_a_token() {
        let sandbox = sandbox(Provider::Uqudo).await;
        let client = uqudo::Client::new(config(&sandbox)).unwrap();
        let token = client.get_token(request(&sandbox, &sandbox.credentials().password)).await.unwrap();
        assert_eq!((token.token_type.as_str(), token.expires_in), ("bearer", 1800));
        assert_eq!(token.jti.get_version_num(), 4, "a typed UUID v4: {}", token.jti);
        assert_eq!(token.scope, "sdk api");
    }

    #[tokio::test]
    async fn a_bad_client_is_a_typed_401_with_its_empty_object() {
        let sandbox = sandbox(Provider::Uqudo).await;
        let client = uqudo::Client::new(config(&sandbox)).unwrap();
        let err = client.get_token(request(&sandbox, "wrong")).await.unwrap_err();
        let Error::Status { status, error: uqudo::GetTokenError::Unauthorized(body), .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({})));
    }
}

mod core_banking_client {
    use super::*;

    fn request(id: &str, secret: &str) -> core_banking::AuthenticateRequest {
        core_banking::AuthenticateRequest { client_id: id.into(), client_secret: secret.into() }
    }

    #[tokio::test]
    async fn client_credentials_give_a_token_with_epoch_and_validity() {
        let sandbox = sandbox(Provider::CoreBanking).await;
        let client = core_banking::Client::new(config(&sandbox)).unwrap();
        let credentials = sandbox.credentials();
        let token = client.authenticate(request(&credentials.username, &credentials.password)).await.unwrap();
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        assert_eq!(token.token_validity_sec, 3600);
        assert!((token.expiration_time - (now + 3600)).abs() <= 5, "{} vs {now}", token.expiration_time);
    }

    #[tokio::test]
    async fn the_server_variable_default_is_overridable() {
        let sandbox = sandbox(Provider::CoreBanking).await;
        let by_variable = authgen::runtime::Config::new()
            .server_variable("baseurl", sandbox.base_url())
            .add_root_certificate_pem(sandbox.ca_pem().as_bytes());
        let client = core_banking::Client::new(by_variable).unwrap();
        assert_eq!(client.base_url(), sandbox.base_url());
        let credentials = sandbox.credentials();
        client.authenticate(request(&credentials.username, &credentials.password)).await.unwrap();
        let default = core_banking::Client::new(authgen::runtime::Config::new()).unwrap();
        assert_eq!(default.base_url(), "https://core-banking.example.com");
    }

    #[tokio::test]
    async fn over_100_characters_is_refused_before_sending() {
        let sandbox = sandbox(Provider::CoreBanking).await;
        let client = core_banking::Client::new(config(&sandbox)).unwrap();
        let err = client.authenticate(request("id", &"s".repeat(101))).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "request not sent: `clientSecret` is 101 characters long; the spec allows at most 100"
        );
        assert_eq!(sandbox.requests(), 0);
    }

    #[tokio::test]
    async fn an_undocumented_401_keeps_status_and_raw_body() {
        let sandbox = sandbox(Provider::CoreBanking).await;
        let client = core_banking::Client::new(config(&sandbox)).unwrap();
        let err = client.authenticate(request("id", "wrong")).await.unwrap_err();
        let Error::UnexpectedStatus { status, body } = err else { panic!("{err:?}") };
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body.text(), r#"{"message":"invalid client credentials"}"#);
    }
}
