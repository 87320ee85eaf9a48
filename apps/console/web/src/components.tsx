import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from './api';

export type Rag = 'green' | 'amber' | 'red' | 'unknown';

export function StatusDot({ status, label }: { status: Rag; label?: string }) {
  return <span className={`dot dot-${status}`} role="img" aria-label={label ?? status} title={label ?? status} />;
}

export function Loading({ what }: { what: string }) {
  return <p className="loading">Loading {what}…</p>;
}

/** An error from the API, with its code and request id (what to search the logs for). */
export function ErrorBox({ error, what }: { error: Error; what?: string }) {
  const api = error instanceof ApiError ? error : null;
  const permission = api && (api.status === 401 || api.status === 403);
  return (
    <div className={permission ? 'notice' : 'error-box'} role={permission ? 'note' : 'alert'}>
      {what && <strong>{what}: </strong>}
      {permission ? `your token may not read this (${api.message}).` : error.message}
      {api && !permission && (
        <span className="meta">
          {' '}
          ({api.code}
          {api.requestId ? `, request ${api.requestId}` : ''})
        </span>
      )}
      {api && api.details.length > 0 && !permission && (
        <ul>
          {api.details.slice(0, 5).map((d, i) => (
            <li key={i}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Section({ title, actions, children, id }: { title: string; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="panel" id={id} aria-label={title}>
      <header>
        <h2>{title}</h2>
        {actions && <div className="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A modal dialog on the browser's own <dialog>: focus, Escape and the backdrop come with it. */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title}>
      <h2>{title}</h2>
      {open && children}
    </dialog>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
