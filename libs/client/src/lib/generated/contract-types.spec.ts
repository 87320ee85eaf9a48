import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type * as Contracts from '@mlp/contracts';
import type * as Client from './contract-types';

// Mutual assignability: the client's plain types accept and give exactly what the contracts do.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The contract's TypeScript type is wider than its schema (TrainingRun's and BatchJob's status are built with .map and so type as string); the client's follows the schema. */
type Narrower<A, B> = [A] extends [B] ? true : false;
type Checks = {
  ErrorResponse: Same<Client.ErrorResponse, Contracts.ErrorResponse>;
  TrackingMessage: Same<Client.TrackingMessage, Contracts.TrackingMessage>;
  BatchRequest: Same<Client.BatchRequest, Contracts.BatchRequest>;
  EventResult: Same<Client.EventResult, Contracts.EventResult>;
  IngestResponse: Same<Client.IngestResponse, Contracts.IngestResponse>;
  ImportResult: Same<Client.ImportResult, Contracts.ImportResult>;
  OnlineFeaturesRequest: Same<Client.OnlineFeaturesRequest, Contracts.OnlineFeaturesRequest>;
  OnlineFeaturesResponse: Same<Client.OnlineFeaturesResponse, Contracts.OnlineFeaturesResponse>;
  HistoricalFeaturesRequest: Same<Client.HistoricalFeaturesRequest, Contracts.HistoricalFeaturesRequest>;
  DatasetMetadata: Same<Client.DatasetMetadata, Contracts.DatasetMetadata>;
  InferRequest: Same<Client.InferRequest, Contracts.InferRequest>;
  InferResponse: Same<Client.InferResponse, Contracts.InferResponse>;
  PredictEntitiesBody: Same<Client.PredictEntitiesBody, Contracts.PredictEntitiesBody>;
  PredictEntitiesReply: Same<Client.PredictEntitiesReply, Contracts.PredictEntitiesReply>;
  CreateBatchJob: Same<Client.CreateBatchJob, Contracts.CreateBatchJob>;
  BatchJob: Narrower<Client.BatchJob, Contracts.BatchJob>;
  BatchResultsQuery: Same<Client.BatchResultsQuery, Contracts.BatchResultsQuery>;
  BatchResultsPage: Same<Client.BatchResultsPage, Contracts.BatchResultsPage>;
  CreateTrainingRun: Same<Client.CreateTrainingRun, Contracts.CreateTrainingRun>;
  TrainingRun: Narrower<Client.TrainingRun, Contracts.TrainingRun>;
  MoveAlias: Same<Client.MoveAlias, Contracts.MoveAlias>;
  SlaReport: Same<Client.SlaReport, Contracts.SlaReport>;
  FeatureApplyRequest: Same<Client.FeatureApplyRequest, Contracts.ApplyRequest>;
  FeatureApplyPlan: Same<Client.FeatureApplyPlan, Contracts.ApplyPlan>;
  ModelSpecApplyRequest: Same<Client.ModelSpecApplyRequest, Contracts.ModelSpecApplyRequest>;
  ModelSpecApplyPlan: Same<Client.ModelSpecApplyPlan, Contracts.ModelSpecApplyPlan>;
  Algorithm: Same<Client.Algorithm, Contracts.Algorithm>;
  DataSplit: Same<Client.DataSplit, Contracts.DataSplit>;
  PromotionPolicy: Same<Client.PromotionPolicy, Contracts.PromotionPolicy>;
  ModelSpec: Same<Client.ModelSpec, Contracts.ModelSpec>;
  ModelSpecRecord: Same<Client.ModelSpecRecord, Contracts.ModelSpecRecord>;
  HoldoutPredictions: Same<Client.HoldoutPredictions, Contracts.HoldoutPredictions>;
  MaterializeIncrementalRequest: Same<Client.MaterializeIncrementalRequest, Contracts.MaterializeIncrementalRequest>;
  Materialization: Same<Client.Materialization, Contracts.Materialization>;
  RefreshOutcomesRequest: Same<Client.RefreshOutcomesRequest, Contracts.RefreshOutcomesRequest>;
  OutcomeRefreshResult: Same<Client.OutcomeRefreshResult, Contracts.OutcomeRefreshResult>;
  LiveQualityReport: Same<Client.LiveQualityReport, Contracts.LiveQualityReport>;
  DriftReport: Same<Client.DriftReport, Contracts.DriftReport>;
  CreateSearch: Same<Client.CreateSearch, Contracts.CreateSearch>;
  Search: Narrower<Client.Search, Contracts.Search>;
  RunComparison: Narrower<Client.RunComparison, Contracts.RunComparison>;
  EntityDefinition: Same<Client.EntityDefinition, Contracts.EntityDefinition>;
  FeatureViewStats: Same<Client.FeatureViewStats, Contracts.FeatureViewStats>;
  KpiList: Same<Client.KpiList, Contracts.KpiList>;
  KpiSeries: Same<Client.KpiSeries, Contracts.KpiSeries>;
  TrafficPolicy: Same<Client.TrafficPolicy, Contracts.TrafficPolicy>;
  TrafficPolicyPatch: Same<Client.TrafficPolicyPatch, Contracts.TrafficPolicyPatch>;
  TrafficStats: Same<Client.TrafficStats, Contracts.TrafficStats>;
  DriftHistory: Same<Client.DriftHistory, Contracts.DriftHistory>;
};
// The typecheck (`npm run typecheck`) fails here when a generated type drifts from its contract.
const allSame: { [K in keyof Checks]: true } = null as unknown as Checks;

describe('the client contract types', () => {
  it('are what tools/client/write-contract-types.mjs prints from the contracts now', () => {
    void allSame;
    const root = path.resolve(__dirname, '../../../../..');
    const check = spawnSync(process.execPath, ['tools/client/write-contract-types.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toContain('client contract types match the contracts');
    expect(check.status).toBe(0);
  });
});
