//! `storecheck demo`

use storecheck_core::{Db, Lang};

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Args)]
pub struct Args {
    /// Which language's standard new audits use by default, and the language this command
    /// speaks: ru or en [default: ru for the standard; the locale's language for the output]
    #[arg(long, value_parser = ["ru", "en"])]
    pub lang: Option<String>,
}

pub fn run(db: &mut Db, out: &Out, args: Args) -> anyhow::Result<()> {
    let outcome = db.load_demo(Lang::from_tag(args.lang.as_deref().unwrap_or("ru")))?;
    out.print(&outcome, || {
        let stores = outcome.stores.join(", ");
        let ids = outcome
            .audits
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let lines = [
            Message::DemoLoaded {
                standard: &outcome.standard,
                stores: &stores,
            },
            if outcome.audits.is_empty() {
                Message::DemoAlreadyThere
            } else {
                Message::DemoAudits { ids: &ids }
            },
            Message::DemoNext,
        ];
        lines.iter().map(|m| m.text(out.lang) + "\n").collect()
    })
}
