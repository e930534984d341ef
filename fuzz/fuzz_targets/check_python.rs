//! The full check on mutations of real Python: the input is read as text (invalid UTF-8
//! replaced), so the mutations of the seed corpus (the rule fixtures and the demo service)
//! and of the Python dictionary reach the parser and the rules rather than the decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loopwarden_fuzz::{Module, run};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let module = Module {
        path: "app/service.py".to_string(),
        bytes: text.into_owned().into_bytes(),
    };
    run(&[module], data.len() as u8);
});
