
/// Calls as a user writes them (appended by `codegen/tests/compile.rs`, so the crate
/// compiles only if they do): optional parameters are named setters, never positional
/// `Option`s, and `.await` sends.
pub async fn calls_read_as_written(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let customers = client.get_customers().limit(3).await?;
    let customer = client.get_customers_customer("cus_1").await?;
    let expanded = client.get_customers_customer("cus_1").expand(["sources"]).await?;
    let _ = (customers, customer, expanded);
    Ok(())
}
