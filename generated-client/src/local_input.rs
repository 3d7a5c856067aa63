//! Reading what a user points the client at on their own machine (a credentials file, a
//! request body): only a regular file, and only up to a stated size. A FIFO would block the
//! reader forever, `/dev/zero` would never end; both are refused by name, as are a symbolic
//! link that leads nowhere and a loop of them.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why a local file was not read.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// Nothing at that path.
    Missing,
    /// A symbolic link whose target does not exist.
    Dangling,
    /// A chain of symbolic links that loops.
    Loop,
    /// Not a regular file: what it is instead.
    NotAFile(&'static str),
    /// Larger than the limit, in bytes.
    TooLarge(usize),
    /// The operating system refused (permissions, say).
    Io(std::io::Error),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Missing => f.write_str("it does not exist"),
            Unreadable::Dangling => {
                f.write_str("it is a symbolic link to a file that does not exist")
            }
            Unreadable::Loop => f.write_str("it is a loop of symbolic links"),
            Unreadable::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            Unreadable::TooLarge(limit) => write!(f, "it is larger than {limit} bytes"),
            Unreadable::Io(error) => write!(f, "{error}"),
        }
    }
}

/// Reads the regular file at `path`, at most `limit` bytes. The file is opened without
/// blocking, so a FIFO is recognised (and refused) instead of waiting for a writer.
pub(crate) fn read(path: &Path, limit: usize) -> Result<Vec<u8>, Unreadable> {
    let file = open(path).map_err(|error| classify(path, error))?;
    let metadata = file.metadata().map_err(Unreadable::Io)?;
    if !metadata.is_file() {
        return Err(Unreadable::NotAFile(kind_of(&metadata)));
    }
    let mut bytes = Vec::with_capacity((metadata.len() as usize).min(limit));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() > limit {
        return Err(Unreadable::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads `input` (standard input, say) up to `limit` bytes; more is [`Unreadable::TooLarge`].
pub(crate) fn read_stream(input: impl Read, limit: usize) -> Result<Vec<u8>, Unreadable> {
    let mut bytes = Vec::new();
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Unreadable::Io)?;
    if bytes.len() > limit {
        return Err(Unreadable::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads the regular file at `path` as UTF-8 text, at most `limit` bytes; `what` says what
/// the file is for in the error.
pub(crate) fn read_text(
    path: &Path,
    limit: usize,
    what: &'static str,
) -> Result<String, crate::credentials::CredentialsError> {
    let unreadable = |reason: String, source: Option<std::io::Error>| {
        crate::credentials::CredentialsError::Unreadable {
            what,
            path: path.to_path_buf(),
            reason,
            source: source.map(std::sync::Arc::new),
        }
    };
    let bytes = read(path, limit).map_err(|why| match why {
        Unreadable::Io(error) => unreadable(error.to_string(), Some(error)),
        other => unreadable(other.to_string(), None),
    })?;
    String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".into(), None))
}

/// Whether something (a file, a link, even a dangling one) is at `path`.
pub(crate) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// An error of `open` in words a user acts on.
fn classify(path: &Path, error: std::io::Error) -> Unreadable {
    #[cfg(unix)]
    if error.raw_os_error() == Some(libc::ELOOP) {
        return Unreadable::Loop;
    }
    if error.kind() == std::io::ErrorKind::NotFound {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        return if is_link {
            Unreadable::Dangling
        } else {
            Unreadable::Missing
        };
    }
    Unreadable::Io(error)
}

fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("local-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = scratch("kinds");
        let file = dir.join("file");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read(&file, 10).unwrap(), b"0123456789");
        assert!(matches!(read(&file, 9), Err(Unreadable::TooLarge(9))));
        assert!(matches!(
            read(&dir.join("none"), 10),
            Err(Unreadable::Missing)
        ));
        assert!(matches!(
            read(&dir, 10),
            Err(Unreadable::NotAFile("a directory"))
        ));
        assert!(matches!(
            read(Path::new("/dev/zero"), 10),
            Err(Unreadable::NotAFile("a character device"))
        ));
        let fifo = dir.join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert!(
            matches!(
                read(&fifo, 10),
                Err(Unreadable::NotAFile("a FIFO (named pipe)"))
            ),
            "refused at once, without waiting for a writer"
        );
        let dangling = dir.join("dangling");
        std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
        assert!(matches!(read(&dangling, 10), Err(Unreadable::Dangling)));
        assert!(exists(&dangling));
        let looping = dir.join("loop");
        std::os::unix::fs::symlink(&looping, &looping).unwrap();
        assert!(matches!(read(&looping, 10), Err(Unreadable::Loop)));
        assert!(matches!(
            read_stream(std::io::repeat(0), 1024),
            Err(Unreadable::TooLarge(1024))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
