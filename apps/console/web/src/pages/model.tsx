import { useState, type FormEvent } from 'react';
import { asApiError, seg } from '../api';
import { Dialog, ErrorBox, Loading, Section } from '../components';
import { ago, duration, num, shortId, when } from '../format';
import { registry } from '../platform';
import { primaryMetricOf } from '../registry-types';
import { Link, navigate } from '../router';
import { useCan } from '../session';
import { useCall } from '../use-api';
import { usePagedCall, type PagedList } from '../use-paged-api';

type Alias = 'champion' | 'challenger';

export interface Move {
  alias: Alias;
  version: number | null;
  /** What the dialog calls it: promote, roll back, remove. */
  kind: 'promote' | 'rollback' | 'remove';
}

/** Which version is champion, why (its gate decision), and who moved the aliases when. */
export function ModelPage({ name }: { name: string }) {
  const can = useCan();
  const base = `/v1/models/${seg(name)}`;
  const readable = can('trainer', 'GET', base);
  const mayMove = can('trainer', 'POST', `${base}/aliases`);
  const model = useCall(readable ? `model:${name}` : null, (signal) => registry.model(name, { signal }));
  const versions = usePagedCall(readable ? `versions:${name}` : null, async (cursor, signal) => {
    const page = await registry.versionsPage(name, { limit: 50, cursor }, { signal });
    return { items: page.versions, nextCursor: page.nextCursor };
  });
  const audit = useCall(readable ? `audit:${name}` : null, (signal) => registry.aliasAudit(name, { signal }));
  const runs = usePagedCall(readable ? `runs:${name}` : null, async (cursor, signal) => {
    const page = await registry.runsPage({ model: name, limit: 50, cursor }, { signal });
    return { items: page.runs, nextCursor: page.nextCursor };
  });
  const [move, setMove] = useState<Move | null>(null);
  const [picked, setPicked] = useState<string[]>([]);

  if (!readable) return <div className="page"><h1>{name}</h1><p className="notice">Your token cannot read the model registry (it needs trainer:read).</p></div>;
  const metric = primaryMetricOf(model.data?.spec);
  const champion = model.data?.aliases.champion ?? null;
  const challenger = model.data?.aliases.challenger ?? null;
  const lastChampionMove = audit.data?.entries.filter((e) => e.alias === 'champion').at(-1);
  const rollbackTo = lastChampionMove && lastChampionMove.to === champion && lastChampionMove.from !== null ? lastChampionMove.from : null;
  const moved = () => {
    setMove(null);
    model.reload();
    versions.reload();
    audit.reload();
  };
  const togglePick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));

  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/models">Models</Link> /
      </p>
      <h1>{name}</h1>
      {model.error && <ErrorBox error={model.error} what="The model could not be read" />}
      {model.data && (
        <div className="facts">
          <span>{model.data.description}</span>
          <span>task: {model.data.task.replace(/_/g, ' ')}</span>
          <span>feature service: {model.data.featureService}</span>
          <span>primary metric: {metric}</span>
          <span>
            champion: <strong data-testid="champion">{champion === null ? 'none' : `v${champion}`}</strong>
          </span>
          <span>
            challenger: <strong data-testid="challenger">{challenger === null ? 'none' : `v${challenger}`}</strong>
          </span>
          {champion !== null && <Link to={`/serving/${seg(name)}`}>serving →</Link>}
        </div>
      )}

      <Section
        title="Versions"
        actions={
          <>
            {rollbackTo !== null && (
              <button type="button" disabled={!mayMove} title={mayMove ? undefined : 'needs the admin scope'} onClick={() => setMove({ alias: 'champion', version: rollbackTo, kind: 'rollback' })}>
                Roll back champion to v{rollbackTo}
              </button>
            )}
            {challenger !== null && (
              <button type="button" disabled={!mayMove} title={mayMove ? undefined : 'needs the admin scope'} onClick={() => setMove({ alias: 'challenger', version: null, kind: 'remove' })}>
                Remove challenger
              </button>
            )}
          </>
        }
      >
        {versions.error && <ErrorBox error={versions.error} />}
        {!versions.items && !versions.error && <Loading what="versions" />}
        {versions.items && versions.items.length === 0 && <p className="meta">No versions yet: a training run registers one.</p>}
        {versions.items && versions.items.length > 0 && (
          <table className="table" aria-label="Versions">
            <thead>
              <tr>
                <th>version</th>
                <th>algorithm</th>
                <th>status</th>
                <th className="num">{metric} held out</th>
                <th className="num">baseline</th>
                <th>gate</th>
                <th>registered</th>
                <th>run</th>
                <th>{mayMove ? 'move an alias here' : ''}</th>
              </tr>
            </thead>
            <tbody>
              {versions.items.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>
                    v{v.version}{' '}
                    {v.aliases.map((a) => (
                      <span key={a} className={`badge badge-${a}`}>
                        {a}
                      </span>
                    ))}
                  </td>
                  <td>{v.algorithm.replace(/_/g, ' ')}</td>
                  <td>{v.status}</td>
                  <td className="num">{num(v.metrics.candidate?.[metric])}</td>
                  <td className="num">{num(v.metrics.baseline?.[metric])}</td>
                  <td className="gate">
                    {v.gate ? (
                      <>
                        <code className={v.gate.promoted ? 'ok' : 'refused'}>{v.gate.code}</code> <span className="meta">{v.gate.reason}</span>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>{ago(v.createdAt)}</td>
                  <td>{v.runId ? <Link to={`/runs/${seg(v.runId)}`}>{shortId(v.runId)}</Link> : '–'}</td>
                  <td className="row-actions">
                    {mayMove && !v.aliases.includes('champion') && (
                      <button type="button" onClick={() => setMove({ alias: 'champion', version: v.version, kind: 'promote' })} aria-label={`Make v${v.version} champion`}>
                        Make champion
                      </button>
                    )}
                    {mayMove && !v.aliases.includes('challenger') && !v.aliases.includes('champion') && (
                      <button type="button" className="secondary" onClick={() => setMove({ alias: 'challenger', version: v.version, kind: 'promote' })} aria-label={`Make v${v.version} challenger`}>
                        Make challenger
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreRows list={versions} what="versions" />
        {!mayMove && versions.items && <p className="meta">Moving an alias needs a token with the admin scope.</p>}
      </Section>

      <Section
        title="Training runs"
        actions={
          <button type="button" disabled={picked.length !== 2} onClick={() => navigate(`/compare?a=${seg(picked[0])}&b=${seg(picked[1])}`)}>
            Compare the two selected
          </button>
        }
      >
        {runs.error && <ErrorBox error={runs.error} />}
        {!runs.items && !runs.error && <Loading what="runs" />}
        {runs.items && (
          <table className="table" aria-label="Training runs">
            <thead>
              <tr>
                <th aria-label="select" />
                <th>run</th>
                <th>status</th>
                <th>trigger</th>
                <th className="num">version</th>
                <th className="num">{metric} held out</th>
                <th>gate</th>
                <th>started</th>
                <th className="num">took</th>
              </tr>
            </thead>
            <tbody>
              {runs.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input type="checkbox" aria-label={`select run ${shortId(r.id)}`} checked={picked.includes(r.id)} onChange={() => togglePick(r.id)} />
                  </td>
                  <td>
                    <Link to={`/runs/${seg(r.id)}`}>{shortId(r.id)}</Link>
                  </td>
                  <td className={`run-${r.status}`}>{r.status}{r.status === 'running' ? ` ${Math.round(r.progress * 100)}%` : ''}</td>
                  <td>{r.trigger}</td>
                  <td className="num">{r.modelVersion === null ? '–' : `v${r.modelVersion}`}</td>
                  <td className="num">{num(r.metrics?.candidate?.[metric])}</td>
                  <td>{r.gate ? <code className={r.gate.promoted ? 'ok' : 'refused'}>{r.gate.code}</code> : r.error ? <span className="refused">{r.error}</span> : '–'}</td>
                  <td>{when(r.startedAt ?? r.createdAt)}</td>
                  <td className="num">{duration(r.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <MoreRows list={runs} what="runs" />
      </Section>

      <Section title="Alias audit log">
        {audit.error && <ErrorBox error={audit.error} />}
        {audit.data && audit.data.entries.length === 0 && <p className="meta">No alias has moved yet.</p>}
        {audit.data && audit.data.entries.length > 0 && (
          <table className="table" aria-label="Alias audit log">
            <thead>
              <tr>
                <th>when</th>
                <th>alias</th>
                <th>from</th>
                <th>to</th>
                <th>who</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {[...audit.data.entries].reverse().map((e) => (
                <tr key={e.id} data-audit-id={e.id}>
                  <td>{when(e.at)}</td>
                  <td>{e.alias}</td>
                  <td>{e.from === null ? '–' : `v${e.from}`}</td>
                  <td>{e.to === null ? '–' : `v${e.to}`}</td>
                  <td>{e.actor}</td>
                  <td className="reason">{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <MoveAliasDialog model={name} move={move} current={{ champion, challenger }} onClose={() => setMove(null)} onMoved={moved} />
    </div>
  );
}

/** The next page of a server-paged list, on request. */
function MoreRows({ list, what }: { list: PagedList<unknown>; what: string }) {
  if (!list.more) return null;
  return (
    <div className="dialog-actions">
      <button type="button" className="secondary" onClick={list.more} disabled={list.loadingMore}>
        Show more {what} ({list.items?.length ?? 0} shown)
      </button>
    </div>
  );
}

/** Moving an alias always says why: the reason goes into the trainer's audit log with the token's name. */
export function MoveAliasDialog({ model, move, current, onClose, onMoved }: { model: string; move: Move | null; current: Record<Alias, number | null>; onClose: () => void; onMoved: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setReason('');
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!move || reason.trim().length < 3) return;
    setBusy(true);
    setError(null);
    try {
      await registry.moveAlias(model, { alias: move.alias, version: move.version, reason: reason.trim() });
      setReason('');
      onMoved();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const title = !move ? '' : move.kind === 'remove' ? `Remove the ${move.alias} of ${model}` : move.kind === 'rollback' ? `Roll back ${model} to v${move.version}` : `Make v${move.version} the ${move.alias} of ${model}`;
  const from = move ? current[move.alias] : null;
  return (
    <Dialog title={title} open={move !== null} onClose={close}>
      {move && (
        <form onSubmit={(e) => void submit(e)} className="dialog-form">
          <p>
            {move.alias}: {from === null ? 'none' : `v${from}`} → <strong>{move.version === null ? 'none' : `v${move.version}`}</strong>. Serving follows within seconds; the move is recorded in the audit log.
          </p>
          <label htmlFor="move-reason">Reason (required)</label>
          <textarea id="move-reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} maxLength={1000} rows={3} placeholder="e.g. v3 mis-scores new users after the pricing change; back to v2 until retrained" />
          {error && <ErrorBox error={error} what="Not moved" />}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={busy || reason.trim().length < 3}>
              {move.kind === 'remove' ? 'Remove' : move.kind === 'rollback' ? 'Roll back' : 'Move alias'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
