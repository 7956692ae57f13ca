export type Direction = 'minimize' | 'maximize';

/** maximize for accuracies, minimize for costs: the direction of a history column used as a search metric. */
export function metricDirection(metric: string): Direction {
  if (metric.endsWith('accuracy')) return 'maximize';
  if (metric.endsWith('cost')) return 'minimize';
  throw new RangeError(`${metric} is neither an accuracy nor a cost`);
}
