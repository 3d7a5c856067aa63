//! The simulator under 2,000 connections that never send a byte: a normal request is still
//! answered within a second, and the simulator does not spin while they are open, both at its
//! connection cap and when the process runs out of file descriptors.
//!
//! The simulator runs as its own process, so that its CPU time and its descriptor limit are
//! its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const IDLE_CONNECTIONS: usize = 2_000;

/// A running simulator, with the pipe of its standard output kept open.
struct Running {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the simulator (through `sh`, to set its descriptor limit) and reads its address.
fn start(descriptors: Option<u32>, extra: &[&str]) -> (Running, String) {
    let binary = env!("CARGO_BIN_EXE_workspace-simulator");
    let limit = descriptors.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(binary)
        .args(["--port", "0", "--iam-token", "load-token"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .rsplit("http://")
        .next()
        .expect("the simulator prints its address")
        .to_string();
    let running = Running {
        child,
        _stdout: stdout,
    };
    (running, addr)
}

/// A connection, retried for a moment while the kernel's queue is full.
fn connect(addr: &str) -> TcpStream {
    let started = Instant::now();
    loop {
        match TcpStream::connect(addr) {
            Ok(stream) => return stream,
            Err(error) if started.elapsed() < Duration::from_secs(5) => {
                let _ = error;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(error) => panic!("cannot connect: {error}"),
        }
    }
}

/// CPU time (user and system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// A normal request (an IAM token, a list of users): its status and how long it took.
fn normal_request(addr: &str) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /v2/0bec5db98280d2d02fd6c00c2de791ce/users HTTP/1.1\r\nhost: {addr}\r\n\
         x-auth-token: load-token\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or_default().to_string();
    (status, started.elapsed())
}

/// Raises this process's own descriptor limit to its hard limit (the idle clients need 2,000).
fn raise_own_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    assert!(
        limit.rlim_cur as usize > IDLE_CONNECTIONS + 100,
        "this test needs more than {IDLE_CONNECTIONS} descriptors; the hard limit is {}",
        limit.rlim_cur
    );
}

fn idle_clients_neither_starve_a_request_nor_make_it_spin(
    descriptors: Option<u32>,
    extra: &[&str],
) {
    raise_own_limit();
    let (simulator, addr) = start(descriptors, extra);
    let pid = simulator.child.id();
    let idle: Vec<TcpStream> = (0..IDLE_CONNECTIONS).map(|_| connect(&addr)).collect();
    // Let the simulator take in (and shed) what it can.
    std::thread::sleep(Duration::from_millis(1_500));

    let before = cpu_time(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_time(pid) - before;
    assert!(
        spent < Duration::from_millis(300),
        "the simulator used {spent:?} of CPU in 2 s with {IDLE_CONNECTIONS} idle connections"
    );

    let (status, took) = normal_request(&addr);
    assert!(status.contains(" 200 "), "{status:?}");
    assert!(
        took < Duration::from_secs(1),
        "a normal request took {took:?}"
    );
    drop(idle);
    drop(simulator);
}

#[test]
fn at_the_connection_cap_the_idle_ones_make_room() {
    idle_clients_neither_starve_a_request_nor_make_it_spin(None, &["--max-connections", "500"]);
}

#[test]
fn out_of_file_descriptors_the_idle_ones_make_room_without_spinning() {
    idle_clients_neither_starve_a_request_nor_make_it_spin(Some(256), &[]);
}

#[test]
fn a_connection_that_never_sends_is_closed_after_the_idle_time() {
    let (simulator, addr) = start(None, &["--idle-seconds", "1"]);
    let mut silent = TcpStream::connect(&addr).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 16];
    let read = silent.read(&mut buffer);
    assert!(
        matches!(read, Ok(0)) || read.is_err(),
        "the connection was closed: {read:?}"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    drop(simulator);
}
