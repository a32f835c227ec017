//! The SCNet efile chunked upload over raw HTTP: `file/burst`, then `file/merge` on the
//! same gateway, with retries, limits and refusals.

mod common;

use common::efile::{Chunk, Efile, FORM, bytes, code, urlencoded};
use common::scnet::HOME;
use hpc_sandbox::{Fault, Sandbox};
use reqwest::multipart::{Form, Part};
use reqwest::{StatusCode, header};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn chunks_merge_on_their_own_gateway_only() {
    let efile = Efile::start(Sandbox::builder()).await;
    let data = bytes(10_000, 3);
    let (dir, size) = (HOME, data.len());
    let pieces: Vec<&[u8]> = data.chunks(4096).collect();
    assert_eq!(pieces.len(), 3);
    for (at, piece) in pieces.iter().enumerate() {
        let chunk = Chunk {
            number: at + 1,
            total: 3,
            size,
            data: piece,
        };
        let answer = efile.burst(0, dir, "big.bin", chunk).await;
        assert_eq!(
            answer,
            serde_json::json!({"code": "0", "msg": "success", "data": null})
        );
    }
    // Sending a chunk again replaces it.
    let again = Chunk {
        number: 2,
        total: 3,
        size,
        data: pieces[1],
    };
    assert_eq!(code(&efile.burst(0, dir, "big.bin", again).await), "0");
    assert_eq!(
        efile
            .sandbox()
            .request_count("/efile/openapi/v2/file/burst"),
        4
    );

    let elsewhere = efile.merge(1, dir, "big.bin", size).await;
    assert_eq!(
        (code(&elsewhere), elsewhere["msg"].as_str()),
        ("911030", Some("找不到临时文件"))
    );
    let merged = efile.merge(0, dir, "big.bin", size).await;
    assert_eq!(code(&merged), "0", "{merged}");
    assert_eq!(efile.sandbox().efile_requests_by_gateway(), [5, 1]);

    let body = efile
        .download(&format!("{dir}/big.bin"), None)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(Sha256::digest(&body), Sha256::digest(&data));
    // The chunks are gone with the merge, and the file is not replaced without `cover`.
    assert_eq!(code(&efile.merge(0, dir, "big.bin", size).await), "911030");
    let first = Chunk {
        number: 1,
        total: 1,
        size: 3,
        data: b"abc",
    };
    assert_eq!(code(&efile.burst(0, dir, "big.bin", first).await), "0");
    assert_eq!(code(&efile.merge(0, dir, "big.bin", 3).await), "911021");
    assert_eq!(
        efile
            .sandbox()
            .files()
            .len(&format!("{dir}/big.bin"))
            .unwrap(),
        10_000
    );
}

#[tokio::test]
async fn a_merge_names_missing_chunks_and_takes_multipart() {
    let efile = Efile::start(Sandbox::builder()).await;
    let data = bytes(9000, 5);
    let pieces: Vec<&[u8]> = data.chunks(4096).collect();
    let size = data.len();
    for number in [1, 3] {
        let chunk = Chunk {
            number,
            total: 3,
            size,
            data: pieces[number - 1],
        };
        assert_eq!(code(&efile.burst(1, HOME, "m.bin", chunk).await), "0");
    }
    let partial = efile.merge(1, HOME, "m.bin", size).await;
    assert_eq!(code(&partial), "10004");
    assert!(partial["msg"].as_str().unwrap().contains('2'), "{partial}");
    let chunk = Chunk {
        number: 2,
        total: 3,
        size,
        data: pieces[1],
    };
    assert_eq!(code(&efile.burst(1, HOME, "m.bin", chunk).await), "0");
    // Multipart, with only the documented spelling of the identifier.
    let form = Form::new()
        .text("path", HOME)
        .text("relativePath", "m.bin")
        .text("indentifier", format!("{size}-m.bin"))
        .text("cover", "uncover");
    let merged = efile
        .json(efile.http.post(efile.url(1, "merge")).multipart(form))
        .await;
    assert_eq!(code(&merged), "0", "{merged}");
    assert!(
        efile
            .sandbox()
            .files()
            .len(&format!("{HOME}/m.bin"))
            .unwrap()
            == 9000
    );
}

#[tokio::test]
async fn a_chunk_that_failed_once_is_not_kept_and_can_be_sent_again() {
    let efile = Efile::start(Sandbox::builder()).await;
    let data = bytes(6000, 9);
    let (one, two) = data.split_at(4096);
    let size = data.len();
    efile
        .sandbox()
        .inject(Fault::status("/efile/openapi/v2/file/burst", 500).times(1));
    let form = |number: usize, data: &[u8]| {
        Form::new()
            .text("chunkNumber", number.to_string())
            .text("totalChunks", "2")
            .text("totalSize", size.to_string())
            .text("relativePath", "f.bin")
            .text("path", HOME)
            .part("file", Part::bytes(data.to_vec()).file_name("f.bin"))
    };
    let failed = (efile.http.post(efile.url(0, "burst")))
        .header("token", &efile.region.token)
        .multipart(form(1, one))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let second = efile
        .json(
            efile
                .http
                .post(efile.url(0, "burst"))
                .multipart(form(2, two)),
        )
        .await;
    assert_eq!(code(&second), "0");
    // No identifier anywhere, as urchin sends them.
    let merge = [
        ("path", HOME),
        ("relativePath", "f.bin"),
        ("cover", "uncover"),
    ];
    let partial = efile
        .json(
            efile
                .http
                .post(efile.url(0, "merge"))
                .body(urlencoded(&merge))
                .header(header::CONTENT_TYPE, FORM),
        )
        .await;
    assert_eq!(
        code(&partial),
        "10004",
        "the faulted chunk was not kept: {partial}"
    );
    let first = efile
        .json(
            efile
                .http
                .post(efile.url(0, "burst"))
                .multipart(form(1, one)),
        )
        .await;
    assert_eq!(code(&first), "0");
    let merged = efile
        .json(
            efile
                .http
                .post(efile.url(0, "merge"))
                .body(urlencoded(&merge))
                .header(header::CONTENT_TYPE, FORM),
        )
        .await;
    assert_eq!(code(&merged), "0", "{merged}");
    assert_eq!(efile.sandbox().faults_served(), 1);
    assert_eq!(efile.sandbox().efile_requests_by_gateway(), [5, 0]);
    let body = efile
        .download(&format!("{HOME}/f.bin"), None)
        .await
        .bytes()
        .await
        .unwrap();
    assert!(body == data);
}

#[tokio::test]
async fn chunks_are_checked_and_limited() {
    let efile = Efile::start(Sandbox::builder().scnet_efile_max_chunk(1024)).await;
    let big = bytes(2000, 1);
    let over = Chunk {
        number: 1,
        total: 2,
        size: 3024,
        data: &big,
    };
    let refused = efile.burst(0, HOME, "l.bin", over).await;
    assert_eq!(
        (code(&refused), refused["msg"].as_str()),
        ("911501", Some("分片过大"))
    );
    let fits = Chunk {
        number: 1,
        total: 1,
        size: 1024,
        data: &big[..1024],
    };
    assert_eq!(code(&efile.burst(0, HOME, "l.bin", fits).await), "0");
    for (number, total) in [(0, 1), (3, 2)] {
        let chunk = Chunk {
            number,
            total,
            size: 10,
            data: &big[..10],
        };
        assert_eq!(
            code(&efile.burst(0, HOME, "l.bin", chunk).await),
            "10004",
            "{number}/{total}"
        );
    }
    let form = Form::new()
        .text("chunkNumber", "1")
        .text("totalChunks", "1")
        .text("totalSize", "10")
        .text("currentChunkSize", "11")
        .text("relativePath", "l.bin")
        .text("path", HOME)
        .part("file", Part::bytes(big[..10].to_vec()).file_name("l.bin"));
    let short = efile
        .json(efile.http.post(efile.url(0, "burst")).multipart(form))
        .await;
    assert_eq!(code(&short), "10004");
    // A chunk far over the limit: the rest of it is read and dropped, so the client
    // reads the answer rather than a reset connection.
    let huge = bytes(8 << 20, 2);
    let huge = Chunk {
        number: 1,
        total: 1,
        size: huge.len(),
        data: &huge,
    };
    assert_eq!(code(&efile.burst(1, HOME, "l.bin", huge).await), "911501");
    let nowhere = Chunk {
        number: 1,
        total: 1,
        size: 10,
        data: &big[..10],
    };
    assert_eq!(
        code(
            &efile
                .burst(0, &format!("{HOME}/none"), "l.bin", nowhere)
                .await
        ),
        "911020"
    );
}
