//! `hpc ehpc queues list` and `hpc ehpc users list`.

use futures::TryStreamExt;

use crate::args::{DirectoryArgs, Output};
use crate::failure::Failure;
use crate::output::{Printer, Record, opt};
use crate::target::Target;

impl Record for hpc_sdk::ehpc::types::EhpcQueue {
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "PARTITION", "DEFAULT", "UPDATED"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self.hpcqueue_id),
            opt(&self.name),
            opt(&self.partition_name.clone().or(self.partotion_name.clone())),
            opt(&self.default_queue.map(|d| i64::from(d) == 1)),
            opt(&self.update_time),
        ]
    }
}

impl Record for hpc_sdk::ehpc::types::HpcUser {
    fn headers() -> &'static [&'static str] {
        &["USERNAME", "ROLE", "UID", "HOME", "ID"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self.username),
            opt(&self.role),
            opt(&self.uid_number),
            opt(&self.nas_mount_point),
            opt(&self.hpcuser_id),
        ]
    }
}

fn printer(format: Output) -> Printer<std::io::BufWriter<std::io::Stdout>> {
    Printer::new(format, std::io::BufWriter::new(std::io::stdout()))
}

/// Prints one page, or with `--all` every page, of a listing.
async fn print<R: Record>(
    format: Output,
    all: bool,
    first_page: impl std::future::Future<Output = hpc_sdk::Result<hpc_sdk::Page<R>>>,
    every_item: hpc_sdk::ItemStream<R>,
) -> Result<(), Failure> {
    let mut out = printer(format);
    if all {
        let mut items = every_item;
        while let Some(item) = items.try_next().await? {
            out.push(&item)?;
        }
    } else {
        for item in &first_page.await?.items {
            out.push(item)?;
        }
    }
    Ok(out.finish::<R>()?)
}

pub async fn queues(target: &Target, format: Output, args: DirectoryArgs) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .queues()
        .list()
        .cluster_id(target.ehpc_cluster(args.cluster_id)?)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    print(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}

pub async fn users(target: &Target, format: Output, args: DirectoryArgs) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .users()
        .list()
        .cluster_id(target.ehpc_cluster(args.cluster_id)?)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    print(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}
