import { columnsOf } from './layered-layout';
import type { LineageBox } from './lineage-graph-model';
import { continueToModels, declaredModels, modelStatus, reachOf, viewOfFeature, type Graph, type ModelSource } from './model-lineage';

const box = (id: string, kind: LineageBox['kind']): LineageBox => ({ id, name: id.split(':')[1], kind, project: 'p', status: 'green', why: [] });
// The warehouse part as lineageBoxes builds it: a mart read by two feature views.
const base: Graph = {
  boxes: [box('model:mart_a', 'marts'), box('view:fv_a', 'feature_view'), box('view:fv_b', 'feature_view')],
  edges: [
    { from: 'model:mart_a', to: 'view:fv_a' },
    { from: 'model:mart_a', to: 'view:fv_b' },
  ],
};
const model = (over: Partial<ModelSource>): ModelSource => ({ name: 'churn', project: 'p', featureService: 'svc_a', task: 'binary_classification', latestVersion: 3, aliases: { champion: 2, challenger: null }, ...over });
const all = <T>(items: T[]) => ({ items });

describe('the lineage continued from feature views to feature services and models', () => {
  it('reads the view of a feature reference, pinned or not', () => {
    expect(viewOfFeature('fv_a:visits')).toBe('fv_a');
    expect(viewOfFeature('fv_a@v3:visits')).toBe('fv_a');
    expect(viewOfFeature('fv_a')).toBe('fv_a');
  });

  it('joins each service to the views its features read and each model to its service, one column further each', () => {
    const g = continueToModels(
      base,
      all([{ name: 'svc_a', project: 'p', features: ['fv_a:x', 'fv_a@v2:y', 'fv_b:z'] }]),
      all([model({}), model({ name: 'churn_rf', aliases: { champion: null, challenger: null } })]),
      all([{ name: 'churn', champion: 2 }]),
    );
    expect(g.stops).toEqual([]);
    expect(g.edges.slice(base.edges.length)).toEqual([
      { from: 'view:fv_a', to: 'service:svc_a' },
      { from: 'view:fv_b', to: 'service:svc_a' },
      { from: 'service:svc_a', to: 'trained:churn' },
      { from: 'service:svc_a', to: 'trained:churn_rf' },
    ]);
    expect(g.boxes.slice(base.boxes.length).map((b) => [b.id, b.kind, b.status, b.why])).toEqual([
      ['service:svc_a', 'feature_service', 'green', ['3 features', 'from 2 views']],
      ['trained:churn', 'model', 'green', ['champion v2', 'served v2']],
      ['trained:churn_rf', 'model', 'unknown', ['no champion (latest v3)']],
    ]);
    expect(g.boxes.find((b) => b.id === 'trained:churn')?.model).toEqual({ name: 'churn', featureService: 'svc_a', task: 'binary_classification', latestVersion: 3, champion: 2, challenger: null, served: { champion: 2, lastError: null } });
    const column = columnsOf(g.boxes.map((b) => b.id), g.edges);
    expect([column.get('view:fv_a'), column.get('service:svc_a'), column.get('trained:churn')]).toEqual([1, 2, 3]);
    // The input graph is left as it was.
    expect(base.boxes).toHaveLength(3);
    expect(base.edges).toHaveLength(2);
  });

  it('takes the models declared now, with the registry versions and aliases of those trained, and leaves out removed ones', () => {
    const spec = (name: string, featureService: string) => ({ spec: { name, featureService, task: 'regression' }, project: 'p' });
    const registered = (name: string, champion: number) => ({ name, featureService: 'svc_old', task: 'regression', latestVersion: champion + 1, aliases: { champion, challenger: null } });
    expect(declaredModels([spec('churn', 'svc_a'), spec('ltv', 'svc_b')], [registered('churn', 2), registered('retired', 1)])).toEqual([
      { name: 'churn', project: 'p', featureService: 'svc_a', task: 'regression', latestVersion: 3, aliases: { champion: 2, challenger: null } },
      { name: 'ltv', project: 'p', featureService: 'svc_b', task: 'regression', latestVersion: null, aliases: { champion: null, challenger: null } },
    ]);
  });

  it('keeps a view or a service nobody listed as an unknown box rather than dropping its edge', () => {
    const g = continueToModels(base, all([{ name: 'svc_a', project: null, features: ['fv_gone:x'] }]), all([model({ featureService: 'svc_gone' })]), all([]));
    expect(g.boxes.slice(base.boxes.length).map((b) => [b.id, b.status])).toEqual([
      ['service:svc_a', 'amber'],
      ['view:fv_gone', 'unknown'],
      ['service:svc_gone', 'unknown'],
      ['trained:churn', 'amber'],
    ]);
    expect(g.edges.slice(base.edges.length)).toEqual([
      { from: 'view:fv_gone', to: 'service:svc_a' },
      { from: 'service:svc_gone', to: 'trained:churn' },
    ]);
  });

  it('stops where the token stops: no services without features:read, no models without trainer:read, and says so', () => {
    const noFeatures = continueToModels(base, { stop: 'needs features:read' }, all([model({})]), all([]));
    expect(noFeatures).toEqual({ ...base, stops: ['needs features:read'] });
    const noTrainer = continueToModels(base, all([{ name: 'svc_a', project: 'p', features: ['fv_a:x'] }]), { stop: 'needs trainer:read' }, all([]));
    expect(noTrainer.boxes.map((b) => b.kind)).toEqual(['marts', 'feature_view', 'feature_view', 'feature_service']);
    expect(noTrainer.stops).toEqual(['needs trainer:read']);
    const noServing = continueToModels(base, all([{ name: 'svc_a', project: 'p', features: ['fv_a:x'] }]), all([model({})]), { stop: 'serving unreadable' });
    expect(noServing.boxes.at(-1)?.why).toEqual(['champion v2', 'serving not read']);
    expect(noServing.stops).toEqual(['serving unreadable']);
  });

  it("colours a model by whether serving loaded the registry's champion", () => {
    const m = model({});
    expect(modelStatus(m, { name: 'churn', champion: 2 }).status).toBe('green');
    expect(modelStatus(m, { name: 'churn', champion: 1 })).toEqual({ status: 'amber', why: ['champion v2', 'serving still loads v1'] });
    expect(modelStatus(m, { name: 'churn', champion: null }).why).toEqual(['champion v2', 'serving has not loaded it yet']);
    expect(modelStatus(m, { name: 'churn', champion: 2, lastError: 'artifact missing' })).toEqual({ status: 'red', why: ['champion v2', 'load failed: artifact missing'] });
    expect(modelStatus(m, undefined).status).toBe('amber');
    expect(modelStatus(model({ latestVersion: null, aliases: { champion: null, challenger: null } }), null)).toEqual({ status: 'unknown', why: ['not trained yet'] });
  });

  it("turns a refusal (by scope or the service's 403) into a stop that names the scope, other failures into a stop that names them", () => {
    const part = { what: 'models', scope: 'trainer:read', allowed: true, data: undefined as number[] | undefined, error: undefined as unknown };
    const refused = { stop: 'Your token cannot read models (it needs trainer:read), so the graph stops before them.' };
    expect(reachOf({ ...part, allowed: false, data: [1] })).toEqual(refused);
    expect(reachOf({ ...part, error: Object.assign(new Error('forbidden'), { status: 403 }) })).toEqual(refused);
    expect(reachOf({ ...part, error: Object.assign(new Error('upstream down'), { status: 502 }) })).toEqual({ stop: 'Models could not be read: upstream down.' });
    expect(reachOf({ ...part, data: [1, 2] })).toEqual({ items: [1, 2] });
    expect(reachOf(part)).toEqual({ stop: 'Loading models…' });
  });
});
