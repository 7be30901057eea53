//! Bad input through the real binary: a clear error naming file, line, column
//! and reason, a non-zero exit, and a database left exactly as it was.

use crate::common::Workspace;

const AS_OF: &str = "2023-01-23 18:00:00 UTC";

/// A workspace with good data ingested, and the report it gives.
fn baseline() -> (Workspace, String) {
    let ws = Workspace::new();
    ws.write(
        "good/store_status.csv",
        "store_id,status,timestamp_utc\ns1,active,2023-01-23 16:00:00 UTC\ns2,inactive,2023-01-23 17:00:00 UTC\n",
    );
    ws.write(
        "good/business_hours.csv",
        "store_id,dayOfWeek,start_time_local,end_time_local\ns1,0,09:00:00,17:00:00\n",
    );
    ws.write(
        "good/timezones.csv",
        "store_id,timezone_str\ns1,America/New_York\n",
    );
    ws.write(
        "good/special_hours.csv",
        "store_id,date,start_time_local,end_time_local\ns1,2023-01-23,10:00,16:00\n",
    );
    let out = ws.ok(&["ingest", "--data-dir", "good"]);
    assert!(out.contains("1 special-hours rows"), "{out}");
    let report = ws.ok(&["report", "--as-of", AS_OF]);
    assert_eq!(report.lines().count(), 3, "{report}");
    (ws, report)
}

/// Ingesting `file` (written with `text`) as `flag` fails with a message
/// containing `expected`, and the report is unchanged.
fn rejected(flag: &str, file: &str, text: &str, expected: &str) {
    let (ws, before) = baseline();
    ws.write(file, text);
    let out = ws.run(&["ingest", flag, file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "ingest of {file} should fail");
    assert!(
        stderr.contains(expected),
        "stderr lacks {expected:?}:\n{stderr}"
    );
    assert!(stderr.contains("nothing was ingested"), "{stderr}");
    assert_eq!(
        ws.ok(&["report", "--as-of", AS_OF]),
        before,
        "the database changed"
    );
}

#[test]
fn invalid_status() {
    rejected(
        "--status",
        "store_status.csv",
        "store_id,status,timestamp_utc\ns3,active,2023-01-23 16:00:00 UTC\ns3,actve,2023-01-23 17:00:00 UTC\n",
        "store_status.csv:3: status \"actve\" is not active or inactive",
    );
}

#[test]
fn invalid_timestamp() {
    rejected(
        "--status",
        "store_status.csv",
        "store_id,status,timestamp_utc\ns3,active,2023-01-23 25:00:00 UTC\n",
        "store_status.csv:2: timestamp_utc \"2023-01-23 25:00:00 UTC\" is not a timestamp",
    );
}

#[test]
fn a_poll_dated_9999_is_an_invalid_row_not_a_new_report_time() {
    rejected(
        "--status",
        "store_status.csv",
        "store_id,status,timestamp_utc\ns3,active,9999-12-31 23:59:59 UTC\n",
        "store_status.csv:2: timestamp_utc \"9999-12-31 23:59:59 UTC\" is outside the years 1970 to 2200",
    );
    let out = Workspace::new().run(&["report", "--as-of", "9999-12-31 23:59:59"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_day() {
    rejected(
        "--hours",
        "business_hours.csv",
        "store_id,day,start_time_local,end_time_local\ns1,0,09:00:00,12:00:00\ns1,9,09:00:00,12:00:00\n",
        "business_hours.csv:3: day \"9\" is not a weekday 0 (Monday) to 6 (Sunday)",
    );
}

#[test]
fn invalid_time() {
    rejected(
        "--hours",
        "business_hours.csv",
        "store_id,dayOfWeek,start_time_local,end_time_local\ns1,0,09:00:00,25:00:00\n",
        "business_hours.csv:2: end_time_local \"25:00:00\" is not a time of day",
    );
}

#[test]
fn invalid_zone() {
    rejected(
        "--timezones",
        "timezones.csv",
        "store_id,timezone_str\ns1,Europe/Atlantis\n",
        "timezones.csv:2: timezone_str \"Europe/Atlantis\" is not a known IANA time zone",
    );
}

const SPECIAL_HEADER: &str = "store_id,date,start_time_local,end_time_local\n";

#[test]
fn special_hours_with_an_invalid_date() {
    rejected(
        "--special-hours",
        "special_hours.csv",
        &format!("{SPECIAL_HEADER}s1,2023-02-30,,\n"),
        "special_hours.csv:2: date \"2023-02-30\" is not a date like 2023-12-25",
    );
}

#[test]
fn special_hours_with_one_time_missing() {
    rejected(
        "--special-hours",
        "special_hours.csv",
        &format!("{SPECIAL_HEADER}s1,2023-01-23,10:00,\n"),
        "special_hours.csv:2: end_time_local is empty: give both start_time_local and end_time_local, or leave both empty for a closed date",
    );
}

#[test]
fn special_hours_closed_and_open_on_one_date() {
    rejected(
        "--special-hours",
        "special_hours.csv",
        &format!(
            "{SPECIAL_HEADER}s1,2023-01-23,,\ns2,2023-01-23,10:00,11:00\ns1,2023-01-23,10:00,12:00\n"
        ),
        "special_hours.csv:4: date gives hours to store \"s1\" on 2023-01-23, but line 2 closes it",
    );
}

#[test]
fn special_hours_with_an_invalid_time() {
    rejected(
        "--special-hours",
        "special_hours.csv",
        &format!("{SPECIAL_HEADER}s1,2023-01-23,10:00,25:00\n"),
        "special_hours.csv:2: end_time_local \"25:00\" is not a time of day",
    );
}

#[test]
fn special_hours_without_a_date_column() {
    rejected(
        "--special-hours",
        "special_hours.csv",
        "store_id,day,start_time_local,end_time_local\ns1,2023-01-23,,\n",
        "special_hours.csv:1: missing column \"date\"",
    );
}

#[test]
fn missing_column() {
    rejected(
        "--timezones",
        "timezones.csv",
        "store_id,zone\ns1,America/Denver\n",
        "timezones.csv:1: missing column \"timezone_str\"",
    );
}

#[test]
fn ragged_row() {
    rejected(
        "--hours",
        "business_hours.csv",
        "store_id,dayOfWeek,start_time_local,end_time_local\ns1,0,09:00:00\n",
        "business_hours.csv:2: expected 4 fields like the header, found 3",
    );
}

#[test]
fn empty_file() {
    rejected(
        "--status",
        "store_status.csv",
        "",
        "store_status.csv: the file is empty",
    );
}

#[test]
fn a_missing_file_is_named() {
    let (ws, _) = baseline();
    let out = ws.run(&["ingest", "--status", "does-not-exist.csv"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist.csv: No such file"));
}

#[test]
fn one_bad_file_stops_the_good_ones_too() {
    let (ws, before) = baseline();
    ws.write(
        "mixed/store_status.csv",
        "store_id,status,timestamp_utc\ns9,active,2023-01-23 17:30:00 UTC\n",
    );
    ws.write(
        "mixed/timezones.csv",
        "store_id,timezone_str\ns1,Nowhere/Land\n",
    );
    let out = ws.run(&["ingest", "--data-dir", "mixed"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("timezones.csv:2: timezone_str"));
    assert_eq!(
        ws.ok(&["report", "--as-of", AS_OF]),
        before,
        "the good polls file must not be applied either"
    );
}

#[test]
fn lenient_mode_skips_counts_and_says_where_rows_went() {
    let (ws, _) = baseline();
    ws.write(
        "store_status.csv",
        "store_id,status,timestamp_utc\ns3,active,2023-01-23 17:00:00 UTC\ns4,actve,2023-01-23 17:00:00 UTC\ns5,active\n",
    );
    let out = ws.ok(&["ingest", "--status", "store_status.csv", "--lenient"]);
    assert!(
        out.contains("store_status.csv: 1 polls, 1 new or changed"),
        "{out}"
    );
    assert!(out.contains("skipped 2 invalid rows; they are listed with the reasons in rejected/store_status.csv.rejected.csv"), "{out}");
    let rejected =
        std::fs::read_to_string(ws.path("rejected/store_status.csv.rejected.csv")).unwrap();
    assert!(rejected.contains("3,status,\"\"\"actve\"\" is not active or inactive\",\"s4,actve,2023-01-23 17:00:00 UTC\""), "{rejected}");
    let report = ws.ok(&["report", "--as-of", AS_OF]);
    assert!(
        report.contains("\ns3,") && !report.contains("s4"),
        "{report}"
    );
}

#[test]
fn the_rejected_rows_file_lists_every_skipped_row_not_just_the_kept_ones() {
    let (ws, _) = baseline();
    let bad = 1_234;
    let mut text =
        String::from("store_id,status,timestamp_utc\ns3,active,2023-01-23 17:00:00 UTC\n");
    for i in 0..bad {
        text.push_str(&format!("s{i},actve,2023-01-23 17:00:00 UTC\n"));
    }
    ws.write("store_status.csv", &text);
    let out = ws.ok(&["ingest", "--status", "store_status.csv", "--lenient"]);
    assert!(
        out.contains("skipped 1,234 invalid rows; they are listed"),
        "{out}"
    );
    let rejected =
        std::fs::read_to_string(ws.path("rejected/store_status.csv.rejected.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(rejected.as_bytes());
    let lines: Vec<u64> = reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    // Every one, in file order (the header is line 1, the valid row line 2).
    assert_eq!(lines, (3..3 + bad as u64).collect::<Vec<_>>());
}

#[test]
fn bad_flags_are_explained() {
    let ws = Workspace::new();
    let out = ws.run(&["report", "--as-of", "tomorrow"]);
    // A command-line mistake: clap's message naming the flag, exit status 2.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--as-of") && stderr.contains("\"tomorrow\" is not a timestamp"),
        "{stderr}"
    );
    let out = Workspace::new().run(&["ingest"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to ingest"));
}

#[test]
fn every_bad_flag_value_is_a_command_line_mistake_before_any_work() {
    let ws = Workspace::new();
    for args in [
        &["generate", "--out", "g", "--end", "noon"][..],
        &["generate", "--out", "g", "--stores", "0"],
        &["generate", "--out", "g", "--days", "0"],
        &["serve", "--report-lease", "soon"],
        &["serve", "--ingest-every", "0s"],
        &["serve", "--ingest-every", "99999999999d"],
        &["serve", "--report-workers", "0"],
    ] {
        let out = ws.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(args[args.len() - 2]), "{args:?}: {stderr}");
    }
    assert!(
        !ws.path("g").exists(),
        "generate wrote before its flags were checked"
    );
    assert!(
        !ws.path("storewatch.db").exists(),
        "serve opened the database"
    );
}

#[test]
fn serve_flags_can_come_from_the_environment() {
    let ws = Workspace::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .args(["serve"])
        .env("STOREWATCH_REPORT_LEASE", "not a duration")
        .current_dir(ws.path(""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--report-lease"), "{stderr}");
}

#[test]
fn generate_does_not_offer_a_database() {
    let help = Workspace::new().ok(&["generate", "--help"]);
    assert!(help.contains("--stores"), "{help}");
    assert!(!help.contains("--database-url"), "{help}");
}

#[test]
fn report_without_a_database_says_so_and_creates_nothing() {
    let ws = Workspace::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .arg("report")
        .current_dir(ws.path(""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no database at storewatch.db"), "{stderr}");
    assert!(out.stdout.is_empty());
    let left: Vec<_> = std::fs::read_dir(ws.path("")).unwrap().collect();
    assert!(left.is_empty(), "created {left:?}");
}

#[test]
fn after_a_command_the_database_file_alone_holds_the_data() {
    let (ws, before) = baseline();
    // Copy only the .db files, as a person backing up "the database" would.
    std::fs::create_dir(ws.path("copy")).unwrap();
    for name in ["storewatch.db", "storewatch.jobs.db"] {
        std::fs::copy(ws.path(name), ws.path(&format!("copy/{name}"))).unwrap();
    }
    let copy = format!("sqlite://{}", ws.path("copy/storewatch.db").display());
    let report = ws.ok(&["--database-url", &copy, "report", "--as-of", AS_OF]);
    assert_eq!(report, before);
}

/// A time `days` from now, whole seconds, as the data writes it.
fn days_from_now(days: i64) -> jiff::Timestamp {
    let now = jiff::Timestamp::now().as_second();
    jiff::Timestamp::from_second(now + days * 86_400).unwrap()
}

/// A poll dated later than the clock plus `--max-future` (default 1 h) is
/// an invalid row: it would become every report's default time.
#[test]
fn a_poll_from_the_future_is_refused_with_its_line() {
    let ws = Workspace::new();
    let later = days_from_now(2).strftime("%Y-%m-%d %H:%M:%S UTC");
    let polls = ws.write(
        "store_status.csv",
        &format!(
            "store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n1,inactive,{later}\n"
        ),
    );
    let out = ws.run(&["ingest", "--status", polls.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "store_status.csv:3: timestamp_utc \"{later}\" is in the future"
        )) && err.contains("plus the tolerance of 1h (--max-future)"),
        "{err}"
    );
    let report = ws.ok(&["report"]);
    assert_eq!(report.lines().count(), 1, "nothing was stored: {report}");
    // A tolerance of three days lets it in.
    ws.ok(&[
        "ingest",
        "--status",
        polls.to_str().unwrap(),
        "--max-future",
        "3d",
    ]);
    let out = ws.run(&[
        "ingest",
        "--status",
        polls.to_str().unwrap(),
        "--max-future",
        "soon",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad duration is a command-line error"
    );
}

/// A poll that should never have been stored is deleted from the command
/// line: the default report time comes back, and the ingest log says who.
#[test]
fn delete_polls_removes_what_it_names_and_nothing_else() {
    let ws = Workspace::new();
    // A poll from a machine whose clock ran months ahead, let in by a
    // tolerance as wide.
    let wrong = days_from_now(100).strftime("%Y-%m-%d %H:%M:%S UTC");
    let polls = ws.write(
        "store_status.csv",
        &format!("store_id,status,timestamp_utc\n1,active,2023-01-25 12:00:00 UTC\n1,inactive,{wrong}\n2,active,2023-01-25 11:00:00 UTC\n"),
    );
    ws.ok(&[
        "ingest",
        "--status",
        polls.to_str().unwrap(),
        "--max-future",
        "101d",
    ]);
    let before = ws.ok(&["report"]);
    assert_eq!(before.lines().count(), 3, "{before}");
    let out = ws.run(&["delete-polls"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("name a store, a time range, or both"));
    let from = days_from_now(50);
    let said = ws.ok(&["delete-polls", "--from", &from.to_string()]);
    assert_eq!(
        said.trim(),
        format!("delete polls from {from}: 1 polls deleted")
    );
    let said = ws.ok(&["delete-polls", "--store", "2"]);
    assert!(said.ends_with(": 1 polls deleted\n"), "{said}");
    let after = ws.ok(&["report"]);
    let rows: Vec<&str> = after.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "store 2 left with its last poll: {after}");
    assert!(rows[0].starts_with("1,"), "{after}");
}

/// Commands that only read never set up storewatch's tables: pointed at a
/// database that is not storewatch's (a mistyped URL), they say so, exit 1
/// and leave it as it was. Only `ingest`, `serve` and `keys create` create
/// the tables.
#[test]
fn reading_commands_do_not_create_tables_in_someone_elses_database() {
    let ws = Workspace::new();
    let other = ws.path("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (id INTEGER)")
        .unwrap();
    let url = format!("sqlite://{}", other.display());
    for args in [
        &["report"][..],
        &["report", "--extended"],
        &["keys", "list"],
        &["keys", "revoke", "admin"],
        &["delete-polls", "--store", "1"],
    ] {
        let mut all = vec!["--database-url", url.as_str()];
        all.extend_from_slice(args);
        let out = ws.run(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("holds no storewatch data"), "{args:?}: {err}");
    }
    let c = rusqlite::Connection::open(&other).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(tables, ["invoices"]);
    assert!(
        !ws.path("other.jobs.db").exists(),
        "no jobs file beside it either"
    );

    // PostgreSQL: the same, in a database of its own.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(storewatch_postgres::testing::scratch()) else {
        return;
    };
    for args in [&["report"][..], &["keys", "list"]] {
        let mut all = vec!["--database-url", db.url.as_str()];
        all.extend_from_slice(args);
        let out = ws.run(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("holds no storewatch data"));
    }
    let count: i64 = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap()
    });
    assert_eq!(count, 0, "tables were created");
    // `ingest` does create them, and `report` then works.
    let data = ws.path("data");
    crate::common::server::write_generated(&data, 5, 2, 1);
    ws.ok(&[
        "--database-url",
        &db.url,
        "ingest",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    ws.ok(&["--database-url", &db.url, "report"]);
}

/// `storewatch report | head -1`: the reader goes away after a line; the
/// command stops quietly (before, `error: Broken pipe (os error 32)`).
#[test]
fn a_report_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let ws = Workspace::new();
    let data = ws.path("data");
    crate::common::server::write_generated(&data, 3000, 2, 1);
    ws.ok(&["ingest", "--data-dir", data.to_str().unwrap()]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_storewatch"))
        .args([
            "--database-url",
            &ws.database_url(),
            "report",
            "--kind",
            "daily",
            "--days",
            "30",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("store_id,date,"), "{first}");
    // The reader is gone now (dropped above).
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("Broken pipe"), "{err}");
    assert!(out.status.success(), "{:?}: {err}", out.status);
}
