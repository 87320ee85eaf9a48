/**
 * Advisory lock keys (hashtext of these) of the warehouse. A transformation run holds the first as a
 * session lock; an apply takes both as transaction locks, so applies are serialised and never
 * interleave with a run.
 */
export const TRANSFORMATIONS_LOCK = 'dwh.transformations';
export const APPLY_LOCK = 'dwh.warehouse.apply';
