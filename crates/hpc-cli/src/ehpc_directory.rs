//! `hpc ehpc queues list` and `hpc ehpc users list`.

use crate::args::{DirectoryArgs, Output};
use crate::failure::Failure;
use crate::output::{Record, opt, print_listing};
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

pub async fn queues(target: &Target, format: Output, args: DirectoryArgs) -> Result<(), Failure> {
    let request = target
        .ehpc()?
        .queues()
        .list()
        .cluster_id(target.ehpc_cluster(args.cluster_id)?)
        .set_search_word(args.search)
        .page_size(args.page.limit)
        .offset(args.page.offset);
    print_listing(
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
    print_listing(
        format,
        args.page.all,
        request.clone().send(),
        request.items(),
    )
    .await
}
