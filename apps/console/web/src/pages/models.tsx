import { ErrorBox, Loading } from '../components';
import { ago } from '../format';
import { registry } from '../platform';
import { Link } from '../router';
import { useCan } from '../session';
import { useCall } from '../use-api';

/** Which models exist, and which version of each is champion? */
export function ModelsPage() {
  const can = useCan();
  const allowed = can('trainer', 'GET', '/v1/models');
  const models = useCall(allowed ? 'models' : null, async (signal) => ({ models: await registry.models({ signal }) }));
  return (
    <div className="page">
      <h1>Models</h1>
      {!allowed && <p className="notice">Your token cannot read the model registry (it needs trainer:read).</p>}
      {models.error && <ErrorBox error={models.error} what="The registry could not be read" />}
      {allowed && !models.data && !models.error && <Loading what="the registry" />}
      {models.data && (
        <table className="table" aria-label="Registered models">
          <thead>
            <tr>
              <th>model</th>
              <th>task</th>
              <th>feature service</th>
              <th className="num">latest</th>
              <th className="num">champion</th>
              <th className="num">challenger</th>
              <th>updated</th>
            </tr>
          </thead>
          <tbody>
            {models.data.models.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                  {m.description && <div className="meta">{m.description}</div>}
                </td>
                <td>{m.task.replace(/_/g, ' ')}</td>
                <td>{m.featureService}</td>
                <td className="num">{m.latestVersion === null ? '–' : `v${m.latestVersion}`}</td>
                <td className="num">{m.aliases.champion === null ? '–' : <span className="badge badge-champion">v{m.aliases.champion}</span>}</td>
                <td className="num">{m.aliases.challenger === null ? '–' : <span className="badge badge-challenger">v{m.aliases.challenger}</span>}</td>
                <td>{ago(m.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {models.data && models.data.models.length === 0 && <p className="meta">No model specs yet: a team applies one with POST /v1/model-specs.</p>}
    </div>
  );
}
