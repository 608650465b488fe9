//! Output held back until a command has succeeded, so that an error leaves standard output empty.
//!
//! A [`Spool`] keeps the texts it is given as they are (moved in, never copied or re-allocated) up to
//! a memory limit; past it, everything goes to an anonymous temporary file. Peak memory therefore
//! stays at the limit plus the files in flight, whatever the size of the output.
//!
//! [`Spool::for_stdout`] skips the holding back where nobody can see partial output: when standard
//! output is `/dev/null`, or a regular file positioned at its end (`> out.yaml`) that is not one of
//! the inputs (`render . > out.yaml` reads it, and must read it as it was), it writes there at
//! once, and a spool dropped without [`Spool::copy_to`] cuts that file back to its old length.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// Output held back in memory up to a limit, then in a temporary file.
#[derive(Debug)]
pub struct Spool {
    chunks: Vec<Vec<u8>>,
    held: usize,
    limit: usize,
    file: Option<File>,
    direct: Option<Direct>,
}

/// Standard output written at once.
#[derive(Debug)]
struct Direct {
    file: File,
    /// The regular file's length before: what it is cut back to unless the command succeeds.
    restore: Option<u64>,
    done: bool,
}

impl Spool {
    /// A spool that keeps up to `limit` bytes in memory.
    pub fn new(limit: usize) -> Self {
        Spool {
            chunks: Vec::new(),
            held: 0,
            limit,
            file: None,
            direct: None,
        }
    }

    /// A spool for standard output: as [`Spool::new`], but writing at once when standard output
    /// is `/dev/null` or a regular file at its end that is none of `inputs` (see the module
    /// documentation).
    pub fn for_stdout<'p>(limit: usize, inputs: impl IntoIterator<Item = &'p Path>) -> Self {
        let mut spool = Spool::new(limit);
        spool.direct = direct_stdout().filter(|direct| {
            let Ok(out) = direct.file.metadata() else {
                return false;
            };
            direct.restore.is_none()
                || !inputs.into_iter().any(|path| {
                    std::fs::metadata(path)
                        .is_ok_and(|m| m.dev() == out.dev() && m.ino() == out.ino())
                })
        });
        spool
    }

    /// Appends `bytes`, taking ownership of the buffer.
    pub fn push(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if let Some(direct) = &mut self.direct {
            return direct.file.write_all(&bytes);
        }
        if let Some(file) = &mut self.file {
            return file.write_all(&bytes);
        }
        self.held += bytes.capacity();
        self.chunks.push(bytes);
        if self.held > self.limit {
            let mut file = tempfile::tempfile()?;
            for chunk in self.chunks.drain(..) {
                file.write_all(&chunk)?;
            }
            self.held = 0;
            self.file = Some(file);
        }
        Ok(())
    }

    /// Whether the output went to a temporary file.
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Writes everything held, in order, to `out` (standard output, for a spool made by
    /// [`Spool::for_stdout`]): the command has succeeded.
    pub fn copy_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        if let Some(direct) = &mut self.direct {
            direct.file.flush()?;
            direct.done = true;
            return Ok(());
        }
        if let Some(file) = &mut self.file {
            file.seek(SeekFrom::Start(0))?;
            io::copy(&mut (file as &mut dyn Read), out)?;
        } else {
            for chunk in &self.chunks {
                out.write_all(chunk)?;
            }
        }
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Some(Direct {
            file,
            restore: Some(len),
            done: false,
        }) = &mut self.direct
        {
            // Best effort: the error that got here is what the user needs to see.
            let _ = file.set_len(*len);
            let _ = file.seek(SeekFrom::Start(*len));
        }
    }
}

/// Standard output, when it is `/dev/null` or a regular file positioned at its end.
fn direct_stdout() -> Option<Direct> {
    let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
    let mut file = File::from(fd);
    let meta = file.metadata().ok()?;
    let kind = meta.file_type();
    if kind.is_char_device() {
        let null = std::fs::metadata("/dev/null").ok()?;
        return (meta.rdev() == null.rdev()).then_some(Direct {
            file,
            restore: None,
            done: false,
        });
    }
    if !kind.is_file() {
        return None;
    }
    let at = file.stream_position().ok()?;
    (at == meta.len()).then_some(Direct {
        file,
        restore: Some(at),
        done: false,
    })
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.push(buf.to_vec())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes to standard output with `write`, then flushes. A reader that went away (`diff … | head`)
/// ends the output, not the command: the closed pipe is `Ok`, so that a command with a verdict
/// (`diff`, `check`, `validate`) still exits with it, as it would have with the whole output read.
pub fn to_stdout(write: impl FnOnce(&mut io::StdoutLock<'_>) -> io::Result<()>) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(spool: &mut Spool) -> Vec<u8> {
        let mut out = Vec::new();
        spool.copy_to(&mut out).expect("copy");
        out
    }

    #[test]
    fn keeps_order_in_memory() {
        let mut spool = Spool::new(100);
        spool.push(b"a\n".to_vec()).expect("push");
        write!(spool, "b{}", 1).expect("write");
        spool.push(Vec::new()).expect("push");
        spool.push(b"c\n".to_vec()).expect("push");
        assert!(!spool.spilled());
        assert_eq!(contents(&mut spool), b"a\nb1c\n");
    }

    #[test]
    fn spills_past_the_limit_and_keeps_order() {
        let mut spool = Spool::new(4);
        spool.push(b"abc".to_vec()).expect("push");
        assert!(!spool.spilled());
        spool.push(b"de".to_vec()).expect("push");
        assert!(spool.spilled());
        spool.push(b"f".to_vec()).expect("push");
        assert_eq!(contents(&mut spool), b"abcdef");
        // Copying twice gives the same bytes.
        assert_eq!(contents(&mut spool), b"abcdef");
    }
}
