//! An efile client for tests, written from the vendor pages (`scnet-efile-*.md`) and
//! independently of the sandbox's handlers: raw multipart and urlencoded requests.

use reqwest::multipart::{Form, Part};
use reqwest::{RequestBuilder, StatusCode, header};
use serde_json::Value;

use super::scnet::{Region, region};
use hpc_sandbox::{Sandbox, SandboxBuilder};

/// A region logged in, with the gateways' origins as a client derives them from
/// `center`: the listed URLs end in `/efile`, the routes start with it.
pub struct Efile {
    pub region: Region,
    pub http: reqwest::Client,
    pub origins: Vec<String>,
}

/// The urlencoded form's content type.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// A urlencoded form body (reqwest's `form` is a feature the workspace leaves out).
pub fn urlencoded(pairs: &[(&str, &str)]) -> String {
    let pairs = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", super::enc(key, true), super::enc(value, true)));
    pairs.collect::<Vec<_>>().join("&")
}

/// The answer's `code`.
pub fn code(answer: &Value) -> &str {
    answer["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
}

/// `size` bytes that are not all alike, so that a misplaced chunk shows.
pub fn bytes(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

impl Efile {
    pub async fn start(builder: SandboxBuilder) -> Self {
        let region = region(builder).await;
        let origins = region
            .sandbox
            .scnet_efile_urls()
            .iter()
            .map(|url| {
                url.trim_end_matches('/')
                    .trim_end_matches("/efile")
                    .to_owned()
            })
            .collect();
        Self {
            region,
            http: reqwest::Client::new(),
            origins,
        }
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.region.sandbox
    }

    pub fn url(&self, gateway: usize, call: &str) -> String {
        format!("{}/efile/openapi/v2/file/{call}", self.origins[gateway])
    }

    pub async fn json(&self, request: RequestBuilder) -> Value {
        let response = request
            .header("token", &self.region.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn mkdir(&self, path: &str, parents: bool) -> Value {
        let query = [("path", path), ("createParents", &parents.to_string())];
        self.json(self.http.post(self.url(0, "mkdir")).query(&query))
            .await
    }

    pub async fn list(&self, query: &[(&str, &str)]) -> Value {
        self.json(self.http.get(self.url(0, "list")).query(query))
            .await
    }

    pub async fn upload(&self, dir: &str, name: &str, data: Vec<u8>, cover: &str) -> Value {
        let form = Form::new()
            .text("path", dir.to_owned())
            .text("cover", cover.to_owned())
            .part("file", Part::bytes(data).file_name(name.to_owned()));
        self.json(self.http.post(self.url(0, "upload")).multipart(form))
            .await
    }

    /// Chunk `number` of `total` of `dir/name`, `size` bytes in all, identified as
    /// scnet-cli does (`<size>-<name>`).
    pub async fn burst(&self, gateway: usize, dir: &str, name: &str, chunk: Chunk<'_>) -> Value {
        let form = Form::new()
            .text("chunkNumber", chunk.number.to_string())
            .text("totalChunks", chunk.total.to_string())
            .text("totalSize", chunk.size.to_string())
            .text("chunkSize", "4096")
            .text("currentChunkSize", chunk.data.len().to_string())
            .text("filename", name.to_owned())
            .text("relativePath", name.to_owned())
            .text("path", dir.to_owned())
            .text("identifier", format!("{}-{name}", chunk.size))
            .text("cover", "uncover")
            .part(
                "file",
                Part::bytes(chunk.data.to_vec()).file_name(name.to_owned()),
            );
        self.json(self.http.post(self.url(gateway, "burst")).multipart(form))
            .await
    }

    /// A urlencoded merge with both spellings of the identifier, as scnet-cli sends it.
    pub async fn merge(&self, gateway: usize, dir: &str, name: &str, size: usize) -> Value {
        let identifier = format!("{size}-{name}");
        let form = [
            ("path", dir),
            ("relativePath", name),
            ("filename", name),
            ("identifier", &identifier),
            ("indentifier", &identifier),
            ("cover", "uncover"),
            ("id", ""),
        ];
        self.json(
            self.http
                .post(self.url(gateway, "merge"))
                .body(urlencoded(&form))
                .header(header::CONTENT_TYPE, FORM),
        )
        .await
    }

    pub async fn download(&self, path: &str, range: Option<&str>) -> reqwest::Response {
        let mut request = self
            .http
            .get(self.url(0, "download"))
            .query(&[("path", path)])
            .header("token", &self.region.token);
        if let Some(range) = range {
            request = request.header(header::RANGE, range);
        }
        request.send().await.unwrap()
    }
}

/// One chunk of an upload.
#[derive(Clone, Copy)]
pub struct Chunk<'a> {
    pub number: usize,
    pub total: usize,
    pub size: usize,
    pub data: &'a [u8],
}

pub fn header_of(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response.headers()[name].to_str().unwrap()
}
