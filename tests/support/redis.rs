//! A real `redis-server` on a free loopback port, started and stopped by the test (so
//! that it can be killed and restarted), with a password so AUTH is exercised.
//!
//! Without `redis-server` on the PATH the tests that need it say so loudly and skip;
//! under CI (`CI=true`) they fail instead. `apt-get install -y redis-server` gets it.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password the server requires (`requirepass`).
pub const PASSWORD: &str = "fleet-password-7";

pub struct RedisServer {
    port: u16,
    child: Option<Child>,
    /// For a TLS server: its arguments and the CA file `redis-cli` trusts.
    tls: Option<(Vec<String>, String)>,
}

/// The user a TLS server knows besides `default`, allowed only the cache's keys.
pub const ACL_USER: (&str, &str) = ("fleet", "fleet-acl-password");

impl RedisServer {
    /// A running server, or `None` when `redis-server` is not installed (outside CI).
    pub fn start() -> Option<Self> {
        if Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_err() {
            let notice = "redis-server is not installed: the shared token cache tests cannot run (apt-get install -y redis-server)";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{notice}");
            eprintln!("\n*** NOTICE: {notice}; skipping ***\n");
            return None;
        }
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = RedisServer { port, child: None, tls: None };
        server.restart();
        Some(server)
    }

    /// A server that speaks only TLS, with the certificate and key files given, and an
    /// ACL user (see [`ACL_USER`]) allowed the `authgen:*` keys alone.
    pub fn start_tls(ca_file: &str, cert_file: &str, key_file: &str) -> Option<Self> {
        let mut server = RedisServer::start()?;
        server.kill();
        let (user, password) = ACL_USER;
        let port = server.port.to_string();
        let allow = format!(">{password}");
        let args = [
            "--port",
            "0",
            "--tls-port",
            &port,
            "--tls-cert-file",
            cert_file,
            "--tls-key-file",
            key_file,
            "--tls-ca-cert-file",
            ca_file,
            "--tls-auth-clients",
            "no",
            "--user",
            user,
            "on",
            &allow,
            "~authgen:*",
            "+@all",
        ];
        server.tls = Some((args.map(String::from).to_vec(), ca_file.to_string()));
        server.restart();
        Some(server)
    }

    /// `redis://:password@127.0.0.1:port`, or for a TLS server
    /// `rediss://user:password@127.0.0.1:port` with the ACL user.
    pub fn url(&self) -> String {
        match self.tls {
            None => format!("redis://:{PASSWORD}@127.0.0.1:{}", self.port),
            Some(_) => format!("rediss://{}:{}@127.0.0.1:{}", ACL_USER.0, ACL_USER.1, self.port),
        }
    }

    /// Stops the server at once (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port, empty, and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let plain = ["--port".to_string(), self.port.to_string()];
        let listen = self.tls.as_ref().map_or(&plain[..], |(args, _)| &args[..]);
        let child = Command::new("redis-server")
            .args(listen)
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--requirepass", PASSWORD, "--dir", &std::env::temp_dir().display().to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.cli(&["PING"]).trim() != "PONG" {
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            assert!(exited.is_none(), "redis-server exited: {exited:?}");
            assert!(Instant::now() < deadline, "redis-server did not answer on port {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs one command with `redis-cli`; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            return String::new();
        }
        let tls = self.tls.as_ref().map(|(_, ca)| vec!["--tls".to_string(), "--cacert".into(), ca.clone()]);
        // (`timeout`: redis-cli waits for ever on a server that accepts and never answers,
        // as a plain one does a TLS hello.)
        let output = Command::new("timeout")
            .args(["5", "redis-cli", "-p", &self.port.to_string(), "-a", PASSWORD, "--no-auth-warning"])
            .args(tls.unwrap_or_default())
            .args(args)
            .output()
            .expect("timeout and redis-cli run");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A CA, and a certificate for `127.0.0.1` it signs with its key, written as PEM files
/// into `dir`: `[ca, certificate, key]` paths.
pub fn certificates(dir: &std::path::Path) -> [String; 3] {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    std::fs::create_dir_all(dir).expect("a directory for the certificates");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Subjects of their own: a leaf named like its issuer would look self-signed.
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "authgen test Redis CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert =
        CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap().signed_by(&key, &issuer).unwrap();
    let files = [("ca.pem", ca.pem()), ("cert.pem", cert.pem()), ("key.pem", key.serialize_pem())];
    files.map(|(name, pem)| {
        let path = dir.join(name);
        std::fs::write(&path, pem).expect("the PEM file is written");
        path.display().to_string()
    })
}
