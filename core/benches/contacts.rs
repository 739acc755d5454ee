//! Contacts look-up benchmark: postcode and position look-ups, p50/p99, on the bundled sample
//! directory and on a generated one of 400 areas, 3,000 postcode districts and boundary polygons
//! of 208 points each.
//!
//!   cargo bench -p safeguarding-core --bench contacts

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use safeguarding_core::content::{check, parse_geojson, Area, ContentFiles, Directory, LatLon};
use safeguarding_core::ContactBook;

fn main() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let files = ContentFiles::from_dir(&content).expect("read content");
    let c = check(&files, chrono::Local::now().date_naive()).content;
    let districts: Vec<String> =
        c.directories.iter().flat_map(|d| d.areas.iter()).flat_map(|a| a.postcode_districts.clone()).collect();
    let points = c.directories[0].areas[0].boundary.as_ref().map(|b| b.point_count()).unwrap_or(0);
    println!("contacts look-up benchmark");
    println!(
        "\n== bundled sample directory: {} areas, {} districts, boundaries of ~{points} points ==",
        c.directories.iter().map(|d| d.areas.len()).sum::<usize>(),
        districts.len()
    );
    let book = ContactBook::new(c.directories, c.bank_holidays.clone(), c.helplines.clone());
    run(&book, &districts, (53.30, 54.05, -2.05, -0.95));

    let (dirs, districts) = generated(400, 3000, 52);
    println!("\n== generated directory: 400 areas, {} districts, boundaries of 208 points ==", districts.len());
    let book = ContactBook::new(dirs, c.bank_holidays, c.helplines);
    run(&book, &districts, (50.0, 56.0, -5.5, 1.5));
}

fn run(book: &ContactBook, districts: &[String], (lat0, lat1, lon0, lon1): (f64, f64, f64, f64)) {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let n = 20_000;
    let postcodes: Vec<String> = (0..n)
        .map(|i| {
            let d = &districts[(next() * districts.len() as f64) as usize % districts.len()];
            if i % 2 == 0 {
                format!("{d} {}AB", i % 10)
            } else {
                d.to_lowercase()
            }
        })
        .collect();
    let positions: Vec<(f64, f64)> =
        (0..n).map(|_| (lat0 + next() * (lat1 - lat0), lon0 + next() * (lon1 - lon0))).collect();
    let mut t = Vec::with_capacity(n);
    for pc in &postcodes {
        let start = Instant::now();
        std::hint::black_box(book.find_by_postcode(pc).expect("postcode"));
        t.push(start.elapsed());
    }
    report("postcode look-up", t);
    let mut t = Vec::with_capacity(n);
    let mut by_boundary = 0;
    for (lat, lon) in &positions {
        let start = Instant::now();
        let m = book.find_near(*lat, *lon).expect("position");
        t.push(start.elapsed());
        by_boundary += usize::from(m.method == safeguarding_core::LocateMethod::Boundary);
    }
    report(&format!("position look-up ({by_boundary} of {n} inside a boundary, the rest nearest centre)"), t);
    let at = NaiveDateTime::parse_from_str("2026-11-28T23:30", "%Y-%m-%dT%H:%M").expect("time");
    let areas = book.areas();
    let mut t = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        std::hint::black_box(book.call_now(&areas[i % areas.len()].id, "children", at).expect("call now"));
        t.push(start.elapsed());
    }
    report("who to call now (area known)", t);
}

fn report(what: &str, mut t: Vec<Duration>) {
    t.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{what}: {} look-ups, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        t.len(),
        us(t[t.len() / 2]),
        us(t[t.len() * 99 / 100]),
        us(t[t.len() - 1])
    );
}

/// A grid of `count` rectangular areas over England and Wales, each boundary with
/// `per_side * 4` points, and `districts` postcode districts shared out between them.
fn generated(count: usize, districts: usize, per_side: usize) -> (Vec<Directory>, Vec<String>) {
    let side = (count as f64).sqrt().ceil() as usize;
    let (lat0, lat1, lon0, lon1) = (50.0, 56.0, -5.5, 1.5);
    let (dlat, dlon) = ((lat1 - lat0) / side as f64, (lon1 - lon0) / side as f64);
    let codes: Vec<String> = (0..districts)
        .map(|i| {
            let pair = i / 9;
            let (a, b) = ((b'A' + (pair / 26) as u8) as char, (b'A' + (pair % 26) as u8) as char);
            format!("{a}{b}{}", i % 9 + 1)
        })
        .collect();
    let mut areas = Vec::new();
    for i in 0..count {
        let (r, c) = (i / side, i % side);
        let (south, west) = (lat0 + r as f64 * dlat, lon0 + c as f64 * dlon);
        let (north, east) = (south + dlat, west + dlon);
        let mut ring = Vec::new();
        for k in 0..per_side {
            let f = k as f64 / per_side as f64;
            ring.push([west + f * dlon, south]);
        }
        for k in 0..per_side {
            let f = k as f64 / per_side as f64;
            ring.push([east, south + f * dlat]);
        }
        for k in 0..per_side {
            let f = k as f64 / per_side as f64;
            ring.push([east - f * dlon, north]);
        }
        for k in 0..per_side {
            let f = k as f64 / per_side as f64;
            ring.push([west, north - f * dlat]);
        }
        ring.push(ring[0]);
        let geojson = serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string();
        let boundary = parse_geojson(&geojson).expect("generated polygon");
        areas.push(Area {
            id: format!("gen-{i}"),
            name: format!("Generated area {i}"),
            kind: "local-authority".into(),
            region: "Generated".into(),
            nation: "england".into(),
            aliases: Vec::new(),
            postcode_districts: codes.iter().skip(i).step_by(count).cloned().collect(),
            centroid: LatLon { lat: south + dlat / 2.0, lon: west + dlon / 2.0 },
            boundary: Some(boundary),
            services: Vec::new(),
            last_verified: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
            path: String::new(),
        });
    }
    let dir =
        Directory { id: "generated".into(), name: "Generated".into(), description: String::new(), sample: true, areas };
    (vec![dir], codes)
}
