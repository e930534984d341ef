//! The full check on arbitrary bytes as one module: decoding (BOM, coding declarations,
//! invalid UTF-8), parsing, every rule, every output format, every fix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loopwarden_fuzz::{Module, run};

fuzz_target!(|data: &[u8]| {
    let module = Module {
        path: "app/module.py".to_string(),
        bytes: data.to_vec(),
    };
    run(&[module], data.len() as u8);
});
