//! The SCNet efile gateways over raw HTTP, as the vendor pages describe the calls: list,
//! mkdir, upload, download (ranges, folders, faults, job output). Chunked uploads are in
//! `scnet_efile_chunks.rs`.

mod common;

use std::io::Read;
use std::time::Duration;

use common::efile::{Efile, bytes, code, header_of};
use common::scnet::{HOME, eventually, job};
use hpc_sandbox::Sandbox;
use reqwest::multipart::{Form, Part};
use reqwest::{StatusCode, header};
use serde_json::Value;

#[tokio::test]
async fn center_lists_both_gateways_and_every_route_wants_the_region_token() {
    let efile = Efile::start(Sandbox::builder()).await;
    let center: Value = efile
        .json(efile.http.get(format!(
            "{}/ac/openapi/v2/center",
            efile.sandbox().scnet_portal_url()
        )))
        .await;
    let listed: Vec<&Value> = center["data"]["efileUrls"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let urls = efile.sandbox().scnet_efile_urls();
    assert_eq!(urls.len(), 2);
    assert_ne!(urls[0], urls[1]);
    for (entry, url) in listed.iter().zip(&urls) {
        assert_eq!(entry["enable"], "true");
        assert_eq!(entry["url"].as_str(), Some(url.as_str()));
        assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/efile"));
    }
    assert_eq!(listed.len(), 2);

    let (platform, _) = common::login(efile.sandbox()).await;
    for call in ["list", "download"] {
        let url = efile.url(1, call);
        let bare: Value = efile
            .http
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(code(&bare), "10003", "{call}");
        let wrong = common::get_with_token(url, &platform)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(code(&wrong), "10009", "{call}");
    }
    for call in ["mkdir", "upload", "burst", "merge"] {
        let answer: Value = (efile.http.post(efile.url(0, call)).send().await.unwrap())
            .json()
            .await
            .unwrap();
        assert_eq!(code(&answer), "10003", "{call}");
    }
}

#[tokio::test]
async fn mkdir_makes_directories_once() {
    let efile = Efile::start(Sandbox::builder()).await;
    let dir = format!("{HOME}/made");
    let made = efile.mkdir(&dir, false).await;
    assert_eq!(
        made,
        serde_json::json!({"code": "0", "msg": "success", "data": null})
    );
    assert!(efile.sandbox().files().is_dir(&dir));
    let again = efile.mkdir(&dir, false).await;
    assert_eq!(
        (code(&again), again["msg"].as_str()),
        ("911021", Some("文件已存在"))
    );
    let deep = format!("{HOME}/a/b/c");
    assert_eq!(code(&efile.mkdir(&deep, false).await), "911020");
    assert_eq!(code(&efile.mkdir(&deep, true).await), "0");
    assert!(efile.sandbox().files().is_dir(&deep));
    assert_eq!(code(&efile.mkdir("relative/x", true).await), "10004");
    assert_eq!(
        code(&efile.mkdir(&format!("{HOME}/../x"), true).await),
        "10004"
    );
}

#[tokio::test]
async fn an_upload_is_listed_and_downloads_the_same() {
    let efile = Efile::start(Sandbox::builder()).await;
    let dir = format!("{HOME}/up");
    assert_eq!(code(&efile.mkdir(&dir, false).await), "0");
    // Past axum's default 2 MB body limit, which the gateways turn off.
    let data = bytes(3 << 20, 7);
    let uploaded = efile
        .upload(&dir, "data.bin", data.clone(), "uncover")
        .await;
    assert_eq!(code(&uploaded), "0", "{uploaded}");

    let listing = efile
        .list(&[("path", &dir), ("start", "0"), ("limit", "10")])
        .await;
    assert_eq!(code(&listing), "0", "{listing}");
    let page = &listing["data"];
    assert_eq!(
        (page["total"].as_u64(), page["path"].as_str()),
        (Some(1), Some(dir.as_str()))
    );
    assert_eq!(page["shareEnabled"], false);
    assert_eq!(page["children"], serde_json::json!([]));
    let item = &page["fileList"][0];
    assert_eq!(item["name"], "data.bin");
    assert_eq!(
        item["path"].as_str(),
        Some(format!("{dir}/data.bin").as_str())
    );
    assert_eq!(item["size"].as_u64(), Some(3 << 20));
    assert_eq!(
        (item["isDirectory"].as_bool(), item["type"].as_str()),
        (Some(false), Some("file"))
    );
    assert_eq!(
        (item["permission"].as_str(), item["owner"].as_str()),
        (Some("rw-r--r--"), Some("acsandbox"))
    );
    assert!(item["fileKey"].is_string());
    let time = item["lastModifiedTime"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{time}"
    );

    let response = efile.download(&format!("{dir}/data.bin"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(
        header_of(&response, header::CONTENT_LENGTH),
        (3 << 20).to_string()
    );
    assert_eq!(header_of(&response, header::ACCEPT_RANGES), "bytes");
    assert_eq!(
        header_of(&response, header::CONTENT_DISPOSITION),
        "attachment; filename=\"data.bin\""
    );
    assert!(response.bytes().await.unwrap() == data);

    // Kept unless `cover`; then replaced.
    let kept = efile
        .upload(&dir, "data.bin", b"new".to_vec(), "uncover")
        .await;
    assert_eq!(code(&kept), "911021");
    assert_eq!(
        efile
            .sandbox()
            .files()
            .len(&format!("{dir}/data.bin"))
            .unwrap(),
        3 << 20
    );
    assert_eq!(
        code(
            &efile
                .upload(&dir, "data.bin", b"new".to_vec(), "cover")
                .await
        ),
        "0"
    );
    assert_eq!(
        efile
            .sandbox()
            .files()
            .len(&format!("{dir}/data.bin"))
            .unwrap(),
        3
    );
    // The file before the directory, as the vendor's own cURL sends them.
    let form = Form::new()
        .text("cover", "uncover")
        .part("file", Part::bytes(b"late".to_vec()).file_name("late.txt"))
        .text("path", dir.clone());
    let late = efile
        .json(efile.http.post(efile.url(1, "upload")).multipart(form))
        .await;
    assert_eq!(code(&late), "0", "{late}");
    let body = efile
        .download(&format!("{dir}/late.txt"), None)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], b"late");
    let nowhere = efile
        .upload(&format!("{HOME}/none"), "x", b"x".to_vec(), "cover")
        .await;
    assert_eq!(code(&nowhere), "911020");
}

#[tokio::test]
async fn listings_page_order_and_filter() {
    let efile = Efile::start(Sandbox::builder()).await;
    let files = efile.sandbox().files();
    let dir = format!("{HOME}/many");
    for (name, size) in [("b.txt", 30), ("a.txt", 10), ("c.log", 20)] {
        files
            .write(&format!("{dir}/{name}"), &bytes(size, 1))
            .unwrap();
    }
    files.mkdir(&format!("{dir}/sub"), false).unwrap();
    let names = |answer: &Value| -> Vec<String> {
        let list = answer["data"]["fileList"].as_array().unwrap();
        list.iter()
            .map(|item| item["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = efile
        .list(&[("path", &dir), ("start", "0"), ("limit", "10")])
        .await;
    assert_eq!(names(&all), ["a.txt", "b.txt", "c.log", "sub"]);
    let sub = &all["data"]["fileList"][3];
    assert_eq!(
        (sub["isDirectory"].as_bool(), sub["type"].as_str()),
        (Some(true), Some("directory"))
    );
    let page = efile
        .list(&[("path", &dir), ("start", "1"), ("limit", "2")])
        .await;
    assert_eq!(
        (names(&page), page["data"]["total"].as_u64()),
        (vec!["b.txt".into(), "c.log".into()], Some(4))
    );
    let query = [
        ("path", dir.as_str()),
        ("start", "0"),
        ("limit", "3"),
        ("orderBy", "size"),
        ("order", "desc"),
    ];
    assert_eq!(names(&efile.list(&query).await), ["sub", "b.txt", "c.log"]);
    let found = efile
        .list(&[
            ("path", &dir),
            ("start", "0"),
            ("limit", "9"),
            ("keyWord", ".txt"),
        ])
        .await;
    assert_eq!(
        (names(&found), found["data"]["keyword"].as_str()),
        (vec!["a.txt".into(), "b.txt".into()], Some(".txt"))
    );
    // No path: the home, where `many` is.
    let home = efile.list(&[("start", "0"), ("limit", "10")]).await;
    assert_eq!(home["data"]["path"].as_str(), Some(HOME));
    assert!(names(&home).contains(&"many".to_owned()));
    assert_eq!(
        code(&efile.list(&[("path", &dir), ("limit", "10")]).await),
        "10003"
    );
    assert_eq!(
        code(&efile.list(&[("start", "0"), ("limit", "ten")]).await),
        "10004"
    );
    let missing = efile
        .list(&[
            ("path", &format!("{HOME}/none")),
            ("start", "0"),
            ("limit", "1"),
        ])
        .await;
    assert_eq!(
        (code(&missing), missing["msg"].as_str()),
        ("911020", Some("文件不存在"))
    );
    let file = efile
        .list(&[
            ("path", &format!("{dir}/a.txt")),
            ("start", "0"),
            ("limit", "1"),
        ])
        .await;
    assert_eq!(code(&file), "10004");
}

#[tokio::test]
async fn ranges_answer_206_with_their_content_range() {
    let efile = Efile::start(Sandbox::builder()).await;
    let data = bytes(1000, 2);
    let path = format!("{HOME}/r.bin");
    efile.sandbox().files().write(&path, &data).unwrap();
    let part = efile.download(&path, Some("bytes=100-199")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header_of(&part, header::CONTENT_RANGE),
        "bytes 100-199/1000"
    );
    assert_eq!(header_of(&part, header::CONTENT_LENGTH), "100");
    assert!(part.bytes().await.unwrap() == data[100..200]);
    let tail = efile.download(&path, Some("bytes=900-")).await;
    assert_eq!(
        header_of(&tail, header::CONTENT_RANGE),
        "bytes 900-999/1000"
    );
    assert!(tail.bytes().await.unwrap() == data[900..]);
    let past = efile.download(&path, Some("bytes=1000-")).await;
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header_of(&past, header::CONTENT_RANGE), "bytes */1000");
}

#[tokio::test]
async fn a_folder_downloads_as_a_zip_of_its_tree() {
    let efile = Efile::start(Sandbox::builder()).await;
    let files = efile.sandbox().files();
    files
        .write(&format!("{HOME}/tree/a.txt"), b"alpha\n")
        .unwrap();
    files
        .write(&format!("{HOME}/tree/deep/b.bin"), &bytes(50_000, 4))
        .unwrap();
    let response = efile.download(&format!("{HOME}/tree"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "application/zip"
    );
    assert_eq!(
        header_of(&response, header::CONTENT_DISPOSITION),
        "attachment; filename=\"tree.zip\""
    );
    let body = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).unwrap();
    let mut text = String::new();
    archive
        .by_name("tree/a.txt")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "alpha\n");
    let mut deep = Vec::new();
    archive
        .by_name("tree/deep/b.bin")
        .unwrap()
        .read_to_end(&mut deep)
        .unwrap();
    assert!(deep == bytes(50_000, 4));
}

#[tokio::test]
async fn a_missing_file_is_the_json_envelope_with_http_200() {
    let efile = Efile::start(Sandbox::builder()).await;
    let response = efile.download(&format!("{HOME}/none.txt"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "application/json;charset=UTF-8"
    );
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"code": "911020", "msg": "文件不存在", "data": null})
    );
}

#[tokio::test]
async fn a_download_cut_after_some_bytes_resumes_with_a_range() {
    let efile = Efile::start(Sandbox::builder()).await;
    let data = bytes(300_000, 6);
    let path = format!("{HOME}/cut.bin");
    efile.sandbox().files().write(&path, &data).unwrap();
    // Through the control endpoint, as a test in another language would.
    let fault = serde_json::json!({
        "path": "/efile/openapi/v2/file/download", "fault": "cut_after_bytes", "bytes": 100_000
    });
    let control = format!("{}/_sandbox/faults", efile.origins[1]);
    let queued = efile.http.post(control).json(&fault).send().await.unwrap();
    assert_eq!(queued.status(), StatusCode::OK);

    let mut response = efile.download(&path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, header::CONTENT_LENGTH), "300000");
    let mut got = Vec::new();
    let broke = loop {
        match response.chunk().await {
            Ok(Some(piece)) => got.extend_from_slice(&piece),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(broke, "the body ended cleanly after {} bytes", got.len());
    assert_eq!(got.len(), 100_000);
    let rest = efile
        .download(&path, Some(&format!("bytes={}-", got.len())))
        .await;
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    got.extend_from_slice(&rest.bytes().await.unwrap());
    assert!(got == data);
}

#[tokio::test]
async fn a_jobs_output_downloads_through_efile() {
    let builder = Sandbox::builder()
        .speed(1000.0)
        .pending_time(Duration::from_millis(100));
    let efile = Efile::start(builder).await;
    let id = efile.region.submit_ok(job("out", "echo hello efile")).await;
    let stdout = format!("{HOME}/out/std.out.{id}");
    let body = eventually("the job's output", || async {
        let response = efile.download(&stdout, None).await;
        let kind = header_of(&response, header::CONTENT_TYPE).to_owned();
        let body = response.bytes().await.unwrap();
        (kind == "application/octet-stream" && !body.is_empty()).then_some(body)
    })
    .await;
    assert_eq!(&body[..], b"hello efile\n");
}

#[tokio::test]
async fn the_generated_client_lists_and_makes_folders() {
    let efile = Efile::start(Sandbox::builder()).await;
    let auth = scnet_client::Auth::token(&efile.region.token).unwrap();
    let api = scnet_client::Client::new_with_client(&efile.origins[1], efile.http.clone(), auth);
    let made = api
        .make_directory()
        .path(format!("{HOME}/gen/x"))
        .create_parents(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(made.code.is_success(), "{made:?}");
    let again = api
        .make_directory()
        .path(format!("{HOME}/gen/x"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.code.as_str(), "911021");
    let page = api
        .list_files()
        .start(0)
        .limit(10)
        .path(format!("{HOME}/gen"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(page.code.is_success(), "{page:?}");
    let entries = page.data.unwrap().file_list.unwrap();
    let names: Vec<_> = entries.iter().filter_map(|e| e.name.as_deref()).collect();
    assert_eq!(names, ["x"]);
    assert_eq!(entries[0].is_directory, Some(true));
}
