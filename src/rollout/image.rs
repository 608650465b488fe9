//! Container image references as Kruise compares them (`pkg/util/tools.go: ParseImage,
//! IsImageDigest, IsContainerImageEqual`), which use `github.com/docker/distribution/reference.Parse`:
//! the name is taken as written (no `docker.io/library/` normalisation, quirk §11.12).

/// The parts of an image reference: `repo[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The name, e.g. `docker.io/busybox` (as written).
    pub repo: &'a str,
    /// The tag, or `""`.
    pub tag: &'a str,
    /// The digest, e.g. `sha256:a928...`, or `""`.
    pub digest: &'a str,
}

/// `reference.Parse`: `None` where Go returns an error (invalid format, upper case in the name, a
/// name over 255 characters, an unsupported or malformed digest).
pub fn parse(image: &str) -> Option<ImageRef<'_>> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    // The tag follows the last ':' that is not part of the domain (no '/' after it).
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if !valid_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
        return None;
    }
    if name.len() > 255 {
        return None;
    }
    if let Some(d) = digest
        && !valid_digest(d)
    {
        return None;
    }
    Some(ImageRef {
        repo: name,
        tag: tag.unwrap_or(""),
        digest: digest.unwrap_or(""),
    })
}

/// `IsImageDigest`: the reference parses and has a digest.
pub fn is_digest(image: &str) -> bool {
    parse(image).is_some_and(|r| !r.digest.is_empty())
}

/// `IsContainerImageEqual`: both digests → same repo and digest; otherwise same repo and tag; any
/// parse error → false.
pub fn equal(image1: &str, image2: &str) -> bool {
    let (Some(a), Some(b)) = (parse(image1), parse(image2)) else {
        return false;
    };
    if !a.digest.is_empty() && !b.digest.is_empty() {
        return a.repo == b.repo && a.digest == b.digest;
    }
    a.repo == b.repo && a.tag == b.tag
}

/// `(domain/)?path-component(/path-component)*`.
fn valid_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    if parts.iter().all(|p| valid_path_component(p)) {
        return true;
    }
    parts.len() > 1 && valid_domain(parts[0]) && parts[1..].iter().all(|p| valid_path_component(p))
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`.
fn valid_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep_start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == sep_start {
            return false;
        }
    }
}

/// `domain-component(\.domain-component)*(:[0-9]+)?`.
fn valid_domain(s: &str) -> bool {
    let (host, port) = match s.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    host.split('.').all(|c| {
        let b = c.as_bytes();
        !b.is_empty()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    })
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(s: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|c| word(*c) || *c == b'.' || *c == b'-')
}

/// The reference grammar's digest (`algorithm:hex{32,}`) and `digest.Parse`'s validation: a
/// registered algorithm (`sha256`, `sha384`, `sha512`) with that many lower-case hex characters.
fn valid_digest(s: &str) -> bool {
    let Some((algorithm, encoded)) = s.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    encoded.len() == len
        && encoded
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d";

    #[test]
    fn parses_repo_tag_and_digest() {
        let r = parse("docker.io/busybox:latest").expect("valid");
        assert_eq!(
            (r.repo, r.tag, r.digest),
            ("docker.io/busybox", "latest", "")
        );
        let image = format!("docker.io/busybox@{DIGEST}");
        let r = parse(&image).expect("valid");
        assert_eq!((r.repo, r.tag, r.digest), ("docker.io/busybox", "", DIGEST));
        let r = parse("localhost:5000/team/app:v1.2_rc-1").expect("valid");
        assert_eq!((r.repo, r.tag), ("localhost:5000/team/app", "v1.2_rc-1"));
        let r = parse("localhost:5000/app").expect("port, no tag");
        assert_eq!((r.repo, r.tag), ("localhost:5000/app", ""));
    }

    #[test]
    fn rejects_what_reference_parse_rejects() {
        assert!(parse("Busybox:1").is_none(), "upper case in the name");
        assert!(parse("busybox:").is_none(), "empty tag");
        assert!(parse("busybox@sha256:abc").is_none(), "short digest");
        assert!(parse(&format!("busybox@{}", DIGEST.to_uppercase())).is_none());
        assert!(parse("busybox@md5:0123456789abcdef0123456789abcdef").is_none());
        assert!(parse("-busybox").is_none());
        assert!(parse("").is_none());
    }

    /// `pkg/util/tools_test.go: TestIsContainerImageEqual` and the digest rule of §7.3.
    #[test]
    fn equality_compares_digests_only_when_both_have_one() {
        let d1 = format!("docker.io/busybox@{DIGEST}");
        assert!(is_digest(&d1));
        assert!(!is_digest("docker.io/busybox:latest"));
        assert!(equal(&d1, &d1));
        assert!(equal(
            "docker.io/busybox:latest",
            "docker.io/busybox:latest"
        ));
        assert!(!equal("docker.io/busybox:latest", "docker.io/busybox:1.0"));
        // No normalisation: busybox and docker.io/busybox differ.
        assert!(!equal(&format!("busybox@{DIGEST}"), &d1));
        // A digest against a tag compares repo and tag: never equal.
        assert!(!equal(&d1, "docker.io/busybox:latest"));
        assert!(!equal("Bad", "Bad"));
    }
}
