//! The aggregator's units table and package import, each test on SQLite and (when
//! `BAUCU_TEST_POSTGRES` is set) on PostgreSQL: every refusal with its reason, batches that leave
//! nothing of a refused file, superseding versions with their history, the area of an account, and
//! the command line's exit codes.

mod support;

use baucu_aggregator::AppError;
use baucu_aggregator::accounts::{Actor, Role};
use baucu_aggregator::db::{AggDb, Value};
use baucu_aggregator::import::{self, FileVerdict, VerdictKind};
use baucu_aggregator::units;
use support::aggregator::{
    backends, digest, fingerprint, fresh_db, node_key, package, package_body, standard_units, units_xlsx,
};

fn setup(db: &AggDb) {
    let report =
        units::import_workbook(db, &Actor::cli(), &standard_units(), "units.xlsx").expect("units import");
    assert_eq!((report.rows, report.created, report.keys_registered), (5, 5, 2), "{report:?}");
}

fn one(db: &AggDb, actor: &Actor, name: &str, file: Vec<u8>) -> FileVerdict {
    let mut v = import::import_files(db, actor, vec![(name.to_owned(), file)]);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn count(db: &AggDb, sql: &str, params: &[Value]) -> i64 {
    db.read(|tx| tx.query_one(sql, params)).expect("count").int(0).expect("int")
}

fn assert_refused(v: &FileVerdict, code: &str, words: &[&str]) {
    assert_eq!(v.kind, VerdictKind::Refused, "{v:?}");
    assert_eq!(v.code, code, "{v:?}");
    assert!(v.message.contains(&format!("Tệp {}", v.file)), "the message names the file: {v:?}");
    for w in words {
        assert!(v.message.contains(w), "{w:?} missing from {:?}", v.message);
    }
    assert!(!v.accepted());
}

#[test]
fn aggregator_import_refuses_each_bad_file_with_its_reason() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let cli = Actor::cli();
        let good = package("01.001.01", 1, None, 0, 1);

        // A byte changed in the body.
        let mut changed = good.clone();
        changed[20] ^= 0x01;
        assert_refused(&one(&db, &cli, "sua.baucu", changed), "modified", &["sửa đổi"]);
        // Signed by another key than the one the trailer names.
        let forged = String::from_utf8(good.clone())
            .expect("utf8")
            .replace(&node_key(1).public().to_hex(), &node_key(2).public().to_hex());
        assert_refused(&one(&db, &cli, "gia.baucu", forged.into_bytes()), "bad_signature", &["Chữ ký"]);
        // Not a package at all.
        assert_refused(&one(&db, &cli, "rac.baucu", b"hello".to_vec()), "malformed", &[]);
        // A schema this program does not read.
        let mut future = package_body("01.001.01", 1, None, 0);
        future.schema = "baucu.result-package/9".into();
        let future = baucu_aggregator::exchange::seal(&future, &node_key(1));
        assert_refused(&one(&db, &cli, "moi.baucu", future), "unknown_schema", &["baucu.result-package/9"]);
        // A key nobody registered.
        assert_refused(
            &one(&db, &cli, "la.baucu", package("01.001.01", 1, None, 0, 9)),
            "unknown_key",
            &[&fingerprint(9), "chưa được đăng ký"],
        );
        // Unit 01.001.01's package signed by 01.002.01's key: both units named.
        assert_refused(
            &one(&db, &cli, "nham.baucu", package("01.001.01", 1, None, 0, 2)),
            "key_of_other_unit",
            &["01.001.01 (Chi bộ Thôn Đông)", "01.002.01 (Chi bộ Thôn Tây)", &fingerprint(2)],
        );
        // A unit not in the tree.
        assert_refused(
            &one(&db, &cli, "ngoai.baucu", package("09.999", 1, None, 0, 1)),
            "unknown_unit",
            &["09.999"],
        );
        // A version 2 replacing a version never received.
        let orphan = package("01.001.01", 2, Some((1, &"cd".repeat(32))), 0, 1);
        assert_refused(&one(&db, &cli, "mo.baucu", orphan), "unknown_supersedes", &["chưa nhận"]);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM packages", &[]), 0, "nothing refused was kept");

        // The good file goes in; the same file again is a duplicate (accepted).
        let first = one(&db, &cli, "dong-v1.baucu", good.clone());
        assert_eq!((first.kind, first.code), (VerdictKind::Imported, "imported"), "{first:?}");
        let again = one(&db, &cli, "dong-v1-ban-sao.baucu", good.clone());
        assert_eq!((again.kind, again.code), (VerdictKind::Duplicate, "duplicate"), "{again:?}");
        assert!(again.accepted() && again.message.contains("đã có"), "{again:?}");
        // Same version, other content.
        let other = package("01.001.01", 1, None, 1, 1);
        assert_refused(&one(&db, &cli, "dong-v1-khac.baucu", other), "version_conflict", &["phiên bản 1"]);
        // Version 3 replaces version 1; then a version 2 is older than what is held.
        let d1 = digest(&good);
        let v3 = one(&db, &cli, "dong-v3.baucu", package("01.001.01", 3, Some((1, &d1)), 2, 1));
        assert_eq!(v3.code, "imported", "{v3:?}");
        let v2 = package("01.001.01", 2, Some((1, &d1)), 3, 1);
        assert_refused(
            &one(&db, &cli, "dong-v2.baucu", v2),
            "older_version",
            &["phiên bản 2", "phiên bản 3"],
        );
        // A supersedes naming a held digest under the wrong version number.
        let d3 = digest(&package("01.001.01", 3, Some((1, &d1)), 2, 1));
        let wrong = package("01.001.01", 4, Some((2, &d3)), 0, 1);
        assert_refused(&one(&db, &cli, "dong-v4.baucu", wrong), "unknown_supersedes", &["phiên bản 3"]);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM packages", &[]), 2);
    }
}

#[test]
fn aggregator_import_batch_keeps_nothing_of_a_refused_file() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let audit_before = count(&db, "SELECT COUNT(*) FROM audit", &[]);
        let verdicts = import::import_files(
            &db,
            &Actor::cli(),
            vec![
                ("a.baucu".into(), package("01.001.01", 1, None, 0, 1)),
                ("b.baucu".into(), package("01.002.01", 1, None, 0, 1)),
                ("c.baucu".into(), package("01.002.01", 1, None, 5, 2)),
            ],
        );
        let codes: Vec<&str> = verdicts.iter().map(|v| v.code).collect();
        assert_eq!(codes, ["imported", "key_of_other_unit", "imported"], "{verdicts:?}");
        assert_eq!(verdicts[1].file, "b.baucu", "verdicts keep the order given");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM packages", &[]), 2);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM congresses WHERE status = 'reported'", &[]), 2);
        // Unit 01.002.01 holds c.baucu's content (variant 5: votes 7), nothing of b.baucu.
        let votes = count(
            &db,
            "SELECT CAST(SUM(votes) AS BIGINT) FROM elected WHERE unit_code = $1",
            &["01.002.01".into()],
        );
        assert_eq!(votes, 9 + 7);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM elected", &[]), 4);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bases", &[]), 2);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM plan_departures", &[]), 2);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM audit", &[]),
            audit_before + 2,
            "one entry per imported file"
        );
        let chain = baucu_aggregator::audit::verify(&db).expect("verify");
        assert!(chain.result().is_ok(), "{chain:?}");
    }
}

#[test]
fn aggregator_import_superseding_version_replaces_and_keeps_history() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let cli = Actor::cli();
        let v1 = package("01.001.01", 1, None, 0, 1);
        let v2 = package("01.001.01", 2, Some((1, &digest(&v1))), 3, 1);
        // Given newest first, both go in: the batch takes each unit's versions in order.
        let verdicts =
            import::import_files(&db, &cli, vec![("v2.baucu".into(), v2.clone()), ("v1.baucu".into(), v1)]);
        assert!(verdicts.iter().all(|v| v.code == "imported"), "{verdicts:?}");
        assert!(verdicts[0].message.contains("thay phiên bản 1"), "{:?}", verdicts[0]);
        // The congress was approved; a version 3 sends it back to "reported", and says so.
        db.write(|tx| {
            tx.execute(
                "UPDATE congresses SET status = 'approved' WHERE unit_code = $1",
                &["01.001.01".into()],
            )
        })
        .expect("approve");
        let v3 = one(&db, &cli, "v3.baucu", package("01.001.01", 3, Some((2, &digest(&v2))), 1, 1));
        assert_eq!(v3.code, "imported", "{v3:?}");
        assert!(v3.message.contains("Đã chuẩn y") && v3.message.contains("Đã báo cáo"), "{v3:?}");
        let rows = db
            .read(|tx| {
                tx.query(
                    "SELECT version, current FROM packages WHERE unit_code = $1 ORDER BY version",
                    &["01.001.01".into()],
                )
            })
            .expect("history");
        let history: Vec<(i64, bool)> =
            rows.iter().map(|r| (r.int(0).expect("version"), r.bool(1).expect("current"))).collect();
        assert_eq!(history, [(1, false), (2, false), (3, true)]);
        let congress = db
            .read(|tx| {
                tx.query_one(
                    "SELECT c.status, p.version FROM congresses c JOIN packages p ON p.id = c.package_id WHERE c.unit_code = $1",
                    &["01.001.01".into()],
                )
            })
            .expect("congress");
        assert_eq!(congress.text(0).expect("status"), "reported");
        assert_eq!(congress.int(1).expect("version"), 3);
        // elected holds version 3 only (variant 1: the second name has 7 votes).
        let elected = db
            .read(|tx| {
                tx.query(
                    "SELECT name, votes FROM elected WHERE unit_code = $1 ORDER BY person",
                    &["01.001.01".into()],
                )
            })
            .expect("elected");
        let got: Vec<(String, i64)> =
            elected.iter().map(|r| (r.text(0).expect("name"), r.int(1).expect("votes"))).collect();
        assert_eq!(got, [("Nguyễn Văn An".to_owned(), 9), ("Trần Thị Bình".to_owned(), 7)]);
        // The file is kept byte for byte.
        let file = db
            .read(|tx| {
                tx.query_one(
                    "SELECT file FROM packages WHERE version = 2 AND unit_code = $1",
                    &["01.001.01".into()],
                )
            })
            .expect("file")
            .bytes(0)
            .expect("bytes");
        assert_eq!(file, v2);
    }
}

#[test]
fn aggregator_units_workbook_errors_by_row_and_column() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let cli = Actor::cli();
        let k2 = fingerprint(2);
        let k3 = fingerprint(3);
        let bad = units_xlsx(&[
            ["01.003", "Đảng bộ huyện Ba", "Quận huyện", "01", ""],
            ["01.003.01", "Chi bộ A", "Chi bộ", "01.404", ""],
            ["01.001", "Đảng bộ huyện Một", "Huyện", "01", ""],
            ["01.001", "Trùng mã", "Huyện", "01", ""],
            ["01.001.02", "Chi bộ B", "Chi bộ", "01.001", "không phải khóa"],
            ["01.001.03", "Chi bộ C", "Chi bộ", "01.001", &k2],
            ["01.002.02", "Chi bộ D", "Tỉnh", "01.002", &k3],
            ["X1", "Vòng một", "Cơ sở", "X2", ""],
            ["X2", "Vòng hai", "Cơ sở", "X1", ""],
        ]);
        let before = count(&db, "SELECT COUNT(*) FROM units", &[]);
        let err = units::import_workbook(&db, &cli, &bad, "sai.xlsx").expect_err("refused");
        let AppError::Invalid(problems) = &err else { panic!("{err:?}") };
        let at = |row: u32, column: &str, words: &str| {
            assert!(
                problems.iter().any(|p| p.row == Some(row)
                    && p.column.as_deref() == Some(column)
                    && p.message.contains(words)),
                "no problem at row {row}, column {column:?} with {words:?}: {problems:#?}"
            )
        };
        // Data starts on Excel row 4 (title, blank, header).
        at(4, "Cấp", "Quận huyện");
        at(5, "Mã đơn vị cấp trên", "01.404");
        at(7, "Mã đơn vị", "trùng với dòng 6");
        at(8, "Dấu vân tay khóa", "không phải dấu vân tay");
        at(9, "Dấu vân tay khóa", "01.002.01 (Chi bộ Thôn Tây)");
        at(10, "Cấp", "phải thấp hơn");
        at(11, "Mã đơn vị cấp trên", "Vòng lặp");
        assert!(err.message().contains("Dòng 4, cột Cấp"), "{}", err.message());
        assert_eq!(count(&db, "SELECT COUNT(*) FROM units", &[]), before, "nothing written");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM unit_keys", &[]), 2);

        // Not a workbook; no header.
        let err = units::import_workbook(&db, &cli, b"Ma don vi;Ten", "a.csv").expect_err("not xlsx");
        assert!(err.message().contains(".xlsx"), "{}", err.message());
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "Chỉ có tiêu đề").expect("cell");
        let headless = book.save_to_buffer().expect("xlsx");
        let err = units::import_workbook(&db, &cli, &headless, "b.xlsx").expect_err("no header");
        assert!(err.message().contains("dòng tiêu đề"), "{}", err.message());

        // A clean update: a renamed unit, a new cell with a new key, the rest unchanged.
        let k1 = fingerprint(1);
        let update = units_xlsx(&[
            ["01.001", "Đảng bộ huyện Một (mới)", "Huyện", "01", ""],
            ["01.001.01", "Chi bộ Thôn Đông", "Chi bộ", "01.001", &k1],
            ["01.001.02", "Chi bộ Thôn Nam", "Chi bộ", "01.001", &format!("{k3}; {}", fingerprint(4))],
        ]);
        let report = units::import_workbook(&db, &cli, &update, "sua.xlsx").expect("update");
        assert_eq!(
            (report.rows, report.created, report.updated, report.unchanged, report.keys_registered),
            (3, 1, 1, 1, 2),
            "{report:?}"
        );
        let path = db
            .read(|tx| tx.query_one("SELECT path, depth FROM units WHERE code = $1", &["01.001.02".into()]))
            .expect("unit");
        assert_eq!(path.text(0).expect("path"), "01/01.001/01.001.02/");
        assert_eq!(path.int(1).expect("depth"), 2);
        // A viewer may not import units.
        let viewer = Actor { username: "xem".into(), role: Role::Viewer, area: None, area_path: None };
        assert!(matches!(units::import_workbook(&db, &viewer, &update, "x.xlsx"), Err(AppError::Forbidden)));
    }
}

#[test]
fn aggregator_district_account_cannot_import_another_districts_package() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let district = Actor {
            username: "huyen-mot".into(),
            role: Role::Staff,
            area: Some("01.001".into()),
            area_path: Some("01/01.001/".into()),
        };
        let theirs = one(&db, &district, "tay.baucu", package("01.002.01", 1, None, 0, 2));
        assert_refused(&theirs, "outside_area", &["01.002.01", "ngoài phạm vi"]);
        let ours = one(&db, &district, "dong.baucu", package("01.001.01", 1, None, 0, 1));
        assert_eq!(ours.code, "imported", "{ours:?}");
        let received_by = db
            .read(|tx| tx.query_one("SELECT received_by FROM packages", &[]))
            .expect("package")
            .text(0)
            .expect("text");
        assert_eq!(received_by, "huyen-mot");
        // Units outside the district's area are refused too.
        let outside = units_xlsx(&[["01.002.09", "Chi bộ khác", "Chi bộ", "01.002", ""]]);
        let err = units::import_workbook(&db, &district, &outside, "u.xlsx").expect_err("outside");
        assert!(err.message().contains("ngoài phạm vi"), "{}", err.message());
        // A viewer imports nothing.
        let viewer = Actor { username: "xem".into(), role: Role::Viewer, area: None, area_path: None };
        let v = one(&db, &viewer, "tay.baucu", package("01.002.01", 1, None, 0, 2));
        assert_refused(&v, "forbidden", &["không có quyền"]);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM packages", &[]), 1);
    }
}

#[test]
fn aggregator_cli_import_exit_codes() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let (db, url) = fresh_db(backend, &data);
        drop(db);
        let run = |args: &[&str]| {
            let mut cmd = support::baucu();
            cmd.arg("aggregator").args(args).arg("--data").arg(&data);
            if let Some(url) = &url {
                cmd.arg("--database").arg(url);
            }
            let out = cmd.output().expect("run baucu");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let units_file = dir.path().join("units.xlsx");
        std::fs::write(&units_file, standard_units()).expect("write units");
        let (code, out, err) = run(&["units", units_file.to_str().expect("path")]);
        assert_eq!(code, Some(0), "{out}{err}");
        assert!(out.contains("5 đơn vị"), "{out}");
        let bad_units = dir.path().join("bad.xlsx");
        std::fs::write(&bad_units, units_xlsx(&[["01.009", "Huyện", "Không rõ", "01", ""]])).expect("write");
        let (code, _, err) = run(&["units", bad_units.to_str().expect("path")]);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("dòng 4, cột \"Cấp\""), "{err}");

        let packages = dir.path().join("goi");
        std::fs::create_dir(&packages).expect("mkdir");
        std::fs::write(packages.join("dong.baucu"), package("01.001.01", 1, None, 0, 1)).expect("write");
        std::fs::write(packages.join("tay.baucu"), package("01.002.01", 1, None, 0, 2)).expect("write");
        std::fs::write(packages.join("ghi-chu.txt"), "không phải gói").expect("write");
        let (code, out, err) = run(&["import", packages.to_str().expect("path")]);
        assert_eq!(code, Some(0), "{out}{err}");
        assert_eq!(out.matches("✓ đã nhận").count(), 2, "{out}");
        assert!(out.contains("Đã nhận 2 gói, 0 gói đã có từ trước, 0 tệp bị từ chối."), "{out}");
        // Again: duplicates only, still success.
        let (code, out, _) = run(&["import", packages.to_str().expect("path")]);
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(out.matches("= đã có").count(), 2, "{out}");
        // One refused file among good ones: exit 1, with its reason.
        let forged = dir.path().join("nham.baucu");
        std::fs::write(&forged, package("01.001.01", 1, None, 3, 2)).expect("write");
        let (code, out, _) =
            run(&["import", forged.to_str().expect("path"), packages.to_str().expect("path")]);
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("✗ từ chối: Tệp nham.baucu"), "{out}");
        // A file that cannot be read is refused with the reason.
        let (code, _, err) = run(&["import", dir.path().join("khong-co").to_str().expect("path")]);
        assert_eq!(code, Some(1), "{err}");
    }
}

/// A unit's laptop is lost: its key is revoked with a reason, and from then on a package it signs is
/// refused as revoked, while what was imported before stays. A district account cannot revoke the key
/// of another district's unit; the revocation is in the audit log.
#[test]
fn aggregator_revoked_key_is_refused_from_then_on() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, _) = fresh_db(backend, dir.path());
        setup(&db);
        let v1 = package("01.001.01", 1, None, 0, 1);
        let d1 = digest(&v1);
        assert_eq!(one(&db, &Actor::cli(), "v1.baucu", v1).code, "imported");
        let district = Actor {
            username: "huyen-mot".into(),
            role: Role::Staff,
            area: Some("01.001".into()),
            area_path: Some("01/01.001/".into()),
        };
        let now = jiff::Timestamp::from_second(1_780_000_000).expect("time");
        let err = units::revoke_key(&db, &district, &fingerprint(2), "Máy bị mất", now).expect_err("outside");
        assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        let err = units::revoke_key(&db, &district, &fingerprint(1), "  ", now).expect_err("no reason");
        assert!(err.message().contains("lý do"), "{}", err.message());
        // Typed as people type it: lowercase, spaces instead of dashes.
        let typed = fingerprint(1).replace('-', " ").to_lowercase();
        assert_eq!(
            units::revoke_key(&db, &district, &typed, "Máy bị mất", now).expect("revoked"),
            "01.001.01"
        );
        let again = units::revoke_key(&db, &district, &fingerprint(1), "Máy bị mất", now).expect_err("twice");
        assert!(again.message().contains("đã bị thu hồi"), "{}", again.message());
        let v2 = package("01.001.01", 2, Some((1, &d1)), 1, 1);
        assert_refused(&one(&db, &Actor::cli(), "v2.baucu", v2), "revoked_key", &["thu hồi"]);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM packages WHERE current = 1", &[]), 1);
        let keys = units::keys_of_unit(&db, &district, "01.001.01").expect("keys");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].revoked_at, Some(now.as_second()));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM audit WHERE action = $1", &["units.revoke_key".into()]),
            1
        );
        assert!(
            units::keys_of_unit(&db, &district, "01.002.01").is_err(),
            "another district's keys are hidden"
        );
    }
}
