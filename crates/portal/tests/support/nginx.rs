//! nginx from Debian (nginx-light, which `make test` installs) in a temporary folder, for the
//! tests that put it in front of the portal or its exports.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running nginx, stopped when dropped.
pub struct Nginx(Child);

impl Nginx {
    /// nginx listening on `port` with `http` inside its `http` block and `server` inside its
    /// one `server` block; its temporary files and error log in `dir`.
    pub fn start(dir: &Path, port: u16, http: &str, server: &str) -> Nginx {
        let temp = |name: &str| dir.join(name).display().to_string();
        let conf = format!(
            "worker_processes 1;\npid {pid};\nerror_log {log};\nevents {{ worker_connections 256; }}\n\
             http {{\n access_log off;\n client_body_temp_path {body};\n proxy_temp_path {proxy};\n\
             fastcgi_temp_path {fastcgi};\n uwsgi_temp_path {uwsgi};\n scgi_temp_path {scgi};\n\
             {http}\n server {{\n listen 127.0.0.1:{port};\n{server}\n }}\n}}\n",
            pid = temp("nginx.pid"),
            log = temp("error.log"),
            body = temp("body"),
            proxy = temp("proxy"),
            fastcgi = temp("fastcgi"),
            uwsgi = temp("uwsgi"),
            scgi = temp("scgi"),
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        // Its output to a file: a worker left behind must not hold the test's pipes open.
        let child = Command::new("nginx")
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (Debian's nginx-light, which make test installs)");
        let nginx = Nginx(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Nginx {
    /// SIGTERM, which stops the workers too (SIGKILL would leave them running).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}
