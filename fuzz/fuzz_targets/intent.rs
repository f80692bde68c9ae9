//! The intent parser of `moat gen`, and what gen writes from an intent it accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match moat::gen::parse_intent("fuzz.yaml", &text) {
        Ok(plan) => {
            let _ = moat::gen::policy_stream(&plan);
            let _ = moat::gen::expectations(&plan);
        }
        Err(errors) => assert!(!errors.is_empty(), "refused without a reason"),
    }
});
