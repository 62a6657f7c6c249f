//! Compile-fail and compile-pass tests: what `#[derive(Classified)]`,
//! `#[derive(RedactedDebug)]` and `#[matomo_tool]` accept, and the exact errors a user sees for
//! what they refuse.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/*/pass-*.rs");
    t.compile_fail("tests/ui/*/fail-*.rs");
}
