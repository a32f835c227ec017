//! The layer in front of every route: counts requests and serves injected faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::conn::ConnHandle;
use crate::ehpc::ehpc_error;
use crate::faults::{FaultKind, ListingFault};
use crate::query::parse_raw_query;
use crate::scnet::envelope::scnet_error;
use crate::state::{Counters, Shared};

/// Count the request, then answer it with the next matching fault, if any.
pub(crate) async fn count_and_fault(
    State(shared): State<Arc<Shared>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    // The control endpoint must stay reachable whatever faults are queued.
    if path.starts_with("/_sandbox") {
        return next.run(request).await;
    }
    shared.counters.record(&path);
    let offset = requested_offset(request.uri().query());
    let Some(kind) = shared.faults.take(&path, offset) else {
        return next.run(request).await;
    };
    Counters::bump(&shared.counters.faults_served);
    match kind {
        FaultKind::Status { status } => {
            let status = status_or_500(status);
            let reason = status.canonical_reason().unwrap_or("Error");
            (status, reason.to_owned()).into_response()
        }
        FaultKind::RateLimited { retry_after_secs } => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
        FaultKind::EhpcCode { ret_code } => ehpc_error(ret_code, ehpc_message(ret_code)),
        FaultKind::ScnetCode { code } => scnet_error(&code, scnet_message(&code)),
        FaultKind::Html { status } => html_page(status_or_500(status)),
        FaultKind::TruncatedJson => truncate(next.run(request).await).await,
        FaultKind::Delay { millis } => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        FaultKind::DropConnection => drop_connection(&request),
        FaultKind::StatusAfterHandling { status } => {
            let _ = next.run(request).await;
            let status = status_or_500(status);
            (
                status,
                status.canonical_reason().unwrap_or("Error").to_owned(),
            )
                .into_response()
        }
        FaultKind::ScnetCodeAfterHandling { code } => {
            let _ = next.run(request).await;
            scnet_error(&code, scnet_message(&code))
        }
        FaultKind::DropAfterHandling => {
            let handle = request
                .extensions()
                .get::<ConnectInfo<ConnHandle>>()
                .cloned();
            let _ = next.run(request).await;
            match handle {
                Some(ConnectInfo(handle)) => {
                    handle.kill();
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        FaultKind::CutAfterBytes { bytes } => {
            let handle = request
                .extensions()
                .get::<ConnectInfo<ConnHandle>>()
                .map(|ConnectInfo(handle)| handle.clone());
            cut_after(next.run(request).await, bytes, handle)
        }
        FaultKind::TotalCountOffBy { delta } => {
            request
                .extensions_mut()
                .insert(ListingFault::TotalCountOffBy(delta));
            next.run(request).await
        }
        FaultKind::EmptyPage { .. } => {
            request.extensions_mut().insert(ListingFault::EmptyPage);
            next.run(request).await
        }
    }
}

/// Closes the request's connection; the answer returned is never written.
fn drop_connection(request: &Request) -> Response {
    match request.extensions().get::<ConnectInfo<ConnHandle>>() {
        Some(ConnectInfo(handle)) => {
            handle.kill();
            // Never written: the connection fails before hyper can send it.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot drop this connection",
        )
            .into_response(),
    }
}

/// The answer with its body cut after `bytes` bytes: those bytes go out, then the
/// connection closes. The headers stay as they are, `Content-Length` too, so the client
/// sees a body shorter than announced, as with a real network break.
fn cut_after(response: Response, bytes: u64, handle: Option<ConnHandle>) -> Response {
    let (parts, body) = response.into_parts();
    let state = (body.into_data_stream(), bytes, handle);
    let cut = futures::stream::unfold(Some(state), |state| async move {
        let (mut stream, left, handle) = state?;
        if left == 0 {
            // A moment for hyper to flush what was sent before the connection fails.
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Some(handle) = &handle {
                handle.kill();
            }
            let cut = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "cut by a fault");
            return Some((Err(axum::Error::new(cut)), None));
        }
        match stream.next().await {
            // The whole answer is shorter than the cut: nothing to cut.
            None => None,
            Some(Err(error)) => Some((Err(error), None)),
            Some(Ok(chunk)) => {
                let keep = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
                let left = left - keep as u64;
                Some((Ok(chunk.slice(..keep)), Some((stream, left, handle))))
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(cut))
}

fn requested_offset(query: Option<&str>) -> Option<u64> {
    let params = parse_raw_query(query.unwrap_or("")).ok()?;
    params
        .iter()
        .find(|(key, _)| key == "offset")
        .and_then(|(_, value)| value.parse().ok())
}

fn status_or_500(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// What an nginx gateway in front of either platform sends.
fn html_page(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // Half the body: a valid start, then nothing, so only a JSON parser notices.
    let cut = (bytes.len() / 2).max(1).min(bytes.len());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..cut)))
}

fn ehpc_message(ret_code: i64) -> &'static str {
    match ret_code {
        1100 => "ParameterError, the request is malformed",
        1200 => "AuthenticationFailed, signature not matched",
        1300 => "RequestExpired, the request has expired",
        1400 => "PermissionDenied, access denied",
        2100 => "ResourceNotFound, resource not found",
        2500 => "QuotaExceeded, API call quota exceeded",
        5000 => "InternalError, internal error",
        5100 => "ServerBusy, the server is busy, please try again later",
        5200 => "ResourceInsufficient, insufficient resources",
        5300 => "ServiceUpdating, the service is updating",
        _ => "injected error",
    }
}

fn scnet_message(code: &str) -> &'static str {
    match code {
        "10001" => "内部错误",
        "10003" => "缺少必要参数",
        "10004" => "参数不合法",
        "10007" => "用户已冻结",
        "10008" => "权限不足",
        "10009" => "无此接口权限",
        "10012" => "连接中断",
        "10013" => "操作超时",
        "815005" => "作业提交失败(调度系统没返回)",
        "815007" => "作业提交失败(调度系统sbatch失败)",
        "911020" => "文件不存在",
        "911021" => "文件已存在",
        "911030" => "找不到临时文件",
        "911501" => "分片过大",
        _ => "injected error",
    }
}
