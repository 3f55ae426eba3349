//! `storecheck store add|list`

use storecheck_core::Db;

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a store of the chain
    Add {
        code: String,
        name: String,
        #[arg(long)]
        region: Option<String>,
    },
    /// List the stores
    List,
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Add { code, name, region } => {
            let store = db.add_store(&code, &name, region.as_deref())?;
            out.print(&store, || {
                Message::StoreReady {
                    code: &store.code,
                    name: &store.name,
                }
                .text(out.lang)
            })
        }
        Command::List => {
            let stores = db.list_stores()?;
            out.print(&stores, || {
                if stores.is_empty() {
                    return Message::NoStores.text(out.lang);
                }
                stores
                    .iter()
                    .map(|s| {
                        format!(
                            "{}\t{}\t{}\n",
                            s.code,
                            s.name,
                            s.region.as_deref().unwrap_or("")
                        )
                    })
                    .collect()
            })
        }
    }
}
