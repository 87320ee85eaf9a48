/**
 * A value now, or later. The inference path answers synchronously whenever nothing has to wait
 * (the hot path: no promise made), and the same code carries on when something does.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)`: at once when the value is here, else when it comes. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs `work`, then `done` exactly once, whether `work` answers, throws or rejects, now or later. */
export function always<T>(work: () => MaybePromise<T>, done: () => void): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = work();
  } catch (err) {
    done();
    throw err;
  }
  if (result instanceof Promise) return result.finally(done);
  done();
  return result;
}

/** Runs `work`; `failed` sees the error it throws or rejects with, which then goes on to the caller. */
export function onFailure<T>(work: () => MaybePromise<T>, failed: (err: unknown) => void): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = work();
  } catch (err) {
    failed(err);
    throw err;
  }
  if (!(result instanceof Promise)) return result;
  return result.catch((err: unknown) => {
    failed(err);
    throw err;
  });
}
