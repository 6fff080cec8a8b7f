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
    let check = succeeds(root, &["dev", "check"]);
    assert_contains(&check.stdout, "rules hold", "dev check's closing line");
    let verify = succeeds(root, &["dev", "verify"]);
    assert_contains(&verify.stdout, "verify: all", "the closing line");
}
