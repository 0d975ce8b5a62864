//! Overlays beside a spec or named on the command line, and `x-authgen-operations`:
//! the spec stays as it is, the overlay's problems name the overlay, and a selection
//! generates only the chosen operations and the types they reach.

use std::fs;
use std::path::{Path, PathBuf};

use authgen_codegen::build::{self, BuildError};
use authgen_codegen::{Options, generate_with};

/// A fresh folder for files a test writes.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("overlays").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// `vendor.yaml` (a verbatim vendor spec whose token fields are `jwt` and `ttl`) copied
/// into a fresh folder with `overlay` beside it as `vendor.overlay.yaml`.
fn vendor_with(name: &str, overlay: &str) -> PathBuf {
    let dir = folder(name);
    fs::copy("tests/overlays/vendor.yaml", dir.join("vendor.yaml")).unwrap();
    fs::write(dir.join("vendor.overlay.yaml"), overlay).unwrap();
    dir.join("vendor.yaml")
}

const HEAD: &str = "overlay: 1.0.0\ninfo:\n  title: t\n  version: 1.0.0\nactions:\n";

/// An action updating the login operation with `update` (YAML lines at its depth).
fn login_update(update: &str) -> String {
    format!("  - target: $.paths['/auth/login'].post\n    update:\n{update}")
}

#[test]
fn an_overlay_beside_a_verbatim_spec_gives_it_a_token_source() {
    let spec = Path::new("tests/overlays/vendor.yaml");
    let before = fs::read(spec).unwrap();
    assert!(!String::from_utf8_lossy(&before).contains("x-authgen-token"), "the spec says nothing of tokens");
    let generated = generate_with(spec, &Options::default()).unwrap();
    assert_eq!(fs::read(spec).unwrap(), before, "the spec's bytes are unchanged");
    let code = &generated.code;
    assert!(code.contains("pub fn login_token_source("), "{code}");
    assert!(code.contains("access_token: &[\"jwt\"],"), "{code}");
    assert!(code.contains("expires_in: &[\"ttl\"],"), "{code}");
    let origin =
        "Generated from `tests/overlays/vendor.yaml` with the overlay `tests/overlays/vendor.overlay.yaml`";
    // Doc comments are wrapped: the sentence is read across its lines.
    let docs = code.replace("\n//! ", " ");
    assert!(docs.contains(origin), "the module's docs say what made it: {code}");
    assert_eq!(generated.warnings(), "");
}

#[test]
fn without_the_overlay_the_same_spec_has_no_token_source() {
    let text = fs::read_to_string("tests/overlays/vendor.yaml").unwrap();
    let code = authgen_codegen::generate_str(Path::new("vendor.yaml"), &text).unwrap();
    assert!(!code.contains("token_source"), "{code}");
}

#[test]
fn a_misspelt_overlay_field_fails_the_build_naming_the_overlay_and_the_action() {
    let overlay = format!(
        "{HEAD}  - tagret: $.paths['/auth/login'].post\n    update:\n      x-authgen-token: {{access_token: jwt}}\n"
    );
    let spec = vendor_with("misspelt", &overlay);
    let dir = spec.parent().unwrap();
    let err = build::generate_all(dir, &folder("misspelt-out"), &Options::default()).unwrap_err();
    let overlay_file = dir.join("vendor.overlay.yaml");
    assert_eq!(
        err.to_string(),
        format!(
            "{0}: 1 problem\nerror: `tagret` is not a field of an action\n  --> {0}#/actions/0/tagret (line 6)\n  = hint: did you mean `target`?\n",
            overlay_file.display()
        )
    );
}

#[test]
fn every_misspelling_is_reported_at_once() {
    let overlay = "overlay: 1.0.0\ninfo: {title: t, verison: 1.0.0}\nactoins:\n  - target: $\n";
    let spec = vendor_with("misspelt-all", overlay);
    let err = generate_with(&spec, &Options::default()).unwrap_err().to_string();
    assert!(err.contains(": 2 problems\n"), "{err}");
    assert!(err.contains("error: `verison` is not a field of `info`\n  --> "), "{err}");
    assert!(
        err.contains("vendor.overlay.yaml#/info/verison (line 2)\n  = hint: did you mean `version`?"),
        "{err}"
    );
    assert!(
        err.contains("vendor.overlay.yaml#/actoins (line 3)\n  = hint: did you mean `actions`?"),
        "{err}"
    );
}

#[test]
fn an_update_misspelt_is_named_and_not_also_called_a_change_of_nothing() {
    let overlay = format!("{HEAD}  - target: $.paths\n    updaet: {{}}\n");
    let err = generate_with(&vendor_with("updaet", &overlay), &Options::default()).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].pointer, "#/actions/0/updaet");
    assert_eq!(err.problems[0].hint.as_deref(), Some("did you mean `update`?"));
}

#[test]
fn a_target_that_selects_nothing_is_a_warning() {
    let logout = "  - target: $.paths['/auth/logout'].post\n    update:\n      x-authgen-idempotent: true\n";
    let overlay = format!("{HEAD}{logout}{}", login_update("      x-authgen-token: {access_token: jwt}\n"));
    let generated = generate_with(&vendor_with("selects-nothing", &overlay), &Options::default()).unwrap();
    assert!(generated.code.contains("login_token_source"), "the other action applied");
    assert_eq!(
        generated.warnings(),
        format!(
            "warning: the target selects nothing: the action changed nothing\n  --> {}#/actions/0/target (line 6)\n  = hint: compare the target with the spec (names are case-sensitive)\n",
            generated.file.replace("vendor.yaml", "vendor.overlay.yaml")
        )
    );
}

#[test]
fn a_token_field_the_answer_lacks_names_the_overlay_that_said_so() {
    let overlay = format!(
        "{HEAD}{}",
        login_update("      x-authgen-token:\n        access_token: token\n        expires_in: ttl\n")
    );
    let spec = vendor_with("missing-field", &overlay);
    let err = generate_with(&spec, &Options::default()).unwrap_err();
    assert_eq!(err.file, spec, "the build names the spec first");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: 1 problem\nerror: `access_token` names `token`, which the success response does not have\n  --> {}#/actions/0/update/x-authgen-token/access_token (line 9)\n  = hint: name a property of the success response's schema\n",
            spec.display(),
            spec.with_file_name("vendor.overlay.yaml").display()
        )
    );
}

#[test]
fn overlays_apply_in_order_after_the_one_beside_the_spec() {
    let spec = vendor_with("in-order", &format!("{HEAD}{}", login_update("      operationId: signIn\n")));
    let second = spec.with_file_name("second.yaml");
    fs::write(&second, format!("{HEAD}{}", login_update("      operationId: logIn\n"))).unwrap();
    let options = Options { overlays: vec![second], ..Options::default() };
    let code = generate_with(&spec, &options).unwrap().code;
    assert!(code.contains("pub fn log_in("), "the last overlay has the last word: {code}");
}

#[test]
fn an_overlay_with_no_spec_beside_it_is_an_error() {
    let dir = folder("lone");
    fs::copy("tests/overlays/vendor.yaml", dir.join("vendor.yaml")).unwrap();
    fs::write(dir.join("vendr.overlay.yaml"), format!("{HEAD}  - target: $\n    update: {{}}\n")).unwrap();
    let err = build::spec_files(&dir).unwrap_err();
    assert!(matches!(&err, BuildError::LoneOverlay { overlay } if overlay.ends_with("vendr.overlay.yaml")));
    assert!(
        err.to_string()
            .contains("vendr.overlay.yaml: an overlay with no spec beside it: add the spec `vendr.yaml`"),
        "{err}"
    );
}

#[test]
fn the_build_watches_the_overlay_and_does_not_take_it_for_a_spec() {
    let spec = vendor_with("watched", &format!("{HEAD}  - target: $\n    update: {{}}\n"));
    let files = build::spec_files(spec.parent().unwrap()).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].module, "vendor");
    assert_eq!(files[0].overlays, [spec.with_file_name("vendor.overlay.yaml")]);
}

/// `shop.yaml` with `x-authgen-operations` stated at its root.
fn shop_selecting(entries: &str) -> Result<String, String> {
    let text = fs::read_to_string("tests/overlays/shop.yaml").unwrap();
    let text = format!("{text}x-authgen-operations: {entries}\n");
    authgen_codegen::generate_str(Path::new("shop.yaml"), &text).map_err(|e| e.to_string())
}

#[test]
fn selection_by_operation_id_keeps_only_the_types_it_reaches() {
    let code = shop_selecting("[getCustomer]").unwrap();
    assert!(code.contains("pub fn get_customer("), "{code}");
    for gone in ["fn create_customer(", "fn list_invoices(", "fn create_refund(", "fn get_health("] {
        assert!(!code.contains(gone), "{gone} is not selected");
    }
    assert!(code.contains("pub struct Customer {") && code.contains("pub struct Address {"), "{code}");
    for gone in ["NewCustomer", "Invoice", "Refund", "Unused"] {
        assert!(!code.contains(&format!("pub struct {gone}")), "{gone} is not reached:\n{code}");
    }
}

#[test]
fn selection_by_tag_takes_every_operation_with_the_tag() {
    let code = shop_selecting("['tag:billing', createCustomer]").unwrap();
    for kept in ["fn list_invoices(", "fn create_refund(", "fn create_customer("] {
        assert!(code.contains(kept), "{kept}:\n{code}");
    }
    assert!(!code.contains("fn get_customer("));
    for kept in ["Invoice", "InvoiceLine", "Refund", "NewCustomer", "Customer", "Address"] {
        assert!(code.contains(&format!("pub struct {kept} {{")), "{kept}:\n{code}");
    }
    assert!(!code.contains("pub struct Unused"));
}

#[test]
fn a_selection_entry_that_selects_nothing_is_a_problem() {
    let err = shop_selecting("[getCustomer, getCustomr, 'tag:bill', 7]").unwrap_err();
    assert!(err.contains("shop.yaml: 3 problems\n"), "{err}");
    assert!(
        err.contains("error: `7` is not an operationId or a tag\n  --> shop.yaml#/x-authgen-operations/3"),
        "{err}"
    );
    assert!(
        err.contains(
            "error: no operation has the operationId `getCustomr`\n  --> shop.yaml#/x-authgen-operations/1"
        ),
        "{err}"
    );
    assert!(
        err.contains("error: no operation has the tag `bill`\n  --> shop.yaml#/x-authgen-operations/2"),
        "{err}"
    );
}

#[test]
fn without_a_selection_every_operation_and_type_is_generated() {
    let text = fs::read_to_string("tests/overlays/shop.yaml").unwrap();
    let code = authgen_codegen::generate_str(Path::new("shop.yaml"), &text).unwrap();
    assert!(code.contains("fn get_health(") && code.contains("pub struct Unused {"), "{code}");
}

/// The broken vendor documents of the corpus, each with the overlay that repairs it.
const REPAIRS: &[(&str, &str, usize)] = &[
    ("ory-kratos.json", "tests/overlays/ory-kratos.overlay.yaml", 60),
    ("supabase-auth.yaml", "tests/overlays/supabase-auth.overlay.yaml", 59),
];

#[test]
fn an_overlay_repairs_a_broken_vendor_document_without_the_lenient_mode() {
    let shared = Path::new("../../shared/real-specs");
    if !shared.is_dir() {
        eprintln!("NOTICE: {} is absent: the repair overlays are not checked", shared.display());
        return;
    }
    for (document, overlay, operations) in REPAIRS {
        let spec = shared.join(document);
        assert!(generate_with(&spec, &Options::default()).is_err(), "{document} is broken as published");
        let options = Options { overlays: vec![overlay.into()], ..Options::default() };
        let generated = generate_with(&spec, &options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(generated.operations, *operations, "{document}: every operation");
        assert!(generated.skipped.is_empty() && generated.warnings().is_empty(), "{}", generated.warnings());
    }
}

/// A vendor's webhooks-only document, left as it is, and `overlay` beside it.
fn webhooks_with(name: &str, overlay: &str) -> PathBuf {
    let dir = folder(name);
    let spec = "openapi: 3.1.0\ninfo: {title: Payments, version: '1'}\nwebhooks:\n  payment.settled:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {id: {type: string}}}\n      responses:\n        '200': {description: Received.}\n";
    fs::write(dir.join("payments.yaml"), spec).unwrap();
    fs::write(dir.join("payments.overlay.yaml"), overlay).unwrap();
    dir.join("payments.yaml")
}

#[test]
fn an_overlay_declares_a_vendors_webhook_scheme_and_its_mistakes_name_the_overlay() {
    let declared =
        format!("{HEAD}  - target: $\n    update:\n      x-authgen-webhooks: {{signature: stripe}}\n");
    let code = generate_with(&webhooks_with("webhook-scheme", &declared), &Options::default()).unwrap().code;
    assert!(code.contains("Some(__rt::webhook::Scheme::Stripe)"), "{code}");

    let misspelt =
        format!("{HEAD}  - target: $\n    update:\n      x-authgen-webhooks: {{signature: strype}}\n");
    let spec = webhooks_with("webhook-scheme-misspelt", &misspelt);
    let err = generate_with(&spec, &Options::default()).unwrap_err().to_string();
    assert!(err.contains("unknown variant `strype`"), "{err}");
    assert!(err.contains("payments.overlay.yaml#/actions/0/update/x-authgen-webhooks/signature"), "{err}");
}
