//! `synack run` end to end: exit statuses, the text, JUnit and JSON
//! reports, pcap files, ladder diagrams, coverage, the filter, and broken
//! scripts reported like compiler errors with exit status 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `synack run` with `args` from the crate's directory.
fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .arg("run")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Write a script into `dir` and return its path as text.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn the_suite_passes_with_a_summary_and_coverage() {
    let output = synack(&["conformance", "--jobs", "2"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let summary = text.lines().rev().nth(1).unwrap();
    assert!(summary.contains(" passed, 0 failed in "), "{summary}");
    assert!(summary.ends_with(" scripts/s)"), "{summary}");
    assert!(
        text.lines().last().unwrap().starts_with("coverage: "),
        "{text}"
    );
}

#[test]
fn a_failing_script_exits_1_with_its_failure() {
    let dir = scratch("fail");
    let file = write(
        &dir,
        "wrong.yaml",
        "name: wrong echo\nsteps:\n  - icmp_in: echo request id 1 seq 1 len 8\n  - icmp_out: echo reply id 2\n",
    );
    let output = synack(&[&file]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "error: {file}:4:5: step 2 failed: the frame differs in id"
        )),
        "{text}"
    );
    assert!(
        text.contains("= expected: icmp_out: echo reply id 2"),
        "{text}"
    );
    assert!(text.contains("1 scripts: 0 passed, 1 failed in"), "{text}");
}

#[test]
fn broken_scripts_exit_2_with_located_errors() {
    let dir = scratch("broken");
    // (file text, line, column, what the error says)
    let cases: &[(&str, u32, u32, &str)] = &[
        ("name: 'unclosed\nsteps: []\n", 2, 1, "YAML syntax error"),
        ("name: [a, b]\nsteps: []\n", 1, 7, "wrong type"),
        ("steps: []\n", 1, 1, "missing key"),
        ("name: n\nsteps: []\ncolour: red\n", 3, 1, "unknown key"),
        (
            "name: n\nsteps:\n  - inn: S 0:0(0) win 1\n",
            3,
            5,
            "unknown step kind",
        ),
        (
            "name: n\nsteps:\n  - in: S 0:0(0) win 1 X\n",
            3,
            24,
            "bad segment notation",
        ),
        (
            "name: n\nsteps:\n  - call: write(10) = EPIPES\n",
            3,
            23,
            "bad socket call",
        ),
        (
            "name: n\nsteps:\n  - wait: 3parsecs\n",
            3,
            11,
            "bad duration",
        ),
        (
            "name: n\nsteps:\n  - state: HALF-OPEN\n",
            3,
            12,
            "bad TCP state",
        ),
        (
            "name: n\nsteps:\n  - arp_in: reply 198.51.100.2\n",
            3,
            31,
            "bad ARP line",
        ),
        (
            "name: n\nsteps:\n  - icmp_out: echo sideways\n",
            3,
            20,
            "bad ICMP line",
        ),
        (
            "name: n\nsteps:\n  - udp_in: 40000 > 53 csum maybe\n",
            3,
            29,
            "bad UDP line",
        ),
        ("name: n\nsteps:\n  - frame_in: 0g\n", 3, 15, "bad frame"),
        (
            "name: n\nrefs: [MUST-999]\nsteps: []\n",
            2,
            8,
            "unknown RFC 9293 Appendix B id",
        ),
        (
            "name: n\nsteps:\n  - out: R 0:0(0)\n    linux: ~\n",
            4,
            5,
            "override without `why`",
        ),
        (
            "name: n\nsteps:\n  - udp_in: '* > 53'\n",
            3,
            5,
            "injected UDP datagram needs both ports",
        ),
    ];
    for (i, (text, line, column, what)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("broken{i}.yaml"), text);
        let output = synack(&[&file]);
        let shown = stdout(&output);
        assert_eq!(output.status.code(), Some(2), "{text}\n{shown}");
        let location = format!("error: {file}:{line}:{column}: ");
        assert!(
            shown.contains(&location),
            "{text}\nwanted {location}\n{shown}"
        );
        assert!(shown.contains(what), "{text}\nwanted {what}\n{shown}");
    }
    // All at once: still 2, one error each.
    let output = synack(&[&dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stdout(&output)
        .lines()
        .filter(|l| l.starts_with("error: "))
        .count();
    assert_eq!(errors, cases.len());
}

#[test]
fn junit_and_json_reports() {
    let output = synack(&["conformance/icmp", "--format", "junit"]);
    let xml = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"synack\"")
    );
    assert!(
        xml.contains(
            r#"<testcase classname="conformance.icmp.echo" name="ICMP echo request is answered""#
        ),
        "{xml}"
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
    let output = synack(&["conformance/udp", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["target"], "reference");
    assert_eq!(json["summary"]["failed"], 0);
    let scripts = json["scripts"].as_array().unwrap();
    assert_eq!(json["summary"]["scripts"], scripts.len());
    let unreachable = scripts
        .iter()
        .find(|s| s["file"] == "conformance/udp/port-unreachable.yaml")
        .unwrap();
    assert_eq!(unreachable["status"], "passed");
    assert!(unreachable["trace"].as_array().unwrap().iter().any(|l| l
        .as_str()
        .unwrap()
        .ends_with("icmp_out: 198.51.100.1 > 198.51.100.2 unreachable port")));
}

#[test]
fn pcap_files_diagrams_coverage_and_the_filter() {
    let dir = scratch("artifacts");
    let (pcap, svg, coverage) = (dir.join("pcap"), dir.join("svg"), dir.join("coverage.md"));
    let output = synack(&[
        "conformance",
        "--filter",
        "echo",
        "--pcap",
        &pcap.display().to_string(),
        "--diagram",
        &svg.display().to_string(),
        "--coverage",
        &coverage.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let mut pcaps: Vec<_> = std::fs::read_dir(&pcap)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    pcaps.sort();
    assert!(
        pcaps.iter().any(|p| p == "conformance__icmp__echo.pcap"),
        "{pcaps:?}"
    );
    assert!(!pcaps
        .iter()
        .any(|p| p.to_string_lossy().contains("arp__gratuitous")));
    let bytes = std::fs::read(pcap.join("conformance__icmp__echo.pcap")).unwrap();
    assert_eq!(
        bytes[..4],
        [0xa1, 0xb2, 0xc3, 0xd4],
        "libpcap magic, big-endian"
    );
    // Header, then four frames: request, ARP request and reply, echo reply.
    let frames = count_pcap_frames(&bytes);
    assert_eq!(frames, 4);
    let diagram = std::fs::read_to_string(svg.join("conformance__icmp__echo.svg")).unwrap();
    assert!(diagram.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(diagram.contains("ICMP 198.51.100.1 &gt; 198.51.100.2 echo reply id 7 seq 1 len 56"));
    assert_eq!(diagram.matches("marker-end=").count(), 4);
    let coverage = std::fs::read_to_string(coverage).unwrap();
    assert!(coverage.starts_with("# Coverage\n"));
    assert!(
        coverage.contains("Not cited by any script (119): MUST-1, "),
        "{coverage}"
    );
}

/// Count the records of a classic pcap file.
fn count_pcap_frames(bytes: &[u8]) -> usize {
    let mut at = 24;
    let mut count = 0;
    while at + 16 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        at += 16 + len;
        count += 1;
    }
    count
}

#[test]
fn no_scripts_is_an_error() {
    let dir = scratch("empty");
    let output = synack(&[&dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no scripts (*.yaml) found"));
    let output = synack(&["conformance", "--filter", "no-such-script-anywhere"]);
    assert_eq!(output.status.code(), Some(2));
}
