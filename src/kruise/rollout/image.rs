//! Container image references as Kruise compares them (`pkg/util/tools.go: ParseImage,
//! IsImageDigest, IsContainerImageEqual`), which use `github.com/docker/distribution/reference.Parse`:
//! the name is taken as written (no `docker.io/library/` normalisation).

use kruise_inject_kube::defaults::split_reference;

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
/// name over 255 characters, an unsupported or malformed digest). Kruise's docker/distribution v2
/// differs from the v0.6.0 grammar of [`split_reference`] in two ways: no IPv6 (`[…]`) domain, and
/// the 255-character limit applies to the whole name, domain included.
pub fn parse(image: &str) -> Option<ImageRef<'_>> {
    let r = split_reference(image)?;
    if r.domain.starts_with('[') || r.name.len() > 255 {
        return None;
    }
    Some(ImageRef {
        repo: r.name,
        tag: r.tag,
        digest: r.digest,
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

    /// `pkg/util/tools_test.go: TestIsContainerImageEqual` and the digest rule of
    /// `IsPodStateConsistent`.
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
