//! CONTRIBUTING.md's table of causes, made from `grading_protocol::Cause`
//! so the documentation cannot drift from the vocabulary: `dev check`
//! compares the table between the markers with [`table`], and names the fix.

use grading_protocol::Cause;

pub const BEGIN: &str =
    "<!-- causes: begin (generated from grading_protocol::Cause; `dev check` compares) -->";
pub const END: &str = "<!-- causes: end -->";

/// The markdown table of every cause, in the vocabulary's order.
pub fn table() -> String {
    let mut out = String::from("| Id | Definition |\n|---|---|\n");
    for cause in Cause::ALL {
        out.push_str(&format!(
            "| `{}` | {} |\n",
            cause.id(),
            cause.definition().replace('|', "\\|")
        ));
    }
    out
}

/// What is wrong with the table in `doc` (CONTRIBUTING.md's text).
pub fn problems(doc: &str) -> Vec<String> {
    let expected = format!("{BEGIN}\n{}{END}", table());
    let (Some(begin), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        return vec![format!(
            "CONTRIBUTING.md lacks the table of causes between `{BEGIN}` and `{END}`; put \
             there:\n{expected}"
        )];
    };
    if doc.get(begin..end + END.len()) == Some(expected.as_str()) {
        Vec::new()
    } else {
        vec![format!(
            "CONTRIBUTING.md's table of causes differs from grading-protocol's vocabulary \
             (crates/grading-protocol/src/cause.rs); replace it with:\n{expected}"
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributing_lists_every_cause_with_its_definition() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONTRIBUTING.md"),
        )
        .expect("CONTRIBUTING.md at the repository's root");
        assert_eq!(problems(&doc), Vec::<String>::new());
        let table = table();
        for cause in Cause::ALL {
            assert!(table.contains(&format!("| `{}` |", cause.id())));
        }
        let stale = doc.replace("| `sequential` |", "| `serial` |");
        assert!(problems(&stale)[0].contains("differs"), "a drift is found");
    }
}
