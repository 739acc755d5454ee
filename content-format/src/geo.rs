//! Positions, area boundaries (GeoJSON polygons) and the geometry to find which area a point
//! is in.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A WGS84 position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// A generous box around the UK, Channel Islands and Isle of Man: positions outside it cannot be
/// in any UK directory and are almost certainly a mistake (swapped or missing sign).
pub const UK_BOUNDS: (LatLon, LatLon) = (LatLon { lat: 49.0, lon: -8.9 }, LatLon { lat: 61.0, lon: 2.0 });

impl LatLon {
    pub fn in_uk(&self) -> bool {
        let (sw, ne) = UK_BOUNDS;
        self.lat.is_finite()
            && self.lon.is_finite()
            && (sw.lat..=ne.lat).contains(&self.lat)
            && (sw.lon..=ne.lon).contains(&self.lon)
    }

    /// Great-circle distance in kilometres.
    pub fn distance_km(&self, other: &LatLon) -> f64 {
        let r = 6371.0088;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = (other.lat - self.lat).to_radians();
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * r * a.sqrt().asin()
    }
}

/// An area's boundary: one or more polygons, each an outer ring and optional holes, as
/// `[lon, lat]` pairs like GeoJSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Boundary {
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
    /// `[min_lon, min_lat, max_lon, max_lat]`, to skip most areas with one comparison.
    pub bbox: [f64; 4],
}

fn ring_contains(ring: &[[f64; 2]], x: f64, y: f64) -> bool {
    // Even-odd ray casting.
    let mut inside = false;
    let n = ring.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (xi, yi) = (ring[i][0], ring[i][1]);
        let (xj, yj) = (ring[j][0], ring[j][1]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl Boundary {
    pub fn contains(&self, p: &LatLon) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        if p.lon < x0 || p.lon > x1 || p.lat < y0 || p.lat > y1 {
            return false;
        }
        self.polygons.iter().any(|poly| {
            poly.first().is_some_and(|outer| ring_contains(outer, p.lon, p.lat))
                && !poly[1..].iter().any(|hole| ring_contains(hole, p.lon, p.lat))
        })
    }

    pub fn point_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }

    fn compute_bbox(&mut self) {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for p in self.polygons.iter().flatten().flatten() {
            b = [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])];
        }
        self.bbox = b;
    }
}

/// Reads a GeoJSON Polygon or MultiPolygon (bare, in a Feature, or the first Feature of a
/// FeatureCollection). Problems come back as (line, message).
pub fn parse_geojson(text: &str) -> Result<Boundary, Vec<(usize, String)>> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| vec![(e.line().max(1), format!("not valid JSON: {e}"))])?;
    let geometry = match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => value.get("features").and_then(|f| f.get(0)).and_then(|f| f.get("geometry")),
        Some("Feature") => value.get("geometry"),
        _ => Some(&value),
    }
    .ok_or_else(|| vec![(1, "no geometry found: expected a Polygon or MultiPolygon".to_string())])?;
    let coords = geometry.get("coordinates").ok_or_else(|| vec![(1, "geometry has no coordinates".to_string())])?;
    let line = text.find("\"coordinates\"").map_or(1, |i| text[..i].matches('\n').count() + 1);
    let polygons_json: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![coords],
        Some("MultiPolygon") => coords.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
        other => return Err(vec![(1, format!("geometry type {other:?} is not a Polygon or MultiPolygon"))]),
    };
    let mut problems = Vec::new();
    let mut boundary = Boundary::default();
    for (pi, poly) in polygons_json.iter().enumerate() {
        let mut rings = Vec::new();
        for (ri, ring) in poly.as_array().into_iter().flatten().enumerate() {
            let mut points = Vec::new();
            for pt in ring.as_array().into_iter().flatten() {
                match (pt.get(0).and_then(Value::as_f64), pt.get(1).and_then(Value::as_f64)) {
                    (Some(lon), Some(lat)) => {
                        if !(LatLon { lat, lon }).in_uk() {
                            problems.push((line, format!("polygon {pi} ring {ri}: [{lon}, {lat}] is not in the UK (GeoJSON is [longitude, latitude])")));
                        }
                        points.push([lon, lat]);
                    }
                    _ => problems
                        .push((line, format!("polygon {pi} ring {ri}: {pt} is not a [longitude, latitude] pair"))),
                }
            }
            if points.len() < 4 {
                problems
                    .push((line, format!("polygon {pi} ring {ri}: needs at least 4 positions, has {}", points.len())));
            } else if points.first() != points.last() {
                problems.push((
                    line,
                    format!("polygon {pi} ring {ri} is not closed: its last position must repeat the first"),
                ));
            }
            rings.push(points);
        }
        if rings.is_empty() {
            problems.push((line, format!("polygon {pi} has no rings")));
        }
        boundary.polygons.push(rings);
    }
    if boundary.polygons.is_empty() {
        problems.push((line, "no polygons".to_string()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    boundary.compute_bbox();
    Ok(boundary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type": "Feature", "properties": {},
  "geometry": {"type": "Polygon", "coordinates": [[[-1.6, 53.7], [-1.4, 53.7], [-1.4, 53.9], [-1.6, 53.9], [-1.6, 53.7]],
    [[-1.52, 53.78], [-1.48, 53.78], [-1.48, 53.82], [-1.52, 53.82], [-1.52, 53.78]]]}}"#;

    #[test]
    fn inside_outside_and_holes() {
        let b = parse_geojson(SQUARE).unwrap();
        assert!(b.contains(&LatLon { lat: 53.72, lon: -1.55 }));
        assert!(!b.contains(&LatLon { lat: 53.80, lon: -1.50 }), "in the hole");
        assert!(!b.contains(&LatLon { lat: 54.0, lon: -1.5 }));
        assert_eq!(b.point_count(), 10);
    }

    #[test]
    fn reports_open_rings_bad_points_and_bad_json() {
        let open = SQUARE.replacen("[-1.6, 53.7]]", "[-1.6, 53.71]]", 1);
        let errs = parse_geojson(&open).unwrap_err();
        assert!(errs.iter().any(|(l, m)| *l == 2 && m.contains("not closed")), "{errs:?}");
        let swapped = SQUARE.replace("[-1.6, 53.7]", "[53.7, -1.6]");
        assert!(parse_geojson(&swapped).unwrap_err().iter().any(|(_, m)| m.contains("not in the UK")));
        let broken = "{\n\"type\": \"Polygon\",\n\"coordinates\": [[[0,0]]\n";
        assert!(parse_geojson(broken).unwrap_err()[0].1.starts_with("not valid JSON"));
    }

    #[test]
    fn distances() {
        let leeds = LatLon { lat: 53.7997, lon: -1.5492 };
        let sheffield = LatLon { lat: 53.3811, lon: -1.4701 };
        let d = leeds.distance_km(&sheffield);
        assert!((d - 46.8).abs() < 1.5, "{d}");
        assert!(!LatLon { lat: -1.5, lon: 53.8 }.in_uk());
    }
}
