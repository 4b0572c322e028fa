// A grouped bar chart as a standalone SVG, drawn by the benchmark from what it measured, so the docs show the same
// figures as its tables. No library: a few rectangles and labels.

/** One group of bars (a phase), each bar a contender's time in ms, or null when it showed nothing. */
export interface ChartGroup {
  label: string;
  bars: { name: string; ms: number | null }[];
}

const COLOURS = ['#9aa5b1', '#6b7b8c', '#3d8b5a', '#1f5fbf', '#7a3fb0', '#c07a1a', '#8a5a12'];
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars on a logarithmic scale (the phases span 2 ms to a second), one row per contender within each
 * group, labelled with its time; a legend is not needed since every bar is named.
 */
export function barChartSvg(title: string, groups: ChartGroup[]): string {
  const width = 880;
  const labelWidth = 330;
  const row = 18;
  const plot = width - labelWidth - 80;
  const times = groups.flatMap((g) => g.bars.map((b) => b.ms)).filter((ms): ms is number => ms !== null && ms > 0);
  const [min, max] = [Math.min(...times, 1), Math.max(...times, 10)];
  const scale = (ms: number) =>
    Math.max(2, ((Math.log10(ms) - Math.log10(min) + 0.2) / (Math.log10(max) - Math.log10(min) + 0.2)) * plot);
  const parts: string[] = [];
  let y = 40;
  for (const group of groups) {
    parts.push(`<text x="0" y="${y + 12}" font-weight="600">${escapeXml(group.label)}</text>`);
    y += row + 4;
    group.bars.forEach((bar, i) => {
      parts.push(`<text x="12" y="${y + 12}">${escapeXml(bar.name)}</text>`);
      if (bar.ms === null) {
        parts.push(`<text x="${labelWidth}" y="${y + 12}" fill="#666">nothing shown</text>`);
      } else {
        const w = scale(bar.ms);
        parts.push(
          `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 4}" fill="${COLOURS[i % COLOURS.length]}"/>`,
        );
        parts.push(
          `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 12}">${bar.ms < 10 ? bar.ms.toFixed(1) : Math.round(bar.ms)} ms</text>`,
        );
      }
      y += row;
    });
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="0" y="18" font-size="14" font-weight="600">${escapeXml(title)}</text>
${parts.join('\n')}
</svg>
`;
}
