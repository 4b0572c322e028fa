/**
 * Draws the demo's profile pictures: a head and shoulders in flat colours on a gradient, different for every index
 * (background hue, skin, hair colour and style, glasses), the same every time. Shapes are signed distance functions,
 * so their edges are anti-aliased with no supersampling.
 */

type Rgb = readonly [number, number, number];
/** A shape's signed distance at (x, y) in picture units (0..1): negative inside. */
type Distance = (x: number, y: number) => number;

interface Layer {
  shape: Distance;
  colour: Rgb;
  opacity?: number;
}

const SKINS: readonly Rgb[] = [
  [255, 224, 189],
  [241, 194, 125],
  [224, 172, 105],
  [198, 134, 66],
  [141, 85, 36],
  [95, 60, 40],
];
const HAIRS: readonly Rgb[] = [
  [35, 28, 26],
  [74, 47, 29],
  [123, 74, 38],
  [217, 178, 106],
  [160, 82, 45],
  [150, 150, 155],
  [200, 90, 130],
  [60, 100, 170],
];
const STYLES = ['short', 'side', 'long', 'bun', 'bob', 'curly'] as const;

/** Math.hypot is several times slower, and this runs for every pixel of every layer. */
const length = (x: number, y: number) => Math.sqrt(x * x + y * y);
const circle =
  (cx: number, cy: number, r: number): Distance =>
  (x, y) =>
    length(x - cx, y - cy) - r;
const ellipse =
  (cx: number, cy: number, rx: number, ry: number): Distance =>
  (x, y) =>
    (length((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
const ring =
  (cx: number, cy: number, r: number, width: number): Distance =>
  (x, y) =>
    Math.abs(length(x - cx, y - cy) - r) - width / 2;
const box =
  (cx: number, cy: number, halfWidth: number, halfHeight: number, radius: number): Distance =>
  (x, y) => {
    const dx = Math.abs(x - cx) - halfWidth + radius;
    const dy = Math.abs(y - cy) - halfHeight + radius;
    return length(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - radius;
  };
const union =
  (...shapes: Distance[]): Distance =>
  (x, y) => {
    let d = Infinity;
    for (const shape of shapes) d = Math.min(d, shape(x, y));
    return d;
  };
const intersect =
  (...shapes: Distance[]): Distance =>
  (x, y) => {
    let d = -Infinity;
    for (const shape of shapes) d = Math.max(d, shape(x, y));
    return d;
  };
/** Inside above the line through (0.5, y0) with the given slope. */
const above =
  (y0: number, slope = 0): Distance =>
  (x, y) =>
    y - (y0 + slope * (x - 0.5));
const below =
  (y0: number): Distance =>
  (_, y) =>
    y0 - y;

function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const shade = ([r, g, b]: Rgb, factor: number): Rgb => [r * factor, g * factor, b * factor];

/** The hair in front of the head, and behind it for the longer styles. */
function hair(style: (typeof STYLES)[number]): { back?: Distance; front: Distance } {
  const cap = ellipse(0.5, 0.41, 0.215, 0.215);
  switch (style) {
    case 'short':
      return { front: intersect(cap, above(0.35)) };
    case 'side':
      return {
        front: union(intersect(cap, above(0.36, -0.35)), intersect(ellipse(0.36, 0.35, 0.09, 0.08), above(0.4))),
      };
    case 'long':
      return { back: box(0.5, 0.56, 0.25, 0.27, 0.2), front: intersect(cap, above(0.36)) };
    case 'bun':
      return { front: union(intersect(cap, above(0.35)), circle(0.5, 0.195, 0.08)) };
    case 'bob':
      return {
        back: intersect(ellipse(0.5, 0.47, 0.26, 0.26), below(0.3), above(0.64)),
        front: intersect(cap, above(0.38)),
      };
    case 'curly': {
      const curls = Array.from({ length: 9 }, (_, k) => {
        const angle = Math.PI * (1.05 + (0.9 * k) / 8);
        return circle(0.5 + 0.2 * Math.cos(angle), 0.43 + 0.2 * Math.sin(angle), 0.075);
      });
      return { front: intersect(union(...curls), above(0.42)) };
    }
  }
}

/** The layers of picture `index`, back to front. */
function layers(index: number): { top: Rgb; bottom: Rgb; layers: Layer[] } {
  const hue = (index * 137.508) % 360;
  const skin = SKINS[(index * 7 + 2) % SKINS.length]!;
  const hairColour = HAIRS[(index * 3 + 1) % HAIRS.length]!;
  const style = STYLES[(index + Math.floor(index / STYLES.length)) % STYLES.length]!;
  const { back, front } = hair(style);
  const dark: Rgb = [45, 35, 35];
  const eyes = [circle(0.42, 0.47, 0.019), circle(0.58, 0.47, 0.019)];
  const out: Layer[] = [
    ...(back ? [{ shape: back, colour: hairColour }] : []),
    { shape: ellipse(0.5, 1.0, 0.36, 0.25), colour: hsl((hue + 180 + (index % 3) * 40) % 360, 0.45, 0.42) },
    { shape: box(0.5, 0.66, 0.07, 0.1, 0.03), colour: shade(skin, 0.88) },
    { shape: union(circle(0.3, 0.48, 0.04), circle(0.7, 0.48, 0.04)), colour: shade(skin, 0.95) },
    { shape: ellipse(0.5, 0.46, 0.2, 0.235), colour: skin },
    { shape: union(circle(0.38, 0.54, 0.035), circle(0.62, 0.54, 0.035)), colour: [235, 110, 110], opacity: 0.22 },
    { shape: union(...eyes), colour: dark },
    { shape: intersect(ring(0.5, 0.5, 0.075, 0.022), below(0.535)), colour: [130, 55, 55] },
    { shape: front, colour: hairColour },
  ];
  if (index % 4 === 1) {
    const lenses = union(
      ring(0.42, 0.47, 0.05, 0.014),
      ring(0.58, 0.47, 0.05, 0.014),
      box(0.5, 0.465, 0.03, 0.006, 0.003),
    );
    out.push({ shape: lenses, colour: [40, 40, 50] });
  }
  return { top: hsl(hue, 0.55, 0.82), bottom: hsl(hue, 0.5, 0.68), layers: out };
}

/**
 * Picture `index` as `size`×`size` RGB pixels (3 bytes a pixel, rows top to bottom), ready for `encodePng`.
 *
 * @example
 * const png = await encodePng(160, 160, drawAvatar(7, 160));
 */
export function drawAvatar(index: number, size: number): Uint8Array {
  const { top, bottom, layers: shapes } = layers(index);
  const rgb = new Uint8Array(size * size * 3);
  // Drawn a little closer than the shapes are laid out, so the face fills a circle crop; `scale` is picture units
  // to pixels, for the edges.
  const zoom = 1.15;
  const scale = size * zoom;
  for (let py = 0; py < size; py++) {
    const y = 0.56 + ((py + 0.5) / size - 0.56) / zoom;
    for (let px = 0; px < size; px++) {
      const x = 0.5 + ((px + 0.5) / size - 0.5) / zoom;
      let r = top[0] + (bottom[0] - top[0]) * y;
      let g = top[1] + (bottom[1] - top[1]) * y;
      let b = top[2] + (bottom[2] - top[2]) * y;
      for (const { shape, colour, opacity = 1 } of shapes) {
        // Coverage of this pixel: 1 inside, 0 outside, a ramp one pixel wide across the edge.
        const cover = Math.min(1, Math.max(0, 0.5 - shape(x, y) * scale)) * opacity;
        if (cover === 0) continue;
        r += (colour[0] - r) * cover;
        g += (colour[1] - g) * cover;
        b += (colour[2] - b) * cover;
      }
      const at = (py * size + px) * 3;
      rgb[at] = Math.round(r);
      rgb[at + 1] = Math.round(g);
      rgb[at + 2] = Math.round(b);
    }
  }
  return rgb;
}
