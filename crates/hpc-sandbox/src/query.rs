//! Query strings parsed by hand, exactly as a strict server reads them.
//!
//! Not `serde_urlencoded`: it turns `+` into a space, but an EHPC signer encodes a space
//! as `%20` and a `+` as `%2B`, so a bare `+` is a literal `+` and must stay one for the
//! signature to be checked against what the client actually sent.

use percent_encoding::percent_decode_str;

/// `raw` split on `&` and `=`, each key and value percent-decoded once as UTF-8.
/// A piece without `=` is a key with an empty value. Fails with the offending piece when
/// a decoded key or value is not UTF-8.
pub(crate) fn parse_raw_query(raw: &str) -> Result<Vec<(String, String)>, String> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}

/// `raw` as an HTML form encodes it (a form body, or a query string built the same
/// way, as SCNet clients send them): like [`parse_raw_query`], but a `+` is a space.
pub(crate) fn parse_form(raw: &str) -> Result<Vec<(String, String)>, String> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            Ok((
                decode(&key.replace('+', " "))?,
                decode(&value.replace('+', " "))?,
            ))
        })
        .collect()
}

/// One round of percent-decoding; `+` stays `+`.
pub(crate) fn decode(text: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_literal_and_percent_decodes_once() {
        let params =
            parse_raw_query("a=1+2&b=%E4%BD%9C%E4%B8%9A&sig=ab%252B%253D&flag&&c=").unwrap();
        assert_eq!(
            params,
            vec![
                ("a".into(), "1+2".into()),
                ("b".into(), "作业".into()),
                ("sig".into(), "ab%2B%3D".into()),
                ("flag".into(), String::new()),
                ("c".into(), String::new()),
            ]
        );
        assert!(parse_raw_query("a=%FF").is_err());
    }

    #[test]
    fn forms_read_plus_as_a_space() {
        let params = parse_form("t=2024-01-02+03%3A04%3A05&n=a%2Bb").unwrap();
        assert_eq!(
            params,
            vec![
                ("t".into(), "2024-01-02 03:04:05".into()),
                ("n".into(), "a+b".into()),
            ]
        );
    }
}
