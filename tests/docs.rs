//! The numbers the documentation prints are the numbers the program prints.
//!
//! - Every `$ hetao ...` command in a ```` ```console ```` block of `README.md` is run in-process
//!   (`cli::run_args`) and each output line shown under it must appear in what the command
//!   prints, in order: a line ending in `...` must begin an output line, a line that is just
//!   `...` stands for lines left out. Output files (`--out X`) go to a temporary folder and
//!   the expected lines are read with that folder in place of `X`. `hetao snapshot` is not
//!   run here (its line names the GPU adapter; `tests/render.rs` covers snapshots).
//! - The walk example of `docs/app.md` (bands and the Huanggang Port time from the point the
//!   README's reach example uses) is recomputed through `core::reach`.

use hetao_atlas::cli::run_args;
use std::path::Path;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One documented command: its arguments and the output lines shown under it.
struct Example {
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

/// Split a command line on spaces, honouring double quotes; a `#` outside quotes starts a
/// comment.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in cmd.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '#' if !quoted => break,
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The `$ hetao` examples of the console blocks of a Markdown text.
fn examples(md: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for (i, line) in md.lines().enumerate() {
        if line.starts_with("```") {
            in_console = !in_console && line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ hetao ") {
            out.push(Example {
                line: i + 1,
                args: words(cmd),
                expected: Vec::new(),
            });
        } else if let Some(e) = out.last_mut()
            && !line.trim().is_empty()
        {
            e.expected.push(line.trim_end().to_string());
        }
    }
    out
}

/// Each expected line appears in `actual`, in order (see the module doc for `...`).
fn check_lines(ex: &Example, expected: &[String], actual: &str) {
    let lines: Vec<&str> = actual.lines().map(str::trim_end).collect();
    let mut at = 0;
    for want in expected {
        if want == "..." {
            continue;
        }
        let hit = match want.strip_suffix("...") {
            Some(prefix) => {
                let prefix = prefix.trim_end();
                lines[at..].iter().position(|l| l.starts_with(prefix))
            }
            None => lines[at..].iter().position(|l| l == want),
        };
        match hit {
            Some(k) => at += k + 1,
            None => panic!(
                "README.md line {}: `hetao {}` no longer prints\n  {want}\nit prints:\n{actual}",
                ex.line,
                ex.args.join(" ")
            ),
        }
    }
}

#[test]
fn readme_cli_examples_print_what_the_readme_shows() {
    let md = read("README.md");
    let all = examples(&md);
    assert!(all.len() >= 10, "only {} examples found", all.len());
    let tmp = tempfile::tempdir().expect("tmp");
    let mut ran = 0;
    for ex in &all {
        if ex.args.first().map(String::as_str) == Some("snapshot") {
            continue;
        }
        let mut args = ex.args.clone();
        let mut expected = ex.expected.clone();
        if let Some(k) = args.iter().position(|a| a == "--out")
            && let Some(name) = args.get(k + 1).cloned()
        {
            let moved = tmp.path().join(&name).display().to_string();
            args[k + 1] = moved.clone();
            for l in &mut expected {
                *l = l.replace(&format!("{name}/"), &format!("{moved}/"));
                *l = l.replace(&format!(" {name}"), &format!(" {moved}"));
            }
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, out) = run_args(&argv);
        check_lines(ex, &expected, &out);
        ran += 1;
    }
    assert!(ran >= 9, "ran {ran} examples");
}

/// The first number after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> f64 {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("docs/app.md lost {marker:?}"));
    let rest = &text[at + marker.len()..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse()
        .unwrap_or_else(|_| panic!("no number after {marker:?} in docs/app.md"))
}

#[test]
fn app_doc_walk_example_matches_the_model() {
    use hetao_atlas::core::reach::{self, Mode, Network, ReachParams};
    let doc = read("docs/app.md");
    let ex = &doc[doc.find("Example (walk from").expect("the walk example")..];
    let ex = &ex[..ex.find("Code:").expect("end of the example")];
    let ex = ex.replace('\n', " ");
    let after = &ex[ex.find("three bands of").expect("bands") + "three bands of".len()..];
    let bands: Vec<f64> = after[..after.find("km²").expect("km²")]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().expect("number"))
        .collect();
    assert_eq!(bands.len(), 3, "{ex}");
    let port = number_after(&ex, "Huanggang Port");
    let from = (114.0791154, 22.5214876);
    assert!(ex.contains("114.0791154,22.5214876"), "{ex}");
    let params = ReachParams::default();
    let net = Network::build(&hetao_atlas::core::model::Dataset::default(), &params).expect("net");
    let isos =
        reach::reach(&net, from, Mode::Walk, &[10.0, 20.0, 30.0], 9.0 * 60.0).expect("reach");
    for (iso, &want) in isos.iter().zip(&bands) {
        let got = iso.area_m2 / 1e6;
        assert!(
            (got - want).abs() < 0.0005 + 1e-9,
            "{} min: docs/app.md says {want} km², the model gives {got:.3}",
            iso.minutes
        );
    }
    let named = reach::named_destinations(&params);
    let (i, dest) = named
        .iter()
        .enumerate()
        .find(|(_, n)| n.0 == "Huanggang Port")
        .expect("Huanggang Port");
    let times = reach::times_to(
        &net,
        from,
        Mode::Walk,
        9.0 * 60.0,
        &[(dest.1, dest.2)],
        240.0,
    )
    .expect("times");
    let t = times[0].unwrap_or_else(|| panic!("destination {i} not reached"));
    assert!(
        (t - port).abs() < 0.05 + 1e-9,
        "docs/app.md says Huanggang Port {port} min, the model gives {t:.1}"
    );
}
