//! `.items()` with `prefetch(2)` against a busy cluster on loopback: a new job every
//! 10 ms, each answer after 0–60 ms, newest first or oldest first. Every job there
//! when the listing started is listed exactly once, and no job twice.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The fake cluster's jobs, in the order `job/list` answers them.
struct Cluster {
    ids: Mutex<Vec<u64>>,
    newest_first: bool,
}

impl Cluster {
    fn page(&self, offset: usize, limit: usize) -> String {
        let ids = self.ids.lock().unwrap();
        let jobs: Vec<_> = ids
            .iter()
            .skip(offset)
            .take(limit)
            .map(|id| {
                serde_json::json!({"hpcjob_uuid": format!("hpcjob-{id}"), "job_id": id, "job_status": "running"})
            })
            .collect();
        serde_json::json!({"ret_code": 0, "total_count": ids.len(), "hpc_job_set": jobs})
            .to_string()
    }

    fn submit(&self, id: u64) {
        let mut ids = self.ids.lock().unwrap();
        if self.newest_first {
            ids.insert(0, id);
        } else {
            ids.push(id);
        }
    }
}

fn query(target: &str, key: &str) -> usize {
    url::Url::parse(&format!("http://x{target}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
}

/// Serves `job/list` over keep-alive HTTP/1.1, each answer after a random delay.
async fn serve(cluster: Arc<Cluster>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut seed = 7_u64;
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let (cluster, mut seed) = (cluster.clone(), seed);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                while let Ok(Some(request_line)) = lines.next_line().await {
                    while let Ok(Some(header)) = lines.next_line().await {
                        if header.is_empty() {
                            break;
                        }
                    }
                    let target = request_line.split(' ').nth(1).unwrap_or("/").to_string();
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    tokio::time::sleep(Duration::from_millis((seed >> 33) % 61)).await;
                    let body = cluster.page(query(&target, "offset"), query(&target, "limit"));
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if write.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

async fn list_while_busy(newest_first: bool) {
    let cluster = Arc::new(Cluster {
        ids: Mutex::new((0..1_000).rev().collect()),
        newest_first,
    });
    if !newest_first {
        cluster.ids.lock().unwrap().reverse();
    }
    let endpoint = serve(cluster.clone()).await;
    let busy = {
        let cluster = cluster.clone();
        tokio::spawn(async move {
            for id in 1_000.. {
                tokio::time::sleep(Duration::from_millis(10)).await;
                cluster.submit(id);
            }
        })
    };
    let client = hpc_sdk::ehpc::Client::builder()
        .endpoint(endpoint)
        .zone("jinan1a")
        .credentials("AK", "SECRET")
        .build()
        .unwrap();
    let jobs: Vec<_> = client
        .jobs()
        .list()
        .cluster_id("c")
        .prefetch(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    busy.abort();
    let ids: Vec<u64> = jobs
        .iter()
        .map(|job| job.job_id.unwrap().0 as u64)
        .collect();
    let unique: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a job was listed twice");
    let lost: Vec<u64> = (0..1_000).filter(|id| !unique.contains(id)).collect();
    assert!(lost.is_empty(), "jobs lost: {lost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_cluster_listed_newest_first_loses_and_repeats_nothing() {
    for _ in 0..4 {
        list_while_busy(true).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_cluster_listed_oldest_first_loses_and_repeats_nothing() {
    for _ in 0..4 {
        list_while_busy(false).await;
    }
}
