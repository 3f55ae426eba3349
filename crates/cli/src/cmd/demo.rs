//! `storecheck demo`

use storecheck_core::{Db, Lang};

use crate::output::Out;

#[derive(clap::Args)]
pub struct Args {
    /// Which language's standard new audits use by default: ru or en
    #[arg(long, default_value = "ru")]
    lang: String,
}

pub fn run(db: &mut Db, out: &Out, args: Args) -> anyhow::Result<()> {
    let outcome = db.load_demo(Lang::from_tag(&args.lang))?;
    out.print(&outcome, || {
        let mut s = format!(
            "Demo loaded: standard {}, stores {}.\n",
            outcome.standard,
            outcome.stores.join(", ")
        );
        if outcome.audits.is_empty() {
            s.push_str("The demo audits were already there; nothing new was added.\n");
        } else {
            s.push_str(&format!(
                "Audits: {}\n",
                outcome
                    .audits
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        s.push_str("Next: storecheck audit list\n");
        s
    })
}
