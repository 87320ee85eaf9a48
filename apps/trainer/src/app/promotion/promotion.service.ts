import { Injectable } from '@nestjs/common';
import type { GateDecision } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { encodeArtifact } from '../artifacts/artifact-codec';
import { RegistryService } from '../registry/registry.service';
import type { RunRow } from '../training-runs/run-queue';
import type { TrainingOutcome } from '../training-runs/training-pipeline';
import { decidePromotion } from './promotion-gate';
import { LeaseLostError } from '../training-runs/lease-lost-error';

/** Held-out rows kept per run (with their scores); a larger held-out window keeps its first rows. */
export const HOLDOUT_ROWS_KEPT = 20_000;


/**
 * Registers a finished run: a new version (auto-incremented under the model's row lock) with its
 * artifact, sha256 and lineage, the gate's decision, the champion move with its audit entry and
 * `model.promoted.v1` event, and the run's final state, all in one transaction.
 */
@Injectable()
export class PromotionService {
  constructor(
    private readonly db: Database,
    private readonly registry: RegistryService,
  ) {}

  async registerOutcome(run: RunRow, owner: string, outcome: TrainingOutcome, backend: string, championAtStart: number | null): Promise<{ version: number; gate: GateDecision }> {
    return this.db.transaction(async (m) => {
      const [model] = (await m.query(`SELECT removed_at IS NOT NULL AS removed FROM "registry".models WHERE name = $1 FOR UPDATE`, [run.model])) as Array<{ removed: boolean }>;
      const [held] = (await m.query(`SELECT id FROM "registry".training_runs WHERE id = $1 AND lease_owner = $2 AND status = 'running' FOR UPDATE`, [run.id, owner])) as unknown[];
      if (!held) throw new LeaseLostError(run.id);
      const [{ next }] = (await m.query(`SELECT COALESCE(max(version), 0) + 1 AS next FROM "registry".model_versions WHERE model = $1`, [run.model])) as Array<{ next: number }>;
      const version = Number(next);
      if (!outcome.artifact) throw new Error(`training run ${run.id} has no model to register (a trial is recorded, never registered)`);
      const encoded = encodeArtifact({ ...outcome.artifact, version });
      const [champion] = (await m.query(`SELECT version FROM "registry".model_aliases WHERE model = $1 AND alias = 'champion'`, [run.model])) as Array<{ version: number }>;
      const championNow = champion?.version ?? null;
      const spec = run.spec;
      let gate: GateDecision;
      if (model?.removed) {
        // Its project removed the spec while it trained: the version is kept (history), never promoted.
        gate = {
          promoted: false,
          code: 'MODEL_SPEC_REMOVED',
          reason: 'the model spec was removed while this run trained',
          comparedWith: 'none',
          candidate: outcome.metrics['candidate']?.[spec.primaryMetric] ?? null,
          reference: null,
        };
      } else if (championNow !== championAtStart) {
        gate = {
          promoted: false,
          code: 'CHAMPION_CHANGED',
          reason: `the champion moved from ${championAtStart === null ? 'none' : `v${championAtStart}`} to v${championNow} while this run trained; it was not compared with the new champion`,
          comparedWith: 'none',
          candidate: outcome.metrics['candidate']?.[spec.primaryMetric] ?? null,
          reference: null,
        };
      } else {
        gate = decidePromotion({
          metric: spec.primaryMetric,
          policy: spec.promotion,
          candidate: outcome.metrics['candidate'] ?? {},
          baseline: outcome.metrics['baseline'] ?? null,
          champion: championNow === null ? null : { version: championNow, metrics: outcome.metrics['champion'] ?? null },
          evalRows: outcome.dataset.holdoutRows,
          candidateIsBaseline: spec.algorithm.kind === 'baseline',
        });
        if (championNow !== null && !outcome.metrics['champion'] && outcome.championError) gate.reason += `; champion error: ${outcome.championError}`;
      }
      const lineage = {
        runId: run.id,
        datasetFingerprint: outcome.dataset.fingerprint,
        datasetRows: outcome.dataset.rows,
        featureService: spec.featureService,
        featureServiceVersion: outcome.featureServiceVersion,
        // The exact view versions the model was trained on and is served (null: not reported).
        featureViewVersions: outcome.artifact.featureViewVersions ?? null,
        specHash: run.spec_hash,
        codeVersion: run.code_version,
        backend,
        seed: run.seed,
        dataStart: outcome.dataset.start,
        dataEnd: outcome.dataset.end,
        holdoutStart: outcome.dataset.holdoutStart,
        // How the rows were split, so the version says which rows trained, validated and judged it.
        split: {
          kind: outcome.dataset.split,
          seed: outcome.dataset.splitSeed ?? null,
          folds: outcome.dataset.folds ?? null,
          trainRows: outcome.dataset.trainRows,
          validationRows: outcome.dataset.validationRows,
          testRows: outcome.dataset.holdoutRows,
        },
        crossValidation: outcome.crossValidation,
        // The search whose winner this version is (null: a run of its own).
        searchId: run.search_id,
      };
      await m.query(
        `INSERT INTO "registry".model_versions (model, version, run_id, algorithm, artifact, sha256, metrics, lineage, gate, status, tags, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11::jsonb, $12)`,
        [
          run.model,
          version,
          run.id,
          spec.algorithm.kind,
          Buffer.from(encoded.json, 'utf8'),
          encoded.sha256,
          JSON.stringify(outcome.metrics),
          JSON.stringify(lineage),
          JSON.stringify(gate),
          gate.promoted ? 'promoted' : 'candidate',
          JSON.stringify(spec.tags ?? {}),
          spec.description ?? null,
        ],
      );
      if (gate.promoted) {
        await this.registry.moveAliasIn(m, {
          model: run.model,
          alias: 'champion',
          version,
          actor: 'promotion-gate',
          reason: gate.reason,
          runId: run.id,
          metrics: outcome.metrics['candidate'],
        });
      }
      await m.query(
        `UPDATE "registry".training_runs SET status = 'succeeded', progress = 1, metrics = $3::jsonb, dataset = $4::jsonb, curves = $5::jsonb,
                feature_service_version = $6, backend = $7, model_version = $8, gate = $9::jsonb, calibration = $10::jsonb, cross_validation = $11::jsonb,
                finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND lease_owner = $2`,
        [
          run.id,
          owner,
          JSON.stringify(outcome.metrics),
          JSON.stringify(outcome.dataset),
          JSON.stringify(outcome.curves),
          outcome.featureServiceVersion,
          backend,
          version,
          JSON.stringify(gate),
          outcome.calibration ? JSON.stringify(outcome.calibration) : null,
          outcome.crossValidation ? JSON.stringify(outcome.crossValidation) : null,
        ],
      );
      await m.query(`INSERT INTO "registry".training_run_holdout (run_id, total, rows) VALUES ($1, $2, $3::jsonb)`, [
        run.id,
        outcome.holdout.length,
        JSON.stringify(outcome.holdout.slice(0, HOLDOUT_ROWS_KEPT)),
      ]);
      return { version, gate };
    });
  }
}
