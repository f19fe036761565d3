//! The registers of issue 13 on the command line: `list destructions|stocktakes|incidents|holds
//! --json` (objects with an `id` that `show` accepts), `show`, and the two printed forms, whose
//! text comes back from `pdftotext` in Chinese. The demo makes records of every kind.

mod common;

use common::cli::*;

const PASS: &str = "销毁测试 口令 2026";

#[test]
fn the_demo_makes_every_kind_and_the_cli_lists_shows_and_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("vault");
    let p = format!("{PASS}\n");
    let out = baomi(
        &v,
        &[
            "init",
            "--unit",
            "某县委办公室",
            "--user",
            "wang",
            "--name",
            "王保密",
            "--demo",
        ],
        &p,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = baomi(&v, &["demo", "--documents", "40"], &p);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = |register: &str| -> Vec<serde_json::Value> {
        let out = baomi(&v, &["list", register, "--json"], &p);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let lists = list("destructions");
    let states: Vec<&str> = lists.iter().map(|d| d["state"].as_str().unwrap()).collect();
    for s in ["已销毁", "已批准待销毁", "待审批"] {
        assert!(states.contains(&s), "{states:?}");
    }
    let rounds = list("stocktakes");
    assert_eq!(rounds[0]["missing"], 1, "{rounds:?}");
    let incidents = list("incidents");
    assert!(
        incidents[0]["stocktake"]
            .as_str()
            .unwrap()
            .starts_with("清查〔")
    );
    let holds = list("holds");
    assert_eq!(holds.len(), 1);
    for row in lists.iter().chain(&rounds).chain(&incidents).chain(&holds) {
        let id = row["id"].as_str().unwrap();
        let out = baomi(&v, &["show", id], &p);
        assert!(out.status.success(), "show {id}: {}", text(&out.stderr));
        assert!(!text(&out.stdout).trim().is_empty());
    }
    let executed = lists.iter().find(|d| d["state"] == "已销毁").unwrap();
    let shown = text(&baomi(&v, &["show", executed["id"].as_str().unwrap()], &p).stdout);
    assert!(
        shown.contains("监销人") && shown.contains("销毁人"),
        "{shown}"
    );
    // Both forms print, and their Chinese comes back.
    let pdf = dir.path().join("list.pdf");
    let out = baomi(
        &v,
        &[
            "print",
            "destruction-list",
            executed["id"].as_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
        ],
        &p,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = dir.path().join("report.pdf");
    let out = baomi(
        &v,
        &[
            "print",
            "stocktake-report",
            rounds[0]["id"].as_str().unwrap(),
            "--out",
            report.to_str().unwrap(),
        ],
        &p,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    if let Ok(o) = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
    {
        let t = text(&o.stdout);
        assert!(
            t.contains("涉密载体销毁清单") && t.contains("监销人"),
            "{t}"
        );
        let o = std::process::Command::new("pdftotext")
            .args([report.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let t = text(&o.stdout);
        assert!(t.contains("涉密载体清查报告") && t.contains("缺失"), "{t}");
    }
    // A wrong id is one line and exit 1.
    let out = baomi(
        &v,
        &["print", "destruction-list", "doc-1", "--out", "x.pdf"],
        &p,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("destruction-N"));
}
