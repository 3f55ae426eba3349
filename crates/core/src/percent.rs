//! Percent-encoding of header values and paths (file names are Cyrillic, HTTP headers ASCII):
//! the one encoder and decoder the app, the HQ server and online sync share.

/// Escapes every byte but ASCII letters, digits and `-._~` as `%XX`.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes `%XX` escapes, `XX` exactly two hex digits (the UI encodes file names with
/// encodeURIComponent); anything else, `%+1` say, stays as it is.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(pair) = b.get(i + 1..i + 3)
            && pair.iter().all(u8::is_ascii_hexdigit)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn file_names_arrive_percent_decoded() {
        assert_eq!(
            decode("%D0%B2%D0%B8%D1%82%D1%80%D0%B8%D0%BD%D0%B0.jpg"),
            "витрина.jpg"
        );
        assert_eq!(decode("100%25 done%2"), "100% done%2");
        assert_eq!(decode("%41"), "A", "an escape at the very end");
        assert_eq!(
            decode("%+1%-1% 1"),
            "%+1%-1% 1",
            "a sign or a space is not a hex digit"
        );
    }

    #[test]
    fn what_is_encoded_decodes_to_itself() {
        for s in ["витрина 1.jpg", "100% done", "a/b?c=d&e", ""] {
            assert_eq!(decode(&encode(s)), s);
            assert!(encode(s).is_ascii());
        }
    }
}
