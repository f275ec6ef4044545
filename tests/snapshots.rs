//! Every conformance script's trace on the reference target, rendered as
//! stable text (times from the start, sequence numbers relative to the
//! ISNs) and checked against its snapshot: a change in the stack's
//! behaviour shows up in `cargo insta review`.

use synack::run::{run_script, RunOptions};
use synack::script::Script;
use synack::target::TargetKind;

#[test]
fn conformance_traces() {
    insta::glob!("../conformance", "**/*.yaml", |path| {
        let script = Script::load(path).unwrap_or_else(|e| panic!("{e}"));
        let mut target = TargetKind::Reference
            .create(&script, 0)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let report = run_script(&script, target.as_mut(), &RunOptions::default());
        let text = format!("# {}\n{}", script.name, report.render());
        insta::assert_snapshot!(text);
    });
}
