//! Peer target `peer_etherparse`: etherparse slicing a whole frame, with its
//! TCP options walked, as the exec/s yardstick for synack's header targets.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(sliced) = etherparse::SlicedPacket::from_ethernet(data) {
        if let Some(etherparse::TransportSlice::Tcp(tcp)) = sliced.transport {
            for option in tcp.options_iterator() {
                let _ = std::hint::black_box(option);
            }
        }
    }
});
