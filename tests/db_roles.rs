//! The README's least-privilege roles, run as written against a real server
//! (tests/db_common): the owner initialises and pushes, a planner reads and appends edits but
//! can neither push nor rewrite history, a viewer only reads.

mod db_common;

use db_common::server;

/// The README's `sql` block after "A least-privilege set-up", split at the "after `hetao db
/// init`" comment.
fn readme_sql() -> (String, String) {
    let text = std::fs::read_to_string(db_common::root().join("README.md")).expect("README");
    let from = text.find("A least-privilege set-up").expect("the section");
    let rest = &text[from..];
    let start = rest.find("```sql\n").expect("sql block") + "```sql\n".len();
    let end = start + rest[start..].find("```").expect("end of block");
    let sql = &rest[start..end];
    let cut = sql
        .find("-- after `hetao db init`")
        .expect("the after-init part");
    (sql[..cut].to_string(), sql[cut..].to_string())
}

#[test]
fn the_readme_roles_give_each_person_only_what_they_need() {
    let Some(s) = server() else { return };
    if std::env::var_os("HETAO_TEST_DB").is_some() {
        eprintln!("skipping: the roles are cluster-wide; run against the test's own cluster");
        return;
    }
    let name = s.fresh_db("roles");
    let (before, after) = readme_sql();
    let mut su = s.admin_client(&name);
    su.batch_execute(&before.replace("DATABASE hetao", &format!("DATABASE \"{name}\"")))
        .expect("the README's role SQL");
    let dir = tempfile::tempdir().expect("tmp");
    let pgpass = dir.path().join("pgpass");
    let mut lines = String::new();
    for (role, pw) in [
        ("hetao_owner", "o-pw-1"),
        ("ann", "a-pw-2"),
        ("vic", "v-pw-3"),
    ] {
        su.batch_execute(&format!("ALTER ROLE {role} PASSWORD '{pw}'"))
            .expect("password");
        lines.push_str(&format!("{}:{}:*:{role}:{pw}\n", s.host, s.port));
    }
    std::fs::write(&pgpass, lines).expect("pgpass");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).expect("600");
    }
    let run = |user: &str, args: &[&str]| {
        let url = s.url_as(user, &name);
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--db", url.as_str()]);
        let o = s
            .hetao(&full)
            .env("PGPASSFILE", &pgpass)
            .output()
            .expect("run");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let ok = |user: &str, args: &[&str]| {
        let (code, out, err) = run(user, args);
        assert_eq!(code, 0, "{user} {args:?}: {err}");
        out
    };
    ok("hetao_owner", &["db", "init"]);
    ok("hetao_owner", &["db", "push"]);
    su.batch_execute(&after)
        .expect("the README's after-init grants");
    let edits = dir.path().join("e.json");
    std::fs::write(
        &edits,
        r#"{"edits":[{"op":"set_floor_area","id":"SZ-B001","m2":4321}]}"#,
    )
    .expect("edits");
    let e = edits.to_string_lossy().to_string();
    let out = ok(
        "ann",
        &["db", "edit", "--scenario-name", "p", "--edits", &e],
    );
    assert!(out.ends_with("revision 1\n"), "{out}");
    ok("ann", &["stats", "--scenario-name", "p"]);
    ok("vic", &["stats", "--scenario-name", "p"]);
    let (code, _, err) = run("ann", &["db", "push"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("permission denied"),
        "a planner cannot push: {err}"
    );
    let (code, _, err) = run(
        "vic",
        &["db", "edit", "--scenario-name", "p", "--edits", &e],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("permission denied"),
        "a viewer cannot edit: {err}"
    );
    // the history cannot be rewritten, and it records the real login
    let mut ann = postgres::Client::connect(
        &format!("postgres://ann:a-pw-2@{}:{}/{name}", s.host, s.port),
        postgres::NoTls,
    )
    .expect("ann");
    let del = ann.batch_execute("DELETE FROM hetao.edits");
    assert!(del.is_err(), "a planner deleted edits");
    let upd = ann.batch_execute("UPDATE hetao.edits SET author = 'someone else'");
    assert!(upd.is_err(), "a planner rewrote an edit");
    let who: String = su
        .query_one("SELECT db_user FROM hetao.edits WHERE revision = 1", &[])
        .expect("edit")
        .get(0);
    assert_eq!(who, "ann");
}
