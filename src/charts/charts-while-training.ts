import path from 'node:path';
import type { PlannedRun } from '../tables/collect.ts';
import type { ChartSettings } from './settings.ts';

type DrawingCode = Pick<typeof import('./build-charts.ts'), 'runCharts'> & Pick<typeof import('./write-charts.ts'), 'drawChart'>;

async function loadDrawingCode(): Promise<DrawingCode> {
  const [{ runCharts }, { drawChart }] = await Promise.all([import('./build-charts.ts'), import('./write-charts.ts')]);
  return { runCharts, drawChart };
}

interface FinishedRun {
  experimentDir: string;
  run: PlannedRun;
  runDir: string;
  settings: ChartSettings;
}

/**
 * Draws each finished run's own charts (history, weight images) while other runs still train, but
 * only when `idle()` says a core is free (fewer runs in flight than cores: the tail of a sweep, or
 * `--jobs` below the core count), so that drawing never competes with training for a core. What is
 * drawn here is drawn once: the end-of-run report finds the same spec and renderings and keeps
 * them. Anything not drawn in time, or that failed, is left to that report, which redraws it and
 * reports problems; so errors here are not errors.
 */
export class ChartsWhileTraining {
  private readonly waiting: FinishedRun[] = [];
  private drawing: Promise<void> | null = null;
  /** Chart names drawn here, by experiment folder. */
  readonly drawn = new Map<string, Set<string>>();

  private loading: Promise<DrawingCode> | null = null;

  constructor(private readonly idle: () => boolean) {}

  /**
   * Starts loading the drawing code (Vega, Vega-Lite, resvg: most of the program) in the
   * background, so that the first finished run's charts need not wait for it. Not done up front:
   * `run --no-charts` never needs it.
   */
  prepare(): void {
    if (this.loading) return;
    this.loading = loadDrawingCode();
    this.loading.catch(() => {}); // a failure shows when a chart is drawn (by the report, which redraws)
  }

  private code(): Promise<DrawingCode> {
    this.prepare();
    return this.loading!;
  }

  /** A run whose record is in the store (runDir). */
  add(run: FinishedRun): void {
    if (!run.settings.runs || run.settings.runFormats.length === 0) return;
    this.waiting.push(run);
    this.pump();
  }

  /** Starts drawing the next run's charts if a core is free; call when runs start or end. */
  pump(): void {
    if (this.drawing || this.waiting.length === 0 || !this.idle()) return;
    const next = this.waiting.shift()!;
    this.drawing = this.draw(next)
      .catch(() => {})
      .finally(() => {
        this.drawing = null;
        this.pump();
      });
  }

  /** Waits for the charts being drawn (not for those still waiting: the report draws them). */
  async settle(): Promise<void> {
    this.waiting.length = 0;
    await this.drawing;
  }

  private async draw({ experimentDir, run, runDir, settings }: FinishedRun): Promise<void> {
    const { runCharts, drawChart } = await this.code();
    const names = this.drawn.get(experimentDir) ?? new Set<string>();
    this.drawn.set(experimentDir, names);
    for (const chart of runCharts(run, runDir, settings).charts) {
      await drawChart(path.join(experimentDir, 'charts'), chart, settings.runFormats);
      names.add(chart.name);
    }
  }
}
