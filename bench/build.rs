//! The types part 14 (decoding) reads answers into: generated, as a client's build
//! generates them, from the OpenAI-shaped feature fixture `unions.yaml`.

use std::path::Path;

fn main() {
    let spec = Path::new("../codegen/tests/features/unions.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    let code = authgen_codegen::generate(spec).unwrap_or_else(|e| panic!("{e}"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("unions.rs");
    std::fs::write(&out, code).expect("OUT_DIR is writable");
    // A `mod` by path, since the generated module has inner attributes `include!` refuses.
    // The whole client is generated; the benchmark reads two of its types.
    let declaration =
        format!("#[allow(dead_code)]\n#[path = {:?}]\nmod unions;\n", out.display().to_string());
    std::fs::write(out.with_file_name("unions_mod.rs"), declaration).expect("OUT_DIR is writable");
}
