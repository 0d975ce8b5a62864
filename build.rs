//! Turns every OpenAPI document in `specs/` into a module of this crate.
fn main() -> std::process::ExitCode {
    authgen_codegen::build::run("specs")
}
