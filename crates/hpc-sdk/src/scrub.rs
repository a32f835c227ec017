//! What a body excerpt in an error may not carry: a server that echoes the request (a
//! 404 page showing the URL, a gateway repeating the headers) would otherwise put the
//! access key id, the signature or a token on the caller's stderr. Everything shaped like
//! a credential is replaced by `[REDACTED]`, whatever the configured values.

/// Names whose values are credentials, in a query (`name=value`), a header line
/// (`name: value`) or JSON (`"name":"value"`). Compared without case.
const SECRET_NAMES: &[&str] = &[
    "signature",
    "access_key_id",
    "accesskey",
    "access_key",
    "secretkey",
    "secret_key",
    "secret_access_key",
    "password",
    "token",
];

const REDACTED: &str = "[REDACTED]";

/// `text` with every credential-shaped value and every JWT (`eyJ…`) replaced.
/// `GET /api?access_key_id=AK&zone=z` becomes `GET /api?access_key_id=[REDACTED]&zone=z`.
pub(crate) fn scrub(text: &str) -> String {
    scrub_named_values(&scrub_jwts(text))
}

/// Anything shaped like a JWT: a login or renewal answer that fails to decode must not
/// carry its tokens into an error message.
fn scrub_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let token_len = rest[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
            .unwrap_or(rest.len() - at);
        out.push_str(REDACTED);
        rest = &rest[at + token_len..];
    }
    out.push_str(rest);
    out
}

/// The value after each secret name and its separator (`=`, `:`, `":"`), up to the end
/// of the value (`&`, a quote, a comma, white space, `<`).
fn scrub_named_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some((start, end)) = next_value(&lower, search) {
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
        search = end.max(start + 1);
    }
    out.push_str(&text[copied..]);
    out
}

/// The byte range of the next secret value at or after `from` in `lower`.
fn next_value(lower: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut best: Option<(usize, usize)> = None;
    for name in SECRET_NAMES {
        let mut at = from;
        while let Some(found) = lower[at..].find(name) {
            let name_start = at + found;
            let mut i = name_start + name.len();
            at = i;
            // A name inside a longer word (`tokens`, `my_token_count`) is not one.
            let before_ok = name_start == 0
                || !(bytes[name_start - 1].is_ascii_alphanumeric()
                    || bytes[name_start - 1] == b'_');
            if !before_ok {
                continue;
            }
            // The separator: optional closing quote, then `=` or `:`, then spaces and an
            // optional opening quote.
            if bytes.get(i) == Some(&b'"') {
                i += 1;
            }
            if !matches!(bytes.get(i), Some(b'=' | b':')) {
                continue;
            }
            i += 1;
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            if bytes.get(i) == Some(&b'"') {
                i += 1;
            }
            let value_end = lower[i..]
                .find(|c: char| {
                    matches!(c, '&' | '"' | '\'' | ',' | '<' | '}' | ';') || c.is_whitespace()
                })
                .map_or(lower.len(), |n| i + n);
            if value_end > i && best.is_none_or(|(start, _)| i < start) {
                best = Some((i, value_end));
            }
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn an_echoed_request_url_loses_its_credentials() {
        let page = "<h1>404</h1><p>GET /api/job/list?access_key_id=QYACCESSKEYIDEXAMPLE&cluster_id=c&signature=eGH7NK3aw%252Bcs%253D&timestamp=2021-08-19T16%3A44%3A40Z not found</p>";
        let cut = scrub(page);
        assert!(!cut.contains("QYACCESSKEYIDEXAMPLE"), "{cut}");
        assert!(!cut.contains("eGH7NK3aw"), "{cut}");
        assert!(
            cut.contains("access_key_id=[REDACTED]&cluster_id=c&signature=[REDACTED]&"),
            "{cut}"
        );
    }

    #[test]
    fn echoed_headers_and_json_lose_their_credentials() {
        let cut = scrub("token: opaque-123\r\nAccessKey: 85f96a42\r\nuser: bob");
        assert_eq!(
            cut,
            "token: [REDACTED]\r\nAccessKey: [REDACTED]\r\nuser: bob"
        );
        let cut = scrub(r#"{"user":"bob","accessKey":"85f96a42","password": "pw", "token":"tok"}"#);
        assert_eq!(
            cut,
            r#"{"user":"bob","accessKey":"[REDACTED]","password": "[REDACTED]", "token":"[REDACTED]"}"#
        );
    }

    #[test]
    fn jwts_go_and_ordinary_words_stay() {
        let body =
            r#"{"code":"0","data":[{"clusterId":"0","token":"eyJhbGciOi.eyJleHAiOjF9.c2ln"}]}"#;
        let cut = scrub(body);
        assert!(!cut.contains("eyJ"), "{cut}");
        assert_eq!(scrub("eyJ"), "[REDACTED]");
        for text in [
            "no token here",
            "tokens: 3",
            "my_token=1",
            "signature",
            "token=",
        ] {
            assert_eq!(scrub(text), text);
        }
    }
}
