//! The fixture course the checker's tests work on is itself an honest course:
//! its rules hold and its graders are proven (every stub fails, every
//! reference passes, every catalogued mistake is rejected as it says).

mod common;

use common::*;
use serial_test::serial;

#[test]
#[serial]
fn the_fixture_course_holds() {
    let course = shared_fixture("fixture");
    let root = course.path();
    let check = run(checker(root).args(["dev", "check"]));
    assert_eq!(
        check.code, 0,
        "dev check:\n{}\n{}",
        check.stdout, check.stderr
    );
    let verify = run(checker(root).args(["dev", "verify"]));
    assert_eq!(
        verify.code, 0,
        "dev verify:\n{}\n{}",
        verify.stdout, verify.stderr
    );
    assert_contains(&verify.stdout, "verify: all", "the closing line");
}
