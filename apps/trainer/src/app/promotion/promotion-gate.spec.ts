import { decidePromotion, type GateInput } from './promotion-gate';

const base: GateInput = {
  metric: 'auc',
  policy: { minEvalRows: 100, minAbsoluteImprovement: 0.005 },
  candidate: { auc: 0.8 },
  baseline: { auc: 0.5 },
  champion: null,
  evalRows: 1000,
  candidateIsBaseline: false,
};

describe('promotion gate', () => {
  it('promotes the first trained version only when it beats the baseline', () => {
    expect(decidePromotion(base)).toMatchObject({ promoted: true, code: 'BEATS_BASELINE', comparedWith: 'baseline', reference: 0.5 });
    expect(decidePromotion({ ...base, candidate: { auc: 0.49 } })).toMatchObject({ promoted: false, code: 'NOT_BETTER_THAN_BASELINE' });
  });

  it('refuses a candidate that is worse than the champion and says why', () => {
    const d = decidePromotion({ ...base, candidate: { auc: 0.7 }, champion: { version: 3, metrics: { auc: 0.75 } } });
    expect(d).toMatchObject({ promoted: false, code: 'NOT_BETTER_THAN_CHAMPION', referenceVersion: 3, reference: 0.75, candidate: 0.7 });
    expect(d.reason).toContain('champion v3');
  });

  it('requires the absolute margin and the relative margin of the policy', () => {
    const champion = { version: 1, metrics: { auc: 0.8 } };
    expect(decidePromotion({ ...base, candidate: { auc: 0.803 }, champion }).promoted).toBe(false);
    expect(decidePromotion({ ...base, candidate: { auc: 0.806 }, champion }).promoted).toBe(true);
    const relative = { ...base, policy: { minEvalRows: 1, minRelativeImprovement: 0.02 }, champion };
    expect(decidePromotion({ ...relative, candidate: { auc: 0.81 } }).promoted).toBe(false);
    expect(decidePromotion({ ...relative, candidate: { auc: 0.817 } }).promoted).toBe(true);
  });

  it('treats lower-is-better metrics the right way round', () => {
    const d = { ...base, metric: 'log_loss' as const, policy: { minEvalRows: 1 }, champion: { version: 2, metrics: { log_loss: 0.4 } } };
    expect(decidePromotion({ ...d, candidate: { log_loss: 0.35 } }).promoted).toBe(true);
    expect(decidePromotion({ ...d, candidate: { log_loss: 0.45 } })).toMatchObject({ promoted: false, code: 'NOT_BETTER_THAN_CHAMPION' });
    expect(decidePromotion({ ...d, candidate: { log_loss: 0.4 } }).promoted).toBe(false);
  });

  it('refuses on too few evaluation rows whatever the metric says', () => {
    expect(decidePromotion({ ...base, evalRows: 99 })).toMatchObject({ promoted: false, code: 'INSUFFICIENT_EVAL_ROWS' });
  });

  it('refuses an undefined metric (a held-out window with one class)', () => {
    expect(decidePromotion({ ...base, candidate: { auc: Number.NaN } })).toMatchObject({ promoted: false, code: 'METRIC_UNDEFINED' });
  });

  it('lets a baseline become the first champion (the proof of concept) but not replace one without beating it', () => {
    expect(decidePromotion({ ...base, candidate: { auc: 0.5 }, candidateIsBaseline: true })).toMatchObject({ promoted: true, code: 'FIRST_BASELINE' });
    expect(decidePromotion({ ...base, candidate: { auc: 0.5 }, candidateIsBaseline: true, champion: { version: 1, metrics: { auc: 0.7 } } }).promoted).toBe(false);
  });

  it('falls back to the baseline when the champion cannot be scored on this window', () => {
    expect(decidePromotion({ ...base, champion: { version: 4, metrics: null } })).toMatchObject({ promoted: true, code: 'BEATS_BASELINE' });
  });
  it('judges a multiclass candidate on its primary metric in that metric\'s direction (accuracy up, macro F1 up, log loss down)', () => {
    const multiclass = { ...base, policy: { minEvalRows: 10 }, evalRows: 45 };
    const champion = { version: 2, metrics: { accuracy: 0.9, macro_f1: 0.88, log_loss: 0.3 } };
    const candidate = { accuracy: 0.93, macro_f1: 0.87, log_loss: 0.25 };
    expect(decidePromotion({ ...multiclass, metric: 'accuracy', candidate, champion })).toMatchObject({ promoted: true, code: 'BEATS_CHAMPION', reference: 0.9 });
    expect(decidePromotion({ ...multiclass, metric: 'macro_f1', candidate, champion })).toMatchObject({ promoted: false, code: 'NOT_BETTER_THAN_CHAMPION' });
    expect(decidePromotion({ ...multiclass, metric: 'log_loss', candidate, champion })).toMatchObject({ promoted: true, code: 'BEATS_CHAMPION' });
    expect(decidePromotion({ ...multiclass, metric: 'log_loss', candidate: { log_loss: 0.35 }, champion })).toMatchObject({ promoted: false, code: 'NOT_BETTER_THAN_CHAMPION' });
    // the class-frequency prior is the baseline a first multiclass model must beat
    expect(decidePromotion({ ...multiclass, metric: 'accuracy', candidate, baseline: { accuracy: 1 / 3 } })).toMatchObject({ promoted: true, code: 'BEATS_BASELINE' });
  });
});
