//! The crate generated from `swagger2.yaml`, a Swagger 2.0 document, against a local
//! server that records every request: collection formats on the wire, a `formData`
//! file upload as multipart, a form without files urlencoded, the query a path key
//! carries, a `type: file` answer as bytes, a shared response as the error, and the
//! oauth2 `application` scheme fetching its token from the server's token endpoint. The
//! compile test copies this file into the crate as `tests/behaviour.rs` and runs it.

use authgen_runtime::oauth::OAuthClient;
use authgen_runtime::{Binary, Error};
use swagger2::*;

mod loopback;

/// A server answering each request by `answer` (the request -> status, media type,
/// body), every reply with a documented `x-rate-limit-remaining` header.
async fn serve(answer: fn(&str) -> (&'static str, &'static str, String)) -> loopback::Server {
    loopback::Server::answering(move |request| {
        let (status, media, body) = answer(request);
        loopback::reply(status, media, &body).replacen("\r\n", "\r\nx-rate-limit-remaining: 9\r\n", 1)
    })
    .await
}

fn pets(request: &str) -> (&'static str, &'static str, String) {
    if request.starts_with("POST /token ") {
        let token = r#"{"access_token":"app-token","token_type":"Bearer","expires_in":300}"#;
        return ("200 OK", "application/json", token.into());
    }
    ("200 OK", "application/json", r#"[{"id":7,"name":"Rex","kind":"dog","nickname":null}]"#.into())
}

#[tokio::test]
async fn the_application_scheme_fetches_its_token_and_collection_formats_reach_the_wire() {
    let server = serve(pets).await;
    let app = OAuthClient::secret("shelter", "s3cret").token_url(server.url("/token"));
    let client = Client::new(server.config("/v2")).unwrap().with_shelter_app_client(app);
    let listed = client
        .list_pets()
        .tag(["a", "b c"])
        .ids([1, 2])
        .colors(["red", "blue"])
        .names(["x", "y"])
        .codes(["p", "q"])
        .limit(5)
        .with_response()
        .await
        .unwrap();
    assert_eq!(listed[0].name, "Rex");
    assert_eq!(listed[0].nickname, None, "x-nullable: null is read");
    assert_eq!(listed.headers().x_rate_limit_remaining(), Some(9), "a 2.0 response header, typed");
    let [token, call] = server.requests().try_into().unwrap();
    assert!(token.starts_with("POST /token HTTP/1.1\r\n"), "{token}");
    assert!(token.contains("grant_type=client_credentials"), "{token}");
    assert!(token.contains("scope=pets%3Aread"), "the operation's scopes: {token}");
    assert!(token.contains("authorization: Basic c2hlbHRlcjpzM2NyZXQ=\r\n"), "{token}");
    let line = call.lines().next().unwrap();
    assert_eq!(
        line,
        "GET /v2/pets?tag=a&tag=b+c&ids=1%2C2&colors=red%7Cblue&names=x+y&codes=p%09q&limit=5 HTTP/1.1",
        "multi repeats the name; csv, pipes, ssv and tsv join the items"
    );
    assert!(call.contains("authorization: Bearer app-token\r\n"), "{call}");
}

fn uploads(request: &str) -> (&'static str, &'static str, String) {
    match request.split(' ').next() {
        Some("POST") => ("200 OK", "application/json", r#"{"caption":"asleep","bytes":4}"#.into()),
        Some("PATCH") => ("204 No Content", "text/plain", String::new()),
        _ => ("200 OK", "image/png", "\u{1}PNG".into()),
    }
}

#[tokio::test]
async fn form_data_is_multipart_with_a_file_part_or_urlencoded_without_one() {
    let server = serve(uploads).await;
    let client = Client::new(server.config("/v2")).unwrap().with_shelter_code("code-token").with_shelter_password("pw-token");
    let client = client.with_api_key("key-1");
    let body = UploadPhotoRequest { caption: Some("asleep".into()), photo: Binary::from(b"\x01PNG".to_vec()) };
    let stored = client.upload_photo(7, body).await.unwrap();
    assert_eq!(stored, Photo { caption: Some("asleep".into()), bytes: Some(4) });
    client.note_pet(7, NotePetRequest { note: "fed at 9".into(), urgent: Some(true) }).await.unwrap();
    let bytes = client.download_photo(7).await.unwrap();
    assert_eq!(bytes.as_bytes(), b"\x01PNG", "a `type: file` answer is its bytes");
    let [upload, note, download] = server.requests().try_into().unwrap();
    assert!(upload.starts_with("POST /v2/pets/7/photo HTTP/1.1\r\n"), "{upload}");
    assert!(upload.contains("multipart/form-data; boundary="), "{upload}");
    assert!(upload.contains("Content-Disposition: form-data; name=\"caption\"\r\n\r\nasleep\r\n"), "{upload}");
    assert!(
        upload.contains("Content-Disposition: form-data; name=\"photo\"; filename=\"photo\"\r\nContent-Type: application/octet-stream\r\n\r\n\u{1}PNG\r\n"),
        "{upload}"
    );
    assert!(upload.contains("authorization: Bearer code-token\r\n"), "{upload}");
    assert!(note.starts_with("PATCH /v2/pets/7 HTTP/1.1\r\n"), "{note}");
    assert!(note.to_ascii_lowercase().contains("content-type: application/x-www-form-urlencoded\r\n"), "{note}");
    assert!(note.ends_with("\r\n\r\nnote=fed+at+9&urgent=true"), "{note}");
    assert!(download.starts_with("GET /v2/pets/7/photo HTTP/1.1\r\n"), "{download}");
    assert!(note.contains("authorization: Bearer pw-token\r\n"), "{note}");
}

fn others(request: &str) -> (&'static str, &'static str, String) {
    if request.starts_with("GET /v2/pets/404 ") || request.starts_with("GET /v2/pets/404/photo ") {
        return ("404 Not Found", "application/json", r#"{"message":"no pet 404"}"#.into());
    }
    if request.starts_with("POST ") {
        return ("201 Created", "application/json", r#"{"id":8,"name":"Tom","kind":"cat"}"#.into());
    }
    ("200 OK", "application/json", r#"["Rex","Tom"]"#.into())
}

#[tokio::test]
async fn bodies_fixed_queries_and_shared_responses() {
    let server = serve(others).await;
    let client = Client::new(server.config("/v2")).unwrap().with_api_key("key-1").with_basic("ann", "pw");
    let pet = Pet { id: None, name: "Tom".into(), kind: "cat".into(), nickname: None, owner: None };
    assert_eq!(client.add_pet(pet).await.unwrap().id, Some(8));
    assert_eq!(client.list_pet_summaries().await.unwrap(), ["Rex", "Tom"]);
    let err = client.get_pet(404).await.unwrap_err();
    let Error::Status { error: GetPetError::NotFound(missing), .. } = err else { panic!("{err:?}") };
    assert_eq!(missing.message.as_deref(), Some("no pet 404"), "`#/responses/NotFound`, typed");
    let err = client.download_photo(404).await.unwrap_err();
    let Error::Status { error: DownloadPhotoError::NotFound(missing), .. } = err else { panic!("{err:?}") };
    assert_eq!(missing.message.as_deref(), Some("no pet 404"), "an object error of an image operation is JSON");
    let [add, summaries, get, _download] = server.requests().try_into().unwrap();
    assert!(add.starts_with("POST /v2/pets HTTP/1.1\r\n"), "{add}");
    assert!(add.to_ascii_lowercase().contains("content-type: application/json\r\n"), "{add}");
    assert!(add.ends_with(r#"{"name":"Tom","kind":"cat"}"#), "the body parameter is the JSON body: {add}");
    assert!(add.to_ascii_lowercase().contains("x-api-key: key-1\r\n"), "the document's security: {add}");
    assert!(summaries.starts_with("GET /v2/pets?view=summary HTTP/1.1\r\n"), "{summaries}");
    assert!(get.contains("authorization: Basic YW5uOnB3\r\n"), "{get}");
}
