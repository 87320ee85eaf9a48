import { Body, Controller, Get, Header, Module, Param, Post } from '@nestjs/common';
import {
  GetModelVersionMessage,
  GetOnlineFeaturesMessage,
  IngestPredictionLogLinesMessage,
  InfoMessages,
  LiveQualityMessage,
  type LiveQualityGroup,
  ListAliasesMessage,
  ModelDriftDetectedEvent,
  type ModelVersionWithArtifact,
  type PayloadOf,
  PredictionLogRecordContract,
  type PredictionLogRecord,
  type RequestOf,
} from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { HandleEvent, HandleMessage, type ServiceDefinition } from '@mlp/service-kit';

type FeatureRow = Record<string, { value: number | string | null; status: 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE' }>;

/**
 * What the peer fixture answers. Integration tests may not start the other apps (apps never import
 * apps), so a small real service, started with the kit on the real TCP transport, answers the
 * trainer's, feature store's and warehouse's message contracts from this state.
 */
export class PeerFixtureState {
  aliases = new Map<string, { champion: number | null; challenger: number | null }>();
  versions = new Map<string, ModelVersionWithArtifact>();
  features = new Map<string, FeatureRow>();
  warehouseDown = false;
  /** The warehouse refuses every prediction log batch as invalid (a 400, as dwh-ingest answers a bad line). */
  warehouseRefusesLog = false;
  /** Online-feature calls left before the feature store starts failing (undefined: never fails). */
  featureCallsBeforeOutage?: number;
  readonly logged = new Map<string, PredictionLogRecord>();
  /** What the warehouse's live-quality answer holds per model with an outcome (dwh-ingest computes it from the labelled predictions); others are 404 NO_OUTCOME. */
  readonly liveQuality = new Map<string, LiveQualityGroup[]>();
  readonly driftEvents: Array<PayloadOf<typeof ModelDriftDetectedEvent>> = [];
  versionFetches = 0;
  /** The offline history point-in-time retrieval reads: per entity key, values of feature refs (`view:feature`) from a time on. */
  readonly history: Array<{ key: string; at: string; values: Record<string, number | string | null> }> = [];
  /** The bodies of the point-in-time retrievals asked for. */
  readonly historicalRequests: Array<Record<string, unknown>> = [];

  addVersion(entry: ModelVersionWithArtifact): void {
    this.versions.set(`${entry.model}@${entry.version}`, entry);
  }
}

export const peerState = new PeerFixtureState();

@Controller()
class PeerFixtureController {
  @HandleMessage(ListAliasesMessage)
  aliases() {
    return { models: [...peerState.aliases].map(([model, a]) => ({ model, ...a })) };
  }

  @HandleMessage(GetModelVersionMessage)
  version(req: RequestOf<typeof GetModelVersionMessage>) {
    peerState.versionFetches++;
    const version = req.version ?? (req.alias ? peerState.aliases.get(req.model)?.[req.alias] : undefined);
    const entry = version ? peerState.versions.get(`${req.model}@${version}`) : undefined;
    if (!entry) throw PlatformError.notFound(`no version ${version ?? req.alias} of ${req.model}`);
    return entry;
  }

  @HandleMessage(GetOnlineFeaturesMessage)
  online(req: RequestOf<typeof GetOnlineFeaturesMessage>) {
    if (peerState.featureCallsBeforeOutage !== undefined) {
      if (peerState.featureCallsBeforeOutage <= 0) throw PlatformError.unavailable('online store', 'fixture switched off');
      peerState.featureCallsBeforeOutage--;
    }
    const refs = req.features ?? [];
    const ids = req.entities['user_id'] ?? [];
    const rows = ids.map((id) => peerState.features.get(String(id)));
    return {
      metadata: { feature_names: ['user_id', ...refs.map((r) => r.replace(':', '__'))] },
      results: [
        { values: ids, statuses: ids.map(() => 'PRESENT' as const), event_timestamps: ids.map(() => null) },
        ...refs.map((ref) => ({
          values: rows.map((r) => r?.[ref]?.value ?? null),
          statuses: rows.map((r) => r?.[ref]?.status ?? ('NOT_FOUND' as const)),
          event_timestamps: rows.map(() => null),
        })),
      ],
    };
  }

  /** As dwh-ingest: every line must be a PredictionLogRecord, or the batch is refused naming the line. */
  @HandleMessage(IngestPredictionLogLinesMessage)
  ingest(req: RequestOf<typeof IngestPredictionLogLinesMessage>) {
    if (peerState.warehouseDown) throw PlatformError.unavailable('warehouse', 'fixture switched off');
    const records = req.lines.map((line, i) => {
      const checked = PredictionLogRecordContract.validate(JSON.parse(line));
      if (!checked.ok || peerState.warehouseRefusesLog) {
        throw PlatformError.badRequest('invalid dwh-ingest.prediction-log.v2 lines', checked.ok ? [{ path: `$.lines[${i}]`, code: 'REFUSED', message: 'fixture refuses' }] : checked.violations, 'INVALID_PREDICTION_LOG');
      }
      return checked.value;
    });
    let duplicates = 0;
    for (const r of records) {
      if (peerState.logged.has(r.predictionId)) duplicates++;
      peerState.logged.set(r.predictionId, r);
    }
    return { accepted: records.length - duplicates, duplicates };
  }

  @HandleMessage(LiveQualityMessage)
  liveQuality(req: RequestOf<typeof LiveQualityMessage>) {
    if (peerState.warehouseDown) throw PlatformError.unavailable('warehouse', 'fixture switched off');
    const end = new Date();
    const known = peerState.liveQuality.get(req.model);
    if (!known) throw PlatformError.notFound(`model ${req.model} has no outcome`, 'NO_OUTCOME');
    const groups = known.filter((g) => req.version === undefined || g.version === req.version);
    return {
      model: req.model,
      windowHours: req.windowHours,
      windowStart: new Date(end.getTime() - req.windowHours * 3_600_000).toISOString(),
      windowEnd: end.toISOString(),
      label: 'ordered',
      bins: req.bins ?? 10,
      martUpdatedAt: end.toISOString(),
      groups,
    };
  }

  @HandleEvent(ModelDriftDetectedEvent)
  drift(event: PayloadOf<typeof ModelDriftDetectedEvent>) {
    peerState.driftEvents.push(event);
  }
}

/** The feature store's HTTP statistics endpoint (drift baselines), for the user_activity view only. */
@Controller('v1/feature-views')
class FeatureStatsFixtureController {
  @Get(':name/stats')
  stats(@Param('name') name: string) {
    if (name !== 'user_activity') throw PlatformError.notFound(`unknown feature view ${name}`);
    const base = { type: 'numeric', count: 1000, null_count: 0, null_rate: 0, mean: null, std: null, min: null, max: null, quantiles: null };
    return {
      view: 'user_activity',
      version: 1,
      materialization_id: 1,
      computed_at: new Date().toISOString(),
      features: [
        { ...base, feature: 'orders_7d', histogram: { edges: [0, 1, 2, 3, 5, 10], counts: [300, 250, 200, 150, 100] } },
        { ...base, feature: 'revenue_7d', histogram: { edges: [0, 10, 50, 200, 1000], counts: [400, 300, 200, 100] } },
      ],
    };
  }
}

/**
 * The feature store's point-in-time retrieval (`POST /v1/historical-features`, NDJSON): per entity
 * row, the latest history entry at or before its `event_timestamp`, the columns named by full feature
 * names (`view__feature`, `view__vN__feature` when pinned), the metadata line last.
 */
@Controller('v1')
class HistoricalFeaturesFixtureController {
  @Post('historical-features')
  @Header('content-type', 'application/x-ndjson')
  historical(@Body() body: { features: string[]; entity_rows: Record<string, unknown[]> }) {
    peerState.historicalRequests.push(body);
    const times = body.entity_rows['event_timestamp'] as string[];
    const ids = body.entity_rows['user_id'] ?? [];
    const column = (ref: string) => ref.replace(/@v(\d+):/, '__v$1__').replace(':', '__');
    const lines = ids.map((id, i) => {
      const at = Date.parse(times[i]);
      const entry = peerState.history.filter((h) => h.key === String(id) && Date.parse(h.at) <= at).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
      const row: Record<string, unknown> = { user_id: id, event_timestamp: times[i] };
      for (const ref of body.features) row[column(ref)] = entry?.values[ref.replace(/@v\d+/, '')] ?? null;
      return JSON.stringify(row);
    });
    const meta = { _metadata: { rows: ids.length, columns: [], features: body.features.map(column), fingerprint: `sha256:${'0'.repeat(64)}`, created_at: new Date().toISOString() } };
    return [...lines, JSON.stringify(meta)].join('\n') + '\n';
  }
}

@Module({ controllers: [PeerFixtureController, FeatureStatsFixtureController, HistoricalFeaturesFixtureController] })
export class PeerFixtureModule {}

export const peerFixtureService: ServiceDefinition = {
  name: 'serving-test-peers',
  version: '1.0.0-test',
  description: 'answers trainer, feature-store and dwh-ingest contracts from fixtures',
  schema: 'serving_test_peers',
  httpPort: 0,
  tcpPort: 0,
  migrations: [],
  info: InfoMessages.trainer,
  peers: [{ name: 'model-serving', info: InfoMessages['model-serving'] }],
};
