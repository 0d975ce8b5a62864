//! Descriptions split across files, read as the one document they mean: each case is a
//! small tree written to a temporary folder, bundled (`load::bundled`) or generated.

use std::path::PathBuf;

use authgen_codegen::load;
use serde_json::{Value, json};

/// A folder of `files` (path, text) under the system's temporary folder, removed when
/// dropped.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str, files: &[(&str, &str)]) -> Tree {
        let root = std::env::temp_dir().join(format!("authgen-trees-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Tree(root)
    }

    fn bundled(&self) -> Value {
        load::bundled(&self.0, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(&self) -> String {
        load::bundled(&self.0, &[]).unwrap_err().to_string()
    }

    fn path(&self, relative: &str) -> String {
        self.0.join(relative).to_string_lossy().replace('\\', "/")
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn schema_of(document: &Value, path: &str) -> Value {
    document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"].clone()
}

fn answering(schema: &str) -> String {
    format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
    )
}

#[test]
fn a_url_is_read_from_its_copy_beside_the_entry() {
    let entry = answering("{$ref: 'https://example.com/shared/money.yaml#/Money'}");
    let copy = "Money: {type: object, properties: {amount: {type: string}}}\n";
    let tree =
        Tree::new("remote", &[("openapi.yaml", &entry), (".remote/example.com/shared/money.yaml", copy)]);
    let document = tree.bundled();
    assert_eq!(schema_of(&document, "/a"), json!({"$ref": "#/components/schemas/Money"}));
    assert_eq!(document["components"]["schemas"]["Money"]["properties"]["amount"]["type"], "string");
}

#[test]
fn a_map_of_schemas_written_as_a_ref_keeps_its_names() {
    let entry =
        format!("{}components:\n  schemas:\n    $ref: schemas.yaml\n", answering("{$ref: 'types/pet.yaml'}"));
    let schemas = "pet: {type: string, description: the map's own}\nPet: {$ref: 'types/pet.yaml'}\n";
    let pet = "type: object\nproperties: {name: {type: string}}\n";
    let tree = Tree::new(
        "schema-map",
        &[("openapi.yaml", &entry), ("schemas.yaml", schemas), ("types/pet.yaml", pet)],
    );
    let document = tree.bundled();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    assert_eq!(schemas["pet"]["description"], "the map's own", "not overwritten: {schemas:?}");
    let hoisted = schema_of(&document, "/a")["$ref"].as_str().unwrap().to_string();
    assert_ne!(hoisted, "#/components/schemas/pet");
    let name = hoisted.rsplit('/').next().unwrap();
    assert_eq!(schemas[name]["properties"]["name"]["type"], "string");
}

#[test]
fn a_cycle_of_path_items_is_named_with_its_files() {
    let entry = format!("{HEAD}paths:\n  /a:\n    $ref: a.yaml\n");
    let tree = Tree::new(
        "cycle",
        &[("openapi.yaml", &entry), ("a.yaml", "$ref: b.yaml\n"), ("b.yaml", "$ref: a.yaml\n")],
    );
    let error = tree.error();
    let (a, b) = (tree.path("a.yaml"), tree.path("b.yaml"));
    assert!(error.contains(&format!("the `$ref`s form a cycle: {a} -> {b} -> {a}")), "{error}");
    assert!(error.contains(&format!("--> {b}#/$ref (line 1)")), "{error}");
}

#[test]
fn a_file_name_may_be_written_percent_escaped() {
    let entry = format!("{HEAD}paths:\n  /users/{{id}}:\n    $ref: 'paths/user%40%7Bid%7D.yaml'\n");
    let item = "get:\n  parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n  responses: {'204': {description: gone}}\n";
    let tree = Tree::new("escaped", &[("openapi.yaml", &entry), ("paths/user@{id}.yaml", item)]);
    assert_eq!(tree.bundled()["paths"]["/users/{id}"]["get"]["responses"]["204"]["description"], "gone");
}

#[test]
fn examples_are_data_brought_in_where_they_resolve() {
    let entry = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      example: {{$ref: examples/pet.json}}\n    Doc:\n      type: object\n      example: {{$ref: 'not-a-file.json', note: a JSON Schema example}}\n"
    );
    let tree =
        Tree::new("examples", &[("openapi.yaml", &entry), ("examples/pet.json", "{\"name\": \"Rex\"}")]);
    let document = tree.bundled();
    assert_eq!(document["components"]["schemas"]["Pet"]["example"], json!({"name": "Rex"}));
    assert_eq!(document["components"]["schemas"]["Doc"]["example"]["$ref"], "not-a-file.json");
}

#[test]
fn every_file_read_is_listed_once_with_a_byte_order_mark_skipped() {
    let entry = answering("{type: array, items: {$ref: 'pet.yaml'}}");
    let pet = "\u{feff}type: object\nproperties:\n  friend: {$ref: 'pet.yaml'}\n  toy: {$ref: 'toy.yaml'}\n";
    let tree = Tree::new(
        "read-once",
        &[("openapi.yaml", &entry), ("pet.yaml", pet), ("toy.yaml", "type: string\n")],
    );
    let loaded = load::load(&tree.0.join("openapi.yaml")).unwrap();
    let names: Vec<&str> = loaded.files.iter().map(|f| f.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(names, ["openapi.yaml", "pet.yaml", "toy.yaml"]);
    let pet = &loaded.document["components"]["schemas"]["pet"];
    assert_eq!(pet["properties"]["friend"]["$ref"], "#/components/schemas/pet", "a cycle within one file");
}

#[test]
fn a_cycle_of_schemas_across_files_is_found_as_within_one() {
    let entry = answering("{$ref: 'a.yaml'}");
    let tree = Tree::new(
        "schema-cycle",
        &[("openapi.yaml", &entry), ("a.yaml", "$ref: b.yaml\n"), ("b.yaml", "$ref: a.yaml\n")],
    );
    let error = authgen_codegen::generate(&tree.0).unwrap_err().to_string();
    assert!(error.contains("`$ref` cycle a -> b -> a never reaches a schema"), "{error}");
    assert!(error.contains(&format!("--> {}\n", tree.path("a.yaml"))), "{error}");
}

#[test]
fn a_folder_names_its_entry_in_authgen_entry() {
    let doc = format!("{HEAD}paths: {{}}\n");
    let tree = Tree::new("entry", &[("a.yaml", &doc), ("b.yaml", &doc), ("authgen.entry", "b.yaml\n")]);
    assert_eq!(load::entry_of(&tree.0).unwrap(), tree.0.join("b.yaml"));
}

#[test]
fn a_discriminator_mapping_to_files_names_the_schemas_brought_in() {
    let entry = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Pet:\n      oneOf: [{{$ref: pets/cat.yaml}}, {{$ref: '#/components/schemas/Dog'}}]\n      discriminator:\n        propertyName: kind\n        mapping: {{cat: ./pets/cat.yaml, dog: '#/components/schemas/Dog', bird: Bird, fish: ./pets/fish.yaml}}\n    Dog: {{type: object}}\n"
    );
    let cat = "type: object\nproperties: {kind: {type: string}}\n";
    let tree = Tree::new("mapping", &[("openapi.yaml", &entry), ("pets/cat.yaml", cat)]);
    let error = tree.error();
    assert!(error.contains("`./pets/fish.yaml` refers to a file that does not exist"), "{error}");
    assert!(
        error.contains("openapi.yaml#/components/schemas/Pet/discriminator/mapping/fish (line 10)"),
        "{error}"
    );
    std::fs::write(tree.0.join("pets/fish.yaml"), cat).unwrap();
    let document = tree.bundled();
    let pet = &document["components"]["schemas"]["Pet"];
    let mapping = &pet["discriminator"]["mapping"];
    assert_eq!(mapping["cat"], "#/components/schemas/cat");
    assert_eq!(
        pet["oneOf"][0]["$ref"], "#/components/schemas/cat",
        "the mapping and the variant name one schema"
    );
    assert_eq!(
        (mapping["dog"].as_str(), mapping["bird"].as_str()),
        (Some("#/components/schemas/Dog"), Some("Bird"))
    );
    assert_eq!(mapping["fish"], "#/components/schemas/fish");
}
