// Geohash cells as a spatial index that runs the same on PGlite and PostgreSQL
// (PostGIS is not available in PGlite). An area (a circle, or a polygon's bounding
// circle, grown by the conflict buffer) is stored with every precision-5 cell its
// bounding box touches; two areas that can intersect share at least one cell, so a
// GIN index on the cell array returns the candidates and the exact distance test
// runs only on those. Cost: covering an area of radius r takes O((r / 4.9 km + 1)^2)
// cells; a lookup is one GIN probe per cell, O(c log n) for c cells and n stored
// operations, plus the exact test on the k candidates found: O(c log n + k).
// (Encoding is ten lines; a dependency for it would be larger than the code.)
const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';
export const CELL_PRECISION = 5;
const EARTH_M = 6_371_008.8;

export function encode(lat: number, lon: number, precision = CELL_PRECISION): string {
  let latLo = -90,
    latHi = 90,
    lonLo = -180,
    lonHi = 180;
  let out = '';
  let bit = 0,
    ch = 0,
    even = true;
  while (out.length < precision) {
    if (even) {
      const mid = (lonLo + lonHi) / 2;
      if (lon >= mid) {
        ch = (ch << 1) | 1;
        lonLo = mid;
      } else {
        ch <<= 1;
        lonHi = mid;
      }
    } else {
      const mid = (latLo + latHi) / 2;
      if (lat >= mid) {
        ch = (ch << 1) | 1;
        latLo = mid;
      } else {
        ch <<= 1;
        latHi = mid;
      }
    }
    even = !even;
    if (++bit === 5) {
      out += BASE32[ch];
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

/** Size of a cell at this precision, in degrees: [lat, lon]. */
function cellSize(precision: number): [number, number] {
  const bits = precision * 5;
  const lonBits = Math.ceil(bits / 2);
  const latBits = Math.floor(bits / 2);
  return [180 / 2 ** latBits, 360 / 2 ** lonBits];
}

/** Great-circle distance in metres (haversine). */
export function distanceM(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const r = Math.PI / 180;
  const dLat = (bLat - aLat) * r;
  const dLon = (bLon - aLon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * r) * Math.cos(bLat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Every cell that the bounding box of a circle (centre, radius in metres) touches. */
export function coveringCells(lat: number, lon: number, radiusM: number, precision = CELL_PRECISION): string[] {
  const dLat = (radiusM / EARTH_M) * (180 / Math.PI);
  const dLon = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  const [hLat, hLon] = cellSize(precision);
  const cells = new Set<string>();
  const lat0 = Math.max(-90, lat - dLat),
    lat1 = Math.min(90, lat + dLat);
  for (let y = lat0; ; y = Math.min(lat1, y + hLat)) {
    for (let x = lon - dLon; ; x = Math.min(lon + dLon, x + hLon)) {
      const wrapped = ((((x + 180) % 360) + 360) % 360) - 180;
      cells.add(encode(Math.min(89.999999, y), wrapped, precision));
      if (x >= lon + dLon) break;
    }
    if (y >= lat1) break;
  }
  return [...cells].sort();
}

/** A polygon's bounding circle: centre (mean of vertices) and the farthest vertex. Conservative: never misses an overlap. */
export function boundingCircle(polygon: [number, number][]): { lat: number; lon: number; radiusM: number } {
  const lat = polygon.reduce((a, p) => a + p[0], 0) / polygon.length;
  const lon = polygon.reduce((a, p) => a + p[1], 0) / polygon.length;
  const radiusM = Math.max(1, ...polygon.map((p) => distanceM(lat, lon, p[0], p[1])));
  return { lat, lon, radiusM };
}
