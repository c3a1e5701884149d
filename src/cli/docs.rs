//! `pilot docs [TOPIC]`: the reference documents, built into the binary.
//!
//! Someone who ran `cargo install` has the `pilot` command but not the
//! repository's `docs/` folder, while the `pilot init` template and many
//! messages point at those pages. Compiling them in keeps every pointer
//! reachable from the command itself, in the version that matches it.

use crate::error::{Error, Result, did_you_mean};

/// One reference page: its topic name and its text.
struct Topic {
    name: &'static str,
    summary: &'static str,
    text: &'static str,
}

const TOPICS: [Topic; 6] = [
    Topic {
        name: "experiment-file",
        summary: "every section and setting of the experiment file",
        text: include_str!("../../docs/experiment-file.md"),
    },
    Topic {
        name: "assignment",
        summary: "how customers are split into groups, strata, the ledger",
        text: include_str!("../../docs/assignment.md"),
    },
    Topic {
        name: "decision",
        summary: "how the verdict is reached: prior, money, the value of waiting",
        text: include_str!("../../docs/decision.md"),
    },
    Topic {
        name: "roi",
        summary: "the return-on-investment model and its settings",
        text: include_str!("../../docs/roi.md"),
    },
    Topic {
        name: "statistics",
        summary: "every test, interval and adjustment, with references",
        text: include_str!("../../docs/statistics.md"),
    },
    Topic {
        name: "calibration",
        summary: "how well the methods hold up on simulated pilots",
        text: include_str!("../../docs/calibration.md"),
    },
];

/// Prints the page of `topic`, or the list of topics when there is none.
pub fn run(topic: Option<&str>) -> Result<()> {
    print!("{}", page(topic)?);
    Ok(())
}

/// The text `pilot docs [TOPIC]` prints.
fn page(topic: Option<&str>) -> Result<String> {
    let Some(wanted) = topic else {
        return Ok(index());
    };
    // `docs/experiment-file.md`, as the messages write it, works too.
    let key = wanted
        .trim()
        .trim_start_matches("docs/")
        .trim_end_matches(".md")
        .to_ascii_lowercase();
    if let Some(found) = TOPICS.iter().find(|t| t.name == key) {
        return Ok(found.text.to_string());
    }
    let mut err = Error::input(format!("there is no documentation topic `{wanted}`"));
    if let Some(close) = did_you_mean(&key, TOPICS.iter().map(|t| t.name)) {
        err = err.with_note(format!("did you mean `pilot docs {close}`?"));
    }
    Err(err.with_note(format!(
        "the topics are: {}",
        TOPICS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
    )))
}

fn index() -> String {
    let width = TOPICS.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut out = String::from(
        "pilot's reference, built into this binary. Show a page with `pilot docs TOPIC`:\n\n",
    );
    for t in &TOPICS {
        out.push_str(&format!("  {:<width$}  {}\n", t.name, t.summary));
    }
    out.push_str("\nThe pages are Markdown; `pilot docs decision | less` to page through one.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_is_its_own_document() {
        for t in &TOPICS {
            let text = page(Some(t.name)).unwrap();
            assert!(text.starts_with("# "), "{} has no title", t.name);
            assert!(index().contains(t.name));
        }
    }

    #[test]
    fn a_path_as_the_messages_write_it_finds_the_page() {
        assert_eq!(
            page(Some("docs/experiment-file.md")).unwrap(),
            page(Some("experiment-file")).unwrap()
        );
    }

    #[test]
    fn an_unknown_topic_suggests_the_closest() {
        let err = page(Some("decisions")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("pilot docs decision"), "{text}");
        assert!(text.contains("experiment-file, assignment"), "{text}");
    }
}
