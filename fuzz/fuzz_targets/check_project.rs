//! Multi-module projects: the input is split at `#%% path` lines into the modules of a
//! package tree, so the link (imports, re-exports, classes across modules) and the
//! whole-project rules (LW103, LW104, LW202, LW302, LW304, LW501) see fuzzed call graphs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loopwarden_fuzz::{run, split_project};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    run(&split_project(&text), data.len() as u8);
});
