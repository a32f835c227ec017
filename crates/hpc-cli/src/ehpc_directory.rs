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

fn cluster(target: &Target, given: Option<String>) -> Result<String, Failure> {
    given
        .or_else(|| target.sandbox_cluster())
        .ok_or_else(|| Failure::Usage("--cluster-id is required (or set EHPC_CLUSTER_ID)".into()))
}

fn printer(format: Output) -> Printer<std::io::BufWriter<std::io::Stdout>> {
    Printer::new(format, std::io::BufWriter::new(std::io::stdout()))
}

pub async fn queues(target: &Target, format: Output, args: DirectoryArgs) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .queues()
        .list()
        .cluster_id(cluster(target, args.cluster_id)?)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    let mut out = printer(format);
    if args.page.all {
        let mut queues = request.items();
        while let Some(queue) = queues.try_next().await? {
            out.push(&queue)?;
        }
    } else {
        for queue in &request.send().await?.items {
            out.push(queue)?;
        }
    }
    Ok(out.finish::<hpc_sdk::ehpc::types::EhpcQueue>()?)
}

pub async fn users(target: &Target, format: Output, args: DirectoryArgs) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .users()
        .list()
        .cluster_id(cluster(target, args.cluster_id)?)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    let mut out = printer(format);
    if args.page.all {
        let mut users = request.items();
        while let Some(user) = users.try_next().await? {
            out.push(&user)?;
        }
    } else {
        for user in &request.send().await?.items {
            out.push(user)?;
        }
    }
    Ok(out.finish::<hpc_sdk::ehpc::types::HpcUser>()?)
}
