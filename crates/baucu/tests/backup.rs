//! Backup and restore through the real binary: `baucu backup` while operators key ballots, `baucu
//! restore` (checked first, never over a newer database without `--force`, never while a node serves
//! the folder), the automatic copy after a round closes, and the board head's download from the web.

mod support;

use baucu_app::baucu_store::rusqlite::Connection;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use support::{Client, SMALL_PASSWORD, operator_id, small_congress, start};

fn baucu(args: &[&str], paths: &[&Path]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baucu"));
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.output().expect("run baucu")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn backup(data: &Path, to: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baucu"))
        .arg("backup")
        .arg("--data")
        .arg(data)
        .arg("--to")
        .arg(to)
        .output()
        .expect("baucu backup")
}

fn restore(from: &Path, data: &Path, force: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baucu"));
    cmd.arg("restore").arg("--from").arg(from).arg("--data").arg(data);
    if force {
        cmd.arg("--force");
    }
    cmd.output().expect("baucu restore")
}

fn verify(data: &Path) -> Output {
    baucu(&["audit", "verify", "--data"], &[data])
}

/// The number after "Nhật ký có" in what a command printed.
fn entries_of(out: &Output) -> i64 {
    let t = text(out);
    t.lines()
        .rev()
        .find_map(|l| l.strip_prefix("Nhật ký có ")?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no entry count in {t}"))
}

fn user_add(data: &Path, user: &str) {
    let out = baucu(
        &[
            "user",
            "add",
            user,
            "--role",
            "viewer",
            "--name",
            "Người Xem Thử",
            "--password",
            SMALL_PASSWORD,
            "--data",
        ],
        &[data],
    );
    assert!(out.status.success(), "{}", text(&out));
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A strike-list code over the 6 names of the small congress, different from one ballot to the next.
fn code(i: u32) -> String {
    let bits = i % 62 + 1;
    let struck: Vec<String> = (0..6).filter(|b| bits & (1 << b) != 0).map(|b| (b + 1).to_string()).collect();
    format!("x:{}", struck.join(","))
}

#[test]
fn backup_during_entry_load() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let (server, round, _stack, [e1, e2]) = small_congress(&data, 30);
    // A second stack for the third operator.
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/issued"), json!({ "issued": 60, "collected": 60 }));
    let view = head.get(&format!("/api/rounds/{round}"));
    let ops = [operator_id(&view, "op3"), operator_id(&view, "op1")];
    head.post(
        &format!("/api/rounds/{round}/stacks"),
        json!({ "name": "Chồng 2", "papers": 30, "operators": ops, "key": "small-2" }),
    );
    let view = head.get(&format!("/api/rounds/{round}"));
    let e3 = view["stacks"][1]["entries"][0]["id"].as_i64().expect("entry");

    // Three operators key ballots until told to stop; each counts what was acknowledged.
    let stop = Arc::new(AtomicBool::new(false));
    let work = [("op1", e1), ("op2", e2), ("op3", e3)];
    let acked: Vec<Arc<AtomicU32>> = work.iter().map(|_| Arc::new(AtomicU32::new(0))).collect();
    let threads: Vec<_> = work
        .iter()
        .zip(&acked)
        .map(|(&(user, entry), acked)| {
            let (addr, stop, acked) = (server.addr.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let op = Client::login(&addr, user, SMALL_PASSWORD);
                for i in 1..=20_000u32 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let ack = op.post(
                        &format!("/api/entries/{entry}/ballots"),
                        json!({ "code": code(i), "key": format!("{user}-{i}") }),
                    );
                    assert_eq!(ack["seq"], i, "acknowledged in order");
                    acked.store(i, Ordering::SeqCst);
                }
            })
        })
        .collect();
    // The backup starts in the middle of the entry: each operator has ballots acknowledged.
    while acked.iter().any(|a| a.load(Ordering::SeqCst) < 20) {
        std::thread::yield_now();
    }
    let before: Vec<u32> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    let copy = dir.path().join("sao-luu.sqlite");
    let out = backup(&data, &copy);
    let after_backup: Vec<u32> = acked.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("Đã sao lưu vào") && said.contains("toàn vẹn"), "{said}");
    assert!(said.contains("Mã đầu chuỗi nhật ký: "), "{said}");
    // The node acknowledged ballots while the backup ran (it takes far longer than one ballot).
    assert!(
        after_backup.iter().sum::<u32>() > before.iter().sum::<u32>(),
        "entry went on during the backup: {before:?} then {after_backup:?}"
    );
    // Entry goes on after the backup (the node was never stopped or locked by it).
    while acked.iter().zip(&after_backup).any(|(a, &b)| a.load(Ordering::SeqCst) < b + 5) {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("operator thread");
    }
    // The same target again is refused, and the copy is untouched.
    let again = backup(&data, &copy);
    assert!(!again.status.success() && text(&again).contains("đã có"), "{}", text(&again));

    // The dead-laptop drill: restore into a fresh folder, verify, serve.
    let fresh = dir.path().join("may-moi");
    let out = restore(&copy, &fresh, false);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Đã khôi phục"), "{}", text(&out));
    let out = verify(&fresh);
    assert!(out.status.success() && text(&out).contains("toàn vẹn"), "{}", text(&out));
    let restored = start(&fresh, false);
    for (k, &(user, entry)) in work.iter().enumerate() {
        let codes = Client::login(&restored.addr, user, SMALL_PASSWORD).entry_codes(entry);
        let n = codes.len() as u32;
        assert!(n >= before[k], "{user}: {n} ballots in the copy, {} acknowledged before it", before[k]);
        assert!(
            n <= after_backup[k],
            "{user}: {n} ballots in the copy, {} acknowledged after it",
            after_backup[k]
        );
        let expected: Vec<String> = (1..=n).map(code).collect();
        assert_eq!(codes, expected, "{user}: the copy holds the acknowledged ballots, in order");
    }
    // The live node has everything, the copy a prefix of it.
    let live = Client::login(&server.addr, "op1", SMALL_PASSWORD).entry_codes(e1);
    assert!(live.len() as u32 > after_backup[0]);
}

#[test]
fn restore_refuses_what_would_lose_data_or_is_not_intact() {
    let dir = tempfile::tempdir().expect("temp");
    let a = dir.path().join("a");
    user_add(&a, "xem1");
    let first = dir.path().join("lan-1.sqlite");
    let out = backup(&a, &first);
    assert!(out.status.success(), "{}", text(&out));
    let first_entries = entries_of(&out);
    user_add(&a, "xem2");
    let second = dir.path().join("lan-2.sqlite");
    assert!(backup(&a, &second).status.success());
    user_add(&a, "xem3");

    // Folder a is newer than the first copy: refused, untouched.
    let before = std::fs::read(a.join("baucu.sqlite")).expect("read");
    let out = restore(&first, &a, false);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("MỚI HƠN") && text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read(a.join("baucu.sqlite")).expect("read"), before, "nothing replaced");
    assert_eq!(entries_of(&verify(&a)), first_entries + 2);

    // Another history (a folder of its own): refused as well.
    let b = dir.path().join("b");
    user_add(&b, "khac");
    let out = restore(&first, &b, false);
    assert!(!out.status.success() && text(&out).contains("KHÁC"), "{}", text(&out));

    // With --force: restored, the newer database kept beside it (its log brought into it first).
    let out = restore(&first, &a, true);
    assert!(out.status.success(), "{}", text(&out));
    let kept: Vec<String> =
        files_in(&a).into_iter().filter(|n| n.starts_with("baucu.sqlite.truoc-khoi-phuc-")).collect();
    assert_eq!(kept.len(), 1, "one self-contained file set aside: {:?}", files_in(&a));
    assert!(text(&out).contains(&kept[0]), "{}", text(&out));
    assert!(!a.join("baucu.sqlite-wal").exists() && !a.join("baucu.sqlite-shm").exists());
    assert_eq!(entries_of(&verify(&a)), first_entries);
    let old: i64 = Connection::open(a.join(&kept[0]))
        .expect("open the kept database")
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .expect("count");
    assert_eq!(old, first_entries + 2, "the replaced database is kept whole");

    // A newer copy over an older database: nothing is lost, so no --force is needed.
    let out = restore(&second, &a, false);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("phần đầu"), "{}", text(&out));
    assert_eq!(entries_of(&verify(&a)), first_entries + 1);

    // A stale log and index with no database (a half-cleaned folder) are set aside, never replayed
    // into the restored file.
    let d = dir.path().join("d");
    std::fs::create_dir_all(&d).expect("d");
    std::fs::write(d.join("baucu.sqlite-wal"), b"stale log").expect("write");
    std::fs::write(d.join("baucu.sqlite-shm"), b"stale index").expect("write");
    let out = restore(&second, &d, false);
    assert!(out.status.success(), "{}", text(&out));
    let names = files_in(&d);
    assert!(
        !names.contains(&"baucu.sqlite-wal".to_owned()) && !names.contains(&"baucu.sqlite-shm".to_owned())
    );
    assert_eq!(
        names.iter().filter(|n| n.starts_with("baucu.sqlite.truoc-khoi-phuc-")).count(),
        2,
        "{names:?}"
    );
    assert_eq!(entries_of(&verify(&d)), first_entries + 1);

    // A copy edited behind the program's back does not verify, and is not restored.
    let tampered = dir.path().join("sua-tay.sqlite");
    std::fs::copy(&second, &tampered).expect("copy");
    Connection::open(&tampered)
        .expect("open")
        .execute("UPDATE users SET full_name = 'Kẻ Giả Mạo' WHERE username = 'xem2'", [])
        .expect("tamper");
    let c = dir.path().join("c");
    let out = restore(&tampered, &c, false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("KHÔNG toàn vẹn") && text(&out).contains("users"), "{}", text(&out));
    assert!(!c.join("baucu.sqlite").exists(), "nothing restored");
    assert_eq!(files_in(&c), ["baucu.lock"], "no temporary file is left");
}

#[test]
fn a_served_folder_is_neither_restored_nor_served_twice() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    user_add(&data, "xem1");
    let copy = dir.path().join("sao-luu.sqlite");
    assert!(backup(&data, &copy).status.success());
    let server = start(&data, false);

    let out = restore(&copy, &data, true);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("một máy chủ baucu đang chạy"), "{}", text(&out));

    let out = baucu(&["serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data"], &[&data]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("không thể chạy hai máy chủ trên cùng một dữ liệu"), "{}", text(&out));

    // The serving node is unharmed.
    let (status, _, _) = support::http(&server.addr, "GET", "/healthz", &[], b"").expect("healthz");
    assert_eq!(status, 200);
    server.kill9();
    // Once it is gone (even killed), the folder is free again.
    let out = restore(&copy, &data, true);
    assert!(out.status.success(), "{}", text(&out));
}

/// Waits (bounded) for `cond`, polling the file system; fails after a minute.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn automatic_backup_after_a_round_close_and_the_web_download() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    // 20 older automatic copies already there (the default --backup-keep): the new one pushes out
    // the oldest.
    let backups = data.join("backups");
    std::fs::create_dir_all(&backups).expect("backups");
    let old: Vec<String> = (0..20).map(|i| format!("baucu-2020-01-01T00-00-{i:02}Z.sqlite")).collect();
    for name in &old {
        std::fs::write(backups.join(name), b"old").expect("write");
    }
    std::fs::write(backups.join("ghi-chu.txt"), b"not a copy").expect("write");
    let (server, round, _stack, [e1, e2]) = small_congress(&data, 3);
    for (user, entry) in [("op1", e1), ("op2", e2)] {
        let op = Client::login(&server.addr, user, SMALL_PASSWORD);
        for i in 0..3 {
            op.post(
                &format!("/api/entries/{entry}/ballots"),
                json!({ "code": "x:6", "key": format!("{user}-{i}") }),
            );
        }
        op.post(&format!("/api/entries/{entry}/finish"), json!({}));
    }
    let head = Client::login(&server.addr, "head", SMALL_PASSWORD);
    head.post(&format!("/api/rounds/{round}/close"), json!({ "confirm": true }));

    let is_new = |n: &String| n.starts_with("baucu-20") && !old.contains(n);
    // The copy is in place, checked, and the oldest pruned (in this order).
    wait_for("the copy after the close", || {
        let names = files_in(&backups);
        names.iter().any(is_new) && !names.contains(&old[0])
    });
    let names = files_in(&backups);
    let new: Vec<&String> = names.iter().filter(|n| is_new(n)).collect();
    assert_eq!(new.len(), 1, "{names:?}");
    assert!(!names.contains(&old[0]), "the oldest copy is pruned: {names:?}");
    assert!(names.contains(&old[1]) && names.contains(&"ghi-chu.txt".to_owned()), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.ends_with(".sqlite")).count(), 20, "{names:?}");
    let copy = backups.join(new[0]);
    let closes: i64 = Connection::open(&copy)
        .expect("open")
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'round.close'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(closes, 1, "the copy holds the closed round");
    let out = restore(&copy, &dir.path().join("tu-dong"), false);
    assert!(out.status.success() && text(&out).contains("toàn vẹn"), "{}", text(&out));

    // The web: the board head downloads a fresh copy that verifies; an operator may not.
    let page = head.download("/backup");
    assert_eq!(page.0, 200);
    assert!(String::from_utf8_lossy(&page.1).contains(new[0].as_str()), "the page lists the copies");
    let form = format!("_csrf={}", head.csrf);
    let headers = [("Cookie", head.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let (status, _, bytes) =
        support::http(&server.addr, "POST", "/backup", &headers, form.as_bytes()).expect("download");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes[..bytes.len().min(500)]));
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    let downloaded = dir.path().join("tai-ve.sqlite");
    std::fs::write(&downloaded, &bytes).expect("write");
    let web = dir.path().join("tu-web");
    let out = restore(&downloaded, &web, false);
    assert!(out.status.success(), "{}", text(&out));
    let out = verify(&web);
    assert!(out.status.success() && text(&out).contains("toàn vẹn"), "{}", text(&out));
    assert!(
        !files_in(&data).iter().any(|n| n.starts_with(".tai-xuong-")),
        "the temporary copy is removed once sent: {:?}",
        files_in(&data)
    );

    let op = Client::login(&server.addr, "op1", SMALL_PASSWORD);
    let form = format!("_csrf={}", op.csrf);
    let headers = [("Cookie", op.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let (status, _, _) =
        support::http(&server.addr, "POST", "/backup", &headers, form.as_bytes()).expect("post");
    assert_eq!(status, 403);

    // The log says who took a copy.
    let (_, audit) = head.download("/audit");
    let audit = String::from_utf8_lossy(&audit);
    assert_eq!(audit.matches("tải về bản sao lưu dữ liệu").count(), 1, "one download, recorded once");
    let row = audit.split("<tr>").find(|r| r.contains("tải về bản sao lưu dữ liệu")).expect("the entry");
    assert!(row.contains("<td>Lê Văn Trưởng Ban (head)</td>"), "the board head is named: {row}");
    assert!(row.contains(".sqlite"), "with the file's name: {row}");
}

#[test]
fn the_backup_flags_are_bounded() {
    let dir = tempfile::tempdir().expect("temp");
    let data: PathBuf = dir.path().join("data");
    for flags in [["--backup-every", "1441"], ["--backup-keep", "0"], ["--backup-every", "mười"]] {
        let out = baucu(&["serve", "--insecure-http", flags[0], flags[1], "--data"], &[&data]);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", text(&out));
    }
    assert!(!data.exists(), "nothing was started");
}
