//! Driving the SCNet job calls through the generated client, logged in as a user's
//! program would be: AK/SK login, then the region token on the hpc host.

use std::future::Future;
use std::time::Duration;

use hpc_sandbox::{Sandbox, SandboxBuilder};
use scnet_client::types::{
    CancelJobsRequest, CancelJobsResponse, FileContentPage, FileContentRequest, HistoryJobPage,
    JobListItem, SubmitJobInfo, SubmitJobRequest, SubmitJobResponse,
};
use scnet_client::{Auth, Client};

/// The cluster user's home on the sandbox's cluster.
pub const HOME: &str = "/public/home/acsandbox";

/// A started sandbox with a client on its region hpc host.
pub struct Region {
    pub sandbox: Sandbox,
    pub client: Client,
    pub token: String,
    /// The first scheduler's id.
    pub scheduler: String,
}

pub async fn region(builder: SandboxBuilder) -> Region {
    let sandbox = builder.jobs(0).start().await.unwrap();
    let (_, token) = super::login(&sandbox).await;
    let client = Client::new_with_client(
        sandbox.scnet_hpc_url(),
        reqwest::Client::new(),
        Auth::token(&token).unwrap(),
    );
    let scheduler = sandbox.scnet_scheduler_ids()[0].clone();
    Region {
        sandbox,
        client,
        token,
        scheduler,
    }
}

/// A submit of `cmd` named `name` to queue `debug`, working in `<HOME>/<name>`, with
/// every key the generated type requires and the optional ones left out.
pub fn job(name: &str, cmd: &str) -> SubmitJobInfo {
    SubmitJobInfo {
        gap_appname: "BASE".into(),
        gap_cmd_file: cmd.into(),
        gap_job_name: name.into(),
        gap_nnode: "1".into(),
        gap_queue: "debug".into(),
        gap_submit_type: "cmd".into(),
        gap_wall_time: "00:10:00".into(),
        gap_work_dir: format!("{HOME}/{name}"),
        gap_exclusive: None,
        gap_job_mem: None,
        gap_multi_sub: None,
        gap_ndcu: None,
        gap_ngpu: None,
        gap_node_string: None,
        gap_nproc: Some("2".into()),
        gap_ppn: None,
        gap_std_err_file: None,
        gap_std_out_file: None,
        extra: Default::default(),
    }
}

impl Region {
    pub async fn submit(&self, info: SubmitJobInfo) -> SubmitJobResponse {
        self.client
            .submit_job()
            .apptype("BASIC")
            .appname("BASE")
            .body(SubmitJobRequest {
                map_app_job_info: info,
                str_job_manager_id: self.scheduler.clone().into(),
            })
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// Submits and answers the new job's id.
    pub async fn submit_ok(&self, info: SubmitJobInfo) -> String {
        let answer = self.submit(info).await;
        assert_eq!(answer.code.as_str(), "0", "{answer:?}");
        answer.data.unwrap().as_str().unwrap().to_owned()
    }

    /// A submit with a raw JSON body, for what the generated type cannot send.
    pub async fn submit_raw(&self, body: String) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!(
                "{}/hpc/openapi/v2/apptemplates/BASIC/BASE/job",
                self.sandbox.scnet_hpc_url()
            ))
            .header("token", &self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The realtime list's row of job `id`, if it shows one.
    pub async fn realtime(&self, id: &str) -> Option<JobListItem> {
        let answer = self
            .client
            .list_jobs()
            .str_cluster_id_list(self.scheduler.clone())
            .str_job_id(id.to_owned())
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answer.code.as_str(), "0", "{answer:?}");
        answer.data.unwrap().list.unwrap().into_iter().next()
    }

    /// The history rows of the last hour (and the next), filtered by job id if given.
    pub async fn history(&self, job_id: Option<&str>) -> HistoryJobPage {
        let now = chrono::Utc::now() + chrono::TimeDelta::hours(8);
        let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        let mut request = self
            .client
            .list_history_jobs()
            .str_cluster_name_list(self.scheduler.clone())
            .start_time(time(now - chrono::TimeDelta::hours(1)))
            .end_time(time(now + chrono::TimeDelta::hours(1)))
            .time_type("CUSTOM")
            .start(0)
            .limit(100)
            .is_query_by_queue_time(false);
        if let Some(id) = job_id {
            request = request.job_id(id.to_owned());
        }
        let answer = request.send().await.unwrap().into_inner();
        assert_eq!(answer.code.as_str(), "0", "{answer:?}");
        answer.data.unwrap()
    }

    /// A page of a cluster file: its answer's code and page.
    pub async fn read(
        &self,
        path: &str,
        page: u64,
        down: bool,
    ) -> (String, Option<FileContentPage>) {
        let answer = self
            .client
            .read_file_content()
            .body(FileContentRequest {
                host_name: String::new(),
                dir_path: path.into(),
                trigger_num: page.try_into().unwrap(),
                roll_direction: if down { "DOWN" } else { "UP" }.into(),
            })
            .send()
            .await
            .unwrap()
            .into_inner();
        (answer.code.as_str().to_owned(), answer.data)
    }

    /// A cancel of these `{scheduler},{user}:{id}:` entries, joined by `;`.
    pub async fn cancel(&self, entries: &[String]) -> CancelJobsResponse {
        self.client
            .cancel_jobs()
            .body(CancelJobsRequest {
                job_method: "5".into(),
                str_job_info_map: entries.join(";"),
            })
            .send()
            .await
            .unwrap()
            .into_inner()
    }

    /// The cancel entry of job `id` on the first scheduler.
    pub fn entry(&self, id: &str) -> String {
        format!("{},acsandbox:{id}:", self.scheduler)
    }
}

/// Polls `probe` every 10 ms until it answers `Some`, for at most 20 s.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
