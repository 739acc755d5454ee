//! Builds the English word list (`data/english-words.txt`, from SCOWL via Debian's wbritish and
//! wamerican, plus `data/extra-words.txt`) into a gzipped finite-state set at build time, so the app ships a compact dictionary
//! instead of parsing text on the phone.

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let mut text = String::new();
    for source in ["data/english-words.txt", "data/extra-words.txt"] {
        println!("cargo:rerun-if-changed={source}");
        text.push_str(&std::fs::read_to_string(source).unwrap_or_else(|e| panic!("read {source}: {e}")));
        text.push('\n');
    }
    let mut words: Vec<&str> = text.lines().map(str::trim).filter(|w| !w.is_empty() && !w.starts_with('#')).collect();
    words.sort_unstable();
    words.dedup();
    let mut builder = tantivy_fst::MapBuilder::memory();
    for w in words {
        builder.insert(w, 0).expect("sorted words");
    }
    let bytes = builder.into_inner().expect("finish word list");
    // Gzipped, it is 75 KB smaller in the library (the app links flate2 for sync already), and
    // unpacking it on first use takes about a millisecond.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).expect("compress word list");
    let packed = gz.finish().expect("compress word list");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("english-words.fst.gz");
    std::fs::File::create(&out).and_then(|mut f| f.write_all(&packed)).expect("write word list");
}
