//! Test harnesses and warning controls: what test code sets up before it runs, the
//! blocks in which code says it expects a deprecation (LW201), and the calls that end a
//! test where they are (LW403).

/// Test case classes whose `setUp` makes a new event loop and sets it as the thread's
/// current loop: `asyncio.get_event_loop()` in their tests returns that loop on every
/// Python version.
pub const LOOP_INSTALLING_TEST_CASES: &[&str] = &[
    "tornado.testing.AsyncTestCase",
    "tornado.testing.AsyncHTTPTestCase",
    "tornado.testing.AsyncHTTPSTestCase",
];

/// Context managers inside which code expects a warning, or has chosen what becomes of
/// one: a deprecated call there is made knowingly. `warnings.catch_warnings` counts only
/// with a filter set inside it ([`WARNING_FILTER_CALLS`]).
pub const WARNING_EXPECTING_CONTEXTS: &[&str] = &["pytest.warns", "pytest.deprecated_call"];

/// `unittest.TestCase` methods that expect a warning (`with self.assertWarns(...)`).
pub const WARNING_EXPECTING_METHODS: &[&str] = &["assertWarns", "assertWarnsRegex"];

pub const WARNING_CATCHER: &str = "warnings.catch_warnings";

pub const WARNING_FILTER_CALLS: &[&str] = &["warnings.simplefilter", "warnings.filterwarnings"];

/// pytest's functions that end the test (or the session) where they are called, by raising
/// an outcome exception (annotated `-> NoReturn`) (LW403).
pub const TEST_OUTCOME_CALLS: &[&str] =
    &["pytest.fail", "pytest.skip", "pytest.xfail", "pytest.exit"];

/// unittest's test case classes (and the frameworks' built on them), with the methods of
/// theirs that end the test where they are called by raising (`self.fail(...)`,
/// `self.skipTest(...)`), as `pytest.fail` does (LW403).
pub const TEST_CASE_CLASSES: &[&str] = &[
    "unittest.TestCase",
    "unittest.case.TestCase",
    "unittest.IsolatedAsyncioTestCase",
    "unittest.async_case.IsolatedAsyncioTestCase",
    "django.test.SimpleTestCase",
    "django.test.TestCase",
    "django.test.TransactionTestCase",
    "aiounittest.AsyncTestCase",
    "asynctest.TestCase",
];

pub const TEST_CASE_OUTCOME_METHODS: &[&str] = &["fail", "skipTest"];
