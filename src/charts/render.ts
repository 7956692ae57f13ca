import { existsSync } from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { VegaLiteSpec } from './spec.ts';

/**
 * Offline rendering, with no browser: Vega-Lite compiled to Vega, drawn by Vega's headless view
 * (renderer `none`, so no canvas is needed) to SVG, and the SVG rasterised to PNG by resvg.
 */

/** The chart as an SVG document, on a white background. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Vega-Lite warns when its dataflow optimiser stops early, which changes nothing drawn.
  const { spec: compiled } = compile(spec as unknown as Parameters<typeof compile>[0], { logger: vega.logger(vega.Error) });
  // The page's loader never fetches: every chart's data is inline and images are data URLs.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: vega.loader({ mode: 'file' }) });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The SVG as PNG at `scale` × its size (2 for sharp text on high-density screens). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const files = chartFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      ...(files ? { loadSystemFonts: false, fontFiles: files } : { loadSystemFonts: true }),
      defaultFontFamily: 'Liberation Sans',
      sansSerifFamily: 'Liberation Sans',
    },
  });
  return resvg.render().asPng();
}

/** Where distributions install Liberation Sans (Debian and Ubuntu, Fedora, Arch). */
const FONT_DIRS = ['/usr/share/fonts/truetype/liberation', '/usr/share/fonts/liberation-sans', '/usr/share/fonts/TTF'];
const FONT_STYLES = ['Regular', 'Bold', 'Italic', 'BoldItalic'];
let fontFiles: string[] | null | undefined;

/**
 * Liberation Sans's four files, the only font the charts name (spec.ts), or null where they are not
 * found. resvg loads its fonts again for every image: these four files instead of every system font
 * make each PNG ~20 ms cheaper, and draw the same pixels (a test compares them).
 */
export function chartFontFiles(): string[] | null {
  if (fontFiles === undefined) {
    const found = FONT_DIRS.map((dir) => FONT_STYLES.map((style) => path.join(dir, `LiberationSans-${style}.ttf`))).find((files) =>
      files.every((file) => existsSync(file)),
    );
    fontFiles = found ?? null;
  }
  return fontFiles;
}
