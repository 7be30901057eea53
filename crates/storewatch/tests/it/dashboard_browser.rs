//! The dashboard in a real browser, driven over the DevTools protocol (on a
//! pipe: `--remote-debugging-pipe`, no websocket needed): log in with a key,
//! trigger a report from the start page and wait for it, download its CSV,
//! open a store page and check what a person sees (the figures, an
//! incident row, the SVG with its bands), and take a screenshot (written
//! under the system's temporary directory, not into the repository).

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use storewatch::app::Settings;
use storewatch::app::access::KeyRequest;
use storewatch_db::Role;

use crate::common::server::{load_example, spawn_app};

/// A headless Chromium and one page in it, spoken to over its pipe.
struct Browser {
    child: Child,
    commands: std::io::PipeWriter,
    answers: mpsc::Receiver<Value>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(path: &std::path::Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (child_reads, commands) = std::io::pipe().unwrap();
        let (answers_read, child_writes) = std::io::pipe().unwrap();
        let (r, w) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        assert!(r > 4 && w > 4, "pipe fds clash with 3 and 4");
        let mut cmd = Command::new(path);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-pipe",
            "--window-size=1000,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only dup2, which is async-signal-safe, between fork and exec.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        drop((child_reads, child_writes));
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(answers_read);
            loop {
                let mut message = Vec::new();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        message.pop();
                        if let Ok(v) = serde_json::from_slice(&message)
                            && tx.send(v).is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        let mut browser = Browser {
            child,
            commands,
            answers,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser.call("Page.enable", json!({}));
        browser
    }

    /// Sends a command (to the page once attached) and waits for its answer.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let answer = self
                .answers
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `condition` (JavaScript) is true in the page.
    fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            // A navigation may be under way: a failed evaluation is "not yet".
            let r = self.call(
                "Runtime.evaluate",
                json!({"expression": format!("!!({condition})"), "returnByValue": true}),
            );
            if r["result"]["value"] == true {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let page = self.eval("document.documentElement.outerHTML");
        panic!("never true: {condition}\n{page}");
    }

    fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("document.readyState === 'complete'");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The standard alphabet's base64, decoded (for the screenshot).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
    clean
        .chunks(4)
        .flat_map(|q| {
            let n = q.iter().fold(0u32, |n, v| n << 6 | u32::from(*v)) << (6 * (4 - q.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(q.len().saturating_sub(1))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_triggers_a_report_downloads_it_and_reads_a_store_page() {
    let Some(chromium) = crate::docs_browser::chromium() else {
        return;
    };
    let app = spawn_app(Settings::default()).await;
    let Some(as_of) = load_example(&app, "special-hours-2023-01-23").await else {
        return;
    };
    let key = KeyRequest::new("ops", Role::Viewer, None)
        .unwrap()
        .create(&app.db, storewatch::clock::now_micros())
        .await
        .unwrap()
        .reveal();
    let base = app.api.base.clone();
    let shot = std::env::temp_dir().join("storewatch-store-page.png");
    let shot_path = shot.clone();
    tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch(&chromium);
        // No key yet: the store page sends us to log in.
        b.open(&format!("{base}/stores/K"));
        b.wait_for("location.pathname === '/login'");
        b.eval(&format!(
            "document.querySelector('input[name=key]').value = '{key}';\
             document.querySelector('form[action=\"/login\"]').submit(); true"
        ));
        b.wait_for("location.pathname === '/stores/K' && document.readyState === 'complete'");
        // The key is in an HttpOnly cookie: the page's scripts cannot read it.
        assert_eq!(b.eval("document.cookie"), json!(""));

        // Trigger from the start page, wait for Complete, download the CSV.
        b.open(&format!("{base}/"));
        b.eval(&format!(
            "document.querySelector('#trigger input[name=as_of]').value = '{as_of}';\
             document.querySelector('#trigger button').click(); true"
        ));
        b.wait_for("document.getElementById('download')");
        let progress = b.eval("document.getElementById('progress').textContent");
        assert!(progress.as_str().unwrap().contains("4 stores"), "{progress}");
        let csv = b.eval(
            "fetch(document.getElementById('download').href).then(r => r.text())",
        );
        let csv = csv.as_str().unwrap();
        assert!(csv.starts_with("store_id,uptime_last_hour,"), "{csv}");
        assert!(csv.contains("\nK,60.00,13.00,13.00,0.00,1.00,135.00"), "{csv}");

        // A store page as a person sees it.
        b.open(&format!("{base}/stores/K?as_of={as_of}"));
        let figures = b.eval("document.querySelector('table.figures').innerText");
        assert!(figures.as_str().unwrap().contains("135.00"), "{figures}");
        let incident = b.eval("document.querySelectorAll('table.incidents tr').length");
        assert_eq!(incident, json!(2), "a header and one incident row");
        let bands = b.eval("[document.querySelectorAll('svg .band.down').length, document.querySelectorAll('svg .band.up').length]");
        assert!(bands[0].as_u64().unwrap() > 0 && bands[1].as_u64().unwrap() > 0, "{bands}");
        let drawn = b.eval("document.querySelector('svg').getBoundingClientRect().width");
        assert!(drawn.as_f64().unwrap() > 500.0, "the picture is drawn: {drawn}");
        let png = b.call("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64(png["data"].as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(&shot_path, bytes).unwrap();
    })
    .await
    .unwrap();
    eprintln!("screenshot: {}", shot.display());
}
