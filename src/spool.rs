//! Output held back until a command has succeeded, so that an error leaves standard output empty.
//!
//! A [`Spool`] keeps the texts it is given as they are (moved in, never copied or re-allocated) up to
//! a memory limit; past it, everything goes to an anonymous temporary file. Peak memory therefore
//! stays at the limit plus the files in flight, whatever the size of the output.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Output held back in memory up to a limit, then in a temporary file.
#[derive(Debug)]
pub struct Spool {
    chunks: Vec<Vec<u8>>,
    held: usize,
    limit: usize,
    file: Option<File>,
}

impl Spool {
    /// A spool that keeps up to `limit` bytes in memory.
    pub fn new(limit: usize) -> Self {
        Spool {
            chunks: Vec::new(),
            held: 0,
            limit,
            file: None,
        }
    }

    /// Appends `bytes`, taking ownership of the buffer.
    pub fn push(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
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

    /// Writes everything held, in order, to `out`.
    pub fn copy_to(&mut self, out: &mut impl Write) -> io::Result<()> {
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

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.push(buf.to_vec())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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
