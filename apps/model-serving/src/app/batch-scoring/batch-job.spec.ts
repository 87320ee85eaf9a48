import { PlatformError } from '@mlp/runtime';
import { checkSchedule, interruption, nextRun, returnedRows, toBatchJob, type JobRow } from './batch-job';

const row: JobRow = {
  id: '42',
  model: 'churn',
  pinned_version: null,
  version: null,
  source: { mart: 'mart_user_profile', key: 'user_id' },
  chunk_size: 500,
  schedule: null,
  status: 'queued',
  run: 1,
  scored: '12345678901',
  chunks: 3,
  cursor: 'u9',
  error: null,
  next_run_at: new Date('2026-12-07T03:00:00Z'),
  created_at: new Date('2026-12-06T10:00:00Z'),
  started_at: null,
  finished_at: null,
  results: { table: 'scores_churn', mode: 'append' },
  features: { mode: 'point_in_time', asOf: '2026-12-01T00:00:00.000Z' },
};

describe('batch jobs', () => {
  it('shows a row as the API job, bigint counts as numbers', () => {
    expect(toBatchJob(row)).toEqual({
      id: '42',
      model: 'churn',
      version: null,
      source: { mart: 'mart_user_profile', key: 'user_id' },
      chunkSize: 500,
      schedule: null,
      status: 'queued',
      run: 1,
      scored: 12345678901,
      chunks: 3,
      cursor: 'u9',
      error: null,
      nextRunAt: '2026-12-07T03:00:00.000Z',
      createdAt: '2026-12-06T10:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      results: { table: 'scores_churn', mode: 'append' },
      features: { mode: 'point_in_time', asOf: '2026-12-01T00:00:00.000Z' },
    });
  });

  it('shows the version a run scores with, else the pinned one, and a next run only while one is due', () => {
    expect(toBatchJob({ ...row, pinned_version: 3 }).version).toBe(3);
    expect(toBatchJob({ ...row, pinned_version: 3, version: 4 }).version).toBe(4);
    expect(toBatchJob({ ...row, status: 'scheduled' }).nextRunAt).toBe('2026-12-07T03:00:00.000Z');
    for (const status of ['running', 'succeeded', 'failed', 'cancelled'] as const) expect(toBatchJob({ ...row, status }).nextRunAt).toBeNull();
  });

  it('computes the next run of a cron schedule in UTC', () => {
    expect(nextRun('0 3 * * *', new Date('2026-12-07T02:59:59Z')).toISOString()).toBe('2026-12-07T03:00:00.000Z');
    expect(nextRun('0 3 * * *', new Date('2026-12-07T03:00:00Z')).toISOString()).toBe('2026-12-08T03:00:00.000Z');
    expect(nextRun('*/15 * * * *', new Date('2026-12-07T10:07:00Z')).toISOString()).toBe('2026-12-07T10:15:00.000Z');
  });

  it('refuses a schedule that is not a cron expression with 400 INVALID_SCHEDULE', () => {
    expect(() => checkSchedule('0 3 * * 1-5')).not.toThrow();
    expect(() => checkSchedule('every tuesday')).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_SCHEDULE', details: [expect.objectContaining({ path: '$.schedule', message: 'every tuesday' })] }));
  });

  it('queues a job again after an outage and fails it on a client mistake', () => {
    expect(interruption(new PlatformError(503, 'UNAVAILABLE', 'feature store down'))).toEqual({ status: 'queued', retryable: true, message: 'feature store down' });
    expect(interruption(new Error('connection reset'))).toEqual({ status: 'queued', retryable: true, message: 'connection reset' });
    expect(interruption('odd')).toEqual({ status: 'queued', retryable: true, message: 'odd' });
    expect(interruption(PlatformError.badRequest('the entity query failed', [], 'INVALID_SQL'))).toEqual({ status: 'failed', retryable: false, message: 'the entity query failed' });
    expect(interruption(PlatformError.notFound('model churn v9 not found')).status).toBe('failed');
  });

  it('reads the rows of UPDATE ... RETURNING whether TypeORM wraps them or not', () => {
    const rows = [{ id: '1' }];
    expect(returnedRows([rows, 1])).toBe(rows);
    expect(returnedRows(rows)).toBe(rows);
    expect(returnedRows([[], 0])).toEqual([]);
  });
});
