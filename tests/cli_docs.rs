//! `pilot docs`: the reference pages an installed binary carries, so the
//! template's and the messages' pointers work without the repository.

mod common;

use common::Sandbox;

#[test]
fn the_page_the_template_points_at_is_in_the_binary() {
    let s = Sandbox::new();
    s.pilot(&["init", "my-pilot"]).ok();
    let template = s.read("experiments/my-pilot.toml");
    assert!(
        template.contains("`pilot docs experiment-file`"),
        "the template should point at the built-in page"
    );
    let run = s.pilot(&["docs", "experiment-file"]);
    let page = run.ok();
    assert!(page.starts_with("# The experiment file"), "{page}");
    assert_eq!(
        page,
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/experiment-file.md"
        ))
        .unwrap()
    );
}

#[test]
fn without_a_topic_the_pages_are_listed() {
    let s = Sandbox::new();
    let run = s.pilot(&["docs"]);
    let list = run.ok();
    for topic in [
        "experiment-file",
        "assignment",
        "decision",
        "roi",
        "statistics",
        "calibration",
    ] {
        assert!(list.contains(topic), "{topic} missing from\n{list}");
    }
}

#[test]
fn an_unknown_topic_is_a_usage_error_with_a_suggestion() {
    let s = Sandbox::new();
    let run = s.pilot(&["docs", "statistic"]);
    let err = run.fails(1);
    assert!(err.contains("no documentation topic `statistic`"), "{err}");
    assert!(err.contains("pilot docs statistics"), "{err}");
}
