import type { PredictionLogRecord } from '@mlp/contracts';
import { jsonNumber as num } from '../json/json-number';

/**
 * One prediction log record as the line of JSON text the warehouse receives
 * (`dwh-ingest.prediction-log.v2`), byte for byte what `JSON.stringify(record)` writes for a record
 * built in the contract's key order. It is encoded once, when the prediction is made: the buffer
 * then holds one string per prediction instead of an object graph, which is cheaper to keep in
 * memory, to spill to disk and to send (the transport carries the strings as they are instead of
 * serialising thousands of small objects on every send).
 */
export function encodePredictionRecord(r: PredictionLogRecord): string {
  let text =
    '{"predictionId":' +
    JSON.stringify(r.predictionId) +
    ',"requestId":' +
    JSON.stringify(r.requestId) +
    ',"model":' +
    JSON.stringify(r.model) +
    ',"version":' +
    num(r.version) +
    ',"arm":' +
    JSON.stringify(r.arm) +
    ',"inputs":' +
    JSON.stringify(r.inputs) +
    ',"output":' +
    num(r.output) +
    ',"latencyMs":' +
    num(r.latencyMs) +
    ',"predictedAt":' +
    JSON.stringify(r.predictedAt);
  if (r.entity !== undefined) text += ',"entity":' + JSON.stringify(r.entity);
  return text + '}';
}
